//! `mod_auth_unix.c` with a real shadow entry: a temporary system user made
//! with `useradd`, only when running as root with `useradd` available.

// This file calls libc (or other C APIs): unsafe code is allowed here only, each block
// with a SAFETY comment saying why it is sound.
#![allow(unsafe_code)]

use std::process::{Command, Stdio};

use oxftpd_auth::crypt::{self, HashScheme};
use oxftpd_auth::{AuthError, AuthProvider, Flow, UnixProvider};

const USER: &str = "oxftpdtst9";

/// Removes the user on drop, even if an assertion failed.
struct TempUser;

impl Drop for TempUser {
    fn drop(&mut self) {
        let _ = Command::new("userdel").arg(USER).status();
    }
}

fn can_manage_users() -> bool {
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    root && Command::new("useradd").arg("--help").output().is_ok()
}

#[test]
fn shadow_password_lock_and_expiry() {
    if !can_manage_users() {
        eprintln!("skipped: needs root and useradd");
        return;
    }
    let _ = Command::new("userdel")
        .arg(USER)
        .stderr(Stdio::null())
        .status();
    let hash = crypt::hash_password("s3cret pass", HashScheme::Sha512).unwrap();
    let ok = Command::new("useradd")
        .args([
            "-M",
            "-d",
            "/nonexistent",
            "-s",
            "/bin/false",
            "-p",
            &hash,
            USER,
        ])
        .status()
        .unwrap();
    assert!(ok.success());
    let _guard = TempUser;

    let p = UnixProvider::new();
    let Flow::Break(Ok(id)) = p.authenticate(USER, "s3cret pass") else {
        panic!("shadow user refused");
    };
    assert_eq!(id.name, USER);
    assert_eq!(id.shell, "/bin/false");
    assert_eq!(id.groups[0], id.gid);
    assert_eq!(
        p.authenticate(USER, "wrong"),
        Flow::Break(Err(AuthError::BadPassword))
    );

    // Locked with usermod -L ("!" prefix in shadow).
    assert!(
        Command::new("usermod")
            .args(["-L", USER])
            .status()
            .unwrap()
            .success()
    );
    assert_eq!(
        p.authenticate(USER, "s3cret pass"),
        Flow::Break(Err(AuthError::Disabled))
    );
    assert!(
        Command::new("usermod")
            .args(["-U", USER])
            .status()
            .unwrap()
            .success()
    );
    assert!(matches!(
        p.authenticate(USER, "s3cret pass"),
        Flow::Break(Ok(_))
    ));

    // Expired account (expiry date in the past).
    assert!(
        Command::new("usermod")
            .args(["-e", "2001-01-01", USER])
            .status()
            .unwrap()
            .success()
    );
    assert_eq!(
        p.authenticate(USER, "s3cret pass"),
        Flow::Break(Err(AuthError::Disabled))
    );
}
