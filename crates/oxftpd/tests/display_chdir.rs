//! `DisplayChdir`: a file shown ahead of the 250 reply to CWD/CDUP, every time or (with the
//! second argument on) once per session, with `%` variables.

use std::fs;

use oxftpd_client::Client;
use oxftpd_testkit::{Setup, TestServer};

async fn reply_lines(c: &mut Client, command: &str) -> Vec<String> {
    c.cmd(command)
        .await
        .unwrap_or_else(|e| panic!("{command}: {e}"))
        .lines
}

fn setup_with(flag: &str) -> TestServer {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    let alice = setup.add_user("alice", "secret").expect("alice");
    fs::create_dir_all(alice.home.join("d1")).expect("d1");
    fs::write(
        alice.home.join("d1/.msg"),
        "Hello %U in %C\n\nFrom %R to %L\n",
    )
    .expect(".msg");
    setup.config(&format!("DisplayChdir .msg{flag}\n"));
    TestServer::start(setup).expect("start")
}

#[tokio::test]
async fn shown_on_every_cwd() {
    let server = setup_with("");
    let mut c = server.login("alice", "secret").await.expect("login");
    let shown = vec![
        "250-Hello alice in /d1".to_string(),
        " ".to_string(),
        " From 127.0.0.1 to 127.0.0.1".to_string(),
        "250 CWD command successful".to_string(),
    ];
    assert_eq!(reply_lines(&mut c, "CWD d1").await, shown);
    assert_eq!(
        reply_lines(&mut c, "CDUP").await,
        vec!["250 CDUP command successful".to_string()]
    );
    assert_eq!(reply_lines(&mut c, "CWD /d1").await, shown);
}

#[tokio::test]
async fn shown_once_per_session() {
    let server = setup_with(" true");
    let mut c = server.login("alice", "secret").await.expect("login");
    assert_eq!(
        reply_lines(&mut c, "CWD d1").await,
        vec![
            "250-Hello alice in /d1".to_string(),
            " ".to_string(),
            " From 127.0.0.1 to 127.0.0.1".to_string(),
            "250 CWD command successful".to_string(),
        ]
    );
    assert_eq!(
        reply_lines(&mut c, "CWD /").await,
        vec!["250 CWD command successful".to_string()]
    );
    assert_eq!(
        reply_lines(&mut c, "CWD d1").await,
        vec!["250 CWD command successful".to_string()]
    );
}
