//! `DefaultRoot` with group expressions (FAQ 5.12), in a `<VirtualHost>` on 127.0.0.2 so the
//! harness's own `DefaultRoot ~` (main server) does not reach it.

use std::fs;
use std::net::SocketAddr;
use std::os::unix::fs::symlink;

use oxftpd_client::Client;
use oxftpd_testkit::replies::line;
use oxftpd_testkit::{Setup, TestServer, TestUser};

#[tokio::test]
async fn default_root_group_expression_in_a_vhost() {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    let (alice, bob) = alice_and_bob(&mut setup);
    let public = setup.dir().join("u2/public");
    fs::create_dir_all(public.join("inside")).expect("public");
    fs::write(public.join("inside/file"), b"x").expect("file");
    symlink("inside", public.join("link")).expect("symlink inside the root");
    let d = setup.dir().display().to_string();
    vhost(
        &mut setup,
        &format!("DefaultRoot {d}/u2/public users,!staff\n"),
    );
    let server = TestServer::start(setup).unwrap_or_else(|e| panic!("start: {e}"));
    let vhost = SocketAddr::from(([127, 0, 0, 2], server.port()));

    let mut a = Client::connect(vhost).await.expect("connect 127.0.0.2");
    a.login("alice", "secret").await.expect("alice");
    assert_eq!(
        line(&mut a, "PWD").await,
        "257 \"/\" is the current directory"
    );
    let mut names = a.nlst(None).await.expect("NLST");
    names.sort();
    assert_eq!(names, vec!["inside".to_string(), "link".to_string()]);
    // A symlink that stays inside the jail works.
    assert_eq!(line(&mut a, "CWD link").await, "250 CWD command successful");
    assert_eq!(
        a.nlst(None).await.expect("NLST link"),
        vec!["file".to_string()]
    );

    let mut b = Client::connect(vhost).await.expect("connect 127.0.0.2");
    b.login("bob", "secret").await.expect("bob");
    assert_eq!(
        line(&mut b, "PWD").await,
        format!("257 \"{}\" is the current directory", bob.home.display())
    );
    let _ = alice;
}

/// Users `alice` (group users) and `bob` (users and staff), password `secret`.
fn alice_and_bob(setup: &mut Setup) -> (TestUser, TestUser) {
    let alice = setup.add_user("alice", "secret").expect("alice");
    let bob = setup.add_user("bob", "secret").expect("bob");
    two_groups(setup);
    (alice, bob)
}

/// The `staff` and `users` groups of [`alice_and_bob`].
fn two_groups(setup: &mut Setup) {
    let group = setup.dir().join("etc/group");
    let text = fs::read_to_string(&group).expect("group file");
    fs::write(
        &group,
        format!("{text}users:x:60010:alice,bob\nstaff:x:60011:bob\n"),
    )
    .expect("group file");
}

fn vhost(setup: &mut Setup, body: &str) {
    let d = setup.dir().display().to_string();
    setup.config(&format!(
        "<VirtualHost 127.0.0.2>\nPort {port}\nAuthOrder mod_auth_file.c\n\
         AuthUserFile {d}/etc/passwd\nAuthGroupFile {d}/etc/group\nRequireValidShell off\n\
         {body}</VirtualHost>\n",
        port = setup.port()
    ));
}

#[tokio::test]
async fn the_first_matching_default_root_wins_and_tilde_sub_is_under_home() {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    let (alice, bob) = alice_and_bob(&mut setup);
    let staffroot = setup.dir().join("staffroot");
    fs::create_dir_all(staffroot.join("tools")).expect("staffroot");
    fs::create_dir_all(alice.home.join("sub/in-sub")).expect("alice sub");
    fs::create_dir_all(bob.home.join("sub/bob-sub")).expect("bob sub");
    fs::write(alice.home.join("above"), b"x").expect("above");
    let d = setup.dir().display().to_string();
    vhost(
        &mut setup,
        &format!("DefaultRoot {d}/staffroot staff\nDefaultRoot ~/sub\nDefaultRoot ~\n"),
    );
    let server = TestServer::start(setup).unwrap_or_else(|e| panic!("start: {e}"));
    let vhost = SocketAddr::from(([127, 0, 0, 2], server.port()));

    let mut b = Client::connect(vhost).await.expect("connect");
    b.login("bob", "secret").await.expect("bob");
    assert_eq!(b.nlst(None).await.expect("NLST"), vec!["tools".to_string()]);
    assert_eq!(line(&mut b, "CWD ..").await, "250 CWD command successful");
    assert_eq!(
        line(&mut b, "PWD").await,
        "257 \"/\" is the current directory"
    );

    let mut a = Client::connect(vhost).await.expect("connect");
    a.login("alice", "secret").await.expect("alice");
    assert_eq!(
        line(&mut a, "PWD").await,
        "257 \"/\" is the current directory"
    );
    assert_eq!(
        a.nlst(None).await.expect("NLST"),
        vec!["in-sub".to_string()]
    );
    // The jail's root is ~/sub: `..` stays there.
    assert_eq!(line(&mut a, "CWD ..").await, "250 CWD command successful");
    assert_eq!(
        a.nlst(None).await.expect("NLST"),
        vec!["in-sub".to_string()]
    );
}

#[tokio::test]
async fn default_chdir_with_a_group_expression() {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    let (alice, bob) = alice_and_bob(&mut setup);
    for home in [&alice.home, &bob.home] {
        fs::create_dir_all(home.join("incoming")).expect("incoming");
        fs::create_dir_all(home.join("staff-only")).expect("staff-only");
    }
    vhost(
        &mut setup,
        "DefaultRoot ~\nDefaultChdir /staff-only staff\nDefaultChdir /incoming\n",
    );
    let server = TestServer::start(setup).unwrap_or_else(|e| panic!("start: {e}"));
    let vhost = SocketAddr::from(([127, 0, 0, 2], server.port()));

    let mut b = Client::connect(vhost).await.expect("connect");
    b.login("bob", "secret").await.expect("bob");
    assert_eq!(
        line(&mut b, "PWD").await,
        "257 \"/staff-only\" is the current directory"
    );
    let mut a = Client::connect(vhost).await.expect("connect");
    a.login("alice", "secret").await.expect("alice");
    assert_eq!(
        line(&mut a, "PWD").await,
        "257 \"/incoming\" is the current directory"
    );
}
