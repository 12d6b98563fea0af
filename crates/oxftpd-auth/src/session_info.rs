//! What a provider may know of the session it answers for (ProFTPD's `session` globals that
//! mod_sql's `SQLUserWhereClause` reads as `%a`, `%L`, `%V`, …): set by the caller around one
//! chain call, on the thread that makes it.

use std::cell::RefCell;
use std::net::SocketAddr;

/// The session a chain call is made for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    /// The client's address.
    pub remote: SocketAddr,
    /// The server's address the client connected to.
    pub local: SocketAddr,
    /// The client's host name (reverse DNS), if looked up.
    pub remote_host: Option<String>,
    /// The server's `ServerName`.
    pub server_name: String,
}

thread_local! {
    static CURRENT: RefCell<Option<SessionInfo>> = const { RefCell::new(None) };
}

/// Runs `f` with `info` as the current session of this thread.
pub fn with_session<R>(info: SessionInfo, f: impl FnOnce() -> R) -> R {
    let old = CURRENT.with(|c| c.replace(Some(info)));
    let out = f();
    CURRENT.with(|c| *c.borrow_mut() = old);
    out
}

/// The current session of this thread, inside [`with_session`].
pub fn current() -> Option<SessionInfo> {
    CURRENT.with(|c| c.borrow().clone())
}
