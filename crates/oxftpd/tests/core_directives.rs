//! Core directives that are easy to take for decoration: TransferLog, MaxInstances,
//! ScoreboardFile; and the `-p` flag.

use std::io::Read;
use std::time::{Duration, Instant};

use oxftpd_testkit::{Setup, TestServer};

#[tokio::test]
async fn transfer_log_records_uploads_and_downloads_in_xferlog_form() {
    let mut setup = Setup::new(&oxftpd_testkit::target!()).expect("setup");
    let alice = setup.add_user("alice", "secret").expect("alice");
    let log = setup.dir().join("xferlog");
    setup.config(&format!(
        "TransferLog {}\nAllowOverwrite on\n",
        log.display()
    ));
    let s = TestServer::start(setup).unwrap_or_else(|e| panic!("start: {e}"));
    let mut c = s.login("alice", "secret").await.expect("login");
    c.type_i().await.expect("TYPE I");
    c.stor("up.txt", b"hello").await.expect("STOR");
    assert_eq!(c.retr("up.txt").await.expect("RETR"), b"hello");
    c.quit().await.expect("QUIT");
    let deadline = Instant::now() + Duration::from_secs(10);
    let text = loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if text.lines().count() >= 2 || Instant::now() > deadline {
            break text;
        }
        tokio::task::yield_now().await;
    };
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}\n{}", s.log());
    let real = alice.home.join("up.txt");
    for (line, direction) in lines.iter().zip(["i", "o"]) {
        // ctime (24 characters: a day below 10 is padded with a space, "Dec  7"), then
        // seconds, host, bytes, path, type, flag, direction, access, user, service, auth
        // method, auth user, status.
        assert!(line.len() > 25 && line.is_char_boundary(24), "{line}");
        let (ctime, rest) = line.split_at(24);
        assert_eq!(ctime.split_whitespace().count(), 5, "{line}");
        let f: Vec<&str> = [""; 5]
            .into_iter()
            .chain(rest.trim_start_matches(' ').split(' '))
            .collect();
        assert_eq!(f.len(), 18, "{line}");
        assert_eq!(f[6], "127.0.0.1", "{line}");
        assert_eq!(f[7], "5", "{line}");
        assert!(f[8].ends_with("up.txt"), "{line}");
        assert!(
            real.to_string_lossy().ends_with(f[8]) || f[8] == "/up.txt",
            "{line}"
        );
        assert_eq!(
            &f[9..],
            ["b", "_", direction, "r", "alice", "ftp", "0", "*", "c"],
            "{line}"
        );
    }
}

/// Connects, waiting (bounded) until the first connection is greeted: the harness's readiness
/// probe may still be counted for a moment after it hung up.
async fn greeted(s: &TestServer) -> oxftpd_client::Client {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match s.client().await {
            Ok(c) if c.banner().code == 220 => return c,
            _ => assert!(Instant::now() < deadline, "never greeted"),
        }
        tokio::task::yield_now().await;
    }
}

#[tokio::test]
async fn max_instances_closes_connections_past_the_limit() {
    let mut setup = Setup::new(&oxftpd_testkit::target!()).expect("setup");
    setup.config("MaxInstances 1\n");
    let s = TestServer::start(setup).unwrap_or_else(|e| panic!("start: {e}"));
    let _first = greeted(&s).await;
    let mut second = std::net::TcpStream::connect(s.addr()).expect("TCP connect");
    second
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut buf = [0u8; 64];
    // Closed without a greeting.
    assert_eq!(second.read(&mut buf).map_err(|e| e.kind()), Ok(0));
}

#[test]
fn the_scoreboard_file_lives_as_long_as_the_daemon() {
    let setup = Setup::new(&oxftpd_testkit::target!()).expect("setup");
    let scoreboard = setup.dir().join("run/oxftpd.scoreboard");
    let mut s = TestServer::start(setup).unwrap_or_else(|e| panic!("start: {e}"));
    assert!(scoreboard.exists(), "no ScoreboardFile while running");
    s.stop();
    let deadline = Instant::now() + Duration::from_secs(10);
    while scoreboard.exists() && Instant::now() < deadline {
        std::thread::yield_now();
    }
    assert!(!scoreboard.exists(), "ScoreboardFile left behind");
}

#[test]
fn persistent_passwd_flag_is_refused() {
    let t = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(t, "ProFTPD supports -p 1 (persistent passwd handles)");
    let out = std::process::Command::new(&t.bin)
        .args(["-p", "1", "-t"])
        .output()
        .expect("run oxftpd");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("-p 1 (persistent passwd) is not supported"),
        "{err}"
    );
}
