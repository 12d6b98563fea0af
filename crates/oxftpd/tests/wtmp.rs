//! `WtmpLog`: a wtmp login record (USER_PROCESS, user, `ftpd…` line, client host) at login
//! and a logout record (DEAD_PROCESS, same line, no user) when the session ends.
//! oxftpd (a debug build) writes to a file of the test's own (`OXFTPD_TEST_WTMP_FILE`);
//! ProFTPD can only write the machine's /var/log/wtmp, so against it the test reads the
//! records appended there for its own user (harmless entries that `last` lists).

use std::path::PathBuf;
use std::time::Duration;

use oxftpd_client::Client;

const RECORD: usize = 384;

#[derive(Debug)]
struct Record {
    kind: i16,
    line: String,
    user: String,
    host: String,
}

fn text(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

/// glibc's x86-64 `struct utmp` records from `offset` on.
fn records(path: &PathBuf, offset: usize) -> Vec<Record> {
    let bytes = std::fs::read(path).unwrap_or_default();
    bytes
        .get(offset..)
        .unwrap_or_default()
        .chunks_exact(RECORD)
        .map(|r| Record {
            kind: i16::from_ne_bytes([r[0], r[1]]),
            line: text(&r[8..40]),
            user: text(&r[44..76]),
            host: text(&r[76..332]),
        })
        .collect()
}

/// Runs a login/QUIT session of a user named `name` with `WtmpLog value`; returns the
/// records that concern it: its login record first, then those with the same line.
fn session_records(target: &oxftpd_testkit::Target, name: &str, value: &str) -> Vec<Record> {
    let mut setup = oxftpd_testkit::Setup::new(target).expect("setup");
    let user = setup.add_user(name, "secret").expect("user");
    setup.config(&format!("WtmpLog {value}\n"));
    let path = if target.is_proftpd() {
        PathBuf::from("/var/log/wtmp")
    } else {
        let path = setup.dir().join("wtmp");
        std::fs::write(&path, b"").expect("wtmp file");
        setup.env("OXFTPD_TEST_WTMP_FILE", &path.display().to_string());
        path
    };
    let start = std::fs::metadata(&path)
        .map(|m| m.len() as usize)
        .unwrap_or(0);
    let server = oxftpd_testkit::TestServer::start(setup).expect("start");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let mut c = Client::connect(server.addr()).await.expect("connect");
        c.login(&user.name, &user.password).await.expect("login");
        let _ = c.quit().await;
    });
    let mut found = Vec::new();
    // Records appear soon after QUIT; with `off`, a second without any is enough.
    let wait = if value == "off" { 1 } else { 10 };
    let deadline = std::time::Instant::now() + Duration::from_secs(wait);
    loop {
        let all = records(&path, start);
        if let Some(i) = all.iter().position(|r| r.user == name) {
            let line = all[i].line.clone();
            found = all.into_iter().skip(i).filter(|r| r.line == line).collect();
        }
        if found.len() >= 2 || std::time::Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    found
}

#[test]
fn wtmp_log_on_writes_login_and_logout_records() {
    let target = oxftpd_testkit::target!();
    let found = session_records(&target, "wtmpon", "on");
    assert_eq!(found.len(), 2, "{found:?}");
    // Debian's ProFTPD leaves ut_type 0 (its Linux build takes wtmp.c's old-utmp branch);
    // oxftpd marks the records as glibc's tools expect (see DIFFERENCES.md).
    let (login, logout) = if target.is_proftpd() { (0, 0) } else { (7, 8) };
    assert_eq!(found[0].kind, login, "USER_PROCESS");
    assert_eq!(found[0].user, "wtmpon");
    assert!(found[0].line.starts_with("ftpd"), "{:?}", found[0]);
    assert_eq!(found[0].host, "127.0.0.1");
    assert_eq!(found[1].kind, logout, "DEAD_PROCESS");
    assert_eq!(found[1].user, "");
    assert_eq!(found[1].line, found[0].line);
}

#[test]
fn wtmp_log_off_writes_nothing() {
    let found = session_records(&oxftpd_testkit::target!(), "wtmpoff", "off");
    assert!(found.is_empty(), "{found:?}");
}
