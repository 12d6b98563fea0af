//! `AllowOverride` per user, group or class: ProFTPD 1.3.8 refuses the old
//! `AllowOverride on|off user|group|class expression` form and has `<IfUser>`, `<IfGroup>`
//! and `<IfClass>` (mod_ifsession) carry it instead.

use std::fs;

use oxftpd_testkit::replies::{line, names};
use oxftpd_testkit::{Setup, TestServer};

/// `.ftpaccess` rules in each user's `d1`: hide `secret*`, refuse CWD.
const RULES: &str = "<Limit CWD>\nDenyAll\n</Limit>\nHideFiles ^secret\n";

fn setup_with(config: &str) -> Setup {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    for name in ["alice", "bob"] {
        let user = setup.add_user(name, "secret").expect("user");
        let d1 = user.home.join("d1");
        fs::create_dir_all(&d1).expect("d1");
        fs::write(d1.join("secret"), b"x\n").expect("secret");
        fs::write(d1.join("plain"), b"x\n").expect("plain");
        fs::write(d1.join(".ftpaccess"), RULES).expect(".ftpaccess");
    }
    if target.is_proftpd() {
        setup.config("LoadModule mod_ifsession.c");
    }
    setup.config(config);
    setup
}

/// Asserts how `user` sees `d1`: with its `.ftpaccess` applied or not.
async fn assert_override(server: &TestServer, user: &str, applied: bool) {
    let mut c = server.login(user, "secret").await.expect("login");
    if applied {
        assert_eq!(names(&mut c, "d1").await, vec!["d1/plain"], "{user}");
        assert_eq!(
            line(&mut c, "CWD d1").await,
            "550 d1: No such file or directory",
            "{user}"
        );
    } else {
        assert_eq!(
            names(&mut c, "d1").await,
            vec!["d1/plain", "d1/secret"],
            "{user}"
        );
        assert_eq!(
            line(&mut c, "CWD d1").await,
            "250 CWD command successful",
            "{user}"
        );
    }
}

#[tokio::test]
async fn if_user_turns_it_off_for_one_user() {
    let setup = setup_with("<IfUser alice>\nAllowOverride off\n</IfUser>\n");
    let server = TestServer::start(setup).expect("start");
    assert_override(&server, "alice", false).await;
    assert_override(&server, "bob", true).await;
}

#[tokio::test]
async fn if_user_turns_it_on_for_one_user_only() {
    let setup = setup_with("AllowOverride off\n<IfUser bob>\nAllowOverride on\n</IfUser>\n");
    let server = TestServer::start(setup).expect("start");
    assert_override(&server, "alice", false).await;
    assert_override(&server, "bob", true).await;
}

#[tokio::test]
async fn if_group_turns_it_off_for_members() {
    // Test users are all in the group ftpusers.
    let setup = setup_with("<IfGroup ftpusers>\nAllowOverride off\n</IfGroup>\n");
    let server = TestServer::start(setup).expect("start");
    assert_override(&server, "bob", false).await;
    let setup = setup_with("<IfGroup othergroup>\nAllowOverride off\n</IfGroup>\n");
    let server = TestServer::start(setup).expect("start");
    assert_override(&server, "bob", true).await;
}

#[tokio::test]
async fn if_class_turns_it_off_for_the_class() {
    let setup = setup_with(
        "<Class loopback>\nFrom 127.0.0.1\n</Class>\n<Class elsewhere>\nFrom 10.0.0.0/8\n</Class>\n<IfClass elsewhere>\nAllowOverride off\n</IfClass>\n<IfClass loopback>\nAllowOverride off\n</IfClass>\n",
    );
    let server = TestServer::start(setup).expect("start");
    assert_override(&server, "alice", false).await;
}

#[tokio::test]
async fn another_class_leaves_it_on() {
    let setup = setup_with(
        "<Class elsewhere>\nFrom 10.0.0.0/8\n</Class>\n<IfClass elsewhere>\nAllowOverride off\n</IfClass>\n",
    );
    let server = TestServer::start(setup).expect("start");
    assert_override(&server, "alice", true).await;
}

/// Runs the subject's configuration check on `setup`; returns (success, stderr+stdout).
fn syntax_check(setup: &Setup) -> (bool, String) {
    let out = setup.check_config().expect("run");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    (out.status.success(), text)
}

#[test]
fn the_old_qualified_form_is_refused() {
    let setup = setup_with("AllowOverride off user alice\n");
    let (ok, text) = syntax_check(&setup);
    assert!(!ok, "{text}");
    assert!(
        text.contains(
            "AllowOverride: Please use mod_ifsession for per-user/group/class conditional configuration"
        ),
        "{text}"
    );
}

#[test]
fn a_single_flag_is_accepted_and_other_words_refused() {
    let (ok, text) = syntax_check(&setup_with("AllowOverride off\n"));
    assert!(ok, "{text}");
    let (ok, text) = syntax_check(&setup_with("AllowOverride maybe\n"));
    assert!(!ok, "{text}");
    assert!(text.contains("AllowOverride"), "{text}");
}
