//! mod_core's `Trace`/`TraceLog`/`TraceOptions`, `TimeoutLinger` and mod_xfer's `UseSendfile`,
//! against both daemons: trace lines in ProFTPD's form (`2026-12-07 14:50:00,123 [pid]
//! <channel:level>: message`), a download's reply held back until the client closes its end
//! or `TimeoutLinger` passes, and downloads without sendfile(2).

mod common;

use std::time::{Duration, Instant};

use common::{file, login, server_with};
use tokio::io::AsyncReadExt;

/// The lines of the trace file, waiting a little for the daemon to write them.
fn trace_lines(path: &std::path::Path, want: impl Fn(&str) -> bool) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let lines: Vec<String> = text.lines().map(str::to_string).collect();
        if lines.iter().any(|l| want(l)) || Instant::now() > deadline {
            return lines;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `YYYY-MM-DD HH:MM:SS,mmm [pid] <channel:level>: message` → (channel, level, message).
fn parse_line(line: &str) -> Option<(&str, u32, &str)> {
    let b = line.as_bytes();
    let stamp_ok = b.len() > 24
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b' '
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b','
        && b[23] == b' '
        && b[24] == b'[';
    if !stamp_ok {
        return None;
    }
    let rest = &line[24..];
    let (pid, rest) = rest.split_once("] <")?;
    pid.trim_start_matches('[').parse::<u32>().ok()?;
    let (tag, message) = rest.split_once(">: ")?;
    let (channel, level) = tag.split_once(':')?;
    Some((channel, level.parse().ok()?, message))
}

#[tokio::test]
async fn trace_log_has_command_and_response_lines_in_proftpds_form() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("trace.log");
    let (server, _alice) = server_with(&format!("TraceLog {}\nTrace DEFAULT:10\n", log.display()));
    let mut c = login(&server).await;
    c.cmd("NOOP").await.expect("NOOP");
    c.quit().await.expect("QUIT");
    let lines = trace_lines(&log, |l| l.contains("221"));
    let parsed: Vec<_> = lines.iter().filter_map(|l| parse_line(l)).collect();
    assert!(
        !parsed.is_empty() && parsed.len() == lines.len(),
        "every line in ProFTPD's form: {lines:#?}"
    );
    assert!(
        parsed
            .iter()
            .any(|(ch, lvl, m)| *ch == "command" && *lvl <= 7 && m.contains("'USER alice'")),
        "a command-channel line for USER: {lines:#?}"
    );
    assert!(
        parsed
            .iter()
            .any(|(ch, lvl, m)| *ch == "response" && *lvl == 1 && m.starts_with("230 ")),
        "a response-channel line for the 230: {lines:#?}"
    );
    assert!(
        !lines.iter().any(|l| l.contains("secret")),
        "the password is never written: {lines:#?}"
    );
}

#[tokio::test]
async fn trace_options_conn_ips_names_the_client_and_server() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("trace.log");
    let (server, _alice) = server_with(&format!(
        "TraceLog {}\nTrace DEFAULT:10\nTraceOptions +ConnIPs -TimestampMillis\n",
        log.display()
    ));
    let c = login(&server).await;
    c.quit().await.expect("QUIT");
    let lines = trace_lines(&log, |l| l.contains("<command:"));
    // ProFTPD 1.3.8 prints the server's port in network byte order (DIFFERENCES.md): only
    // the addresses are compared.
    let wanted = "(client 127.0.0.1, server 127.0.0.1:";
    let line = lines
        .iter()
        .find(|l| l.contains(wanted) && l.contains("<command:"))
        .unwrap_or_else(|| panic!("a command line with {wanted}: {lines:#?}"));
    if oxftpd_testkit::target!().is_oxftpd() {
        assert!(
            line.contains(&format!("127.0.0.1:{}) <command:", server.port())),
            "{line}"
        );
    }
    // No milliseconds: `YYYY-MM-DD HH:MM:SS [pid]`.
    assert_eq!(&line[19..21], " [", "{line}");
}

#[tokio::test]
async fn a_channel_at_level_zero_is_silent() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("trace.log");
    let (server, _alice) = server_with(&format!(
        "TraceLog {}\nTrace DEFAULT:10 response:0\n",
        log.display()
    ));
    let c = login(&server).await;
    c.quit().await.expect("QUIT");
    let lines = trace_lines(&log, |l| l.contains("QUIT"));
    assert!(lines.iter().any(|l| l.contains("<command:")), "{lines:#?}");
    assert!(
        !lines.iter().any(|l| l.contains("<response:")),
        "{lines:#?}"
    );
}

#[tokio::test]
async fn downloads_without_sendfile_carry_the_same_bytes() {
    let bytes = oxftpd_testkit::fixtures::random_bytes(3 << 20, 7);
    for setting in ["off", "64 KB", "10%"] {
        let (server, alice) = server_with(&format!("UseSendfile {setting}\n"));
        file(&alice, "big.bin", &bytes);
        let mut c = login(&server).await;
        c.type_i().await.expect("TYPE I");
        let got = c.retr("big.bin").await.expect("RETR");
        assert!(got == bytes, "UseSendfile {setting}: the file as it is");
    }
}

#[tokio::test]
async fn the_transfer_reply_waits_for_the_client_to_close_or_timeout_linger() {
    let (server, alice) = server_with("TimeoutLinger 2\n");
    file(&alice, "small.txt", b"hello\n");
    let mut c = login(&server).await;
    c.type_i().await.expect("TYPE I");
    let pasv = c.cmd("PASV").await.expect("PASV");
    let addr = oxftpd_client::parse_pasv(&pasv).expect("PASV address");
    let mut data = tokio::net::TcpStream::connect(addr).await.expect("data");
    let opening = c.cmd("RETR small.txt").await.expect("RETR");
    assert_eq!(opening.code, 150, "{opening:?}");
    let mut got = Vec::new();
    data.read_to_end(&mut got).await.expect("read data");
    assert_eq!(got, b"hello\n");
    // Our end stays open: the server lingers for TimeoutLinger before saying 226.
    let start = Instant::now();
    let done = c.read_reply().await.expect("226");
    let waited = start.elapsed();
    assert_eq!(done.code, 226, "{done:?}");
    assert!(
        waited >= Duration::from_millis(1500) && waited < Duration::from_secs(8),
        "226 after {waited:?}"
    );
    drop(data);
    // A client that closes at once hears 226 at once.
    let pasv = c.cmd("PASV").await.expect("PASV");
    let addr = oxftpd_client::parse_pasv(&pasv).expect("PASV address");
    let mut data = tokio::net::TcpStream::connect(addr).await.expect("data");
    let opening = c.cmd("RETR small.txt").await.expect("RETR");
    assert_eq!(opening.code, 150, "{opening:?}");
    let mut got = Vec::new();
    data.read_to_end(&mut got).await.expect("read data");
    drop(data);
    let start = Instant::now();
    let done = c.read_reply().await.expect("226");
    assert_eq!(done.code, 226, "{done:?}");
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
}
