//! The permission matrix of `hostile_permissions.rs` over SFTP (paramiko): alice, in a
//! group-writable set-group-id (2775) directory she shares with bob, may overwrite only the
//! files the kernel lets her write (bob's group-writable file, her own 0640), not bob's 0644
//! file, a root-owned 0600 one or her own 0444 one, with and without `HiddenStores`; a refused
//! write changes neither the bytes nor the owner, group or mode, and leaves nothing behind;
//! reading root's 0600 file is refused.

mod sftp_support;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::Command;

use sftp_support::{have_clients, have_paramiko, start_with};

/// The test group's gid (the testkit's `ftpusers`).
const GROUP: u32 = 60001;

const SCRIPT: &str = r#"
import sys, paramiko
t = paramiko.Transport(("127.0.0.1", int(sys.argv[1])))
t.connect(username="alice", password="secret")
sftp = paramiko.SFTPClient.from_transport(t)
for name in sys.argv[2:]:
    try:
        f = sftp.open("shared/" + name, "w")
        f.write(b"replaced by alice\n")
        f.close()
        print(name, "written")
    except IOError as e:
        print(name, "refused", e.errno)
try:
    sftp.open("shared/root_secret.txt", "r").read()
    print("read root_secret.txt")
except IOError as e:
    print("read refused", e.errno)
t.close()
"#;

fn owner_mode(path: &Path) -> (u32, u32, u32) {
    let m = std::fs::metadata(path).unwrap_or_else(|e| panic!("stat {}: {e}", path.display()));
    (m.uid(), m.gid(), m.mode() & 0o7777)
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn sftp_writes_over_the_matrix(extra: &str) {
    if !have_clients() || !have_paramiko() {
        return;
    }
    let target = oxftpd_testkit::target!();
    let mut files = Vec::new();
    let mut shared_dir = None;
    let s = start_with(&target, |setup, alice| {
        let bob = setup.add_user("bob", "secret").expect("bob");
        let shared = alice.home.join("shared");
        std::fs::create_dir(&shared).expect("shared");
        std::os::unix::fs::chown(&shared, Some(0), Some(GROUP)).expect("chown shared");
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o2775))
            .expect("chmod shared");
        files = vec![
            ("bob_report.txt", bob.uid, GROUP, 0o644, false),
            ("root_secret.txt", 0, 0, 0o600, false),
            ("alice_readonly.txt", alice.uid, GROUP, 0o444, false),
            ("alice_own.txt", alice.uid, GROUP, 0o640, true),
            ("bob_groupwritable.txt", bob.uid, GROUP, 0o664, true),
        ];
        for (name, uid, gid, mode, _) in &files {
            let p = shared.join(name);
            std::fs::write(&p, b"original\n").expect("file");
            std::os::unix::fs::chown(&p, Some(*uid), Some(*gid)).expect("chown");
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(*mode)).expect("chmod");
        }
        shared_dir = Some(shared);
        extra.to_string()
    });
    let shared = shared_dir.expect("shared");
    let before = names(&shared);
    let out = Command::new("/usr/bin/python3")
        .args(["-c", SCRIPT, &s.port.to_string()])
        .args(files.iter().map(|f| f.0))
        .output()
        .expect("python3");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{text}{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        s.server.log()
    );
    for (name, uid, gid, mode, writable) in &files {
        let path = shared.join(name);
        let line = text
            .lines()
            .find(|l| l.split(' ').next() == Some(*name))
            .unwrap_or_else(|| panic!("{name}: {text}"));
        let bytes = std::fs::read(&path).expect("read back");
        if *writable {
            assert_eq!(line, format!("{name} written"), "{extra}");
            assert_eq!(bytes, b"replaced by alice\n", "{extra}: {name}");
        } else {
            // EACCES (13) from SSH_FX_PERMISSION_DENIED.
            assert_eq!(line, format!("{name} refused 13"), "{extra}");
            assert_eq!(bytes, b"original\n", "{extra}: {name} was changed");
        }
        assert_eq!(
            owner_mode(&path),
            (*uid, *gid, *mode),
            "{extra}: owner, group or mode of {name} changed"
        );
    }
    assert!(text.contains("read refused 13"), "{text}");
    assert_eq!(names(&shared), before, "{extra}: files left behind or lost");
}

#[test]
fn sftp_writes_need_write_permission_on_the_file() {
    sftp_writes_over_the_matrix("");
}

#[test]
fn sftp_writes_need_write_permission_with_hidden_stores() {
    oxftpd_testkit::deliberately_differs!(
        oxftpd_testkit::target!(),
        "ProFTPD 1.3.8's mod_sftp with HiddenStores renames the upload over bob's 0644 file \
         (observed): the hole issue 19 closed for FTP, closed here for SFTP too"
    );
    sftp_writes_over_the_matrix("HiddenStores on");
}
