//! mod_facl (ProFTPD 1.3.8's modules/mod_facl.c, loaded with `LoadModule` for ProFTPD): POSIX
//! ACLs count in access checks; oxftpd gets that from the kernel, which checks every file
//! access as the session user. Needs setfacl (Debian's acl package).

mod wire;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use oxftpd_testkit::{Setup, TestServer, TestUser};
use wire::Raw;

fn server() -> Option<(TestServer, TestUser)> {
    if Command::new("setfacl").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("OXFTPD_REQUIRE_CLIENTS").is_none(),
            "setfacl is missing (apt-get install acl)"
        );
        eprintln!("note: skipped, setfacl is missing (apt-get install acl)");
        return None;
    }
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    let alice = setup.add_user("alice", "secret").expect("alice");
    setup.config("LoadModule mod_facl.c\n<IfModule mod_facl.c>\nFACLEngine on\n</IfModule>\n");
    Some((TestServer::start(setup).expect("start"), alice))
}

fn setfacl(spec: &str, path: &std::path::Path) {
    let out = Command::new("setfacl")
        .args(["-m", spec])
        .arg(path)
        .output()
        .expect("setfacl");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_acl_entry_grants_what_the_mode_bits_do_not() {
    let Some((s, alice)) = server() else {
        return;
    };
    // Root's files, 0600 and in a 0755 directory: only an ACL entry lets alice in.
    let secret = alice.home.join("granted.txt");
    fs::write(&secret, b"acl says yes").expect("file");
    fs::set_permissions(&secret, fs::Permissions::from_mode(0o600)).expect("mode");
    setfacl(&format!("u:{}:r", alice.uid), &secret);
    let closed = alice.home.join("closed.txt");
    fs::write(&closed, b"no").expect("file");
    fs::set_permissions(&closed, fs::Permissions::from_mode(0o600)).expect("mode");
    let drop = alice.home.join("drop");
    fs::create_dir(&drop).expect("dir");
    fs::set_permissions(&drop, fs::Permissions::from_mode(0o755)).expect("mode");
    setfacl(&format!("u:{}:rwx", alice.uid), &drop);

    let mut raw = Raw::login(s.addr());
    assert_eq!(raw.cmd("TYPE I"), "200 Type set to I");
    let (_, bytes, last) = raw.download("RETR granted.txt");
    assert_eq!(bytes, b"acl says yes", "{last}");
    assert!(raw.cmd("RETR closed.txt").starts_with("550"));
    let (_, last) = raw.upload("STOR drop/new.txt", b"in");
    assert!(last.starts_with("226"), "{last}");
    assert_eq!(fs::read(drop.join("new.txt")).expect("stored"), b"in");
}

#[test]
fn facl_engine_off_is_refused_with_the_reason() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "ProFTPD can turn its own ACL checks off");
    let mut setup = Setup::new(&target).expect("setup");
    setup.config("FACLEngine off\n");
    let out = setup.check_config().expect("-t");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("FACLEngine off is not supported"), "{err}");
}
