//! The counter store: what must outlive a session (bans and the event counts that lead to
//! them, ratios, …) behind one trait, so that the same modules work on one machine (SQLite, the
//! default, or memory) and on many (a shared database).
//!
//! Two kinds of value, each under a *space* (the module's: `ban`, `ban.event`, `ratio`) and a
//! *key* within it (an address, a user):
//! - **counters**, named numbers changed only by [`CounterStore::add`], atomically, so
//!   sessions of one user on several tasks, processes or machines never lose an update; a
//!   counter may have a window after which it starts again from zero;
//! - **records**, one text value with an optional expiry (a ban).
//!
//! The backends: [`memory::MemoryStore`] here; SQLite and the SQL databases of mod_sql in
//! `oxftpd-mod-sql` (a module offers one through `Module::store`). `CounterStore` in the
//! configuration chooses; [`check`] is the behaviour every backend must have.

pub mod check;
pub mod memory;

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, SystemTime};

/// Why the store could not answer.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The backend failed (the database's own message).
    #[error("counter store: {0}")]
    Backend(String),
}

/// The future a store's method returns.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// A record and its key, as [`CounterStore::records`] lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Its key within the space.
    pub key: String,
    /// Its value.
    pub value: String,
    /// When it ends; `None` is never.
    pub expires: Option<SystemTime>,
}

/// Counters and records that outlive a session, wherever they are kept.
pub trait CounterStore: Send + Sync {
    /// Where it keeps them, for the log (`sqlite /run/proftpd/proftpd.scoreboard.db`).
    fn describe(&self) -> String;

    /// What must be done with the daemon's own privileges before the first use (opening a
    /// database file as root): called once, on the daemon's privileged pool.
    fn prepare(&self) -> Result<(), StoreError> {
        Ok(())
    }

    /// Adds each `(name, delta)` to the counter `name` under `space`/`key` (a missing one
    /// starts at 0), all in one atomic step, and returns the new values in the same order.
    /// With a `window`, a counter whose window has passed starts again from 0 and a new one
    /// lasts `window` from now.
    fn add(
        &self,
        space: String,
        key: String,
        deltas: Vec<(String, i64)>,
        window: Option<Duration>,
    ) -> StoreFuture<'_, Vec<i64>>;

    /// The live counters under `space`/`key`, by name.
    fn counters(&self, space: String, key: String) -> StoreFuture<'_, Vec<(String, i64)>>;

    /// Forgets the counters under `space`/`key`.
    fn clear(&self, space: String, key: String) -> StoreFuture<'_, ()>;

    /// Sets the record `space`/`key` (replacing one there).
    fn put(
        &self,
        space: String,
        key: String,
        value: String,
        expires: Option<SystemTime>,
    ) -> StoreFuture<'_, ()>;

    /// The live record `space`/`key`, if any.
    fn get(&self, space: String, key: String) -> StoreFuture<'_, Option<String>>;

    /// Removes the record `space`/`key`; whether there was a live one.
    fn remove(&self, space: String, key: String) -> StoreFuture<'_, bool>;

    /// Every live record of `space`.
    fn records(&self, space: String) -> StoreFuture<'_, Vec<Record>>;
}

/// Milliseconds since the epoch of `t` (0 for a time before it): how backends keep times.
pub fn millis(t: SystemTime) -> i64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The time `ms` milliseconds after the epoch.
pub fn from_millis(ms: i64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0))
}
