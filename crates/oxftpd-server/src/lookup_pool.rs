//! A small pool of threads of its own for blocking name lookups (glibc's resolver), apart
//! from the filesystem pool: a lookup that never answers holds one of these threads, never a
//! thread that file operations need.
//!
//! At most [`MAX_IN_FLIGHT`] lookups run at once; one asked for beyond that is not run at
//! all (the caller goes on without a name, as it would after a timeout). A thread blocked
//! for good in the resolver stays counted until it returns, so lookups that never answer
//! cannot make the pool grow past the cap either.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock};

use tokio::sync::oneshot;

/// The most lookups running (or waiting for a thread) at once, and the most threads.
pub const MAX_IN_FLIGHT: usize = 32;

/// Stack of a lookup thread: glibc's resolver keeps its answer buffers on the stack.
const STACK: usize = 256 * 1024;

type Job = Box<dyn FnOnce() + Send>;

#[derive(Default)]
struct State {
    jobs: VecDeque<Job>,
    /// Lookups queued or running.
    in_flight: usize,
    threads: usize,
    idle: usize,
}

/// The bounded pool of lookup threads.
pub struct LookupPool {
    state: Mutex<State>,
    wake: Condvar,
    max: usize,
}

/// The process's lookup pool (threads start as lookups arrive).
pub fn shared() -> &'static LookupPool {
    static POOL: OnceLock<LookupPool> = OnceLock::new();
    POOL.get_or_init(|| LookupPool::new(MAX_IN_FLIGHT))
}

impl LookupPool {
    /// A pool running at most `max` lookups at once (at least one).
    pub fn new(max: usize) -> Self {
        LookupPool {
            state: Mutex::new(State::default()),
            wake: Condvar::new(),
            max: max.max(1),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Jobs run outside the lock, so a poisoned lock holds consistent counts.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` on a lookup thread; `None` (and `f` not run) when `max` lookups are in flight.
    pub fn try_run<R, F>(&'static self, f: F) -> Option<oneshot::Receiver<R>>
    where
        R: Send + 'static,
        F: FnOnce() -> R + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move || {
            // A panic ends this lookup only (its caller sees no answer), not the thread.
            let answer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
            // Counted out before the answer is given, so a caller that has it may ask again.
            self.lock().in_flight -= 1;
            if let Ok(answer) = answer {
                let _ = tx.send(answer);
            }
        });
        let mut state = self.lock();
        if state.in_flight >= self.max {
            return None;
        }
        if state.idle == 0 && state.threads < self.max {
            let spawned = std::thread::Builder::new()
                .name("oxftpd-lookup".into())
                .stack_size(STACK)
                .spawn(move || self.worker());
            match spawned {
                Ok(_) => state.threads += 1,
                Err(e) if state.threads == 0 => {
                    tracing::warn!(error = %e, "cannot start a name lookup thread");
                    return None;
                }
                // The running threads will get to the job.
                Err(e) => tracing::warn!(error = %e, "cannot start another name lookup thread"),
            }
        }
        state.in_flight += 1;
        state.jobs.push_back(job);
        drop(state);
        self.wake.notify_one();
        Some(rx)
    }

    fn worker(&self) {
        let mut state = self.lock();
        loop {
            let Some(job) = state.jobs.pop_front() else {
                state.idle += 1;
                state = self.wake.wait(state).unwrap_or_else(|p| p.into_inner());
                state.idle -= 1;
                continue;
            };
            drop(state);
            job();
            state = self.lock();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn runs_lookups_and_refuses_past_the_cap() {
        let pool: &'static LookupPool = Box::leak(Box::new(LookupPool::new(2)));
        assert_eq!(pool.try_run(|| 7).expect("admitted").await.ok(), Some(7));
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let hold = std::sync::Arc::new(Mutex::new(hold));
        let blocked: Vec<_> = (0..2)
            .map(|_| {
                let hold = std::sync::Arc::clone(&hold);
                pool.try_run(move || {
                    let _ = hold.lock().map(|h| h.recv());
                })
                .expect("admitted")
            })
            .collect();
        assert!(
            pool.try_run(|| 1).is_none(),
            "a third lookup ran past the cap"
        );
        for _ in 0..2 {
            release.send(()).expect("release");
        }
        for b in blocked {
            b.await.expect("finished");
        }
        assert_eq!(
            pool.try_run(|| 9).expect("admitted again").await.ok(),
            Some(9)
        );
    }
}
