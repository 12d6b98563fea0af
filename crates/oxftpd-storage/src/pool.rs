//! The bounded pool of threads that run filesystem calls under a session's credentials.

use std::any::Any;
use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};

use crate::{Credentials, StorageError, identity};

/// What a job hands back: its value, or the payload of its panic.
type Outcome<R> = Result<Result<R, Box<dyn Any + Send>>, StorageError>;

/// One queued call: the credentials to wear and the work (told whether the switch worked).
struct Job {
    cred: Credentials,
    work: Box<dyn FnOnce(Result<(), StorageError>) + Send>,
    /// The session's share of the pool this call holds until it has run.
    permit: Option<OwnedSemaphorePermit>,
}

/// The most calls one session ([`FsPool::session_share`]) has queued or running at once.
pub const SESSION_IN_FLIGHT: usize = 8;

#[derive(Default)]
struct Queue {
    jobs: VecDeque<Job>,
    idle: usize,
    threads: usize,
    /// Workers asked of the spawner thread and not yet started.
    spawn_requests: usize,
    shutdown: bool,
}

struct Shared {
    queue: Mutex<Queue>,
    wake: Condvar,
    /// Wakes the spawner thread.
    spawn_wake: Condvar,
    max_threads: usize,
    switches_identity: bool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        // Jobs run outside the lock and their panics are caught, so poisoning
        // cannot leave the queue half-updated; carry on with it.
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Tells the workers to stop once the last `FsPool` handle is gone.
struct Handle(Arc<Shared>);

impl Drop for Handle {
    fn drop(&mut self) {
        self.0.lock().shutdown = true;
        self.0.wake.notify_all();
        self.0.spawn_wake.notify_all();
    }
}

/// Bounded pool of threads that run filesystem calls under a session's credentials.
///
/// A handle from [`FsPool::session_share`] lets its calls (and its clones') hold at most
/// [`SESSION_IN_FLIGHT`] of the pool at once, so that one session, stuck on a slow mount or a
/// hanging file, cannot take every thread from the others (issue 19).
#[derive(Clone)]
pub struct FsPool {
    handle: Arc<Handle>,
    share: Option<Arc<Semaphore>>,
}

impl FsPool {
    /// A pool of at most `threads` workers (at least one), started as work arrives.
    ///
    /// Sets the process umask to 0: the umask is shared by all threads, so every
    /// create passes its mode with the session's umask already applied.
    pub fn new(threads: usize) -> std::io::Result<Self> {
        rustix::process::umask(rustix::fs::Mode::empty());
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue::default()),
            wake: Condvar::new(),
            spawn_wake: Condvar::new(),
            max_threads: threads.max(1),
            switches_identity: rustix::process::geteuid().is_root(),
        });
        // Start one worker now so that a failure to spawn shows at startup, and the thread
        // that starts the others: new workers inherit the credentials of the thread that
        // creates them, so they must come from this one (started with the pool, before the
        // daemon's other threads drop root), never from a caller's thread.
        spawn_worker(&shared)?;
        shared.lock().threads = 1;
        let spawner_shared = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("oxftpd-fs-spawn".into())
            .stack_size(64 * 1024)
            .spawn(move || spawner(&spawner_shared))?;
        Ok(FsPool {
            handle: Arc::new(Handle(shared)),
            share: None,
        })
    }

    /// This pool for one session: its calls wait while the session has
    /// [`SESSION_IN_FLIGHT`] calls (or half the pool's threads, if fewer) queued or running.
    /// A handle that already is a session's share is returned as it is.
    pub fn session_share(&self) -> FsPool {
        if self.share.is_some() {
            return self.clone();
        }
        let limit = (self.max_threads() / 2).clamp(1, SESSION_IN_FLIGHT);
        FsPool {
            handle: Arc::clone(&self.handle),
            share: Some(Arc::new(Semaphore::new(limit))),
        }
    }

    /// Whether jobs run under the session's credentials (only when the process is root).
    ///
    /// When false every operation runs as the process user (virtual users).
    pub fn switches_identity(&self) -> bool {
        self.handle.0.switches_identity
    }

    /// The most worker threads this pool starts.
    pub fn max_threads(&self) -> usize {
        self.handle.0.max_threads
    }

    /// Runs `f` on a worker thread under `cred` and returns its value.
    ///
    /// Jobs queue when every worker is busy. Fails with `PermissionDenied` when the
    /// kernel refused the credentials (then `f` does not run). A panic in `f` is
    /// caught on the worker and resumed here.
    pub async fn run<R, F>(&self, cred: &Credentials, f: F) -> Result<R, StorageError>
    where
        R: Send + 'static,
        F: FnOnce() -> R + Send + 'static,
    {
        self.start(cred, f).await
    }

    /// Queues `f` at once (not at the first poll) and returns a future of its result, so
    /// that a caller can let a job run while it does other work (listings read ahead).
    pub fn start<R, F>(
        &self,
        cred: &Credentials,
        f: F,
    ) -> impl Future<Output = Result<R, StorageError>> + Send + 'static
    where
        R: Send + 'static,
        F: FnOnce() -> R + Send + 'static,
    {
        let (tx, rx) = oneshot::channel::<Outcome<R>>();
        let work = Box::new(move |switched: Result<(), StorageError>| {
            let outcome = switched.map(|()| catch_unwind(AssertUnwindSafe(f)));
            let _ = tx.send(outcome);
        });
        let mut job = Job {
            cred: cred.clone(),
            work,
            permit: None,
        };
        // Queued at once when the session's share allows, else when a call of it ends.
        let waiting = match &self.share {
            None => None,
            Some(share) => match Arc::clone(share).try_acquire_owned() {
                Ok(permit) => {
                    job.permit = Some(permit);
                    None
                }
                Err(_) => Some((Arc::clone(share), self.clone())),
            },
        };
        let job = match waiting {
            None => {
                self.submit(job);
                None
            }
            Some(wait) => Some((wait, job)),
        };
        async move {
            if let Some(((share, pool), mut job)) = job {
                // The semaphore is never closed.
                job.permit = share.acquire_owned().await.ok();
                pool.submit(job);
            }
            match rx.await {
                Ok(Ok(Ok(value))) => Ok(value),
                Ok(Ok(Err(panic))) => resume_unwind(panic),
                Ok(Err(err)) => Err(err),
                Err(_) => Err(StorageError::pool_stopped()),
            }
        }
    }

    fn submit(&self, job: Job) {
        let shared = &self.handle.0;
        let mut queue = shared.lock();
        queue.jobs.push_back(job);
        if queue.idle > 0 {
            drop(queue);
            shared.wake.notify_one();
        } else if queue.threads + queue.spawn_requests < shared.max_threads {
            queue.spawn_requests += 1;
            drop(queue);
            shared.spawn_wake.notify_one();
        }
    }
}

/// Starts the workers that `submit` asks for, on a thread that keeps the pool's credentials.
fn spawner(shared: &Arc<Shared>) {
    let mut queue = shared.lock();
    loop {
        if queue.shutdown {
            return;
        }
        if queue.spawn_requests == 0 {
            queue = shared
                .spawn_wake
                .wait(queue)
                .unwrap_or_else(|p| p.into_inner());
            continue;
        }
        queue.spawn_requests -= 1;
        match spawn_worker(shared) {
            Ok(()) => queue.threads += 1,
            // The running workers will get to the job.
            Err(e) => tracing::warn!(error = %e, "cannot start another filesystem worker"),
        }
    }
}

fn spawn_worker(shared: &Arc<Shared>) -> std::io::Result<()> {
    let shared = Arc::clone(shared);
    std::thread::Builder::new()
        .name("oxftpd-fs".into())
        .spawn(move || worker(&shared))
        .map(drop)
}

fn worker(shared: &Shared) {
    // The identity this thread wears now; None means "unknown, switch before use".
    let mut wearing: Option<Credentials> = None;
    loop {
        let job = {
            let mut queue = shared.lock();
            loop {
                if let Some(job) = queue.jobs.pop_front() {
                    break job;
                }
                if queue.shutdown {
                    queue.threads -= 1;
                    return;
                }
                queue.idle += 1;
                queue = shared.wake.wait(queue).unwrap_or_else(|p| p.into_inner());
                queue.idle -= 1;
            }
        };
        let already = wearing.as_ref().is_some_and(|w| w.same_identity(&job.cred));
        let switched = if !shared.switches_identity || already {
            Ok(())
        } else {
            wearing = None;
            let result = identity::switch_to(&job.cred);
            if result.is_ok() {
                wearing = Some(job.cred.clone());
            }
            result
        };
        let Job { work, permit, .. } = job;
        work(switched);
        drop(permit);
    }
}
