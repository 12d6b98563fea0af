//! mod_ban (ProFTPD 1.3.8's contrib/mod_ban.c, loaded with `LoadModule mod_ban.c` for
//! ProFTPD): `BanOnEvent` rules turn repeated events into bans of the client's address, a
//! banned client gets `530` with `BanMessage` and no banner, and a ban ends when its time is
//! up. The ban table and `BanLog` are checked on disk (oxftpd's table format is its own).

mod wire;

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use oxftpd_testkit::{Setup, Target, TestServer};
use wire::DEADLINE;

/// A server with alice/secret, mod_ban on with its table and log in the test directory, and
/// `extra`.
fn server(target: &Target, extra: &str) -> TestServer {
    server_with(target, "on", extra)
}

/// Like [`server`], with `BanEngine engine`.
fn server_with(target: &Target, engine: &str, extra: &str) -> TestServer {
    let mut setup = Setup::new(target).expect("setup");
    setup.add_user("alice", "secret").expect("alice");
    let d = setup.dir().display().to_string();
    let load = if target.is_proftpd() {
        "LoadModule mod_ban.c\n"
    } else {
        ""
    };
    setup.config(&format!(
        "{load}BanEngine {engine}\nBanTable {d}/ban.tab\nBanLog {d}/ban.log\n{extra}\n"
    ));
    TestServer::start(setup).unwrap_or_else(|e| panic!("start: {e}"))
}

/// Every line a connection receives until the server closes it, after sending `lines`.
fn conversation(addr: SocketAddr, lines: &[&str]) -> Vec<String> {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(DEADLINE)).expect("timeout");
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut got = Vec::new();
    let mut first = String::new();
    let _ = reader.read_line(&mut first);
    got.push(first.trim_end().to_string());
    if first.starts_with("220") {
        for line in lines {
            if stream.write_all(format!("{line}\r\n").as_bytes()).is_err() {
                break;
            }
            let mut reply = String::new();
            if reader.read_line(&mut reply).unwrap_or(0) == 0 {
                break;
            }
            got.push(reply.trim_end().to_string());
        }
    }
    // What else comes before the close.
    loop {
        let mut more = String::new();
        match reader.read_line(&mut more) {
            Ok(n) if n > 0 => got.push(more.trim_end().to_string()),
            _ => break,
        }
    }
    got
}

/// One failed login of alice.
fn bad_login(addr: SocketAddr) -> Vec<String> {
    conversation(addr, &["USER alice", "PASS wrong"])
}

#[test]
fn repeated_max_login_attempts_ban_the_address_until_the_ban_expires() {
    let target = oxftpd_testkit::target!();
    let s = server(
        &target,
        "MaxLoginAttempts 1\nBanMessage \"Host %a has been banned\"\n\
         BanOnEvent MaxLoginAttempts 2/00:10:00 00:00:03",
    );
    let first = bad_login(s.addr());
    assert!(first[0].starts_with("220"), "{first:?}");
    assert_eq!(
        first[1..],
        ["331 Password required for alice", "530 Login incorrect."]
    );
    // The second time the rule's count is reached: the address is banned, the session ends.
    let second = bad_login(s.addr());
    assert_eq!(
        second[1..],
        [
            "331 Password required for alice",
            "530 Login incorrect.",
            "530 Host 127.0.0.1 has been banned"
        ]
    );
    let start = Instant::now();
    // Banned: no banner, the message, the close.
    let banned = conversation(s.addr(), &[]);
    assert_eq!(banned, ["530 Host 127.0.0.1 has been banned"]);
    let log = std::fs::read_to_string(s.dir().join("ban.log")).expect("BanLog");
    assert!(
        log.contains("added MaxLoginAttempts-triggered autoban for host '127.0.0.1'"),
        "{log}"
    );
    // The ban lasts 3 seconds, then the banner is back.
    let mut back = Vec::new();
    while start.elapsed() < DEADLINE {
        back = conversation(s.addr(), &["QUIT"]);
        if back[0].starts_with("220") {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(back[0].starts_with("220"), "{back:?}");
    assert!(
        start.elapsed() >= Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn client_connect_rate_bans_an_address_that_connects_too_often() {
    let target = oxftpd_testkit::target!();
    let s = server(
        &target,
        "BanOnEvent ClientConnectRate 3/00:01:00 00:10:00 \"Stop connecting so often\"",
    );
    // The harness's readiness probes connected too: connect until banned.
    let mut replies = Vec::new();
    for _ in 0..10 {
        replies = conversation(s.addr(), &["QUIT"]);
        if !replies[0].starts_with("220") {
            break;
        }
    }
    // The connection that reached the count ends without a message (no BanMessage)...
    assert_eq!(replies, [""], "{replies:?}");
    // ...and the next gets the rule's message.
    assert_eq!(
        conversation(s.addr(), &[]),
        ["530 Stop connecting so often"]
    );
}

#[test]
fn without_ban_engine_nothing_is_banned() {
    let target = oxftpd_testkit::target!();
    let s = server_with(
        &target,
        "off",
        "MaxLoginAttempts 1\nBanOnEvent MaxLoginAttempts 1/00:10:00 00:10:00",
    );
    for _ in 0..3 {
        assert!(bad_login(s.addr())[0].starts_with("220"));
    }
}

#[test]
fn a_bad_ban_rule_is_a_config_error() {
    let target = oxftpd_testkit::target!();
    // ProFTPD ignores an event it does not know; oxftpd refuses it (DIFFERENCES.md).
    let unknown = if target.is_proftpd() {
        "BanOnEvent MaxLoginAttempts 1 00:00:01"
    } else {
        "BanOnEvent Nonsense 1/00:00:01 00:00:01"
    };
    for bad in [
        unknown,
        "BanOnEvent MaxLoginAttempts 1 00:00:01",
        "BanOnEvent MaxLoginAttempts 0/00:00:01 00:00:01",
        "BanOnEvent MaxLoginAttempts 1/00:00:01 00:00:00",
        "BanOnEvent MaxLoginAttempts 1/00:00:00 00:00:01",
    ] {
        let mut setup = Setup::new(&target).expect("setup");
        let d = setup.dir().display().to_string();
        let load = if target.is_proftpd() {
            "LoadModule mod_ban.c\n"
        } else {
            ""
        };
        setup.config(&format!(
            "{load}BanEngine on\nBanTable {d}/ban.tab\n{bad}\n"
        ));
        let out = setup.check_config().expect("run -t");
        assert!(!out.status.success(), "{bad} was accepted");
    }
}

#[test]
fn max_clients_per_user_bans_the_user_and_the_table_keeps_the_ban() {
    let target = oxftpd_testkit::target!();
    let s = server(
        &target,
        "MaxClientsPerUser 1\nBanOnEvent MaxClientsPerUser 1/00:10:00 00:10:00 \"%u is banned\"",
    );
    let mut held = wire::Raw::login(s.addr());
    // The second session of alice reaches MaxClientsPerUser and alice is banned: the session
    // ends at once, before the refusal is sent (no BanMessage here).
    let second = conversation(s.addr(), &["USER alice", "PASS secret"]);
    assert_eq!(second[1..], ["331 Password required for alice"]);
    // The ban ends alice's other session too (1.3.8 sends it SIGTERM; oxftpd ends it at its
    // next command).
    let after = held.cmd("NOOP");
    assert!(!after.starts_with("200"), "{after}");
    drop(held);
    // A user ban is checked at PASS: the rule's message, then the refusal.
    let third = conversation(s.addr(), &["USER alice", "PASS secret", "QUIT"]);
    assert_eq!(
        third[1..4],
        [
            "331 Password required for alice",
            "530 alice is banned",
            "530 Login incorrect."
        ]
    );
    if target.is_oxftpd() {
        // oxftpd's table: kind, server, name, expiry, reason, message.
        let table = std::fs::read_to_string(s.dir().join("ban.tab")).expect("BanTable");
        let fields: Vec<&str> = table.trim_end().split('\t').collect();
        assert_eq!(fields[..3], ["user", "0", "alice"], "{table}");
        assert!(
            fields[4].starts_with("MaxClientsPerUser autoban at "),
            "{table}"
        );
        assert_eq!(fields[5], "%u is banned");
        // The ban itself is a row of the counter store, by default a SQLite file beside the
        // ScoreboardFile, and it outlives a restart.
        let db = s.dir().join("run/oxftpd.scoreboard.db");
        let rows = sqlite(&db, "SELECT space, rkey, expires > 0 FROM oxftpd_records");
        assert_eq!(rows.trim_end(), "ban|user\t0\talice|1", "{rows}");
        let mut s = s;
        s.restart().expect("restart");
        let again = conversation(s.addr(), &["USER alice", "PASS secret", "QUIT"]);
        assert_eq!(again[2], "530 alice is banned", "{again:?}");
    }
}

/// What Debian's `sqlite3` prints for `sql` on the database `db` (`|` between columns).
fn sqlite(db: &std::path::Path, sql: &str) -> String {
    let out = std::process::Command::new("sqlite3")
        .arg(db)
        .arg(sql)
        .output()
        .expect("sqlite3 (Debian's sqlite3 package)");
    assert!(
        out.status.success(),
        "sqlite3: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn max_command_rate_bans_a_client_that_sends_too_fast() {
    let target = oxftpd_testkit::target!();
    let s = server(
        &target,
        "MaxCommandRate 3 1\nBanOnEvent MaxCommandRate 1/00:01:00 00:10:00 \"Slow down\"",
    );
    // The fourth command after the login is over the rate: the address is banned and the
    // session ends before it is answered.
    let got = conversation(
        s.addr(),
        &["USER alice", "PASS secret", "NOOP", "NOOP", "NOOP", "NOOP"],
    );
    assert_eq!(got.len(), 6, "{got:?}");
    assert!(got[5].starts_with("200"), "{got:?}");
    assert_eq!(conversation(s.addr(), &[]), ["530 Slow down"]);
}
