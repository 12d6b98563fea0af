//! Events a module can subscribe to: a session opened or closed, a login that succeeded or
//! failed (with the reason), a transfer that finished or was cut short (with bytes and time).
//!
//! The session emits an event once it happened; every compiled-in module's handler sees it, in
//! module-list order. Handlers observe: they cannot refuse anything (a refusal is a hook's job,
//! see [`crate::module::hooks`]). They may keep per-session state in [`crate::session::Ctx`]'s
//! extensions (`ctx.ext`), and run blocking work on the pool. Process-wide events (a reload,
//! shutdown) reach modules through [`crate::module::Module::open`], which runs once per loaded
//! configuration.

use std::future::Future;
use std::pin::Pin;
use std::time::Instant;

use crate::session::{Ctx, LoggedIn};

/// Which way a file went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// A download (`RETR`).
    Outgoing,
    /// An upload (`STOR`, `APPE`, `STOU`).
    Incoming,
}

/// One file transfer that ended, completely or not.
pub struct Transfer<'a> {
    /// When the data started to flow.
    pub started: Instant,
    /// Bytes moved.
    pub bytes: u64,
    /// The file, as a virtual path of the session.
    pub vpath: &'a str,
    /// `TYPE A`.
    pub ascii: bool,
    /// Download or upload.
    pub direction: Direction,
    /// Whether the transfer completed (else it was aborted or failed).
    pub complete: bool,
}

/// Why a login failed, in kinds a counter can label (the text is in the event's `reason`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoginFailure {
    /// No provider knows the user.
    UnknownUser,
    /// The password is wrong.
    BadPassword,
    /// The account is locked, expired or its password aged.
    Disabled,
    /// A provider could not answer (a file or server it needs is unavailable).
    Unavailable,
    /// A rule refused it: `<Limit LOGIN>`, `MaxClients*`, `RootLogin`, access files, ….
    Refused,
}

impl LoginFailure {
    /// A short name for labels and logs.
    pub fn name(self) -> &'static str {
        match self {
            LoginFailure::UnknownUser => "unknown_user",
            LoginFailure::BadPassword => "bad_password",
            LoginFailure::Disabled => "disabled",
            LoginFailure::Unavailable => "unavailable",
            LoginFailure::Refused => "refused",
        }
    }
}

/// Why a session ended, in ProFTPD's words (`Timeout exceeded: TimeoutIdle`), when the
/// session machinery knows it: put in `ctx.ext` before [`Event::SessionClosed`] is emitted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndReason(pub String);

/// A limit a session ran into, as ProFTPD announces it to other modules
/// (`mod_auth.max-login-attempts`, …): what mod_ban's `BanOnEvent` counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// An anonymous password matched `AnonRejectPasswords`.
    AnonRejectPasswords,
    /// An empty password with `AllowEmptyPasswords off`.
    EmptyPassword,
    /// `MaxClientsPerClass` refused a login.
    MaxClientsPerClass,
    /// `MaxClientsPerHost` refused a login.
    MaxClientsPerHost,
    /// `MaxClientsPerUser` refused a login.
    MaxClientsPerUser,
    /// `MaxConnectionsPerHost` refused a connection.
    MaxConnectionsPerHost,
    /// `MaxHostsPerUser` refused a login.
    MaxHostsPerUser,
    /// The session failed `MaxLoginAttempts` logins.
    MaxLoginAttempts,
    /// The session sent commands faster than `MaxCommandRate`.
    MaxCommandRate,
    /// A root login without `RootLogin on`.
    RootLogin,
}

impl Limit {
    /// Its name in `BanOnEvent`.
    pub fn name(self) -> &'static str {
        match self {
            Limit::AnonRejectPasswords => "AnonRejectPasswords",
            Limit::EmptyPassword => "EmptyPassword",
            Limit::MaxClientsPerClass => "MaxClientsPerClass",
            Limit::MaxClientsPerHost => "MaxClientsPerHost",
            Limit::MaxClientsPerUser => "MaxClientsPerUser",
            Limit::MaxConnectionsPerHost => "MaxConnectionsPerHost",
            Limit::MaxHostsPerUser => "MaxHostsPerUser",
            Limit::MaxLoginAttempts => "MaxLoginAttempts",
            Limit::MaxCommandRate => "MaxCommandRate",
            Limit::RootLogin => "RootLogin",
        }
    }
}

/// Put in `ctx.ext` by an event handler that ends the session at once (mod_ban's autoban on
/// [`Event::LimitReached`]): the session sends this `530` text, if any, instead of the
/// refusal it was about to send, and ends.
pub struct Disconnect(pub Option<String>);

/// Takes a [`Disconnect`] an event handler asked for: queues its text and gives the error
/// that ends the session.
pub fn disconnect(ctx: &mut Ctx) -> Option<crate::module::CommandError> {
    let Disconnect(text) = ctx.ext.remove::<Disconnect>()?;
    if let Some(text) = text {
        ctx.control.queue(&oxftpd_proto::reply::Reply::new(
            oxftpd_proto::reply::codes::NOT_LOGGED_IN,
            text,
        ));
    }
    Some(crate::module::CommandError::Close)
}

/// Something that happened in a session (more kinds may come: match with a wildcard arm).
#[non_exhaustive]
pub enum Event<'a> {
    /// The banner is about to be sent: the connection passed every connect-time check.
    SessionOpened,
    /// The session ended (QUIT, timeout, disconnect, refusal); `user` is its login, if any.
    SessionClosed {
        /// The login the session had when it ended.
        user: Option<&'a LoggedIn>,
    },
    /// A login succeeded; the session is now `user`.
    LoginSucceeded {
        /// The new login.
        user: &'a LoggedIn,
    },
    /// A login was refused.
    LoginFailed {
        /// The name the client gave.
        name: &'a str,
        /// What kind of failure.
        failure: LoginFailure,
        /// Why, in the words of the log.
        reason: &'a str,
    },
    /// The session ran into a limit (before its refusal is answered).
    LimitReached {
        /// Which.
        limit: Limit,
        /// The name the client gave with USER, if any.
        user: Option<&'a str>,
    },
    /// A file transfer runs: announced when its data begins to flow and about once a second
    /// after (`engine::watch::PROGRESS_EVERY`), never per byte.
    TransferProgress {
        /// Bytes a download will move (from its offset to the end); 0 for an upload.
        size: u64,
        /// Bytes moved so far.
        done: u64,
        /// Milliseconds since the data began to flow.
        elapsed_ms: u64,
    },
    /// A file transfer ended.
    Transfer {
        /// The session's login.
        user: &'a LoggedIn,
        /// What was moved.
        transfer: &'a Transfer<'a>,
    },
}

/// The future an event handler returns.
pub type EventFuture<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// A module's event handler.
pub type EventFn = for<'a> fn(&'a mut Ctx, &'a Event<'a>) -> EventFuture<'a>;

/// Runs every module's handler for `event`.
pub async fn emit(ctx: &mut Ctx, event: &Event<'_>) {
    for handler in crate::module::registry::registry().event_handlers() {
        handler(ctx, event).await;
    }
}
