//! AllowFilter/DenyFilter, PathAllowFilter/PathDenyFilter, MaxStoreFileSize,
//! MaxRetrieveFileSize, AllowOverwrite per directory, UseFtpUsers, RootLogin, AccessDenyMsg.

use oxftpd_testkit::replies::line;
use oxftpd_testkit::{Setup, TestServer, TestUser};

fn server(body: &str) -> (TestServer, TestUser) {
    let mut setup = Setup::new(&oxftpd_testkit::target!()).expect("setup");
    let alice = setup.add_user("alice", "secret").expect("alice");
    setup.config(body);
    (
        TestServer::start(setup).unwrap_or_else(|e| panic!("start: {e}")),
        alice,
    )
}

#[tokio::test]
async fn deny_filter_refuses_matching_arguments_of_any_command() {
    let (s, _) = server("DenyFilter \\.exe$");
    let mut c = s.login("alice", "secret").await.expect("login");
    assert_eq!(
        line(&mut c, "CWD a.exe").await,
        "550 a.exe: Forbidden command argument"
    );
    assert_eq!(
        line(&mut c, "MKD /x/y.exe").await,
        "550 /x/y.exe: Forbidden command argument"
    );
    assert_eq!(
        line(&mut c, "SIZE foo.exe").await,
        "550 foo.exe: Forbidden command argument"
    );
    assert_eq!(
        line(&mut c, "MKD ok").await,
        "257 \"/ok\" - Directory successfully created"
    );
}

#[tokio::test]
async fn allow_filter_refuses_what_does_not_match_but_not_passwords() {
    let mut setup = Setup::new(&oxftpd_testkit::target!()).expect("setup");
    setup.add_user("carol", "Pa55-word").expect("carol");
    setup.config("AllowFilter ^[a-z/]+$");
    let s = TestServer::start(setup).expect("start");
    let mut c = s.client().await.expect("connect");
    assert_eq!(
        line(&mut c, "USER carol").await,
        "331 Password required for carol"
    );
    // The password does not match the filter: PASS is never filtered.
    assert_eq!(
        line(&mut c, "PASS Pa55-word").await,
        "230 User carol logged in"
    );
    assert_eq!(
        line(&mut c, "MKD Upper").await,
        "550 Upper: Forbidden command argument"
    );
    assert_eq!(
        line(&mut c, "MKD lower").await,
        "257 \"/lower\" - Directory successfully created"
    );
}

#[tokio::test]
async fn path_deny_filter_refuses_new_names() {
    let (s, _) = server("PathDenyFilter \"\\.(htaccess|ftpaccess)$\"");
    let mut c = s.login("alice", "secret").await.expect("login");
    let r = c.cmd("MKD .ftpaccess").await.expect("MKD");
    assert_eq!(r.first_line(), "550 .ftpaccess: Forbidden filename");
    let r = c.stor(".htaccess", b"x").await;
    assert!(r.is_err(), "upload of .htaccess accepted: {r:?}");
    c.type_i().await.expect("TYPE I");
    assert_eq!(
        line(&mut c, "SIZE .htaccess").await,
        "550 .htaccess: No such file or directory"
    );
}

#[tokio::test]
async fn max_store_file_size_aborts_with_552() {
    let (s, alice) = server("MaxStoreFileSize 50 Kb");
    let mut c = s.login("alice", "secret").await.expect("login");
    c.type_i().await.expect("TYPE I");
    c.stor("small", &[7u8; 1000]).await.expect("small upload");
    let err = c
        .stor("big", &vec![7u8; 300_000])
        .await
        .expect_err("big upload refused");
    assert!(
        err.to_string()
            .contains("552 Transfer aborted. File too large"),
        "{err}"
    );
    let stored = std::fs::metadata(alice.home.join("big"))
        .map(|m| m.len())
        .unwrap_or(0);
    assert!(stored <= 50 * 1024, "kept {stored} bytes");
}

#[tokio::test]
async fn max_retrieve_file_size_aborts_after_150() {
    let (s, alice) = server("MaxRetrieveFileSize 50 B");
    std::fs::write(alice.home.join("big.txt"), [b'x'; 80]).expect("write");
    std::fs::write(alice.home.join("small.txt"), [b'x'; 20]).expect("write");
    let mut c = s.login("alice", "secret").await.expect("login");
    c.type_i().await.expect("TYPE I");
    assert_eq!(c.retr("small.txt").await.expect("small").len(), 20);
    let err = c.retr("big.txt").await.expect_err("big refused");
    assert!(
        err.to_string()
            .contains("426 Transfer aborted. Operation not permitted"),
        "{err}"
    );
}

#[tokio::test]
async fn max_store_file_size_per_user() {
    let (s, _) = server("MaxStoreFileSize 10 B user bob\nMaxStoreFileSize 100 B");
    let mut c = s.login("alice", "secret").await.expect("login");
    c.type_i().await.expect("TYPE I");
    c.stor("f", &[1u8; 50])
        .await
        .expect("50 bytes under alice's limit of 100");
    assert!(c.stor("g", &[1u8; 500]).await.is_err());
}

#[tokio::test]
async fn allow_overwrite_is_per_directory() {
    let (s, alice) =
        server("AllowOverwrite off\n<Directory ~/open>\n  AllowOverwrite on\n</Directory>");
    std::fs::create_dir(alice.home.join("open")).expect("mkdir");
    std::os::unix::fs::chown(alice.home.join("open"), Some(alice.uid), Some(alice.gid))
        .expect("chown");
    let mut c = s.login("alice", "secret").await.expect("login");
    c.stor("open/f", b"one").await.expect("first");
    c.stor("open/f", b"two").await.expect("overwrite allowed");
    c.stor("g", b"one").await.expect("first");
    let err = c.stor("g", b"two").await.expect_err("overwrite refused");
    assert!(
        err.to_string()
            .contains("550 g: Overwrite permission denied"),
        "{err}"
    );
}

#[tokio::test]
async fn access_deny_msg_replaces_login_incorrect() {
    let (s, _) = server("AccessDenyMsg \"Denied %u here\"");
    let mut c = s.client().await.expect("connect");
    line(&mut c, "USER alice").await;
    assert_eq!(line(&mut c, "PASS wrong").await, "530 Denied alice here");
}

/// A user named like an /etc/ftpusers entry ("daemon") in the test's own user file.
#[tokio::test]
async fn use_ftp_users_refuses_listed_users() {
    let listed = std::fs::read_to_string("/etc/ftpusers")
        .map(|t| t.lines().any(|l| l.trim() == "daemon"))
        .unwrap_or(false);
    if !listed {
        eprintln!("note: /etc/ftpusers does not list daemon; skipped");
        return;
    }
    let mut setup = Setup::new(&oxftpd_testkit::target!()).expect("setup");
    setup.add_user("daemon", "secret").expect("daemon");
    let s = TestServer::start(setup).expect("start");
    let mut c = s.client().await.expect("connect");
    line(&mut c, "USER daemon").await;
    assert_eq!(line(&mut c, "PASS secret").await, "530 Login incorrect.");

    let mut setup = Setup::new(&oxftpd_testkit::target!()).expect("setup");
    setup.add_user("daemon", "secret").expect("daemon");
    setup.config("UseFtpUsers off");
    let s = TestServer::start(setup).expect("start");
    let mut c = s.client().await.expect("connect");
    line(&mut c, "USER daemon").await;
    assert_eq!(
        line(&mut c, "PASS secret").await,
        "230 User daemon logged in"
    );
}

/// Rewrites the uid of `user` in the test's AuthUserFile to 0.
fn make_root(setup: &Setup, user: &TestUser) {
    let path = setup.dir().join("etc/passwd");
    let text = std::fs::read_to_string(&path).expect("passwd");
    let text = text.replace(
        &format!(":{}:{}:", user.uid, user.gid),
        &format!(":0:{}:", user.gid),
    );
    std::fs::write(&path, text).expect("write passwd");
}

#[tokio::test]
async fn root_login_is_refused_unless_on() {
    for (body, expected) in [
        ("UseFtpUsers off", "530 Login incorrect."),
        ("UseFtpUsers off\nRootLogin on", "230 User toor logged in"),
    ] {
        let mut setup = Setup::new(&oxftpd_testkit::target!()).expect("setup");
        let toor = setup.add_user("toor", "secret").expect("toor");
        make_root(&setup, &toor);
        setup.config(body);
        let s = TestServer::start(setup).expect("start");
        let mut c = s.client().await.expect("connect");
        line(&mut c, "USER toor").await;
        assert_eq!(line(&mut c, "PASS secret").await, expected, "{body}");
    }
}

#[tokio::test]
async fn require_valid_shell_refuses_unknown_shells() {
    let mut setup = Setup::new(&oxftpd_testkit::target!()).expect("setup");
    let bob = setup.add_user("bob", "secret").expect("bob");
    let path = setup.dir().join("etc/passwd");
    let text = std::fs::read_to_string(&path).expect("passwd");
    std::fs::write(&path, text.replace("/bin/sh", "/no/such/shell")).expect("write");
    setup.config("RequireValidShell on");
    let s = TestServer::start(setup).expect("start");
    let mut c = s.client().await.expect("connect");
    line(&mut c, "USER bob").await;
    assert_eq!(line(&mut c, "PASS secret").await, "530 Login incorrect.");
    let _ = bob;
    if s.target().is_oxftpd() {
        assert!(s.log().contains("Invalid shell"), "log: {}", s.log());
    }
}

/// `AllowFilter`/`DenyFilter` inside a `<Limit>` are terms of that block: a matching
/// argument is allowed (or denied) there, `[NC]` ignoring case.
#[tokio::test]
async fn filters_inside_limit_blocks_decide_for_their_commands() {
    let (s, alice) = server(
        "AllowOverwrite on\n<Limit DELE>\n  AllowFilter \\.txt$ [NC]\n  DenyAll\n</Limit>\n\
         <Limit MKD>\n  DenyFilter ^etc$\n</Limit>",
    );
    for name in ["keep.TXT", "gone.dat"] {
        std::fs::write(alice.home.join(name), b"x").expect("file");
    }
    let mut c = s.login("alice", "secret").await.expect("login");
    assert_eq!(
        line(&mut c, "DELE keep.TXT").await,
        "250 DELE command successful"
    );
    assert!(
        line(&mut c, "DELE gone.dat").await.starts_with("550 "),
        "DenyAll decides for the rest"
    );
    assert!(alice.home.join("gone.dat").exists());
    assert!(line(&mut c, "MKD etc").await.starts_with("550 "));
    assert!(line(&mut c, "MKD other").await.starts_with("257 "));
}

/// `PathDenyFilter` also covers the names DELE, RMD and RNFR touch, even missing ones, and
/// takes `[nocase]`.
#[tokio::test]
async fn path_filters_cover_removing_and_renaming() {
    let (s, _) = server("PathDenyFilter \\.tmp$ [nocase]");
    let mut c = s.login("alice", "secret").await.expect("login");
    for cmd in ["DELE a.TMP", "RMD d.tmp", "RNFR x.Tmp"] {
        let arg = cmd.split_once(' ').map(|(_, a)| a).unwrap_or("");
        assert_eq!(
            line(&mut c, cmd).await,
            format!("550 {arg}: Forbidden filename"),
            "{cmd}"
        );
    }
}
