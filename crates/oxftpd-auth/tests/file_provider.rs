//! `mod_auth_file.c` against real files on disk.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use oxftpd_auth::{AuthError, AuthProvider, FileProvider, Flow};

// `openssl passwd -6 -salt Xq1s2d3f4g5h6j7k 'correct horse'`
const HASH: &str = "$6$Xq1s2d3f4g5h6j7k$/qnytdcjKU6lX8lF4Hxuu2lY6RdLSQpby.TfH7d5Jh3IJ8sqnA2BI6QNzxZ3J9PkevYnyPyHtkioSHSLS8813.";
// `openssl passwd -1 -salt abcdefgh 'correct horse'`
const MD5: &str = "$1$abcdefgh$y6iHhJNbuC0xpbk0w9pm80";

fn write(path: &Path, text: &str) {
    fs::write(path, text).expect("test set-up");
    fs::set_permissions(path, fs::Permissions::from_mode(0o600)).expect("test set-up");
}

struct Setup {
    _dir: tempfile::TempDir,
    passwd: PathBuf,
    group: PathBuf,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().expect("test set-up");
    let passwd = dir.path().join("ftpd.passwd");
    let group = dir.path().join("ftpd.group");
    write(
        &passwd,
        &format!(
            "# virtual users\n\
             alice:{HASH}:2001:2000::/srv/ftp/alice:/bin/false\n\
             this line is malformed\n\
             bob:{MD5}:2002:2000:Bob:/srv/ftp/bob:/bin/sh\n\
             carol:!{HASH}:2003:2000::/srv/ftp/carol:/bin/false\n\
             dave::2004:2000::/srv/ftp/dave:/bin/false\n\
             eve:{HASH}:-5:2000::/srv/ftp/eve:/bin/false\n"
        ),
    );
    write(
        &group,
        "ftpusers:x:2000:\nuploaders:x:2100:bob,alice\nbroken:x\nadmins:x:2200:alice\nauditors:x:2300:bob\n",
    );
    Setup {
        _dir: dir,
        passwd,
        group,
    }
}

#[test]
fn good_password_gives_identity_with_groups() {
    let s = setup();
    let p = FileProvider::new(Some(&s.passwd), Some(&s.group));
    assert_eq!(p.module(), "mod_auth_file.c");
    let Flow::Break(Ok(id)) = p.authenticate("alice", "correct horse") else {
        panic!("alice refused");
    };
    assert_eq!(id.name, "alice");
    assert_eq!((id.uid, id.gid), (2001, 2000));
    assert_eq!(id.groups, vec![2000, 2100, 2200]);
    assert_eq!(id.group_names, vec!["ftpusers", "uploaders", "admins"]);
    assert_eq!(id.home, PathBuf::from("/srv/ftp/alice"));
    assert_eq!(id.shell, "/bin/false");

    let Flow::Break(Ok(bob)) = p.authenticate("bob", "correct horse") else {
        panic!("bob refused");
    };
    assert_eq!(bob.groups, vec![2000, 2100, 2300]);
}

#[test]
fn bad_password_locked_and_unknown() {
    let s = setup();
    let p = FileProvider::new(Some(&s.passwd), Some(&s.group));
    assert_eq!(
        p.authenticate("alice", "wrong"),
        Flow::Break(Err(AuthError::BadPassword))
    );
    assert_eq!(
        p.authenticate("carol", "correct horse"),
        Flow::Break(Err(AuthError::Disabled))
    );
    assert_eq!(
        p.authenticate("dave", ""),
        Flow::Break(Err(AuthError::Disabled))
    );
    assert_eq!(p.authenticate("mallory", "x"), Flow::Continue);
    // Malformed lines are skipped, not users.
    assert_eq!(p.authenticate("eve", "correct horse"), Flow::Continue);
    assert_eq!(p.authenticate("this line is malformed", ""), Flow::Continue);
}

#[test]
fn name_lookups() {
    let s = setup();
    let p = FileProvider::new(Some(&s.passwd), Some(&s.group));
    assert_eq!(p.user_name(2002).as_deref(), Some("bob"));
    assert_eq!(p.user_name(9999), None);
    assert_eq!(p.user_id("carol"), Some(2003));
    assert_eq!(p.group_name(2100).as_deref(), Some("uploaders"));
    assert_eq!(p.group_id("admins"), Some(2200));
    assert_eq!(p.group_id("broken"), None);
    let Flow::Break(Ok(id)) = p.lookup("bob") else {
        panic!("bob not found");
    };
    assert_eq!(id.uid, 2002);
    assert_eq!(p.lookup("nobody-here"), Flow::Continue);
}

#[test]
fn no_files_configured_knows_nobody() {
    let p = FileProvider::new(None, None);
    assert_eq!(p.authenticate("alice", "correct horse"), Flow::Continue);
    assert_eq!(p.lookup("alice"), Flow::Continue);
    assert_eq!(p.group_name(0), None);
}

#[test]
fn without_group_file_only_primary_gid() {
    let s = setup();
    let p = FileProvider::new(Some(&s.passwd), None);
    let Flow::Break(Ok(id)) = p.authenticate("alice", "correct horse") else {
        panic!("alice refused");
    };
    assert_eq!(id.groups, vec![2000]);
    assert!(id.group_names.is_empty());
}

#[test]
fn changes_on_disk_are_picked_up() {
    let s = setup();
    let p = FileProvider::new(Some(&s.passwd), Some(&s.group));
    assert_eq!(p.authenticate("frank", "correct horse"), Flow::Continue);
    // In-place append (same inode, new size).
    let mut text = fs::read_to_string(&s.passwd).unwrap();
    text.push_str(&format!(
        "frank:{HASH}:2005:2000::/srv/ftp/frank:/bin/false\n"
    ));
    fs::write(&s.passwd, &text).unwrap();
    assert!(matches!(
        p.authenticate("frank", "correct horse"),
        Flow::Break(Ok(_))
    ));
    // Replace by rename (new inode): alice gone.
    let tmp = s.passwd.with_extension("new");
    write(
        &tmp,
        &format!("frank:{MD5}:2005:2000::/srv/ftp/frank:/bin/false\n"),
    );
    fs::rename(&tmp, &s.passwd).unwrap();
    assert_eq!(p.authenticate("alice", "correct horse"), Flow::Continue);
    assert!(matches!(
        p.authenticate("frank", "correct horse"),
        Flow::Break(Ok(_))
    ));
    // Group membership change.
    write(&s.group, "ftpusers:x:2000:frank\nnew:x:2500:frank\n");
    let Flow::Break(Ok(id)) = p.lookup("frank") else {
        panic!("frank not found");
    };
    assert_eq!(id.groups, vec![2000, 2500]);
    assert_eq!(id.group_names, vec!["ftpusers", "new"]);
}

#[test]
fn world_readable_file_is_refused_unless_allowed() {
    let s = setup();
    fs::set_permissions(&s.passwd, fs::Permissions::from_mode(0o644)).unwrap();
    let p = FileProvider::new(Some(&s.passwd), Some(&s.group));
    assert_eq!(p.authenticate("alice", "correct horse"), Flow::Continue);
    let lax = FileProvider::with_permissions(Some(&s.passwd), Some(&s.group), true);
    assert!(matches!(
        lax.authenticate("alice", "correct horse"),
        Flow::Break(Ok(_))
    ));
    // Fixing the mode is noticed (the mode is part of the change check).
    fs::set_permissions(&s.passwd, fs::Permissions::from_mode(0o440)).unwrap();
    assert!(matches!(
        p.authenticate("alice", "correct horse"),
        Flow::Break(Ok(_))
    ));
    fs::set_permissions(&s.group, fs::Permissions::from_mode(0o602)).unwrap();
    assert_eq!(p.group_name(2100), None);
}

#[test]
fn world_writable_directory_is_refused() {
    let s = setup();
    let dir = s.passwd.parent().unwrap();
    fs::set_permissions(dir, fs::Permissions::from_mode(0o777)).unwrap();
    let p = FileProvider::new(Some(&s.passwd), None);
    assert_eq!(p.authenticate("alice", "correct horse"), Flow::Continue);
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).unwrap();
}
