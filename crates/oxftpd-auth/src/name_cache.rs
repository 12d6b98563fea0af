//! A small shared id → name cache for listings.
//!
//! `LIST`/`MLSD` ask for the owner and group name of every entry; a directory
//! usually has a handful of distinct owners, so almost every call is a hit
//! under a read lock. Misses are cached too (an unknown uid asked of LDAP for
//! each of 10 000 files would be slow). Entries expire after `ttl` so edits to
//! an `AuthUserFile` show up; when the map reaches `capacity` it is simply
//! cleared, which keeps memory bounded without LRU bookkeeping.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

type Entry = (Option<Arc<str>>, Instant);

/// Cached `id → Option<name>` answers.
pub(crate) struct NameCache {
    map: RwLock<HashMap<u32, Entry>>,
    ttl: Duration,
    capacity: usize,
}

impl NameCache {
    pub(crate) fn new(ttl: Duration, capacity: usize) -> Self {
        NameCache {
            map: RwLock::new(HashMap::new()),
            ttl,
            capacity: capacity.max(1),
        }
    }

    /// The cached answer for `id`, or `resolve(id)` stored and returned.
    pub(crate) fn get_or(
        &self,
        id: u32,
        resolve: impl FnOnce(u32) -> Option<String>,
    ) -> Option<Arc<str>> {
        {
            let map = self.map.read().unwrap_or_else(|e| e.into_inner());
            if let Some((name, at)) = map.get(&id)
                && at.elapsed() < self.ttl
            {
                return name.clone();
            }
        }
        // Resolve without holding the lock: NSS may be slow.
        let name: Option<Arc<str>> = resolve(id).map(Arc::from);
        let mut map = self.map.write().unwrap_or_else(|e| e.into_inner());
        if map.len() >= self.capacity && !map.contains_key(&id) {
            map.clear();
        }
        map.insert(id, (name.clone(), Instant::now()));
        name
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.map.read().unwrap_or_else(|e| e.into_inner()).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn caches_hits_and_misses() {
        let c = NameCache::new(Duration::from_secs(60), 10);
        let calls = Cell::new(0);
        let resolve = |id: u32| {
            calls.set(calls.get() + 1);
            (id == 1).then(|| "one".to_string())
        };
        assert_eq!(c.get_or(1, resolve).as_deref(), Some("one"));
        assert_eq!(c.get_or(1, resolve).as_deref(), Some("one"));
        assert_eq!(c.get_or(2, resolve), None);
        assert_eq!(c.get_or(2, resolve), None);
        assert_eq!(calls.get(), 2);
    }

    #[test]
    fn bounded_and_expiring() {
        let c = NameCache::new(Duration::from_secs(60), 3);
        for id in 0..10 {
            c.get_or(id, |_| None);
            assert!(c.len() <= 3);
        }
        let c = NameCache::new(Duration::ZERO, 3);
        let calls = Cell::new(0);
        for _ in 0..3 {
            c.get_or(7, |_| {
                calls.set(calls.get() + 1);
                None
            });
        }
        assert_eq!(calls.get(), 3);
    }
}
