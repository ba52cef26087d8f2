//! Sharing a list of independent jobs between this thread and one more (the machines this
//! runs on in CI and benchmarks have two cores).

use std::sync::atomic::{AtomicUsize, Ordering};

/// Run `job(i)` for every `i < count`, on this thread and a second one, each taking the next
/// job nobody has taken yet (so uneven jobs even out). Results come back in job order,
/// whichever thread ran them. A panic in a job is raised here.
pub(crate) fn share<T: Send>(count: usize, job: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let next = AtomicUsize::new(0);
    let run = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= count {
                return done;
            }
            done.push((i, job(i)));
        }
    };
    let (mine, theirs) = std::thread::scope(|scope| {
        let other = (count > 1).then(|| scope.spawn(run));
        let mine = run();
        let theirs = match other.map(|h| h.join()) {
            Some(Ok(done)) => done,
            Some(Err(panic)) => std::panic::resume_unwind(panic),
            None => Vec::new(),
        };
        (mine, theirs)
    });
    let mut slots: Vec<Option<T>> = (0..count).map(|_| None).collect();
    for (i, result) in mine.into_iter().chain(theirs) {
        slots[i] = Some(result);
    }
    slots
        .into_iter()
        .map(|r| r.expect("every job ran once"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_job_runs_once_and_results_keep_job_order() {
        let runs = AtomicUsize::new(0);
        let out = share(50, |i| {
            runs.fetch_add(1, Ordering::Relaxed);
            if i % 7 == 0 {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            i * 2
        });
        assert_eq!(out, (0..50).map(|i| i * 2).collect::<Vec<_>>());
        assert_eq!(runs.load(Ordering::Relaxed), 50);
        assert_eq!(share(0, |i| i), Vec::<usize>::new());
        assert_eq!(share(1, |i| i + 1), vec![1]);
    }

    #[test]
    fn a_panicking_job_panics_the_caller() {
        let result = std::panic::catch_unwind(|| share(4, |i| assert_ne!(i, 3)));
        assert!(result.is_err());
    }
}
