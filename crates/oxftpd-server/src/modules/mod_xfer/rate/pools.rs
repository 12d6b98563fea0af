//! Aggregate caps shared fairly (oxftpd's `TransferRateVirtualHost`, `TransferRateUser`,
//! `TransferRateClass`): one pool per cap row and per server, user or class; each session
//! transferring under it gets an equal share of its rate.
//!
//! A member counts as active while it asks for bytes; one that has not asked for [`IDLE`]
//! gives its share back, and a new member is counted at once, so the others' shares shrink
//! at their next grant (well within a second). The active count is recomputed at most every
//! [`RECOUNT`], by whichever member asks first after it is due, so a grant costs two atomic
//! operations and no lock.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex, Weak};

use tokio::time::{Duration, Instant};

/// A member that has not asked for bytes this long is not counted.
pub const IDLE: Duration = Duration::from_millis(500);

/// How often the active members are counted again.
const RECOUNT: Duration = Duration::from_millis(100);

/// What identifies one pool: the cap row (`file:line`) and whom it is shared by.
pub type Key = (String, String);

/// One aggregate cap and the sessions sharing it.
pub struct Pool {
    /// Bytes per second for all members together.
    bytes_per_sec: u64,
    /// When the pool was made: member times count from here, in milliseconds.
    epoch: Instant,
    /// Every member still registered.
    members: Mutex<Vec<Weak<MemberState>>>,
    /// Members active at the last count (at least 1 once anyone asked).
    active: AtomicUsize,
    /// When the next count is due, in milliseconds since `epoch`.
    next_count: AtomicU64,
}

/// What a member tells its pool.
struct MemberState {
    /// When it last asked for bytes, in milliseconds since the pool's epoch.
    last_ask: AtomicU64,
    /// Whether it has left.
    gone: AtomicBool,
}

/// Every live pool, by key; a pool lives as long as a member holds it.
static POOLS: LazyLock<Mutex<HashMap<Key, Weak<Pool>>>> = LazyLock::new(Default::default);

impl Pool {
    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Counts the members that asked within [`IDLE`] and forgets those that left.
    fn recount(&self, now: u64) {
        let idle = IDLE.as_millis() as u64;
        let mut members = match self.members.lock() {
            Ok(m) => m,
            Err(p) => p.into_inner(),
        };
        members.retain(|m| m.upgrade().is_some_and(|m| !m.gone.load(Ordering::Relaxed)));
        let active = members
            .iter()
            .filter_map(Weak::upgrade)
            .filter(|m| now.saturating_sub(m.last_ask.load(Ordering::Relaxed)) < idle)
            .count();
        self.active.store(active.max(1), Ordering::Relaxed);
        self.next_count
            .store(now + RECOUNT.as_millis() as u64, Ordering::Relaxed);
    }
}

/// One session's place in a pool, for one transfer; leaving is dropping it.
pub struct Member {
    pool: Arc<Pool>,
    state: Arc<MemberState>,
}

impl Member {
    /// Joins the pool `key` (made with `bytes_per_sec` if it does not exist yet).
    pub fn join(key: Key, bytes_per_sec: u64) -> Member {
        let pool = {
            let mut pools = match POOLS.lock() {
                Ok(p) => p,
                Err(p) => p.into_inner(),
            };
            pools.retain(|_, p| p.strong_count() > 0);
            match pools.get(&key).and_then(Weak::upgrade) {
                Some(p) => p,
                None => {
                    let p = Arc::new(Pool {
                        bytes_per_sec,
                        epoch: Instant::now(),
                        members: Mutex::new(Vec::new()),
                        active: AtomicUsize::new(1),
                        next_count: AtomicU64::new(0),
                    });
                    pools.insert(key, Arc::downgrade(&p));
                    p
                }
            }
        };
        let now = pool.now_ms();
        let state = Arc::new(MemberState {
            last_ask: AtomicU64::new(now),
            gone: AtomicBool::new(false),
        });
        match pool.members.lock() {
            Ok(mut m) => m.push(Arc::downgrade(&state)),
            Err(p) => p.into_inner().push(Arc::downgrade(&state)),
        }
        pool.recount(now);
        Member { pool, state }
    }

    /// This member's share now, in bytes per second; notes that it asked.
    pub fn share(&self) -> f64 {
        let now = self.pool.now_ms();
        self.state.last_ask.store(now, Ordering::Relaxed);
        if now >= self.pool.next_count.load(Ordering::Relaxed) {
            self.pool.recount(now);
        }
        let active = self.pool.active.load(Ordering::Relaxed).max(1);
        self.pool.bytes_per_sec as f64 / active as f64
    }
}

impl Drop for Member {
    fn drop(&mut self) {
        self.state.gone.store(true, Ordering::Relaxed);
        self.pool.recount(self.pool.now_ms());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str) -> Key {
        (format!("test:{name}"), "x".into())
    }

    #[test]
    fn members_split_the_rate_and_one_leaving_gives_its_share_back() {
        let a = Member::join(key("split"), 1000);
        assert_eq!(a.share(), 1000.0);
        let b = Member::join(key("split"), 1000);
        assert_eq!(a.share(), 500.0);
        assert_eq!(b.share(), 500.0);
        drop(b);
        assert_eq!(a.share(), 1000.0);
    }

    #[test]
    fn pools_are_separate_by_key() {
        let a = Member::join(key("one"), 1000);
        let _b = Member::join(key("two"), 1000);
        assert_eq!(a.share(), 1000.0);
    }
}
