//! Hiding: `HideFiles` with its `user`/`group` qualifiers, `HideUser`, `HideGroup` (which in
//! ProFTPD 1.3.8 hides the user's primary group too, unlike what the FAQ says), `HideNoAccess`,
//! `IgnoreHidden`, and `ShowSymlinks` in LIST.

use std::fs;
use std::os::unix::fs::{PermissionsExt, chown, symlink};
use std::path::Path;

use oxftpd_client::Client;
use oxftpd_testkit::fixtures::{append, mkdir};
use oxftpd_testkit::replies::{line, names};
use oxftpd_testkit::{Setup, TestServer};

fn file(path: &Path, uid: u32, gid: u32, mode: u32) {
    fs::write(path, b"x\n").unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    chown(path, Some(uid), Some(gid)).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

async fn login(server: &TestServer, user: &str) -> Client {
    server
        .login(user, "secret")
        .await
        .unwrap_or_else(|e| panic!("login {user}: {e}"))
}

/// `HideFiles regex user …` matches when any listed user does; `group …` when every
/// listed group does.
#[tokio::test]
async fn hide_files_user_and_group_qualifiers() {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    let alice = setup.add_user("alice", "secret").expect("alice");
    let bob = setup.add_user("bob", "secret").expect("bob");
    append(&setup, "group", "staff:x:60400:alice");
    for home in [&alice.home, &bob.home] {
        for sub in ["u", "g"] {
            mkdir(&home.join(sub), 0, 0, 0o755);
            file(&home.join(sub).join("gfile"), 0, 0, 0o644);
            file(&home.join(sub).join("other"), 0, 0, 0o644);
        }
    }
    setup.config(
        "<Directory ~/u>\nHideFiles ^g user carol,alice\n</Directory>\n\
         <Directory ~/g>\nHideFiles ^g group staff,ftpusers\n</Directory>\n",
    );
    let server = TestServer::start(setup).expect("start");
    let mut a = login(&server, "alice").await;
    assert_eq!(names(&mut a, "u").await, vec!["u/other"]);
    assert_eq!(names(&mut a, "g").await, vec!["g/other"]);
    let mut b = login(&server, "bob").await;
    assert_eq!(names(&mut b, "u").await, vec!["u/gfile", "u/other"]);
    assert_eq!(names(&mut b, "g").await, vec!["g/gfile", "g/other"]);
}

/// `HideUser`, `HideGroup` (the primary group included), `HideNoAccess`, and `IgnoreHidden`
/// making a hidden file act as missing.
#[tokio::test]
async fn hide_user_group_and_no_access() {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    let alice = setup.add_user("alice", "secret").expect("alice");
    let bob = setup.add_user("bob", "secret").expect("bob");
    for home in [&alice.home, &bob.home] {
        for sub in ["hu", "hg", "hn"] {
            mkdir(&home.join(sub), 0, 0, 0o755);
        }
        file(&home.join("hu/alices"), alice.uid, 0, 0o644);
        file(&home.join("hu/roots"), 0, 0, 0o644);
        file(&home.join("hg/users"), 0, alice.gid, 0o644);
        file(&home.join("hg/roots"), 0, 0, 0o644);
        file(&home.join("hn/open"), 0, 0, 0o644);
        file(&home.join("hn/closed"), 0, 0, 0o600);
        mkdir(&home.join("hn/locked"), 0, 0, 0o700);
    }
    setup.config(
        "<Directory ~/hu>\nHideUser alice\n</Directory>\n\
         <Directory ~/hg>\nHideGroup ftpusers\n</Directory>\n\
         <Directory ~/hn>\nHideNoAccess on\n<Limit RETR>\nIgnoreHidden on\n</Limit>\n</Directory>\n",
    );
    let server = TestServer::start(setup).expect("start");
    for user in ["alice", "bob"] {
        let mut c = login(&server, user).await;
        assert_eq!(names(&mut c, "hu").await, vec!["hu/roots"], "{user}");
        assert_eq!(names(&mut c, "hg").await, vec!["hg/roots"], "{user}");
        assert_eq!(names(&mut c, "hn").await, vec!["hn/open"], "{user}");
        assert_eq!(
            line(&mut c, "RETR hn/closed").await,
            "550 hn/closed: No such file or directory"
        );
    }
}

/// `ShowSymlinks on` (the default) lists a link as `name -> target`; `off` lists it as
/// what it points to.
#[tokio::test]
async fn show_symlinks_in_list() {
    for (setting, expect_arrow) in [("on", true), ("off", false)] {
        let target = oxftpd_testkit::target!();
        let mut setup = Setup::new(&target).expect("setup");
        let alice = setup.add_user("alice", "secret").expect("alice");
        file(&alice.home.join("target.txt"), alice.uid, alice.gid, 0o644);
        symlink("target.txt", alice.home.join("link")).expect("symlink");
        setup.config(&format!("DefaultRoot ~\nShowSymlinks {setting}\n"));
        let server = TestServer::start(setup).expect("start");
        let mut c = login(&server, "alice").await;
        let listing = c.list(None).await.expect("LIST");
        let link = listing
            .lines()
            .find(|l| l.contains(" link"))
            .unwrap_or_else(|| panic!("no link line in {listing:?}"))
            .to_string();
        if expect_arrow {
            assert!(link.starts_with('l'), "{link}");
            assert!(link.ends_with(" link -> target.txt"), "{link}");
        } else {
            assert!(link.starts_with("-rw-r--r--"), "{link}");
            assert!(link.ends_with(" link"), "{link}");
        }
    }
}

/// `HideFiles` in a `<Directory>` hides that directory's entries, not the directory itself
/// (ProFTPD looks it up in the directory that holds a name).
#[tokio::test]
async fn hide_files_of_a_directory_hide_its_entries_not_itself() {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    let alice = setup.add_user("alice", "secret").expect("alice");
    let pub_dir = alice.home.join("pub");
    mkdir(&pub_dir, alice.uid, alice.gid, 0o755);
    for name in ["foo", "bar"] {
        mkdir(&pub_dir.join(name), alice.uid, alice.gid, 0o755);
    }
    setup.config(&format!(
        "<Directory {}>\n  HideFiles !foo\n</Directory>\n<Limit ALL>\n  IgnoreHidden on\n</Limit>",
        pub_dir.display()
    ));
    let server = TestServer::start(setup).expect("start");
    let mut c = login(&server, "alice").await;
    assert_eq!(line(&mut c, "CWD pub").await, "250 CWD command successful");
    assert_eq!(names(&mut c, ".").await, vec!["foo".to_string()]);
}
