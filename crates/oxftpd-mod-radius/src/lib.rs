//! mod_radius.c for oxftpd: RADIUS authentication (RFC 2865) and accounting (RFC 2866).
//!
//! [`MODULE`] holds the directives ([`directives`]), the `AuthOrder` provider
//! ([`provider::RadiusProvider`]), accounting on the session's events ([`accounting`]) and
//! `RadiusLog` ([`log`]).
//!
//! The RADIUS client is our own ([`packet`], [`client`]), not a crate: the one Rust RADIUS
//! library on crates.io (`radius`, last released in 2022) generates its dictionary code at
//! build time, and what mod_radius needs is small and fixed — one request, its answer, the
//! User-Password hiding, the Response Authenticator and RFC 3579's Message-Authenticator —
//! about 300 lines over the workspace's `md-5` and `hmac`, each rule with a unit test
//! (RFC 2865 §7's example packets among them).

pub mod accounting;
pub mod client;
pub mod directives;
pub mod log;
pub mod packet;
pub mod provider;
pub mod request;
pub mod settings;

use std::sync::Arc;

use oxftpd_config::Server;
use oxftpd_server::StartError;
use oxftpd_server::module::Module;

use crate::settings::RadiusSettings;

/// The name and version in front of the module's log lines (1.3.8's mod_radius).
pub const VERSION: &str = "mod_radius/0.9.3";

/// mod_radius.c.
pub static MODULE: Module = Module {
    spec: &directives::SPEC,
    server: Some(per_server),
    open: Some(log::open),
    auth: Some(auth),
    events: Some(accounting::on_event),
    hooks: accounting::HOOKS,
    ..Module::DEFAULT
};

/// mod_radius's settings for one server, with a configuration error at its directive.
pub fn settings_for(server: &Server) -> Result<Option<RadiusSettings>, StartError> {
    RadiusSettings::from_server(server).map_err(|(at, msg)| match at {
        Some(d) => StartError::at(&d, msg),
        None => StartError::Message(format!("mod_radius: {msg}")),
    })
}

/// Keeps each server's settings (for accounting), reporting their errors with file and line
/// when a configuration is read (`-t` too).
fn per_server(
    config: &oxftpd_config::Config,
    servers: &mut [oxftpd_server::type_map::TypeMap],
) -> Result<(), StartError> {
    oxftpd_server::module::state::keep_per_server(config, servers, settings_for)
}

/// The `AuthOrder` provider of a server: none unless `RadiusEngine on` with a
/// `RadiusAuthServer`.
fn auth(server: &Server) -> Result<Option<Box<dyn oxftpd_auth::AuthProvider>>, StartError> {
    match settings_for(server)? {
        Some(s) if !s.auth.is_empty() => {
            Ok(Some(Box::new(provider::RadiusProvider::new(Arc::new(s)))))
        }
        _ => Ok(None),
    }
}
