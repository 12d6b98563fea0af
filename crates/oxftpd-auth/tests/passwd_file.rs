//! Editing AuthUserFile/AuthGroupFile like ftpasswd.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};

use oxftpd_auth::crypt::{self, HashScheme};
use oxftpd_auth::entries::{GroupEntry, PasswdEntry};
use oxftpd_auth::passwd_file::{Change, GroupFile, PasswdFile, PasswdFileError};
use oxftpd_auth::{AuthError, AuthProvider, FileProvider, Flow};

fn entry(name: &str, hash: &str, uid: u32) -> PasswdEntry {
    PasswdEntry {
        name: name.into(),
        hash: hash.into(),
        uid,
        gid: 2000,
        gecos: String::new(),
        home: format!("/srv/ftp/{name}"),
        shell: "/bin/false".into(),
    }
}

#[test]
fn create_update_delete_users() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ftpd.passwd");
    let mut f = PasswdFile::load(&path).unwrap();
    let h1 = crypt::hash_password("first", HashScheme::Sha512).unwrap();
    assert_eq!(
        f.set_user(&entry("alice", &h1, 2001)).unwrap(),
        Change::Created
    );
    assert_eq!(
        f.set_user(&entry("bob", &h1, 2002)).unwrap(),
        Change::Created
    );
    f.save().unwrap();

    let meta = fs::metadata(&path).unwrap();
    assert_eq!(meta.mode() & 0o777, 0o440);
    let text = fs::read_to_string(&path).unwrap();
    assert_eq!(
        text,
        format!(
            "alice:{h1}:2001:2000::/srv/ftp/alice:/bin/false\nbob:{h1}:2002:2000::/srv/ftp/bob:/bin/false\n"
        )
    );
    // The written file is one the server accepts.
    let p = FileProvider::new(Some(&path), None);
    assert!(matches!(
        p.authenticate("alice", "first"),
        Flow::Break(Ok(_))
    ));

    // Change the password: only alice's line changes, order is kept.
    let mut f = PasswdFile::load(&path).unwrap();
    let h2 = crypt::hash_password("second", HashScheme::Yescrypt).unwrap();
    f.set_hash("alice", &h2).unwrap();
    f.save().unwrap();
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        format!(
            "alice:{h2}:2001:2000::/srv/ftp/alice:/bin/false\nbob:{h1}:2002:2000::/srv/ftp/bob:/bin/false\n"
        )
    );
    assert_eq!(
        p.authenticate("alice", "first"),
        Flow::Break(Err(AuthError::BadPassword))
    );
    assert!(matches!(
        p.authenticate("alice", "second"),
        Flow::Break(Ok(_))
    ));

    // Lock, lock again (idempotent), unlock.
    let mut f = PasswdFile::load(&path).unwrap();
    f.lock_user("alice").unwrap();
    f.lock_user("alice").unwrap();
    assert_eq!(f.user("alice").unwrap().unwrap().hash, format!("!{h2}"));
    f.save().unwrap();
    assert_eq!(
        p.authenticate("alice", "second"),
        Flow::Break(Err(AuthError::Disabled))
    );
    let mut f = PasswdFile::load(&path).unwrap();
    f.unlock_user("alice").unwrap();
    f.save().unwrap();
    assert!(matches!(
        p.authenticate("alice", "second"),
        Flow::Break(Ok(_))
    ));

    // Delete.
    let mut f = PasswdFile::load(&path).unwrap();
    f.remove_user("alice").unwrap();
    assert!(matches!(
        f.remove_user("alice"),
        Err(PasswdFileError::NoSuchEntry { .. })
    ));
    f.save().unwrap();
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        format!("bob:{h1}:2002:2000::/srv/ftp/bob:/bin/false\n")
    );
    assert_eq!(p.authenticate("alice", "second"), Flow::Continue);
}

#[test]
fn other_lines_are_kept_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ftpd.passwd");
    let original = "# managed by hand\nzed:*:3000:3000::/srv/zed:/bin/false\nnot a valid line\n\nbob:x:2002:2000:Bob:/srv/bob:/bin/sh\n";
    fs::write(&path, original).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    let mut f = PasswdFile::load(&path).unwrap();
    assert_eq!(
        f.set_user(&entry("bob", "!", 2002)).unwrap(),
        Change::Updated
    );
    f.save().unwrap();
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        "# managed by hand\nzed:*:3000:3000::/srv/zed:/bin/false\nnot a valid line\n\nbob:!:2002:2000::/srv/ftp/bob:/bin/false\n"
    );
    assert!(
        fs::read_dir(dir.path()).unwrap().count() == 1,
        "temp file left behind"
    );
}

#[test]
fn invalid_fields_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut f = PasswdFile::load(&dir.path().join("p")).unwrap();
    let mut e = entry("eve", "x", 1);
    e.home = "/srv:/evil".into();
    assert!(matches!(f.set_user(&e), Err(PasswdFileError::Invalid(_))));
    e.home = "/srv".into();
    e.name = "eve\nroot".into();
    assert!(matches!(f.set_user(&e), Err(PasswdFileError::Invalid(_))));
    assert!(matches!(
        f.lock_user("nobody"),
        Err(PasswdFileError::NoSuchEntry { .. })
    ));
}

#[test]
fn group_membership() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ftpd.group");
    let mut g = GroupFile::load(&path).unwrap();
    let ftp = GroupEntry {
        name: "ftp".into(),
        password: "x".into(),
        gid: 2000,
        members: vec!["alice".into()],
    };
    assert_eq!(g.set_group(&ftp).unwrap(), Change::Created);
    g.add_member("ftp", "bob").unwrap();
    g.add_member("ftp", "bob").unwrap();
    g.set_group(&GroupEntry {
        name: "web".into(),
        password: "x".into(),
        gid: 2100,
        members: vec![],
    })
    .unwrap();
    g.save().unwrap();
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        "ftp:x:2000:alice,bob\nweb:x:2100:\n"
    );
    let mut g = GroupFile::load(&path).unwrap();
    g.remove_member("ftp", "alice").unwrap();
    g.remove_group("web").unwrap();
    g.save().unwrap();
    assert_eq!(fs::read_to_string(&path).unwrap(), "ftp:x:2000:bob\n");
    assert_eq!(fs::metadata(&path).unwrap().mode() & 0o777, 0o440);
    assert_eq!(
        GroupFile::load(&path)
            .unwrap()
            .group("ftp")
            .unwrap()
            .unwrap()
            .members,
        vec!["bob".to_string()]
    );

    // The server sees the membership.
    let passwd = dir.path().join("ftpd.passwd");
    let mut p = PasswdFile::load(&passwd).unwrap();
    p.set_user(&entry("bob", "!", 2002)).unwrap();
    p.save().unwrap();
    let fp = FileProvider::new(Some(&passwd), Some(&path));
    let Flow::Break(Ok(id)) = fp.lookup("bob") else {
        panic!("bob not found");
    };
    assert_eq!(id.groups, vec![2000]);
    assert_eq!(id.group_names, vec!["ftp"]);
}
