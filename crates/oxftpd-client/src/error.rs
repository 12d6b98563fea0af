//! Errors of the FTP client.

use std::time::Duration;

use crate::Reply;

/// What went wrong talking to an FTP server.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A socket operation failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// A network wait took longer than the client's timeout.
    #[error("timed out after {after:?} while {during}")]
    Timeout {
        /// What the client was waiting for.
        during: &'static str,
        /// The timeout that elapsed.
        after: Duration,
    },
    /// The server closed the control connection.
    #[error("connection closed by server")]
    Closed,
    /// The server sent something that is not a valid FTP reply.
    #[error("malformed reply: {0}")]
    Malformed(String),
    /// TLS could not be set up (certificates, names, or the order of commands).
    #[error("TLS: {0}")]
    Tls(String),
    /// The server answered with a reply code the operation did not expect.
    #[error("unexpected reply to {command}: {reply}")]
    Unexpected {
        /// The command (or operation) that got the reply.
        command: String,
        /// The reply received.
        reply: Reply,
    },
}
