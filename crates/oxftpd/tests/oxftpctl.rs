//! `oxftpctl passwd` end to end: run the binary, read the files it writes.

use std::fs;
use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use oxftpd_auth::entries::PasswdEntry;
use oxftpd_auth::{AuthProvider, FileProvider, Flow, crypt};

/// Runs `oxftpctl ARGS` in `dir`, feeding `stdin`.
fn run(dir: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_oxftpctl"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("test set-up");
    // A usage error may end the child before it reads stdin: a broken pipe is fine then.
    if let Some(mut input) = child.stdin.take() {
        let _ = input.write_all(stdin.as_bytes());
    }
    child.wait_with_output().expect("test set-up")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn only_entry(path: &Path) -> PasswdEntry {
    let text = fs::read_to_string(path).expect("test set-up");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1, "{text}");
    PasswdEntry::parse(lines[0]).expect("test set-up")
}

#[test]
fn create_user_in_default_file() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().to_str().unwrap();
    let o = run(
        dir.path(),
        &[
            "passwd",
            "--passwd",
            "--name",
            "alice",
            "--uid",
            "2001",
            "--gid",
            "2000",
            "--home",
            home,
            "--shell",
            "/bin/false",
            "--stdin",
        ],
        "open sesame\n",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "oxftpctl: entry created\n");
    let path = dir.path().join("ftpd.passwd");
    assert_eq!(fs::metadata(&path).unwrap().mode() & 0o777, 0o440);
    let e = only_entry(&path);
    assert_eq!(e.name, "alice");
    assert_eq!((e.uid, e.gid), (2001, 2000));
    assert_eq!(e.home, home);
    assert_eq!(e.shell, "/bin/false");
    assert!(e.hash.starts_with("$6$"), "{}", e.hash);
    assert!(crypt::verify("open sesame", &e.hash));
    assert!(!crypt::verify("open sesame\n", &e.hash));

    // And the server side accepts it.
    let p = FileProvider::new(Some(&path), None);
    assert!(matches!(
        p.authenticate("alice", "open sesame"),
        Flow::Break(Ok(_))
    ));
}

#[test]
fn yescrypt_gid_default_update_lock_delete() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("users");
    let file_s = file.to_str().unwrap();
    let base = [
        "passwd",
        "--passwd",
        "--name",
        "bob",
        "--uid",
        "3001",
        "--home",
        "/srv/ftp/bob/",
        "--shell",
        "/bin/false",
        "--stdin",
        "--file",
        file_s,
    ];
    let mut args = base.to_vec();
    args.extend(["--hash", "yescrypt"]);
    let o = run(dir.path(), &args, "pw1\n");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("default gid set to uid"),
        "{}",
        stderr(&o)
    );
    let e = only_entry(&file);
    assert_eq!(e.gid, 3001);
    assert_eq!(e.home, "/srv/ftp/bob");
    assert!(e.hash.starts_with("$y$"), "{}", e.hash);
    assert!(crypt::verify("pw1", &e.hash));

    // Same name again: updated in place.
    let o = run(dir.path(), &base, "pw2\n");
    assert_eq!(stdout(&o), "oxftpctl: entry updated\n");
    let e = only_entry(&file);
    assert!(crypt::verify("pw2", &e.hash) && !crypt::verify("pw1", &e.hash));

    // --change-password keeps everything else.
    let o = run(
        dir.path(),
        &[
            "passwd",
            "--passwd",
            "--name",
            "bob",
            "--change-password",
            "--stdin",
            "--file",
            file_s,
        ],
        "pw3\n",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let e3 = only_entry(&file);
    assert_eq!((e3.uid, &e3.home), (3001, &e.home));
    assert!(crypt::verify("pw3", &e3.hash));

    // Lock and unlock.
    let o = run(
        dir.path(),
        &[
            "passwd", "--passwd", "--name", "bob", "--lock", "--file", file_s,
        ],
        "",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(only_entry(&file).hash, format!("!{}", e3.hash));
    assert!(!crypt::verify("pw3", &only_entry(&file).hash));
    let o = run(
        dir.path(),
        &[
            "passwd", "--passwd", "--name", "bob", "-u", "--file", file_s,
        ],
        "",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(only_entry(&file).hash, e3.hash);

    // Delete, then deleting again fails.
    let o = run(
        dir.path(),
        &[
            "passwd",
            "--passwd",
            "--name",
            "bob",
            "--delete-user",
            "--file",
            file_s,
        ],
        "",
    );
    assert_eq!(stdout(&o), "oxftpctl: entry deleted\n");
    assert_eq!(fs::read_to_string(&file).unwrap(), "");
    let o = run(
        dir.path(),
        &[
            "passwd",
            "--passwd",
            "--name",
            "bob",
            "--delete-user",
            "--file",
            file_s,
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no such entry 'bob'"), "{}", stderr(&o));
}

#[test]
fn groups() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(
        dir.path(),
        &[
            "passwd", "--group", "--name", "ftp", "--gid", "2000", "-m", "alice", "--member", "bob",
        ],
        "",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let path = dir.path().join("ftpd.group");
    assert_eq!(fs::read_to_string(&path).unwrap(), "ftp:x:2000:alice,bob\n");
    assert_eq!(fs::metadata(&path).unwrap().mode() & 0o777, 0o440);

    let o = run(
        dir.path(),
        &[
            "passwd",
            "--group",
            "--name",
            "ftp",
            "--add-member",
            "carol",
        ],
        "",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(
        dir.path(),
        &[
            "passwd",
            "--group",
            "--name",
            "ftp",
            "--delete-member",
            "alice",
        ],
        "",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(fs::read_to_string(&path).unwrap(), "ftp:x:2000:bob,carol\n");

    let o = run(
        dir.path(),
        &["passwd", "--group", "--name", "web", "--gid", "2100"],
        "",
    );
    assert_eq!(stdout(&o), "oxftpctl: entry created\n");
    let o = run(
        dir.path(),
        &["passwd", "--group", "--name", "ftp", "--delete-group"],
        "",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(fs::read_to_string(&path).unwrap(), "web:x:2100:\n");
}

#[test]
fn usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    // No mode.
    let o = run(dir.path(), &["passwd", "--name", "x"], "");
    assert_eq!(o.status.code(), Some(2));
    // Both modes.
    let o = run(
        dir.path(),
        &["passwd", "--passwd", "--group", "--name", "x"],
        "",
    );
    assert_eq!(o.status.code(), Some(2));
    // Missing --uid.
    let o = run(
        dir.path(),
        &[
            "passwd", "--passwd", "--name", "x", "--home", "/h", "--shell", "/bin/sh", "--stdin",
        ],
        "pw\n",
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "oxftpctl: --passwd: missing required argument: --uid\n"
    );
    // Relative home.
    let o = run(
        dir.path(),
        &[
            "passwd", "--passwd", "--name", "x", "--uid", "1", "--home", "h", "--shell", "/bin/sh",
            "--stdin",
        ],
        "pw\n",
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("relative path"), "{}", stderr(&o));
    // A ':' in a field would corrupt the file.
    let o = run(
        dir.path(),
        &[
            "passwd", "--passwd", "--name", "x:y", "--uid", "1", "--home", "/h", "--shell",
            "/bin/sh", "--stdin",
        ],
        "pw\n",
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(!dir.path().join("ftpd.passwd").exists());
    // Group without gid.
    let o = run(dir.path(), &["passwd", "--group", "--name", "g"], "");
    assert_eq!(o.status.code(), Some(1));
    // Passwd-only option in group mode.
    let o = run(
        dir.path(),
        &["passwd", "--group", "--name", "g", "--uid", "1"],
        "",
    );
    assert_eq!(o.status.code(), Some(2));
}
