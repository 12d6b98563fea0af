//! The counter store in the daemon's memory: `CounterStore memory`, and the fallback of a
//! build without SQLite. One per process, so that a reload keeps what it holds; a restart
//! loses it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, SystemTime};

use super::{CounterStore, Record, StoreFuture};

/// A counter: its value and when its window ends.
type Counter = (i64, Option<SystemTime>);

#[derive(Default)]
struct Inner {
    counters: HashMap<(String, String), HashMap<String, Counter>>,
    records: HashMap<(String, String), (String, Option<SystemTime>)>,
}

/// Counters and records in memory.
#[derive(Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

fn live(expires: Option<SystemTime>, now: SystemTime) -> bool {
    expires.is_none_or(|e| e > now)
}

impl MemoryStore {
    /// The process's store.
    pub fn shared() -> Arc<MemoryStore> {
        static ONE: OnceLock<Arc<MemoryStore>> = OnceLock::new();
        ONE.get_or_init(Default::default).clone()
    }

    fn inner(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl CounterStore for MemoryStore {
    fn describe(&self) -> String {
        "memory".into()
    }

    fn add(
        &self,
        space: String,
        key: String,
        deltas: Vec<(String, i64)>,
        window: Option<Duration>,
    ) -> StoreFuture<'_, Vec<i64>> {
        Box::pin(async move {
            let now = SystemTime::now();
            let mut inner = self.inner();
            let names = inner.counters.entry((space, key)).or_default();
            Ok(deltas
                .into_iter()
                .map(|(name, delta)| {
                    let c = names.entry(name).or_insert((0, window.map(|w| now + w)));
                    if !live(c.1, now) {
                        *c = (0, window.map(|w| now + w));
                    }
                    c.0 = c.0.saturating_add(delta);
                    c.0
                })
                .collect())
        })
    }

    fn counters(&self, space: String, key: String) -> StoreFuture<'_, Vec<(String, i64)>> {
        Box::pin(async move {
            let now = SystemTime::now();
            let inner = self.inner();
            let mut all: Vec<(String, i64)> = inner
                .counters
                .get(&(space, key))
                .into_iter()
                .flatten()
                .filter(|(_, c)| live(c.1, now))
                .map(|(n, c)| (n.clone(), c.0))
                .collect();
            all.sort();
            Ok(all)
        })
    }

    fn clear(&self, space: String, key: String) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            self.inner().counters.remove(&(space, key));
            Ok(())
        })
    }

    fn put(
        &self,
        space: String,
        key: String,
        value: String,
        expires: Option<SystemTime>,
    ) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            self.inner().records.insert((space, key), (value, expires));
            Ok(())
        })
    }

    fn get(&self, space: String, key: String) -> StoreFuture<'_, Option<String>> {
        Box::pin(async move {
            let now = SystemTime::now();
            Ok(self
                .inner()
                .records
                .get(&(space, key))
                .filter(|r| live(r.1, now))
                .map(|r| r.0.clone()))
        })
    }

    fn remove(&self, space: String, key: String) -> StoreFuture<'_, bool> {
        Box::pin(async move {
            let now = SystemTime::now();
            Ok(self
                .inner()
                .records
                .remove(&(space, key))
                .is_some_and(|r| live(r.1, now)))
        })
    }

    fn records(&self, space: String) -> StoreFuture<'_, Vec<Record>> {
        Box::pin(async move {
            let now = SystemTime::now();
            let mut inner = self.inner();
            inner.records.retain(|_, r| live(r.1, now));
            let mut all: Vec<Record> = inner
                .records
                .iter()
                .filter(|((s, _), _)| *s == space)
                .map(|((_, k), (v, e))| Record {
                    key: k.clone(),
                    value: v.clone(),
                    expires: *e,
                })
                .collect();
            all.sort_by(|a, b| a.key.cmp(&b.key));
            Ok(all)
        })
    }
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn the_memory_store_behaves_as_a_store() {
        super::super::check::behaves(&super::MemoryStore::default()).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_adds_lose_nothing() {
        let store = std::sync::Arc::new(super::MemoryStore::default());
        super::super::check::concurrent_adds(store).await;
    }
}
