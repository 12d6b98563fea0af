//! `CreateHome` (mod_auth): a user's missing home directory is made at login, with the
//! configured modes, the parents' owner, and a skeleton copied in.

mod common;

use std::os::unix::fs::{MetadataExt, PermissionsExt};

use common::*;

fn mode_of(p: &std::path::Path) -> u32 {
    std::fs::metadata(p).expect("stat").permissions().mode() & 0o7777
}

#[tokio::test]
async fn a_missing_home_is_made_at_login_with_its_skeleton() {
    if !rustix::process::geteuid().is_root() {
        eprintln!("skipped: CreateHome gives directories away, which needs root");
        return;
    }
    let skel = tempfile::tempdir().expect("skel dir");
    std::fs::set_permissions(skel.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    std::fs::write(skel.path().join(".profile"), b"# skel\n").expect("skel file");
    std::fs::set_permissions(
        skel.path().join(".profile"),
        std::fs::Permissions::from_mode(0o4640),
    )
    .expect("chmod");
    std::fs::create_dir(skel.path().join("docs")).expect("skel subdir");
    std::fs::write(skel.path().join("docs/readme"), b"hi\n").expect("skel file");
    let (server, alice) = server_with(&format!(
        "CreateHome on 0750 skel {} dirmode 0711 uid ~\n",
        skel.path().display()
    ));
    // Both the home and its parent (`home/`) are missing.
    let parent = alice.home.parent().expect("parent").to_path_buf();
    std::fs::remove_dir_all(&parent).expect("remove homes");

    let mut c = login(&server).await;
    assert_eq!(
        line(&mut c, "PWD").await,
        "257 \"/\" is the current directory"
    );

    let home = std::fs::metadata(&alice.home).expect("home made");
    assert!(home.is_dir());
    assert_eq!((home.uid(), home.gid()), (alice.uid, alice.gid));
    assert_eq!(mode_of(&alice.home), 0o750);
    // `uid ~`: the parent belongs to the user too, with the `dirmode`; its group stays root's.
    let p = std::fs::metadata(&parent).expect("parent made");
    assert_eq!((p.uid(), p.gid(), mode_of(&parent)), (alice.uid, 0, 0o711));
    // The skeleton, given to the user, without the setuid bit.
    let profile = alice.home.join(".profile");
    assert_eq!(std::fs::read(&profile).expect("copied"), b"# skel\n");
    let m = std::fs::metadata(&profile).expect("stat");
    assert_eq!(
        (m.uid(), m.gid(), mode_of(&profile)),
        (alice.uid, alice.gid, 0o640)
    );
    assert_eq!(
        std::fs::read(alice.home.join("docs/readme")).expect("copied"),
        b"hi\n"
    );
    // The user can write into the new home.
    c.stor("new.txt", b"x")
        .await
        .expect("STOR into the new home");
}

#[test]
fn a_world_writable_skeleton_is_refused() {
    let target = oxftpd_testkit::target!();
    let skel = tempfile::tempdir().expect("skel dir");
    std::fs::set_permissions(skel.path(), std::fs::Permissions::from_mode(0o777)).expect("chmod");
    let mut setup = oxftpd_testkit::Setup::new(&target).expect("setup");
    setup.config(&format!("CreateHome on skel {}\n", skel.path().display()));
    let out = setup
        .run_with_config(std::process::Command::new(&target.bin), "-t")
        .expect("run -t");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("is world-writable"), "{err}");
}
