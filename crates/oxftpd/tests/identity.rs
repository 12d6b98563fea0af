//! Files belong to the user who wrote them, and the kernel decides what a user may read:
//! ownership and `Umask` of uploads, another user's private file, supplementary groups,
//! anonymous uploads, `RootLogin`, and a daemon that is not root (virtual users).
//! These run as root (as CI does); without root they have nothing to show and return early.

use std::fs;
use std::io::Write as _;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use oxftpd_testkit::{Setup, TestServer};

fn root() -> bool {
    rustix::process::geteuid().is_root()
}

fn append(path: &Path, text: &str) {
    let mut f = fs::OpenOptions::new()
        .append(true)
        .open(path)
        .expect("open auth file");
    f.write_all(text.as_bytes()).expect("append auth file");
}

fn chown(path: &Path, uid: u32, gid: u32) {
    std::os::unix::fs::chown(path, Some(uid), Some(gid)).expect("chown");
}

fn chmod(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
}

#[tokio::test]
async fn stor_creates_a_file_owned_by_the_user_with_umask() {
    if !root() {
        return;
    }
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    let alice = setup.add_user("alice", "secret").expect("alice");
    setup.config("Umask 027 077");
    let server = TestServer::start(setup).expect("start");
    let mut c = server.login("alice", "secret").await.expect("login");
    c.type_i().await.expect("TYPE I");
    c.stor("up.txt", b"mine\n").await.expect("STOR");
    c.mkd("sub").await.expect("MKD");
    let md = fs::metadata(alice.home.join("up.txt")).expect("uploaded file");
    assert_eq!((md.uid(), md.gid()), (alice.uid, alice.gid));
    assert_eq!(md.mode() & 0o7777, 0o640);
    let md = fs::metadata(alice.home.join("sub")).expect("made dir");
    assert_eq!((md.uid(), md.gid()), (alice.uid, alice.gid));
    assert_eq!(md.mode() & 0o7777, 0o700);
}

#[tokio::test]
async fn another_users_private_file_is_refused_by_the_kernel() {
    if !root() {
        return;
    }
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    let alice = setup.add_user("alice", "secret").expect("alice");
    let bob = setup.add_user("bob", "hunter2").expect("bob");
    let secret = alice.home.join("bobs.txt");
    fs::write(&secret, b"bob only\n").expect("write");
    chown(&secret, bob.uid, bob.gid);
    chmod(&secret, 0o600);
    let server = TestServer::start(setup).expect("start");
    let mut c = server.login("alice", "secret").await.expect("login");
    let t = c.transfer_in("RETR bobs.txt").await.expect("RETR");
    assert_eq!(t.completion.first_line(), "550 bobs.txt: Permission denied");
    assert!(t.data.is_empty());
    // Bob, the owner, reads it (his root is his own home: reach it from alice's by path).
    drop(c);
    let mut b = server.login("bob", "hunter2").await.expect("bob login");
    assert_eq!(b.pwd().await.expect("PWD"), "/");
}

#[tokio::test]
async fn supplementary_group_grants_access() {
    if !root() {
        return;
    }
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    let alice = setup.add_user("alice", "secret").expect("alice");
    let bob = setup.add_user("bob", "hunter2").expect("bob");
    // "team" (60050) has alice as a member, not bob.
    append(&setup.dir().join("etc/group"), "team:x:60050:alice\n");
    for home in [&alice.home, &bob.home] {
        let shared = home.join("team");
        fs::create_dir(&shared).expect("mkdir");
        chown(&shared, 0, 60050);
        chmod(&shared, 0o770);
        let f = shared.join("plan.txt");
        fs::write(&f, b"team plan\n").expect("write");
        chown(&f, 0, 60050);
        chmod(&f, 0o640);
    }
    setup.config("AllowOverwrite on");
    let server = TestServer::start(setup).expect("start");
    let mut a = server.login("alice", "secret").await.expect("alice");
    a.type_i().await.expect("TYPE I");
    assert_eq!(a.retr("team/plan.txt").await.expect("RETR"), b"team plan\n");
    a.stor("team/alice.txt", b"a\n")
        .await
        .expect("STOR in team dir");
    let md = fs::metadata(alice.home.join("team/alice.txt")).expect("stored");
    assert_eq!((md.uid(), md.gid()), (alice.uid, alice.gid));
    let mut b = server.login("bob", "hunter2").await.expect("bob");
    let t = b.transfer_in("RETR team/plan.txt").await.expect("RETR");
    assert_eq!(
        t.completion.first_line(),
        "550 team/plan.txt: Permission denied"
    );
}

#[tokio::test]
async fn anonymous_uploads_belong_to_the_anonymous_user() {
    if !root() {
        return;
    }
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    let anon = setup.dir().join("pub");
    fs::create_dir(&anon).expect("mkdir");
    chmod(&anon, 0o755);
    let incoming = anon.join("incoming");
    fs::create_dir(&incoming).expect("mkdir");
    chmod(&incoming, 0o1777);
    append(
        &setup.dir().join("etc/passwd"),
        &format!("ftpup:*:60070:60070::{}:/bin/false\n", anon.display()),
    );
    append(&setup.dir().join("etc/group"), "ftpupg:x:60071:\n");
    setup.config(&format!(
        "<Anonymous {}>\n  User ftpup\n  Group ftpupg\n  UserAlias anonymous ftpup\n  \
         RequireValidShell off\n  Umask 022\n</Anonymous>",
        anon.display()
    ));
    let server = TestServer::start(setup).expect("start");
    let mut c = server
        .login("anonymous", "guest@example.com")
        .await
        .expect("anonymous login");
    c.type_i().await.expect("TYPE I");
    c.stor("incoming/gift.bin", b"\x00\x01")
        .await
        .expect("STOR");
    let md = fs::metadata(incoming.join("gift.bin")).expect("uploaded");
    assert_eq!((md.uid(), md.gid()), (60070, 60071));
    assert_eq!(md.mode() & 0o777, 0o644);
}

#[tokio::test]
async fn root_login_needs_root_login_on() {
    if !root() {
        return;
    }
    let target = oxftpd_testkit::target!();
    for (root_login, code) in [(false, 530u16), (true, 230)] {
        let mut setup = Setup::new(&target).expect("setup");
        let home = setup.dir().join("home/toor");
        fs::create_dir(&home).expect("mkdir");
        let alice_hash = {
            setup.add_user("alice", "secret").expect("alice");
            let text = fs::read_to_string(setup.dir().join("etc/passwd")).expect("passwd");
            text.split(':').nth(1).unwrap_or_default().to_string()
        };
        append(
            &setup.dir().join("etc/passwd"),
            &format!("toor:{alice_hash}:0:0::{}:/bin/sh\n", home.display()),
        );
        if root_login {
            setup.config("RootLogin on");
        }
        let server = TestServer::start(setup).expect("start");
        let mut c = server.client().await.expect("connect");
        let user = c.cmd("USER toor").await.expect("USER");
        assert_eq!(user.code, 331);
        let pass = c.cmd("PASS secret").await.expect("PASS");
        assert_eq!(pass.code, code, "RootLogin {root_login}: {:?}", pass.lines);
        if code == 530 {
            assert_eq!(pass.first_line(), "530 Login incorrect.");
        }
    }
}

/// Writes `bin` wrapped so that it runs as uid/gid 60001 with no supplementary groups.
fn unprivileged_wrapper(dir: &Path, bin: &Path) -> std::path::PathBuf {
    let wrapper = dir.join("as-60001.sh");
    fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\nexec setpriv --reuid=60001 --regid=60001 --clear-groups --inh-caps=-all {} \"$@\"\n",
            bin.display()
        ),
    )
    .expect("write wrapper");
    chmod(&wrapper, 0o755);
    wrapper
}

#[tokio::test]
async fn an_unprivileged_daemon_acts_as_itself_for_every_user() {
    if !root() {
        return;
    }
    let mut target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(
        target,
        "ProFTPD started as non-root refuses the User/Group switch the test config names"
    );
    let wrap_dir = tempfile::tempdir().expect("tempdir");
    chmod(wrap_dir.path(), 0o755);
    target.bin = unprivileged_wrapper(wrap_dir.path(), &target.bin);
    let mut setup = Setup::new(&target).expect("setup");
    setup.add_user("alice", "secret").expect("alice"); // uid 60001, the daemon's
    let bob = setup.add_user("bob", "hunter2").expect("bob"); // uid 60002
    for sub in ["etc", "run", "etc/passwd", "etc/group"] {
        chown(&setup.dir().join(sub), 60001, 60001);
    }
    chown(&bob.home, 60001, 60001);
    let server = TestServer::start(setup).expect("start");
    let mut b = server.login("bob", "hunter2").await.expect("bob login");
    b.type_i().await.expect("TYPE I");
    b.stor("virt.txt", b"v\n").await.expect("STOR");
    let md = fs::metadata(bob.home.join("virt.txt")).expect("stored");
    assert_eq!(
        (md.uid(), md.gid()),
        (60001, 60001),
        "the daemon's own user"
    );
}
