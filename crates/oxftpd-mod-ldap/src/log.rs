//! `LDAPLog`: mod_ldap's own log file, opened as root when a configuration is loaded.

use oxftpd_config::Config;
use oxftpd_server::StartError;
use oxftpd_server::module::log::PathLogs;
use oxftpd_server::module::state::ModuleState;

/// The `LDAPLog` files, by path.
static LOGS: PathLogs = PathLogs::new("LDAPLog", crate::VERSION);

/// Writes one line to `LDAPLog` (and the daemon's log at debug level).
pub fn line(path: Option<&std::path::Path>, message: &str) {
    LOGS.line(path, message);
}

/// Opens every server's `LDAPLog` (and checks its settings, so `-t` reports their errors).
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
