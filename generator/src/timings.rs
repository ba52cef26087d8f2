//! Phase timings of a generation run, for profiling (`agentgen generate --timings`,
//! `AGENTGEN_TIMINGS=1`, and the `phases` bench). Timings never reach the generated output.

use std::cell::Cell;
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

    /// Add every phase of `other` to this one.
    pub fn merge(&mut self, other: Timings) {
        for (name, d) in other.phases {
            self.add(name, d);
        }
    }

    /// The phases in the order they first ran.
    pub fn phases(&self) -> &[(&'static str, Duration)] {
        &self.phases
    }

    /// One line per phase (`  lower        12.3 ms`), then the sum.
    pub fn render(&self) -> String {
        let mut out = String::from("agentgen timings:\n");
        let mut total = Duration::ZERO;
        for (name, d) in &self.phases {
            out.push_str(&format!("  {name:<22} {:>8.1} ms\n", ms(*d)));
            total += *d;
        }
        out.push_str(&format!("  {:<22} {:>8.1} ms\n", "sum", ms(total)));
        out
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

thread_local! {
    static FORMAT: Cell<Duration> = const { Cell::new(Duration::ZERO) };
}

/// Time `f` as formatting (syn parse + prettyplease) on this thread; see [`take_format`].
pub(crate) fn formatting<T>(f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    FORMAT.with(|c| c.set(c.get() + start.elapsed()));
    out
}

/// Formatting time spent on this thread since the last call, and reset it.
pub(crate) fn take_format() -> Duration {
    FORMAT.with(|c| c.replace(Duration::ZERO))
}
