//! Modules as ProFTPD has them: a name, a table of directives and a table of commands.
//!
//! FEAT, HELP, `SITE HELP`, the `<Limit>` groups of a command and `oxftpd -l` are all read
//! from these tables.

pub mod accept;
pub mod class;
pub mod command;
pub mod connect;
pub mod context;
pub mod controls;
pub mod error;
pub mod events;
pub mod handler;
pub mod helpers;
pub mod hooks;
pub mod limit;
pub mod log;
pub mod quota;
pub mod registry;
pub mod replies;
pub mod site_command;
pub mod sql_lookup;
pub mod state;
pub mod store;
pub mod upload_cap;

use oxftpd_config::ModuleSpec;

pub use accept::{AcceptFn, Conn};
pub use class::CommandClass;
pub use command::{
    ArgFilter, CommandGroup, CommandSpec, DuringTransfer, Feat, Help, LimitRule, PathArg, TlsRule,
};
pub use connect::{ConnectHook, ConnectStage, Connected};
pub use context::{Counters, DataChannel, HandlerCtx, Session};
pub use error::{CommandError, CommandResult, DataFailure, FilterRefusal, TlsRefusal};
pub use handler::{Handler, HandlerFuture};
pub use site_command::{SiteHandler, SiteHelp, SiteSpec};

/// What a module says about a login the auth chain accepted, before `230` is sent.
pub enum Admission {
    /// Let the login in.
    Admit,
    /// Refuse it: `530` with this text, and the session ends (as ProFTPD ends it).
    Refuse(String),
}

/// The future of a login check that waits on something (a cluster store).
pub type AdmitFuture<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Admission> + Send + 'a>>;

/// A module's check of a login the auth chain accepted (`MaxClients*`, mod_wrap, …).
#[derive(Clone, Copy)]
pub enum AdmitFn {
    /// Decided at once from what the process knows.
    Now(fn(&mut crate::session::Ctx, &mut crate::session::LoggedIn) -> Admission),
    /// Decided after asking elsewhere (the cluster's shared counts).
    Later(
        for<'a> fn(
            &'a mut crate::session::Ctx,
            &'a mut crate::session::LoggedIn,
        ) -> AdmitFuture<'a>,
    ),
}

impl AdmitFn {
    /// Runs the check.
    pub async fn check(
        self,
        ctx: &mut crate::session::Ctx,
        user: &mut crate::session::LoggedIn,
    ) -> Admission {
        match self {
            AdmitFn::Now(f) => f(ctx, user),
            AdmitFn::Later(f) => f(ctx, user).await,
        }
    }
}

pub use crate::context::{OpenFn, ServerFn};

/// What a module starts each time a loaded configuration goes live (at start and after each
/// reload), on the runtime with privileges dropped: background tasks such as an exporter.
pub type StartFn =
    fn(&std::sync::Arc<crate::context::Generation>, &std::sync::Arc<crate::context::Shared>);

/// A module's identity provider for `AuthOrder` (mod_sql.c, …), made from one server's
/// configuration: `Ok(None)` when its configuration switches it off there.
pub type AuthFn = crate::auth::ProviderFn;

/// A front door other than FTP that a module serves on a server's port (mod_sftp's SSH): given
/// each accepted connection and the server chosen for it, it either takes the connection
/// (`Ok`, the session to run) or hands it back (`Err`) for the FTP session.
pub type ConnectionFn = fn(
    tokio::net::TcpStream,
    std::net::SocketAddr,
    std::sync::Arc<crate::context::ServerCtx>,
    std::sync::Arc<crate::context::Generation>,
    std::sync::Arc<crate::context::Shared>,
) -> Result<ConnectionFuture, tokio::net::TcpStream>;

/// The session a [`ConnectionFn`] runs for a connection it took.
pub type ConnectionFuture = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

/// A module: its ProFTPD name and directives (from `oxftpd-config`), its commands and SITE
/// subcommands, its hooks on ProFTPD's command phases, its login check, its event handler and
/// its per-configuration state.
///
/// Written as `Module { spec, commands, hooks, ..Module::DEFAULT }`: only what a module has.
pub struct Module {
    /// The configuration surface, shared with the config parser.
    pub spec: &'static ModuleSpec,
    /// The commands this module handles.
    pub commands: &'static [CommandSpec],
    /// The SITE subcommands this module handles.
    pub site: &'static [SiteSpec],
    /// Its hooks on command phases ([`hooks`]).
    pub hooks: &'static [hooks::Hook],
    /// Its connect-phase hooks ([`connect`]).
    pub connect: &'static [ConnectHook],
    /// Its check of each login the auth chain accepted.
    pub admit: Option<AdmitFn>,
    /// Its handler of session events ([`events`]).
    pub events: Option<events::EventFn>,
    /// What it opens once per loaded configuration.
    pub open: Option<OpenFn>,
    /// What it keeps per server of a loaded configuration (mod_tls its FTPS settings),
    /// made when the configuration is read (for `-t` too): `ServerCtx::modules`.
    pub server: Option<ServerFn>,
    /// What it starts when a loaded configuration goes live.
    pub start: Option<StartFn>,
    /// What it does with a new connection before any protocol reads from it ([`accept`]).
    pub accept: Option<AcceptFn>,
    /// Its own protocol on the ports of the servers it claims ([`ConnectionFn`]).
    pub connection: Option<ConnectionFn>,
    /// The actions it answers on the control socket ([`controls`]).
    pub controls: &'static [controls::ControlSpec],
    /// Its provider in the `AuthOrder` chain, under its name.
    pub auth: Option<AuthFn>,
    /// The counter-store backend it offers ([`store`]).
    pub store: Option<store::StoreFn>,
    /// The quota table sources it offers (mod_quotatab_sql's `sql:`, [`quota`]).
    pub quota: Option<quota::QuotaTableFn>,
}

/// The directive table of a module that has none (only for [`Module::DEFAULT`]).
static NO_DIRECTIVES: ModuleSpec = ModuleSpec {
    name: "",
    directives: &[],
};

impl Module {
    /// The fields a module leaves out: no commands, hooks, login check, events or state.
    pub const DEFAULT: Module = Module {
        spec: &NO_DIRECTIVES,
        commands: &[],
        site: &[],
        hooks: &[],
        connect: &[],
        admit: None,
        events: None,
        open: None,
        server: None,
        start: None,
        accept: None,
        connection: None,
        controls: &[],
        auth: None,
        store: None,
        quota: None,
    };

    /// The ProFTPD module name, e.g. `mod_core.c`.
    pub fn name(&self) -> &'static str {
        self.spec.name
    }
}
