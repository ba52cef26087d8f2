//! Phase timings of a generation run, for profiling (`agentgen generate --timings`,
//! `AGENTGEN_TIMINGS=1`, and the `phases` bench). Timings never reach the generated output.

use std::time::{Duration, Instant};

/// Durations of the phases of one run, in the order they ran.
#[derive(Debug, Clone, Default)]
pub struct Timings {
    phases: Vec<(&'static str, Duration)>,
}

impl Timings {
    /// Run `f`, adding its duration to the phase `name`.
    pub fn time<T>(&mut self, name: &'static str, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let out = f();
        self.add(name, start.elapsed());
        out
    }

    /// Add `d` to the phase `name` (a phase seen twice accumulates).
    pub fn add(&mut self, name: &'static str, d: Duration) {
        match self.phases.iter_mut().find(|(n, _)| *n == name) {
            Some((_, total)) => *total += d,
            None => self.phases.push((name, d)),
        }
    }

    /// The phases in the order they first ran.
    pub fn phases(&self) -> &[(&'static str, Duration)] {
        &self.phases
    }

    /// One line per phase (`  lower        12.3 ms`), then the sum.
    /// Nested lines (`  of which ...`) are included in the line above them and not summed.
    pub fn render(&self) -> String {
        let mut out = String::from("agentgen timings:\n");
        let mut total = Duration::ZERO;
        for (name, d) in &self.phases {
            if !name.starts_with(' ') {
                total += *d;
            }
            out.push_str(&format!("  {name:<30} {:>8.1} ms\n", ms(*d)));
        }
        out.push_str(&format!("  {:<30} {:>8.1} ms\n", "total", ms(total)));
        out
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_accumulate_in_first_seen_order_and_nested_lines_are_not_summed() {
        let mut t = Timings::default();
        t.add("parse", Duration::from_millis(5));
        t.add("lower", Duration::from_millis(2));
        t.add("parse", Duration::from_millis(1));
        t.add("  of which x", Duration::from_millis(1));
        t.add("lower", Duration::from_millis(3));
        let names: Vec<_> = t
            .phases()
            .iter()
            .map(|(n, d)| (*n, d.as_millis()))
            .collect();
        assert_eq!(names, [("parse", 6), ("lower", 5), ("  of which x", 1)]);
        let text = t.render();
        assert!(text.contains("total"), "{text}");
        assert!(text.lines().last().unwrap().ends_with("11.0 ms"), "{text}");
    }
}
