//! The map, kind by kind: what each error answers for a few verbs, as the wire shows it.

use std::io;

use oxftpd_storage::StorageError;

use super::replies;
use crate::data::channel::DataError;
use crate::module::error::{CommandError, DataFailure, FilterRefusal, TlsRefusal};
use crate::module::limit::Outcome;

/// The replies of `err` for `verb`, as they go on the wire.
fn wire(verb: &str, err: &CommandError) -> String {
    let mut out = Vec::new();
    for reply in replies(verb, err) {
        reply.write_to(&mut out);
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn storage(path: &str, e: StorageError) -> CommandError {
    CommandError::storage(path, e)
}

fn limit(outcome: Outcome, arg: Option<&str>) -> CommandError {
    CommandError::Limit {
        outcome,
        arg: arg.map(str::to_string),
    }
}

#[test]
fn storage_errors_name_the_path_and_the_reason() {
    let gone = || storage("x", StorageError::NotFound);
    assert_eq!(wire("RMD", &gone()), "550 x: No such file or directory\r\n");
    assert_eq!(wire("CWD", &gone()), "550 x: No such file or directory\r\n");
    assert_eq!(
        wire("MLSD", &gone()),
        "550 x: No such file or directory\r\n"
    );
    // The listing verbs answer 450.
    for verb in ["LIST", "NLST", "STAT"] {
        assert_eq!(
            wire(verb, &storage("d", StorageError::PermissionDenied)),
            "450 d: Permission denied\r\n"
        );
    }
    // A full disk is 552, except from SITE (mod_site_misc answers 550 for every error).
    assert_eq!(
        wire("STOR", &storage("f", StorageError::NoSpace)),
        "552 f: No space left on device\r\n"
    );
    assert_eq!(
        wire("SITE", &storage("MKDIR a/b", StorageError::NoSpace)),
        "550 MKDIR a/b: No space left on device\r\n"
    );
    assert_eq!(
        wire("DELE", &storage("d", StorageError::IsADirectory)),
        "550 d: Is a directory\r\n"
    );
}

#[test]
fn attribute_errors_say_operation_not_permitted() {
    let denied = || CommandError::attributes("f", StorageError::PermissionDenied);
    assert_eq!(
        wire("MFMT", &denied()),
        "501 f: Operation not permitted\r\n"
    );
    assert_eq!(wire("MFF", &denied()), "501 f: Operation not permitted\r\n");
    assert_eq!(
        wire("SITE", &denied()),
        "550 f: Operation not permitted\r\n"
    );
    assert_eq!(
        wire(
            "SITE",
            &CommandError::attributes("UTIME x", StorageError::NotFound)
        ),
        "550 UTIME x: No such file or directory\r\n"
    );
}

#[test]
fn not_a_file_in_each_verbs_words() {
    let err = || CommandError::NotAFile { path: "d".into() };
    assert_eq!(wire("SIZE", &err()), "550 d: not a regular file\r\n");
    assert_eq!(wire("MDTM", &err()), "550 d: not a plain file\r\n");
    assert_eq!(wire("RETR", &err()), "550 d: Not a regular file\r\n");
    assert_eq!(wire("XMD5", &err()), "550 d: Not a regular file\r\n");
    assert_eq!(wire("HASH", &err()), "553 d: Not a regular file\r\n");
}

#[test]
fn argument_and_sequence_errors() {
    for verb in ["CWD", "PORT", "RETR", "OPTS"] {
        assert_eq!(
            wire(verb, &CommandError::MissingArgument),
            "501 Invalid number of parameters\r\n"
        );
    }
    assert_eq!(
        wire(
            "TYPE",
            &CommandError::bad_argument(500, "'TYPE' not understood")
        ),
        "500 'TYPE' not understood\r\n"
    );
    assert_eq!(
        wire(
            "SITE",
            &CommandError::BadArgument(
                oxftpd_proto::reply::Reply::new(500, "'SITE CHMOD' not understood")
                    .with_line("SITE not understood")
            )
        ),
        "500-'SITE CHMOD' not understood\r\n500 SITE not understood\r\n"
    );
    assert_eq!(
        wire(
            "STOR",
            &CommandError::refused(550, "f: Overwrite permission denied")
        ),
        "550 f: Overwrite permission denied\r\n"
    );
    assert_eq!(
        wire(
            "RNTO",
            &CommandError::BadSequence("Bad sequence of commands".into())
        ),
        "503 Bad sequence of commands\r\n"
    );
    assert_eq!(
        wire(
            "ACCT",
            &CommandError::NotImplemented("ACCT command not implemented".into())
        ),
        "502 ACCT command not implemented\r\n"
    );
}

#[test]
fn login_errors() {
    assert_eq!(
        wire("CWD", &CommandError::LoginRequired),
        "530 Please login with USER and PASS\r\n"
    );
    let refused = CommandError::LoginRefused("Login incorrect.".into());
    assert_eq!(wire("PASS", &refused), "530 Login incorrect.\r\n");
    assert!(!refused.closes_session());
    let last = CommandError::LoginRefused("Login incorrect.".into()).then_close();
    assert_eq!(wire("PASS", &last), "530 Login incorrect.\r\n");
    assert!(last.closes_session());
}

#[test]
fn limit_refusals_per_verb() {
    let denied = |verb: &str, arg: Option<&str>| wire(verb, &limit(Outcome::Denied, arg));
    assert_eq!(
        denied("CWD", Some("d")),
        "550 d: No such file or directory\r\n"
    );
    assert_eq!(
        denied("XCUP", None),
        "550 ..: No such file or directory\r\n"
    );
    assert_eq!(
        denied("NLST", Some("-l d")),
        "450 d: No such file or directory\r\n"
    );
    assert_eq!(denied("NLST", None), "450 .: No such file or directory\r\n");
    assert_eq!(denied("MKD", Some("n")), "550 n: Permission denied\r\n");
    assert_eq!(
        denied("SITE", Some("CHMOD 600 f")),
        "550 CHMOD 600 f: Permission denied\r\n"
    );
    assert_eq!(denied("XPWD", None), "550 XPWD: Permission denied\r\n");
    assert_eq!(denied("HELP", None), "501 HELP: Permission denied\r\n");
    assert_eq!(
        denied("STAT", None),
        "500 STAT: Operation not permitted\r\n"
    );
    assert_eq!(
        denied("STAT", Some("-a d")),
        "212-Status of d:\r\n212 End of status\r\n"
    );
    assert_eq!(
        denied("EPSV", None),
        "501 EPSV: Operation not permitted\r\n"
    );
    assert_eq!(denied("NOOP", None), "550 Operation not permitted\r\n");
    assert_eq!(
        denied("DELE", Some("f")),
        "550 f: Operation not permitted\r\n"
    );
    assert_eq!(
        denied("RNTO", None),
        "550 RNTO: Operation not permitted\r\n"
    );
    // IgnoreHidden: as if the target did not exist.
    let hidden = |verb: &str, arg: Option<&str>| wire(verb, &limit(Outcome::Hidden, arg));
    assert_eq!(
        hidden("NLST", Some("h")),
        "450 h: No such file or directory\r\n"
    );
    assert_eq!(
        hidden("RETR", Some("h")),
        "550 h: No such file or directory\r\n"
    );
    assert_eq!(
        hidden("LIST", Some("-la h")),
        "550 h: No such file or directory\r\n"
    );
}

#[test]
fn filter_and_tls_refusals() {
    assert_eq!(
        wire(
            "MKD",
            &CommandError::Filter(FilterRefusal::Argument("a b".into()))
        ),
        "550 a b: Forbidden command argument\r\n"
    );
    assert_eq!(
        wire(
            "STOR",
            &CommandError::Filter(FilterRefusal::Path("x.exe".into()))
        ),
        "550 x.exe: Forbidden filename\r\n"
    );
    assert_eq!(
        wire("USER", &CommandError::Tls(TlsRefusal::ControlRequired)),
        "550 SSL/TLS required on the control channel\r\n"
    );
    assert_eq!(
        wire("RETR", &CommandError::Tls(TlsRefusal::DataRequired)),
        "522 SSL/TLS required on the data channel\r\n"
    );
    assert_eq!(
        wire("PROT", &CommandError::Tls(TlsRefusal::Unwilling)),
        "534 Unwilling to accept security parameters\r\n"
    );
}

#[test]
fn data_connection_failures() {
    let data = |f: DataFailure| CommandError::Data(f);
    assert_eq!(
        wire("RETR", &data(DataFailure::Open(DataError::NotPrepared))),
        "425 Unable to build data connection: No PORT or PASV command given\r\n"
    );
    let refused = io::Error::from_raw_os_error(libc::ECONNREFUSED);
    assert_eq!(
        wire("LIST", &data(DataFailure::Open(DataError::Io(refused)))),
        "425 Unable to build data connection: Connection refused\r\n"
    );
    assert_eq!(
        wire("STOR", &data(DataFailure::Protection)),
        "425 Unable to build data connection: Operation not permitted\r\n"
    );
    // A broken transfer is worded from its error, as pr_data_abort does (data::abort).
    let reset = io::Error::from_raw_os_error(libc::ECONNRESET);
    assert_eq!(
        wire("RETR", &data(DataFailure::Broken(reset))),
        "426 Transfer aborted. Data connection closed\r\n"
    );
    let full = io::Error::from_raw_os_error(libc::ENOSPC);
    assert_eq!(
        wire("STOR", &data(DataFailure::Broken(full))),
        "452 Transfer aborted. No space left on device\r\n"
    );
    let eio = io::Error::from_raw_os_error(libc::EIO);
    assert_eq!(
        wire("STOR", &data(DataFailure::Local(eio))),
        "451 Transfer aborted. Input/output error\r\n"
    );
    let stalled = data(DataFailure::Stalled { secs: 30 });
    assert_eq!(
        wire("RETR", &stalled),
        "421 Data transfer stall timeout: 30 seconds\r\n"
    );
    assert!(stalled.closes_session());
    assert_eq!(
        wire("APPE", &data(DataFailure::TooLarge)),
        "552 Transfer aborted. File too large\r\n"
    );
    assert_eq!(
        wire("RETR", &data(DataFailure::NotPermitted)),
        "426 Transfer aborted. Operation not permitted\r\n"
    );
    // ABOR during a transfer: the transfer's 426, then the ABOR's 226.
    assert_eq!(
        wire("STOR", &data(DataFailure::Aborted)),
        "426 Transfer aborted. Data connection closed.\r\n226 Abort successful\r\n"
    );
}

#[test]
fn closing_errors_say_nothing_more() {
    assert_eq!(wire("QUIT", &CommandError::Close), "");
    assert!(CommandError::Close.closes_session());
    let io = CommandError::from(crate::session::SessionError::Io(io::Error::other("x")));
    assert!(matches!(io, CommandError::Control(_)));
    assert_eq!(wire("NOOP", &io), "");
    assert!(!CommandError::MissingArgument.closes_session());
}
