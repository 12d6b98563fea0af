//! `DeflateLog` (ProFTPD's mod_deflate): the lines written to the file for `MODE` changes,
//! each `MODE Z` data connection's compression summary, and a stream that does not inflate.
//! Texts are Debian's mod_deflate/0.6 in ProFTPD 1.3.8 (observed on loopback); the
//! timestamp and pid prefix is checked for its shape only.

mod wire;
mod zlib;

use std::path::{Path, PathBuf};

use wire::{Raw, put, wait_until};
use zlib::{deflate, inflate, load_deflate};

/// A server with `DeflateEngine on` and a `DeflateLog`; returns the log's path too.
fn server() -> (
    oxftpd_testkit::TestServer,
    oxftpd_testkit::TestUser,
    PathBuf,
) {
    let target = oxftpd_testkit::target!();
    let mut setup = oxftpd_testkit::Setup::new(&target).expect("test setup");
    let alice = setup.add_user("alice", "secret").expect("add alice");
    let log = setup.dir().join("deflate.log");
    setup.config(&format!(
        "{}AllowOverwrite on\nDeflateEngine on\nDeflateLog {}\n",
        load_deflate(&target),
        log.display()
    ));
    let server = TestServer::start(setup).unwrap_or_else(|e| panic!("start the daemon: {e}"));
    (server, alice, log)
}

use oxftpd_testkit::TestServer;

fn text(lines: usize) -> Vec<u8> {
    (0..lines)
        .flat_map(|i| format!("line {i} of the DeflateLog test\n").into_bytes())
        .collect()
}

/// mod_deflate's percentage: one minus the compressed/plain ratio, the ratio in single
/// precision.
fn percent(compressed: usize, plain: usize) -> String {
    let ratio = compressed as f32 / plain as f32;
    format!("{:.2}", (1.0 - f64::from(ratio)) * 100.0)
}

/// Whether `prefix` is `YYYY-MM-DD HH:MM:SS,mmm mod_deflate/0.6[pid]`.
fn prefix_ok(prefix: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let Some((stamp, tag)) = prefix.split_at_checked(23) else {
        return false;
    };
    let b = stamp.as_bytes();
    let shape = [4, 7, 10, 13, 16, 19]
        .iter()
        .zip(b"-- ::,")
        .all(|(&i, &c)| b[i] == c);
    let Some(pid) = tag
        .strip_prefix(" mod_deflate/0.6[")
        .and_then(|t| t.strip_suffix(']'))
    else {
        return false;
    };
    shape && stamp.split(['-', ' ', ':', ',']).all(digits) && digits(pid)
}

/// ProFTPD's per-write lines (`wrote N (of M) bytes of compressed of data to socket FD`),
/// whose count and sizes follow its buffer sizes; oxftpd does not write them (DIFFERENCES.md).
fn per_write(line: &str) -> bool {
    line.split_once(": ")
        .is_some_and(|(_, m)| m.starts_with("wrote "))
}

/// The messages of the log once it has `n` lines (each line's prefix checked).
fn messages(log: &Path, n: usize) -> Vec<String> {
    let read = || std::fs::read_to_string(log).unwrap_or_default();
    wait_until(|| read().lines().filter(|l| !per_write(l)).count() >= n);
    read()
        .lines()
        .filter(|l| !per_write(l))
        .map(|line| {
            let (prefix, message) = line
                .split_once(": ")
                .unwrap_or_else(|| panic!("no message in {line:?}"));
            assert!(prefix_ok(prefix), "prefix of {line:?}");
            message.to_string()
        })
        .collect()
}

#[test]
fn mode_changes_and_an_upload_summary_are_logged() {
    let (s, alice, log) = server();
    let body = text(2_000);
    let z = deflate(&body);
    let mut c = Raw::login(s.addr());
    c.cmd("TYPE I");
    // MODE S while MODE S is in force: nothing to unregister, nothing logged.
    assert_eq!(c.cmd("MODE S"), "200 Mode set to S");
    assert_eq!(c.cmd("MODE Z"), "200 OK");
    let (first, last) = c.upload("STOR t.txt", &z);
    assert!(first.starts_with("150 "), "{first}");
    assert_eq!(last, "226 Transfer complete");
    assert!(wire::get(&alice.home.join("t.txt")) == Some(body.clone()));
    assert_eq!(c.cmd("MODE"), "501 'MODE' not understood");
    assert_eq!(c.cmd("MODE Z X"), "501 'MODE Z X' not understood");
    assert_eq!(c.cmd("mode s"), "200 Mode set to S");
    assert_eq!(c.cmd("MODE Z"), "200 OK");
    assert_eq!(c.cmd("MODE B"), "504 'MODE B' unsupported transfer mode");
    let want = [
        format!(
            "STOR: inflated {} bytes to {} bytes ({}% compression)",
            z.len(),
            body.len(),
            percent(z.len(), body.len())
        ),
        "declining MODE Z (wrong number of parameters: 1)".to_string(),
        "declining MODE Z (wrong number of parameters: 3)".to_string(),
        "MODE S: unregistered netio".to_string(),
        "MODE B: unregistered netio".to_string(),
    ];
    assert_eq!(messages(&log, want.len()), want, "{}", s.log());
}

#[test]
fn a_stream_that_does_not_inflate_is_logged_with_zlibs_error() {
    let (s, _alice, log) = server();
    let mut c = Raw::login(s.addr());
    c.cmd("TYPE I");
    c.cmd("MODE Z");
    let (_, last) = c.upload("STOR bad.txt", b"not zlib data at all!!");
    assert_eq!(last, "451 Transfer aborted. Input/output error");
    // zlib read the two header bytes before it gave up: "inflated 2 bytes to 0 bytes",
    // and mod_deflate's ratio of 2/0 prints as -inf.
    let want = [
        "error inflating 22 bytes of data: [-3] incorrect header check",
        "STOR: inflated 2 bytes to 0 bytes (-inf% compression)",
    ];
    assert_eq!(messages(&log, want.len()), want, "{}", s.log());
}

#[test]
fn downloads_and_listings_log_what_went_on_the_wire() {
    let (s, alice, log) = server();
    let body = text(3_000);
    put(&alice, "t.txt", &body);
    put(&alice, "empty.txt", b"");
    let mut c = Raw::login(s.addr());
    c.cmd("TYPE I");
    c.cmd("MODE Z");
    let mut want = Vec::new();
    let (_, wire_bytes, last) = c.download("RETR t.txt");
    assert_eq!(last, "226 Transfer complete");
    assert!(inflate(&wire_bytes) == body);
    want.push(format!(
        "RETR: deflated {} bytes to {} bytes ({}% compression)",
        body.len(),
        wire_bytes.len(),
        percent(wire_bytes.len(), body.len())
    ));
    // An empty file gives zlib no input: no summary.
    let (_, _, last) = c.download("RETR empty.txt");
    assert_eq!(last, "226 Transfer complete");
    for verb in ["NLST", "LIST", "MLSD"] {
        let (_, wire_bytes, last) = c.download(verb);
        assert_eq!(last, "226 Transfer complete", "{verb}");
        let plain = inflate(&wire_bytes);
        want.push(format!(
            "{verb}: deflated {} bytes to {} bytes ({}% compression)",
            plain.len(),
            wire_bytes.len(),
            percent(wire_bytes.len(), plain.len())
        ));
    }
    assert_eq!(messages(&log, want.len()), want, "{}", s.log());
}
