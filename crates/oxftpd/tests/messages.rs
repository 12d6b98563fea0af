//! DisplayConnect/DisplayLogin/DisplayQuit with % variables, AccessGrantMsg, ServerIdent.

use oxftpd_testkit::{Setup, TestServer};

fn server(dir_file: &str, body: &str) -> TestServer {
    let mut setup = Setup::new(&oxftpd_testkit::target!()).expect("setup");
    setup.add_user("alice", "secret").expect("alice");
    let msg = setup.dir().join("etc/msg.txt");
    std::fs::write(&msg, dir_file).expect("write");
    setup.config(&body.replace("MSG", &msg.display().to_string()));
    TestServer::start(setup).expect("start")
}

#[tokio::test]
async fn display_connect_lines_precede_the_greeting() {
    let s = server(
        "L %L R %R V %V E %E M %M U [%U] u %u\nend\n",
        "DisplayConnect MSG",
    );
    let c = s.client().await.expect("connect");
    assert_eq!(
        c.banner().lines,
        vec![
            "220-L 127.0.0.1 R 127.0.0.1 V testkit E root@127.0.0.1 M 0 U [] u UNKNOWN",
            " end",
            "220 ProFTPD Server (testkit) [127.0.0.1]",
        ]
    );
}

#[tokio::test]
async fn display_login_and_access_grant_msg() {
    let s = server(
        "Hello %U in %C\n",
        "DisplayLogin MSG\nAccessGrantMsg \"Hi %u %U ok\"",
    );
    let mut c = s.client().await.expect("connect");
    c.cmd("USER alice").await.expect("USER");
    let r = c.cmd("PASS secret").await.expect("PASS");
    assert_eq!(r.lines, vec!["230-Hello alice in /", "230 Hi alice %U ok"]);
}

#[tokio::test]
async fn display_quit_before_goodbye() {
    let s = server("Bye %u\nsecond line\n", "DisplayQuit MSG");
    let c = s.login("alice", "secret").await.expect("login");
    let r = c.quit().await.expect("QUIT");
    assert_eq!(r.lines, vec!["221-Bye UNKNOWN", "221 second line"]);
}

#[tokio::test]
async fn server_ident_text() {
    let s = server("", "ServerIdent on \"Welcome to %V\"");
    let c = s.client().await.expect("connect");
    // ProFTPD expands variables in the ServerIdent text; %V there is the local address.
    assert_eq!(c.banner().lines, vec!["220 Welcome to 127.0.0.1"]);
}
