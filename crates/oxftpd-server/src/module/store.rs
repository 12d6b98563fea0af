//! The counter store as modules reach it: chosen once per loaded configuration
//! (`CounterStore`, or a SQLite file beside the `ScoreboardFile`) from the backends the
//! modules offer ([`StoreFn`]), kept in the configuration's module state, and prepared with
//! the daemon's privileges before its first use.

use std::sync::{Arc, OnceLock};

use oxftpd_config::Config;
use oxftpd_config::modules::mod_core::{CounterStoreChoice, Daemon};

use crate::StartError;
use crate::context::Shared;
use crate::store::memory::MemoryStore;
use crate::store::{CounterStore, StoreError};

/// A module's counter-store backend for `choice`: `Ok(None)` when it has none of that kind.
pub type StoreFn =
    fn(&Config, &CounterStoreChoice) -> Result<Option<Arc<dyn CounterStore>>, StartError>;

/// The store of one loaded configuration (in `Generation::modules`).
pub struct Counters {
    store: Arc<dyn CounterStore>,
    prepared: Arc<OnceLock<Result<(), StoreError>>>,
}

impl Counters {
    /// Chooses the store `config` asks for among the backends `offers` (in module order).
    pub fn choose(
        config: &Config,
        offers: impl IntoIterator<Item = StoreFn>,
    ) -> Result<Counters, StartError> {
        let choice = Daemon::of(config).counter_store;
        let mut found = None;
        if choice != CounterStoreChoice::Memory {
            for offer in offers {
                if let Some(store) = offer(config, &choice)? {
                    found = Some(store);
                    break;
                }
            }
        }
        let store: Arc<dyn CounterStore> = match (found, &choice) {
            (Some(store), _) => store,
            (None, CounterStoreChoice::Memory) => MemoryStore::shared(),
            (None, CounterStoreChoice::Sqlite(path)) => {
                tracing::warn!(
                    "CounterStore: this build has no SQLite (mod_sql); counters are kept in memory, not in {path}"
                );
                MemoryStore::shared()
            }
            (None, CounterStoreChoice::Sql) => {
                return Err(StartError::Message(
                    "CounterStore sql: this build has no mod_sql".into(),
                ));
            }
            (None, CounterStoreChoice::Redis) => {
                return Err(StartError::Message(
                    "CounterStore redis: this build has no mod_redis".into(),
                ));
            }
        };
        Ok(Counters::new(store))
    }

    /// A handle on `store`.
    pub fn new(store: Arc<dyn CounterStore>) -> Counters {
        Counters {
            store,
            prepared: Arc::default(),
        }
    }

    /// The store, prepared (once, on the daemon's privileged pool) for use.
    pub async fn ready(&self, shared: &Shared) -> Result<Arc<dyn CounterStore>, StoreError> {
        if self.prepared.get().is_none() {
            let store = self.store.clone();
            let prepared = self.prepared.clone();
            let done = shared
                .pool
                .run(&shared.daemon_cred, move || {
                    prepared.get_or_init(|| store.prepare()).clone()
                })
                .await;
            if let Err(e) = done {
                return Err(StoreError::Backend(e.to_string()));
            }
        }
        match self.prepared.get() {
            Some(Ok(())) => Ok(self.store.clone()),
            Some(Err(e)) => Err(e.clone()),
            None => Err(StoreError::Backend("not prepared".into())),
        }
    }

    /// Where it keeps the counters.
    pub fn describe(&self) -> String {
        self.store.describe()
    }
}

/// The counter store of the session's configuration, ready for use.
pub async fn of(ctx: &crate::session::Ctx) -> Result<Arc<dyn CounterStore>, StoreError> {
    let Some(counters) = ctx.generation.modules.get::<Counters>() else {
        return Err(StoreError::Backend(
            "no counter store in this configuration".into(),
        ));
    };
    counters.ready(&ctx.shared).await
}
