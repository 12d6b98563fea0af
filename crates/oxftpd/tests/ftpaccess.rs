//! `.ftpaccess` files: directives and `<Limit>`s for a directory and everything below it,
//! read only while `AllowOverride` (default on) lets them; refused lines are skipped.

use std::fs;

use oxftpd_client::{Client, Error};
use oxftpd_testkit::replies::{line, names};
use oxftpd_testkit::{Setup, TestServer};

fn start(ftpaccess: &str, config: &str) -> TestServer {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    let alice = setup.add_user("alice", "secret").expect("alice");
    let d1 = alice.home.join("d1");
    fs::create_dir_all(d1.join("d2")).expect("d2");
    for f in ["d1/secret", "d1/plain", "d1/d2/secret2"] {
        fs::write(alice.home.join(f), b"x\n").expect("file");
    }
    fs::write(d1.join(".ftpaccess"), ftpaccess).expect(".ftpaccess");
    setup.config(config);
    TestServer::start(setup).expect("start")
}

const RULES: &str = "<Limit CWD STOR>\nDenyAll\n</Limit>\nHideFiles ^secret\n";

#[tokio::test]
async fn applies_to_its_directory_and_below() {
    let server = start(RULES, "");
    let mut c = server.login("alice", "secret").await.expect("login");
    assert_eq!(names(&mut c, "d1").await, vec!["d1/d2", "d1/plain"]);
    assert_eq!(names(&mut c, "d1/d2").await, Vec::<String>::new());
    assert_eq!(
        line(&mut c, "CWD d1").await,
        "550 d1: No such file or directory"
    );
    assert_eq!(
        line(&mut c, "CWD d1/d2").await,
        "550 d1/d2: No such file or directory"
    );
    // Outside d1 nothing changes.
    assert_eq!(line(&mut c, "CWD /").await, "250 CWD command successful");
}

#[tokio::test]
async fn allow_override_off_ignores_it() {
    let server = start(RULES, "AllowOverride off\n");
    let mut c = server.login("alice", "secret").await.expect("login");
    assert_eq!(
        names(&mut c, "d1").await,
        vec!["d1/d2", "d1/plain", "d1/secret"]
    );
    assert_eq!(line(&mut c, "CWD d1").await, "250 CWD command successful");
}

#[tokio::test]
async fn refused_lines_are_skipped_and_the_rest_applies() {
    let server = start(
        "HideFiles ^plain\nServerName foo\nHideUser alice\nBogusDirective 1\n",
        "",
    );
    let mut c = server.login("alice", "secret").await.expect("login");
    assert_eq!(names(&mut c, "d1").await, vec!["d1/d2", "d1/secret"]);
    assert_eq!(line(&mut c, "CWD d1").await, "250 CWD command successful");
}

async fn stor(c: &mut Client, path: &str) -> String {
    match c.stor(path, b"data\n").await {
        Ok(r) => r.first_line().to_string(),
        Err(Error::Unexpected { reply, .. }) => reply.first_line().to_string(),
        Err(e) => panic!("STOR {path}: {e}"),
    }
}

/// A `.ftpaccess` written while a session runs counts from the next command on (the
/// session's typed settings for a path are kept only until its `.ftpaccess` files change).
#[tokio::test]
async fn a_file_changed_during_the_session_applies_at_once() {
    let server = start("", "AllowOverwrite on\n");
    // In the home directory, which alice owns (d1 belongs to root).
    let file = server.setup().users()[0].home.join(".ftpaccess");
    let mut c = server.login("alice", "secret").await.expect("login");
    assert_eq!(stor(&mut c, "f").await, "226 Transfer complete");
    assert_eq!(stor(&mut c, "f").await, "226 Transfer complete");
    fs::write(&file, "AllowOverwrite off\n").expect("write .ftpaccess");
    assert_eq!(
        stor(&mut c, "f").await,
        "550 f: Overwrite permission denied"
    );
}
