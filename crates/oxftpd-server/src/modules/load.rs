//! A loaded configuration with every module's state: the registry's `server` and `open`
//! functions handed to [`Generation`], which names no module.

use std::path::Path;

use oxftpd_config::Config;

use crate::StartError;
use crate::context::Generation;

impl Generation {
    /// Prepares every server of `config` with each compiled-in module's per-server state and
    /// `AuthOrder` provider.
    pub fn new(config: Config, path: Option<&Path>) -> Result<Self, StartError> {
        let auth: Vec<(&'static str, crate::auth::ProviderFn)> = super::all()
            .iter()
            .filter_map(|m| m.auth.map(|f| (m.name(), f)))
            .collect();
        Generation::build(
            config,
            path,
            super::all().iter().filter_map(|m| m.server),
            &auth,
        )
    }

    /// Lets every module open what it needs for this configuration, such as its log files
    /// (as root, before privileges drop; not for `-t`).
    /// The counter store is chosen first, from the backends the modules offer, so that every
    /// module's `open` finds it (`module::store::Counters`).
    pub fn open_logs(&mut self) -> Result<(), StartError> {
        let counters = crate::module::store::Counters::choose(
            &self.config,
            super::all().iter().filter_map(|m| m.store),
        )?;
        self.modules.insert(counters);
        self.open_with(super::all().iter().filter_map(|m| m.open))
    }
}
