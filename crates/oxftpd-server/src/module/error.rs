//! Why a command failed, as a value: handlers return these, and the session loop turns each
//! into ProFTPD's reply for the verb (`module::replies`).

use std::borrow::Cow;

use oxftpd_proto::reply::Reply;
use oxftpd_storage::StorageError;

pub use crate::data::failure::DataFailure;
use crate::module::limit::Outcome;
use crate::session::SessionError;

/// What a command handler returns: `Ok` once its success replies are queued through `ctx`.
pub type CommandResult = Result<(), CommandError>;

/// A command that failed, or a session that must end.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// A storage operation on `path` failed: `path: reason` (ProFTPD's `strerror` text).
    /// `path` is shown as the client gave it (for `SITE` commands, the `SITE` argument).
    #[error("{path}: {source}")]
    Storage {
        /// The path as the reply shows it.
        path: String,
        /// What the filesystem said.
        source: StorageError,
    },
    /// Changing a file's attributes (times, mode, group) failed: as `Storage`, but a
    /// permission error reads `Operation not permitted` (`EPERM` from `chmod`/`utimes`).
    #[error("{path}: {source}")]
    Attributes {
        /// The path as the reply shows it.
        path: String,
        /// What the filesystem said.
        source: StorageError,
    },
    /// The path names something other than a regular file where the verb needs one.
    #[error("{path}: not a regular file")]
    NotAFile {
        /// The path as the client gave it.
        path: String,
    },
    /// The command has no argument, or the wrong number of them: `501 Invalid number of
    /// parameters`.
    #[error("missing argument")]
    MissingArgument,
    /// The argument is malformed or asks for something unsupported: the verb's own reply
    /// (500, 501, 504, 522, 536, 554 and its text), which ProFTPD writes inline in each
    /// command's handler.
    #[error("bad argument ({})", .0.code())]
    BadArgument(Reply),
    /// The command came out of order: `503` and the verb's text.
    #[error("bad sequence: {0}")]
    BadSequence(Cow<'static, str>),
    /// The verb or this use of it is not implemented: `502` and its text.
    #[error("not implemented: {0}")]
    NotImplemented(Cow<'static, str>),
    /// The configuration or the session's state refuses the command (`AllowOverwrite`,
    /// `AllowStoreRestart`, ASCII mode for `SIZE`, …), with the verb's own reply.
    #[error("refused ({})", .0.code())]
    Refused(Reply),
    /// The command needs a login: `530 Please login with USER and PASS`.
    #[error("not logged in")]
    LoginRequired,
    /// A login was refused: `530` and the text (`Login incorrect.`, `AccessDenyMsg`, the
    /// `MaxClients` message, …).
    #[error("login refused: {0}")]
    LoginRefused(String),
    /// `<Limit>` refused the command (or hid its target, `IgnoreHidden`); the reply is the
    /// one ProFTPD 1.3.8 gives for the verb.
    #[error("refused by <Limit>")]
    Limit {
        /// Denied, or hidden.
        outcome: Outcome,
        /// The command's argument as the client sent it.
        arg: Option<String>,
    },
    /// `AllowFilter`/`DenyFilter` or `PathAllowFilter`/`PathDenyFilter` refused the argument.
    #[error("refused by a filter")]
    Filter(FilterRefusal),
    /// `TLSRequired` (or the TLS policy of `PROT`/`CCC`) refused the command.
    #[error("refused by TLS policy")]
    Tls(TlsRefusal),
    /// The data connection could not be made, or failed during the transfer.
    #[error("data connection: {0}")]
    Data(DataFailure),
    /// Reply as for the inner error, then close the session.
    #[error("{0}; closing the session")]
    CloseAfter(Box<CommandError>),
    /// Close the session now; whatever had to be said is said.
    #[error("closing the session")]
    Close,
    /// The control connection failed: the session ends without a reply.
    #[error(transparent)]
    Control(SessionError),
}

impl From<SessionError> for CommandError {
    fn from(e: SessionError) -> Self {
        match e {
            SessionError::Closed => CommandError::Close,
            e => CommandError::Control(e),
        }
    }
}

impl From<DataFailure> for CommandError {
    fn from(e: DataFailure) -> Self {
        CommandError::Data(e)
    }
}

impl CommandError {
    /// A storage error on `path`.
    pub fn storage(path: impl Into<String>, source: StorageError) -> Self {
        CommandError::Storage {
            path: path.into(),
            source,
        }
    }

    /// An attribute change on `path` that failed.
    pub fn attributes(path: impl Into<String>, source: StorageError) -> Self {
        CommandError::Attributes {
            path: path.into(),
            source,
        }
    }

    /// A bad argument, answered with `code` and `text`.
    pub fn bad_argument(code: u16, text: impl Into<Cow<'static, str>>) -> Self {
        CommandError::BadArgument(Reply::new(code, text))
    }

    /// A refusal, answered with `code` and `text`.
    pub fn refused(code: u16, text: impl Into<Cow<'static, str>>) -> Self {
        CommandError::Refused(Reply::new(code, text))
    }

    /// This error, and the session's end after its reply.
    pub fn then_close(self) -> Self {
        CommandError::CloseAfter(Box::new(self))
    }

    /// Whether the session ends after this error's reply.
    pub fn closes_session(&self) -> bool {
        matches!(
            self,
            CommandError::CloseAfter(_)
                | CommandError::Close
                | CommandError::Control(_)
                | CommandError::Data(DataFailure::Stalled { .. })
        )
    }
}

/// Which filter refused a command's argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterRefusal {
    /// `AllowFilter`/`DenyFilter` on the argument: `550 ARG: Forbidden command argument`.
    Argument(String),
    /// `PathAllowFilter`/`PathDenyFilter` on a new name: `550 ARG: Forbidden filename`.
    Path(String),
}

/// What the TLS policy refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsRefusal {
    /// `TLSRequired` wants a protected control connection first.
    ControlRequired,
    /// `TLSRequired` wants `PROT P` before a data command.
    DataRequired,
    /// `AUTH`, `PROT` or `CCC` against the policy: `534 Unwilling to accept security
    /// parameters`.
    Unwilling,
}
