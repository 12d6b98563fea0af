//! `RadiusLog`: mod_radius's own log file, opened as root when a configuration is loaded.

use oxftpd_config::Config;
use oxftpd_server::StartError;
use oxftpd_server::module::log::PathLogs;
use oxftpd_server::module::state::ModuleState;

/// The `RadiusLog` files, by path.
static LOGS: PathLogs = PathLogs::new("RadiusLog", crate::VERSION);

/// Writes one line to `RadiusLog` (and the daemon's log at debug level).
pub fn line(path: Option<&std::path::Path>, message: &str) {
    LOGS.line(path, message);
}

/// Opens every server's `RadiusLog`.
pub fn open(config: &Config, _state: &mut ModuleState) -> Result<(), StartError> {
    for server in config.servers() {
        let Some(s) = crate::settings_for(server)? else {
            continue;
        };
        if let Some(path) = s.log {
            LOGS.open(path)?;
        }
    }
    Ok(())
}
