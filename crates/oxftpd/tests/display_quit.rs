//! The `DisplayQuit` file's login variables: `%U` (the login name) and `%C` (the current
//! directory) are the session's when it logged in, as ProFTPD 1.3.8 shows them (observed).

use std::fs;

use oxftpd_testkit::{Setup, TestServer};

#[tokio::test]
async fn display_quit_shows_the_login_name_and_directory() {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    let alice = setup.add_user("alice", "secret").expect("alice");
    fs::create_dir_all(alice.home.join("sub")).expect("sub");
    let quit = setup.dir().join("quit.msg");
    fs::write(&quit, "Bye %U from %C\n").expect("quit.msg");
    setup.config(&format!("DefaultRoot ~\nDisplayQuit {}\n", quit.display()));
    let server = TestServer::start(setup).expect("start");
    let mut c = server.login("alice", "secret").await.expect("login");
    c.cmd("CWD sub").await.expect("CWD");
    let reply = c.cmd("QUIT").await.expect("QUIT");
    assert_eq!(reply.lines, ["221 Bye alice from /sub"]);
}

#[tokio::test]
async fn a_relative_display_quit_file_is_read_from_the_current_directory() {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    let alice = setup.add_user("alice", "secret").expect("alice");
    fs::write(alice.home.join("quit.txt"), "Goodbye user!\n").expect("quit.txt");
    setup.config("DisplayQuit quit.txt\n");
    let server = TestServer::start(setup).expect("start");
    let mut c = server.login("alice", "secret").await.expect("login");
    let reply = c.cmd("QUIT").await.expect("QUIT");
    assert_eq!(reply.lines, ["221 Goodbye user!"]);
}
