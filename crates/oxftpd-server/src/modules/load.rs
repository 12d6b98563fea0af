//! A loaded configuration with every module's state: the registry's `server` and `open`
//! functions handed to [`Generation`], which names no module.

use std::path::Path;

use oxftpd_config::Config;

use crate::StartError;
use crate::context::Generation;

impl Generation {
    /// Prepares every server of `config` with each compiled-in module's per-server state.
    pub fn new(config: Config, path: Option<&Path>) -> Result<Self, StartError> {
        Generation::build(config, path, super::all().iter().filter_map(|m| m.server))
    }

    /// Lets every module open what it needs for this configuration, such as its log files
    /// (as root, before privileges drop; not for `-t`).
    pub fn open_logs(&mut self) -> Result<(), StartError> {
        self.open_with(super::all().iter().filter_map(|m| m.open))
    }
}
