//! `AuthOTPLog`: mod_auth_otp's own log file, opened as root when a configuration is loaded.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use oxftpd_config::Config;
use oxftpd_server::StartError;
use oxftpd_server::module::state::ModuleState;

fn logs() -> &'static Mutex<HashMap<PathBuf, File>> {
    static LOGS: OnceLock<Mutex<HashMap<PathBuf, File>>> = OnceLock::new();
    LOGS.get_or_init(Default::default)
}

/// Writes one line to `AuthOTPLog` (and the daemon's log at debug level).
pub fn line(path: Option<&Path>, message: &str) {
    tracing::debug!(target: "mod_auth_otp", "{message}");
    let Some(path) = path else {
        return;
    };
    let files = logs().lock().unwrap_or_else(|p| p.into_inner());
    if let Some(f) = files.get(path) {
        let _ = oxftpd_server::module::log::write(f, crate::VERSION, message);
    }
}

/// Opens every server's `AuthOTPLog`.
pub fn open(config: &Config, _state: &mut ModuleState) -> Result<(), StartError> {
    for server in config.servers() {
        let Some(s) = crate::settings_for(server)? else {
            continue;
        };
        if let Some(path) = s.log {
            let mut files = logs().lock().unwrap_or_else(|p| p.into_inner());
            if let std::collections::hash_map::Entry::Vacant(slot) = files.entry(path) {
                let f = oxftpd_server::module::log::open(slot.key()).map_err(|e| {
                    StartError::Message(format!("AuthOTPLog {}: {e}", slot.key().display()))
                })?;
                slot.insert(f);
            }
        }
    }
    Ok(())
}
