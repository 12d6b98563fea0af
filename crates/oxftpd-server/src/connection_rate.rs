//! `MaxConnectionRate count [interval]` (mod_core.c, checked in 1.3.8's accept loop): a new
//! connection is closed without a greeting when, counting it, more than `count` sessions
//! started within the last `interval` seconds are still running.

use std::collections::VecDeque;
use std::sync::{Arc, LazyLock, Mutex, Weak};

use tokio::time::{Duration, Instant};

/// A session admitted while a `MaxConnectionRate` was in force: when, and whether it runs.
type Started = (Instant, Weak<()>);

/// Every such session of the last interval.
static STARTED: LazyLock<Mutex<VecDeque<Started>>> = LazyLock::new(Default::default);

/// `MaxConnectionRate` is reached: `(count, interval)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reached(pub u64, pub u64);

/// Held by a session admitted under a `MaxConnectionRate`: it counts while it lives.
pub type Ticket = Arc<()>;

/// Whether a new connection may start under `rate` (`(count, interval)`, `None` when not
/// set): `Ok` with the ticket the session keeps, or `Err` when the rate is reached.
pub fn admit(rate: Option<(u64, u64)>) -> Result<Option<Ticket>, Reached> {
    let Some((max, interval)) = rate.filter(|(max, _)| *max > 0) else {
        return Ok(None);
    };
    let now = Instant::now();
    let window = Duration::from_secs(interval);
    let mut started = match STARTED.lock() {
        Ok(s) => s,
        Err(p) => p.into_inner(),
    };
    while started
        .front()
        .is_some_and(|(t, _)| now.saturating_duration_since(*t) > window)
    {
        started.pop_front();
    }
    started.retain(|(_, alive)| alive.strong_count() > 0);
    // This connection counts too.
    if started.len() as u64 + 1 > max {
        return Err(Reached(max, interval));
    }
    let ticket = Arc::new(());
    started.push_back((now, Arc::downgrade(&ticket)));
    Ok(Some(ticket))
}
