//! The `ScoreboardFile` in ProFTPD 1.3.8's layout: Debian's unchanged `ftpwho` and
//! `ftpcount` (package proftpd-core) read it and see the sessions, against both daemons.

use std::process::Command;

use oxftpd_testkit::{Setup, TestServer};

/// Runs one of ProFTPD's scoreboard tools on the file; its stdout.
fn tool(name: &str, args: &[&str]) -> String {
    let out = Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("run {name} (Debian's proftpd-core): {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{name} {args:?}: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn tools_present() -> bool {
    let present = Command::new("ftpwho").arg("-h").output().is_ok();
    assert!(
        present || std::env::var_os("OXFTPD_REQUIRE_CLIENTS").is_none(),
        "ftpwho (proftpd-core) is required"
    );
    present
}

#[tokio::test]
async fn ftpwho_and_ftpcount_see_the_sessions() {
    if !tools_present() {
        return;
    }
    let mut setup = Setup::new(&oxftpd_testkit::target!()).expect("setup");
    setup.add_user("alice", "secret").expect("alice");
    setup.add_user("bob", "secret").expect("bob");
    setup.server_name("sb test");
    setup.config("<IfModule mod_delay.c>\nDelayEngine off\n</IfModule>\n");
    let board = setup.dir().join("run/oxftpd.scoreboard");
    let s = TestServer::start(setup).unwrap_or_else(|e| panic!("start: {e}"));
    let board = board.to_string_lossy().into_owned();

    let mut alice = s.login("alice", "secret").await.expect("alice");
    alice.mkd("sub").await.expect("MKD");
    alice.cwd("sub").await.expect("CWD");
    let _bob = s.login("bob", "secret").await.expect("bob");
    let _waiting = s
        .client()
        .await
        .expect("a connection that has not logged in");

    let count = tool("ftpcount", &["-f", &board]);
    assert!(
        count
            .lines()
            .any(|l| l.starts_with("Service class") && l.ends_with("-   3 users")),
        "{count}"
    );
    let who = tool("ftpwho", &["-f", &board, "-v"]);
    assert!(who.starts_with("standalone FTP daemon ["), "{who}");
    let users: Vec<&str> = who
        .lines()
        .filter(|l| {
            l.split_whitespace()
                .next()
                .is_some_and(|pid| pid.parse::<u32>().is_ok())
        })
        .filter_map(|l| l.split_whitespace().nth(1))
        .collect();
    assert_eq!(users.iter().filter(|u| **u == "alice").count(), 1, "{who}");
    assert_eq!(users.iter().filter(|u| **u == "bob").count(), 1, "{who}");
    assert_eq!(users.iter().filter(|u| **u == "(none)").count(), 1, "{who}");
    assert!(who.contains("(authenticating)"), "{who}");
    assert!(who.contains("\tclient: "), "{who}");
    assert!(who.contains("(sb test)"), "{who}");
    assert!(who.contains("\tprotocol: ftp"), "{who}");
    assert!(
        who.contains("\tlocation: ") && who.contains("/sub"),
        "{who}"
    );

    alice.quit().await.expect("QUIT");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let count = tool("ftpcount", &["-f", &board]);
        if count.lines().any(|l| l.ends_with("-   2 users")) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "alice's entry stayed: {count}"
        );
        tokio::task::yield_now().await;
    }
}
