//! SCP through mod_sftp with OpenSSH's `scp`: the legacy protocol (`scp -O`) both ways with
//! `-r` and `-p` (bytes, modes and times kept, files owned by the user), scp's SFTP mode,
//! and a `<Limit WRITE>` refusal.

mod sftp_support;

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use oxftpd_testkit::fixtures::random_bytes;
use sftp_support::{have_clients, shown, start, start_with};

/// A tree: `tree/a.bin` (0640, mtime 2001-01-01), `tree/sub/b.txt` (0600), `tree/sub/deep/`.
fn make_tree(root: &Path) -> Vec<u8> {
    let a = random_bytes(150_000, 3);
    fs::create_dir_all(root.join("sub/deep")).expect("tree");
    fs::write(root.join("a.bin"), &a).expect("a");
    fs::write(root.join("sub/b.txt"), b"bee\n").expect("b");
    fs::set_permissions(root.join("a.bin"), fs::Permissions::from_mode(0o640)).expect("mode");
    fs::set_permissions(root.join("sub/b.txt"), fs::Permissions::from_mode(0o600)).expect("mode");
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(978_307_200);
    let f = fs::File::options()
        .write(true)
        .open(root.join("a.bin"))
        .expect("open");
    f.set_modified(t).expect("mtime");
    a
}

#[test]
fn legacy_scp_copies_trees_both_ways_with_times_and_modes() {
    if !have_clients() {
        return;
    }
    let s = start("", |_, _| {});
    let here = s.local("client");
    let a = make_tree(&here.join("tree"));
    let out = s.scp(&["-O", "-r", "-p", "tree", "alice@127.0.0.1:"], &here);
    assert!(out.status.success(), "{}", shown(&out));
    let up = s.alice.home.join("tree");
    assert_eq!(fs::read(up.join("a.bin")).expect("a"), a);
    assert_eq!(fs::read(up.join("sub/b.txt")).expect("b"), b"bee\n");
    assert!(up.join("sub/deep").is_dir());
    let meta = fs::metadata(up.join("a.bin")).expect("stat");
    assert_eq!(meta.uid(), s.alice.uid);
    assert_eq!(meta.mode() & 0o777, 0o640, "-p kept the mode");
    assert_eq!(meta.mtime(), 978_307_200, "-p kept the time");
    assert_eq!(
        fs::metadata(up.join("sub")).expect("sub").uid(),
        s.alice.uid
    );

    let out = s.scp(&["-O", "-r", "-p", "alice@127.0.0.1:tree", "back"], &here);
    assert!(out.status.success(), "{}", shown(&out));
    let back = here.join("back");
    assert_eq!(fs::read(back.join("a.bin")).expect("a back"), a);
    assert_eq!(fs::read(back.join("sub/b.txt")).expect("b back"), b"bee\n");
    let meta = fs::metadata(back.join("a.bin")).expect("stat");
    assert_eq!(meta.mtime(), 978_307_200);
    assert_eq!(meta.mode() & 0o777, 0o640);
}

#[test]
fn scp_in_sftp_mode_uploads_and_downloads() {
    if !have_clients() {
        return;
    }
    let s = start("", |_, _| {});
    let here = s.local("client");
    let data = random_bytes(70_000, 9);
    fs::write(here.join("one.bin"), &data).expect("local");
    let out = s.scp(&["one.bin", "alice@127.0.0.1:copy.bin"], &here);
    assert!(out.status.success(), "{}", shown(&out));
    assert_eq!(fs::read(s.alice.home.join("copy.bin")).expect("up"), data);
    let out = s.scp(&["alice@127.0.0.1:copy.bin", "again.bin"], &here);
    assert!(out.status.success(), "{}", shown(&out));
    assert_eq!(fs::read(here.join("again.bin")).expect("down"), data);
}

#[test]
fn legacy_scp_upload_refused_by_limit_write() {
    if !have_clients() {
        return;
    }
    let target = oxftpd_testkit::target!();
    let s = start_with(&target, |_, alice| {
        let dir = alice.home.join("ro");
        fs::create_dir(&dir).expect("ro");
        std::os::unix::fs::chown(&dir, Some(alice.uid), Some(alice.gid)).expect("chown");
        format!(
            "<Directory {}>\n<Limit WRITE>\nDenyAll\n</Limit>\n</Directory>\n",
            dir.display()
        )
    });
    let here = s.local("client");
    fs::write(here.join("x.txt"), b"x").expect("local");
    let out = s.scp(&["-O", "x.txt", "alice@127.0.0.1:ro/x.txt"], &here);
    assert!(!out.status.success(), "{}", shown(&out));
    assert!(!s.alice.home.join("ro/x.txt").exists());
    let out = s.scp(&["-O", "x.txt", "alice@127.0.0.1:x.txt"], &here);
    assert!(out.status.success(), "{}", shown(&out));
    assert_eq!(fs::read(s.alice.home.join("x.txt")).expect("x"), b"x");
}
