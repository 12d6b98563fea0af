//! What a provider may know of the session it answers for (ProFTPD's `session` globals that
//! mod_sql's `SQLUserWhereClause` reads as `%a`, `%L`, `%V`, …): set by the caller around one
//! chain call, on the thread that makes it. A provider may leave [`Notes`] for the session in
//! return (ProFTPD's session notes and `pr_response_add`: mod_radius's Reply-Message, Class and
//! timeouts), which the caller collects with [`with_session_notes`].

use std::cell::RefCell;
use std::net::SocketAddr;
use std::time::Duration;

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

/// What providers left for the session during one chain call; the session keeps the last
/// login's notes (in its extensions) for the modules that read them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Notes {
    /// Lines to show the client before the login reply's own text.
    pub replies: Vec<String>,
    /// A `TimeoutIdle` for this session only.
    pub idle_timeout: Option<Duration>,
    /// A `TimeoutSession` for this session only.
    pub session_timeout: Option<Duration>,
    /// Supplementary groups (gid, name) to add to the account the chain found (mod_radius's
    /// `RadiusGroupInfo` when another module gives the account).
    pub groups: Vec<(u32, String)>,
    /// Named values for modules, as `module.name` (`mod_radius.class`).
    pub values: Vec<(&'static str, Vec<u8>)>,
}

impl Notes {
    /// The value noted under `key`.
    pub fn get(&self, key: &str) -> Option<&[u8]> {
        self.values
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_slice())
    }
}

thread_local! {
    static CURRENT: RefCell<Option<SessionInfo>> = const { RefCell::new(None) };
    static NOTES: RefCell<Option<Notes>> = const { RefCell::new(None) };
}

/// Runs `f` with `info` as the current session of this thread.
pub fn with_session<R>(info: SessionInfo, f: impl FnOnce() -> R) -> R {
    with_session_notes(info, f).0
}

/// Like [`with_session`], and gives back what providers noted meanwhile ([`note`]).
pub fn with_session_notes<R>(info: SessionInfo, f: impl FnOnce() -> R) -> (R, Notes) {
    let old = CURRENT.with(|c| c.replace(Some(info)));
    let old_notes = NOTES.with(|n| n.replace(Some(Notes::default())));
    let out = f();
    CURRENT.with(|c| *c.borrow_mut() = old);
    let notes = NOTES.with(|n| n.replace(old_notes)).unwrap_or_default();
    (out, notes)
}

/// Changes the notes of the current chain call (nothing outside [`with_session_notes`]).
pub fn note(f: impl FnOnce(&mut Notes)) {
    NOTES.with(|n| {
        if let Some(notes) = n.borrow_mut().as_mut() {
            f(notes);
        }
    });
}

/// The current session of this thread, inside [`with_session`].
pub fn current() -> Option<SessionInfo> {
    CURRENT.with(|c| c.borrow().clone())
}
