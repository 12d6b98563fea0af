//! The one map from a failed command to its replies: ProFTPD 1.3.8's code and text for the
//! error and the verb that met it. The session loop is its only caller.

use oxftpd_proto::reply::Reply;
use oxftpd_proto::reply::codes;
use oxftpd_storage::StorageError;

use crate::data::abort::io_text;
use crate::data::channel::DataError;
use crate::module::command::path_after_options;
use crate::module::error::{CommandError, DataFailure, FilterRefusal, TlsRefusal};
use crate::module::limit::Outcome;

/// ProFTPD's refusal text for `AUTH`, `PROT` or `CCC` against the TLS policy.
pub const UNWILLING: &str = "Unwilling to accept security parameters";

/// The replies for `err` met by `verb` (the command row's name), in the order they go out;
/// empty when the session ends without a word.
///
/// A `<Limit>` refusal of `LIST` or `MLSD` is not an error reply: ProFTPD sends an empty
/// listing, which the session loop does before this map is asked.
pub fn replies(verb: &str, err: &CommandError) -> Vec<Reply> {
    match err {
        CommandError::Data(DataFailure::Aborted) => vec![
            Reply::new(
                codes::TRANSFER_ABORTED,
                "Transfer aborted. Data connection closed.",
            ),
            Reply::new(codes::CLOSING_DATA, "Abort successful"),
        ],
        CommandError::CloseAfter(inner) => replies(verb, inner),
        CommandError::Close | CommandError::Control(_) => Vec::new(),
        other => reply(verb, other).into_iter().collect(),
    }
}

/// The one reply for an error that has one.
fn reply(verb: &str, err: &CommandError) -> Option<Reply> {
    Some(match err {
        CommandError::Storage { path, source } => storage(verb, path, source),
        CommandError::Attributes { path, source } => {
            let code = match verb {
                "MFMT" | "MFF" => codes::SYNTAX_ERROR_ARGUMENTS,
                _ => codes::FILE_UNAVAILABLE,
            };
            Reply::new(code, format!("{path}: {}", attr_reason(source)))
        }
        CommandError::NotAFile { path } => {
            let what = match verb {
                "SIZE" => "not a regular file",
                "MDTM" => "not a plain file",
                _ => "Not a regular file",
            };
            let code = match verb {
                "HASH" => codes::FILE_NAME_NOT_ALLOWED,
                _ => codes::FILE_UNAVAILABLE,
            };
            Reply::new(code, format!("{path}: {what}"))
        }
        CommandError::MissingArgument => Reply::new(
            codes::SYNTAX_ERROR_ARGUMENTS,
            "Invalid number of parameters",
        ),
        CommandError::BadArgument(reply) | CommandError::Refused(reply) => reply.clone(),
        CommandError::BadSequence(text) => Reply::new(codes::BAD_SEQUENCE, text.clone()),
        CommandError::NotImplemented(text) => Reply::new(codes::NOT_IMPLEMENTED, text.clone()),
        CommandError::LoginRequired => {
            Reply::new(codes::NOT_LOGGED_IN, "Please login with USER and PASS")
        }
        // Several lines (a provider's messages before the refusal) make a multi-line 530.
        CommandError::LoginRefused(text) => {
            let mut lines = text.split('\n');
            let mut reply = Reply::new(
                codes::NOT_LOGGED_IN,
                lines.next().unwrap_or_default().to_string(),
            );
            for line in lines {
                reply.push_line(line.to_string());
            }
            reply
        }
        CommandError::Limit { outcome, arg } => limit(verb, arg.as_deref(), *outcome),
        CommandError::Filter(FilterRefusal::Argument(arg)) => Reply::new(
            codes::FILE_UNAVAILABLE,
            format!("{arg}: Forbidden command argument"),
        ),
        CommandError::Filter(FilterRefusal::Path(arg)) => Reply::new(
            codes::FILE_UNAVAILABLE,
            format!("{arg}: Forbidden filename"),
        ),
        CommandError::Tls(TlsRefusal::ControlRequired) => Reply::new(
            codes::FILE_UNAVAILABLE,
            "SSL/TLS required on the control channel",
        ),
        CommandError::Tls(TlsRefusal::DataRequired) => Reply::new(
            codes::NETWORK_PROTOCOL_NOT_SUPPORTED,
            "SSL/TLS required on the data channel",
        ),
        CommandError::Tls(TlsRefusal::Unwilling) => Reply::new(codes::DENIED_FOR_POLICY, UNWILLING),
        CommandError::Data(failure) => data(failure)?,
        CommandError::CloseAfter(inner) => reply(verb, inner)?,
        CommandError::Close | CommandError::Control(_) => return None,
    })
}

/// `path: reason`: `450` for the listing verbs, `552` for a full disk (but not from `SITE`,
/// whose mod_site_misc answers `550` for every error), else `550`.
fn storage(verb: &str, path: &str, e: &StorageError) -> Reply {
    let code = match (verb, e) {
        ("LIST" | "NLST" | "STAT", _) => codes::FILE_ACTION_NOT_TAKEN,
        ("SITE", _) => codes::FILE_UNAVAILABLE,
        (_, StorageError::NoSpace) => codes::EXCEEDED_STORAGE,
        _ => codes::FILE_UNAVAILABLE,
    };
    Reply::new(code, format!("{path}: {}", reason(e)))
}

/// The reply to a data connection that failed; `None` for none (an `ABOR` has two).
fn data(failure: &DataFailure) -> Option<Reply> {
    Some(match failure {
        DataFailure::Open(DataError::NotPrepared) => Reply::new(
            codes::CANT_OPEN_DATA,
            "Unable to build data connection: No PORT or PASV command given",
        ),
        DataFailure::Open(DataError::Io(e)) => Reply::new(
            codes::CANT_OPEN_DATA,
            format!("Unable to build data connection: {}", io_text(e)),
        ),
        DataFailure::Protection => Reply::new(
            codes::CANT_OPEN_DATA,
            "Unable to build data connection: Operation not permitted",
        ),
        DataFailure::Broken(e) => {
            let (code, text) = crate::data::abort::reply_for(e);
            Reply::new(code, text)
        }
        DataFailure::Local(e) => Reply::new(
            codes::LOCAL_ERROR,
            format!("Transfer aborted. {}", io_text(e)),
        ),
        DataFailure::Stalled { secs } => Reply::new(
            codes::SERVICE_NOT_AVAILABLE,
            format!("Data transfer stall timeout: {secs} seconds"),
        ),
        DataFailure::TooLarge => {
            Reply::new(codes::EXCEEDED_STORAGE, "Transfer aborted. File too large")
        }
        DataFailure::QuotaExceeded => Reply::new(
            codes::EXCEEDED_STORAGE,
            "Transfer aborted. Disk quota exceeded",
        ),
        DataFailure::NotPermitted => Reply::new(
            codes::TRANSFER_ABORTED,
            "Transfer aborted. Operation not permitted",
        ),
        DataFailure::Aborted => return None,
    })
}

/// What ProFTPD 1.3.8 answers when `<Limit>` refuses `verb` (observed per verb), or when
/// `IgnoreHidden` hides its target.
fn limit(verb: &str, arg: Option<&str>, outcome: Outcome) -> Reply {
    let shown = match verb {
        "LIST" | "NLST" | "STAT" | "MLSD" => arg.and_then(path_after_options),
        _ => arg,
    };
    let not_found = |p: Option<&str>| format!("{}: No such file or directory", p.unwrap_or("."));
    if outcome == Outcome::Hidden {
        let code = if verb == "NLST" {
            codes::FILE_ACTION_NOT_TAKEN
        } else {
            codes::FILE_UNAVAILABLE
        };
        return Reply::new(code, not_found(shown));
    }
    match (verb, shown) {
        ("NLST", p) => Reply::new(codes::FILE_ACTION_NOT_TAKEN, not_found(p)),
        ("CWD" | "XCWD", Some(p)) => Reply::new(codes::FILE_UNAVAILABLE, not_found(Some(p))),
        ("CDUP" | "XCUP", _) => Reply::new(codes::FILE_UNAVAILABLE, not_found(Some(".."))),
        ("MKD" | "XMKD" | "RMD" | "XRMD" | "SITE", Some(p)) => {
            Reply::new(codes::FILE_UNAVAILABLE, format!("{p}: Permission denied"))
        }
        ("PWD" | "XPWD", _) => Reply::new(
            codes::FILE_UNAVAILABLE,
            format!("{verb}: Permission denied"),
        ),
        ("HELP", _) => Reply::new(codes::SYNTAX_ERROR_ARGUMENTS, "HELP: Permission denied"),
        ("STAT", None) => Reply::new(codes::SYNTAX_ERROR, "STAT: Operation not permitted"),
        ("STAT", Some(p)) => Reply::new(codes::DIRECTORY_STATUS, format!("Status of {p}:"))
            .with_line("End of status"),
        ("PASV" | "EPSV" | "PORT" | "EPRT", _) => Reply::new(
            codes::SYNTAX_ERROR_ARGUMENTS,
            format!("{verb}: Operation not permitted"),
        ),
        ("NOOP", _) => Reply::new(codes::FILE_UNAVAILABLE, "Operation not permitted"),
        ("RANG", _) => Reply::new(codes::EXCEEDED_STORAGE, "RANG: Operation not permitted"),
        (_, Some(p)) => Reply::new(
            codes::FILE_UNAVAILABLE,
            format!("{p}: Operation not permitted"),
        ),
        (_, None) => Reply::new(
            codes::FILE_UNAVAILABLE,
            format!("{verb}: Operation not permitted"),
        ),
    }
}

/// The `strerror`-style text ProFTPD puts after the path.
pub fn reason(e: &StorageError) -> String {
    match e {
        StorageError::NotFound => "No such file or directory".into(),
        StorageError::PermissionDenied => "Permission denied".into(),
        StorageError::AlreadyExists => "File exists".into(),
        StorageError::NotADirectory => "Not a directory".into(),
        StorageError::IsADirectory => "Is a directory".into(),
        StorageError::DirectoryNotEmpty => "Directory not empty".into(),
        StorageError::NoSpace => "No space left on device".into(),
        StorageError::InvalidPath(_) => "Invalid path".into(),
        StorageError::NotRegularFile => "Not a regular file".into(),
        other => other.to_string(),
    }
}

/// The text of an attribute change that failed: `chmod`/`chown`/`utimes` say `EPERM`
/// (`Operation not permitted`) where other calls say `EACCES`.
pub fn attr_reason(e: &StorageError) -> String {
    match e {
        StorageError::PermissionDenied => "Operation not permitted".into(),
        other => reason(other),
    }
}

#[cfg(test)]
mod tests;
