//! mod_auth_otp.c for oxftpd: one-time passwords, HOTP (RFC 4226) and TOTP (RFC 6238, with
//! HMAC-SHA1, -SHA256 or -SHA512), each user's secret and counter in mod_sql's tables.
//!
//! [`MODULE`] holds the directives ([`directives`]), the `AuthOrder` provider
//! ([`provider::OtpProvider`]), the `331` text of `USER` and `AuthOTPLog` ([`log`]). The codes
//! are computed here ([`otp`]) over the workspace's `hmac`, `sha1` and `sha2`, with RFC 4226's
//! and RFC 6238's test vectors as unit tests.

pub mod directives;
pub mod log;
pub mod otp;
pub mod provider;
pub mod settings;

use std::sync::Arc;

use oxftpd_config::Server;
use oxftpd_server::StartError;
use oxftpd_server::module::Module;
use oxftpd_server::module::hooks::{Cmd, Hook, HookFuture, On, Outcome, Phase};
use oxftpd_server::session::{Ctx, State};

use crate::settings::OtpSettings;

/// The name and version in front of the module's log lines (1.3.8's mod_auth_otp).
pub const VERSION: &str = "mod_auth_otp/0.3";

/// mod_auth_otp.c.
pub static MODULE: Module = Module {
    spec: &directives::SPEC,
    server: Some(per_server),
    open: Some(log::open),
    auth: Some(auth),
    hooks: HOOKS,
    ..Module::DEFAULT
};

static HOOKS: &[Hook] = &[Hook::new(Phase::Post, On::Verb("USER"), post_user)];

/// mod_auth_otp's settings for one server, with a configuration error at its directive.
pub fn settings_for(server: &Server) -> Result<Option<OtpSettings>, StartError> {
    OtpSettings::from_server(server).map_err(|(at, msg)| match at {
        Some(d) => StartError::at(&d, msg),
        None => StartError::Message(format!("mod_auth_otp: {msg}")),
    })
}

/// Keeps each server's settings (for the `USER` reply), reporting their errors with file and
/// line when a configuration is read (`-t` too).
fn per_server(
    config: &oxftpd_config::Config,
    servers: &mut [oxftpd_server::type_map::TypeMap],
) -> Result<(), StartError> {
    oxftpd_server::module::state::keep_per_server(config, servers, settings_for)
}

/// The `AuthOrder` provider of a server: none unless `AuthOTPEngine on`.
fn auth(server: &Server) -> Result<Option<Box<dyn oxftpd_auth::AuthProvider>>, StartError> {
    Ok(settings_for(server)?.map(|s| {
        Box::new(provider::OtpProvider::new(Arc::new(s))) as Box<dyn oxftpd_auth::AuthProvider>
    }))
}

/// `USER` answered `331`: says a one-time password is wanted, unless
/// `AuthOTPOptions FTPStandardResponse`.
fn post_user<'a>(ctx: &'a mut Ctx, _state: &'a mut State, cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        let standard = ctx
            .server
            .modules
            .get::<Arc<OtpSettings>>()
            .is_none_or(|s| s.options.standard_response);
        if cmd.code == 331 && !standard {
            let text = format!(
                "One-time password required for {}",
                cmd.arg.unwrap_or_default()
            );
            ctx.control.replace_last(331, &text);
        }
        Outcome::Continue
    })
}
