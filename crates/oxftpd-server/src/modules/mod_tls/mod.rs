//! FTPS (RFC 4217, ProFTPD's mod_tls) on rustls: per-server configuration, per-session state,
//! the control-connection upgrade and protected data connections.

pub mod cert_checks;
pub mod cert_login;
pub mod ciphers;
pub mod commands;
pub mod data;
pub mod diags;
pub mod log;
pub mod per_user;
pub mod policy;
pub mod resolver;
pub mod settings;
pub mod sni;
pub mod sscn;
pub mod vouch;

pub use settings::{Required, TlsSettings, VerifyClient};

use std::sync::Arc;

use rustls::ServerConfig;

/// A session's FTPS state.
#[derive(Default)]
pub struct TlsSession {
    /// The control connection is protected (after `AUTH` or on an implicit port).
    pub control: bool,
    /// `PBSZ` was given.
    pub pbsz: bool,
    /// `PROT P` is in force: data connections are TLS.
    pub protect_data: bool,
    /// The configuration for this session's data connections: the server's, with a session
    /// cache and ticket key of this session alone, so only its control connection's TLS
    /// session can be resumed.
    pub data_config: Option<Arc<ServerConfig>>,
    /// The same for data connections the server sends on (downloads, listings): these also
    /// issue one TLS 1.3 ticket, as OpenSSL does, so that a client which uses each ticket
    /// once (rustls) can go on resuming for the next transfer.
    pub send_config: Option<Arc<ServerConfig>>,
    /// The verified client certificate of the control connection (`TLSUserName`,
    /// `AllowDotLogin`).
    pub client_cert: Option<rustls::pki_types::CertificateDer<'static>>,
    /// The user's `TLSRequired` (after `PASS`, with `TLSOptions AllowPerUser`).
    pub user_required: Option<Required>,
    /// `SSCN ON`: this server is the TLS client on protected data connections.
    pub sscn_client: bool,
}

// The command table.

use crate::module::CommandClass as Cl;
use crate::module::hooks::{Hook, On, Phase};
use crate::module::{
    CommandSpec, ConnectHook, ConnectStage, Feat, Handler, LimitRule, Module, TlsRule,
};
use crate::session::Ctx;

/// Whether this server speaks TLS (`TLSEngine on`): mod_tls's FEAT lines show then.
fn tls_on(ctx: &Ctx) -> bool {
    server_tls(&ctx.server).is_some()
}

static NO_TLS: std::sync::LazyLock<TlsSession> = std::sync::LazyLock::new(TlsSession::default);

/// The session's FTPS state (`AUTH`, `PBSZ`, `PROT`, …), kept in its module state.
pub fn tls_state(ctx: &Ctx) -> &TlsSession {
    ctx.ext.get::<TlsSession>().unwrap_or(&NO_TLS)
}

/// The session's FTPS state, to change.
pub fn tls_state_mut(ctx: &mut Ctx) -> &mut TlsSession {
    ctx.ext.get_or_default()
}

/// The server's FTPS settings (`TLSEngine on`), kept in its module state.
pub fn server_tls(server: &crate::context::ServerCtx) -> Option<&Arc<TlsSettings>> {
    server.modules.get::<Arc<TlsSettings>>()
}

/// mod_tls.c.
pub static MODULE: Module = Module {
    spec: &oxftpd_config::modules::mod_tls::MODULE,
    commands: &[
        CommandSpec::new("AUTH", Handler::Login(commands::auth))
            .class(Cl::SEC)
            .tls(TlsRule::Exempt)
            .feat(Feat::When(tls_on, "AUTH TLS"))
            .help("<sp> base64-data"),
        CommandSpec::new("PBSZ", Handler::Conn(commands::pbsz))
            .class(Cl::SEC)
            .feat(Feat::When(tls_on, "PBSZ"))
            .help("<sp> protection buffer size"),
        CommandSpec::new("PROT", Handler::Conn(commands::prot))
            .class(Cl::SEC)
            .limit(LimitRule::NotInAll)
            .feat(Feat::When(tls_on, "PROT"))
            .help("<sp> protection code"),
        CommandSpec::new("CCC", Handler::Narrow(commands::ccc))
            .class(Cl::SEC)
            .feat(Feat::When(tls_on, "CCC"))
            .help("(clears protection level)"),
        CommandSpec::new("SSCN", Handler::Narrow(commands::sscn))
            .class(Cl::SEC)
            .feat(Feat::When(tls_on, "SSCN"))
            .hidden(),
    ],
    hooks: &[Hook::new(Phase::Pre, On::AnyLine, policy::pre_cmd)],
    connect: &[ConnectHook::new(ConnectStage::Secure, commands::on_connect)],
    admit: Some(crate::module::AdmitFn::Now(per_user::admit_login)),
    server: Some(settings::per_server),
    ..Module::DEFAULT
};
