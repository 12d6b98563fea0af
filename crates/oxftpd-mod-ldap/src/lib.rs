//! mod_ldap.c for oxftpd: users and groups from an LDAP directory, through the `ldap3` crate.
//!
//! [`MODULE`] holds the directives ([`directives`]), the `AuthOrder` provider
//! ([`provider::LdapProvider`]) and `LDAPLog` ([`log`]). Connections live on a runtime of the
//! module's own and come back by themselves after the directory does ([`directory`]).
//! Filters never carry a client's text unescaped ([`filter`]).

pub mod directives;
pub mod directory;
pub mod filter;
pub mod log;
pub mod password;
pub mod provider;
pub mod servers;
pub mod settings;
pub mod tls;

use std::sync::Arc;

use oxftpd_config::Server;
use oxftpd_server::StartError;
use oxftpd_server::module::Module;

use crate::settings::LdapSettings;

/// The name and version in front of the module's log lines (1.3.8's mod_ldap).
pub const VERSION: &str = "mod_ldap/2.9.5";

/// mod_ldap.c.
pub static MODULE: Module = Module {
    spec: &directives::SPEC,
    server: Some(check),
    open: Some(log::open),
    auth: Some(auth),
    ..Module::DEFAULT
};

/// mod_ldap's settings for one server, with a configuration error at its directive.
pub fn settings_for(server: &Server) -> Result<Option<LdapSettings>, StartError> {
    LdapSettings::from_server(server).map_err(|(at, msg)| match at {
        Some(d) => StartError::at(&d, msg),
        None => StartError::Message(format!("mod_ldap: {msg}")),
    })
}

/// Reads every server's settings when a configuration is read (`-t` too), so their errors are
/// reported with their file and line before anything starts.
fn check(
    config: &oxftpd_config::Config,
    _servers: &mut [oxftpd_server::type_map::TypeMap],
) -> Result<(), StartError> {
    for server in config.servers() {
        if let Some(s) = settings_for(server)? {
            for info in &s.connect.servers {
                if info.scheme == "ldaps"
                    || s.connect.security.contains(&servers::Security::StartTls)
                {
                    tls::client_config(info).map_err(|e| {
                        StartError::Message(format!("mod_ldap: LDAPServer {}: {e}", info.text))
                    })?;
                }
            }
        }
    }
    Ok(())
}

/// The `AuthOrder` provider of a server: none unless `LDAPUsers` (or `LDAPGroups`) is set.
fn auth(server: &Server) -> Result<Option<Box<dyn oxftpd_auth::AuthProvider>>, StartError> {
    let Some(s) = settings_for(server)? else {
        return Ok(None);
    };
    let p = provider::LdapProvider::new(Arc::new(s))
        .map_err(|e| StartError::Message(format!("mod_ldap: LDAPServer: {e}")))?;
    Ok(Some(Box::new(p)))
}
