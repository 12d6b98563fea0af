//! The connect phase: what modules do when a client connects, before the banner, in an
//! explicit order of stages (ProFTPD's modules do this in their session-init handlers).
//!
//! The session loop runs the hooks of [`ConnectStage::Secure`], [`ConnectStage::Classify`] and
//! [`ConnectStage::Identify`], counts the connection (`Ctx::host_connections`), then runs the
//! [`ConnectStage::Admit`] hooks; within a stage, hooks run in module order.

use std::future::Future;
use std::pin::Pin;

use crate::session::Ctx;

/// When in the connect phase a hook runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ConnectStage {
    /// Securing the control connection (the implicit FTPS handshake: mod_tls).
    Secure,
    /// Deciding what the client is (its `<Class>`: mod_core).
    Classify,
    /// Learning who the client is (RFC 1413: mod_ident).
    Identify,
    /// After the connection is counted: refusing it (`MaxConnectionsPerHost`: mod_auth).
    Admit,
}

/// What a connect hook decides.
#[derive(Debug, PartialEq, Eq)]
pub enum Connected {
    /// Go on.
    Continue,
    /// End the session now, after writing whatever the hook queued (a refusal).
    Close,
}

/// The future a connect hook returns.
pub type ConnectFuture<'a> = Pin<Box<dyn Future<Output = Connected> + Send + 'a>>;

/// One connect-phase hook of a module.
pub struct ConnectHook {
    /// When it runs.
    pub stage: ConnectStage,
    /// What it does.
    pub run: for<'a> fn(&'a mut Ctx) -> ConnectFuture<'a>,
}

impl ConnectHook {
    /// A hook for `stage`.
    pub const fn new(
        stage: ConnectStage,
        run: for<'a> fn(&'a mut Ctx) -> ConnectFuture<'a>,
    ) -> Self {
        ConnectHook { stage, run }
    }
}
