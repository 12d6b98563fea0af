//! mod_sftp with OpenSSH's `sftp`: key and password logins, a wrong password, uploads and
//! downloads (bytes on disk, owned by the user), listings, renames and removals, a `<Limit
//! WRITE>` refusal, jail escapes through `..` and symbolic links, and the ExtendedLog lines
//! the requests leave (as the FTP commands mod_sftp maps them to).

mod sftp_support;

use std::fs;
use std::os::unix::fs::{MetadataExt, symlink};

use oxftpd_testkit::fixtures::random_bytes;
use sftp_support::{Auth, have_clients, shown, start};

#[test]
fn key_login_uploads_lists_downloads_renames_and_removes() {
    if !have_clients() {
        return;
    }
    let s = start("", |_, _| {});
    let here = s.local("client");
    let payload = random_bytes(200_000, 17);
    fs::write(here.join("up.bin"), &payload).expect("local file");
    let out = s.sftp(
        Auth::Key(&s.key),
        "put up.bin\nls -1\nmkdir sub\nrename up.bin sub/moved.bin\nget sub/moved.bin back.bin\n",
        &here,
    );
    assert!(out.status.success(), "{}", shown(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.lines().any(|l| l.trim() == "up.bin"),
        "listing shows the upload: {stdout}"
    );
    let on_disk = s.alice.home.join("sub/moved.bin");
    assert_eq!(fs::read(&on_disk).expect("uploaded file"), payload);
    let meta = fs::metadata(&on_disk).expect("stat");
    assert_eq!(meta.uid(), s.alice.uid, "the upload belongs to alice");
    assert_eq!(
        fs::metadata(s.alice.home.join("sub")).expect("dir").uid(),
        s.alice.uid
    );
    assert_eq!(fs::read(here.join("back.bin")).expect("download"), payload);
    assert!(!s.alice.home.join("up.bin").exists());

    let out = s.sftp(Auth::Key(&s.key), "rm sub/moved.bin\nrmdir sub\n", &here);
    assert!(out.status.success(), "{}", shown(&out));
    assert!(!s.alice.home.join("sub").exists(), "rmdir removed it");
}

#[test]
fn password_login_works_and_a_wrong_password_is_refused() {
    if !have_clients() {
        return;
    }
    let s = start("", |_, alice| {
        fs::write(alice.home.join("hello.txt"), b"hello\n").expect("file");
    });
    let here = s.local("client");
    let out = s.sftp(Auth::Password("secret"), "get hello.txt\n", &here);
    assert!(out.status.success(), "{}", shown(&out));
    assert_eq!(
        fs::read(here.join("hello.txt")).expect("download"),
        b"hello\n"
    );

    let out = s.sftp(Auth::Password("wrong"), "ls\n", &here);
    assert!(!out.status.success(), "{}", shown(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Permission denied"), "{stderr}");
}

#[test]
fn limit_write_refuses_uploads_but_not_downloads() {
    if !have_clients() {
        return;
    }
    let mut ro = std::path::PathBuf::new();
    let s = start_with_ro(&mut ro);
    let here = s.local("client");
    fs::write(here.join("x.txt"), b"x").expect("local");
    let out = s.sftp(Auth::Key(&s.key), "put x.txt ro/x.txt\n", &here);
    assert!(!out.status.success(), "{}", shown(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("ermission denied"),
        "{}",
        shown(&out)
    );
    assert!(!ro.join("x.txt").exists(), "nothing was written");
    let out = s.sftp(Auth::Key(&s.key), "get ro/readme.txt\n", &here);
    assert!(out.status.success(), "{}", shown(&out));
    assert_eq!(
        fs::read(here.join("readme.txt")).expect("download"),
        b"read me"
    );
    // Writing elsewhere still works.
    let out = s.sftp(Auth::Key(&s.key), "put x.txt\n", &here);
    assert!(out.status.success(), "{}", shown(&out));
}

fn start_with_ro(ro: &mut std::path::PathBuf) -> sftp_support::SftpServer {
    let target = oxftpd_testkit::target!();
    let mut setup_dir = None;
    let s = sftp_support::start_with(&target, |setup, alice| {
        let dir = alice.home.join("ro");
        fs::create_dir(&dir).expect("ro");
        fs::write(dir.join("readme.txt"), b"read me").expect("readme");
        std::os::unix::fs::chown(&dir, Some(alice.uid), Some(alice.gid)).expect("chown");
        setup_dir = Some(dir.clone());
        let _ = setup;
        format!(
            "<Directory {}>\n<Limit WRITE>\nDenyAll\n</Limit>\n</Directory>\n",
            dir.display()
        )
    });
    *ro = setup_dir.unwrap_or_default();
    s
}

#[test]
fn jail_escapes_are_refused() {
    if !have_clients() {
        return;
    }
    let s = start("", |setup, alice| {
        fs::write(setup.dir().join("outside.txt"), b"secret outside").expect("outside");
        symlink(setup.dir().join("outside.txt"), alice.home.join("out-link")).expect("symlink");
        symlink("../../outside.txt", alice.home.join("rel-link")).expect("symlink");
    });
    let here = s.local("client");
    fs::write(here.join("f.txt"), b"f").expect("local");
    for batch in [
        "get ../../outside.txt\n",
        "get out-link\n",
        "get rel-link\n",
        "get /../../../outside.txt\n",
    ] {
        let out = s.sftp(Auth::Key(&s.key), batch, &here);
        assert!(!out.status.success(), "{batch}: {}", shown(&out));
        assert!(!here.join("outside.txt").exists(), "{batch}");
    }
    for name in ["out-link", "rel-link"] {
        assert!(!here.join(name).exists(), "{name} was not downloaded");
    }
    // An upload to a path above the root lands inside it.
    let out = s.sftp(Auth::Key(&s.key), "put f.txt ../../../escaped.txt\n", &here);
    assert!(out.status.success(), "{}", shown(&out));
    assert!(
        s.alice.home.join("escaped.txt").exists(),
        "kept in the jail"
    );
    assert!(!s.server.dir().join("escaped.txt").exists());
    assert_eq!(
        fs::read(s.server.dir().join("outside.txt")).expect("outside"),
        b"secret outside"
    );
}

#[test]
fn requests_are_logged_as_the_ftp_commands_they_map_to() {
    if !have_clients() {
        return;
    }
    let s = start("ExtendedLog LOGDIR/fmt.log ALL sftpfmt", |setup, _| {
        setup.config("LogFormat sftpfmt \"%m %f %s\"");
    });
    let here = s.local("client");
    fs::write(here.join("a.txt"), b"abc").expect("local");
    let out = s.sftp(
        Auth::Key(&s.key),
        "put a.txt\nmkdir d\nrmdir d\nget a.txt b.txt\nrm a.txt\n",
        &here,
    );
    assert!(out.status.success(), "{}", shown(&out));
    let log = fs::read_to_string(s.server.dir().join("fmt.log")).unwrap_or_default();
    for verb in ["STOR", "RETR", "MKD", "RMD", "DELE"] {
        assert!(
            log.lines().any(|l| l.starts_with(verb)),
            "{verb} in the ExtendedLog:\n{log}"
        );
    }
}

#[test]
fn hidden_stores_and_the_transfer_log_apply_to_uploads() {
    if !have_clients() {
        return;
    }
    let s = start("HiddenStores on\nTransferLog LOGDIR/xfer.log", |_, _| {});
    let here = s.local("client");
    let payload = random_bytes(50_000, 5);
    fs::write(here.join("up.bin"), &payload).expect("local");
    let out = s.sftp(
        Auth::Key(&s.key),
        "put up.bin\nget up.bin again.bin\n",
        &here,
    );
    assert!(out.status.success(), "{}", shown(&out));
    assert_eq!(
        fs::read(s.alice.home.join("up.bin")).expect("upload"),
        payload
    );
    let leftovers: Vec<_> = fs::read_dir(&s.alice.home)
        .expect("home")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".in."))
        .collect();
    assert!(leftovers.is_empty(), "hidden files left: {leftovers:?}");
    let log = fs::read_to_string(s.server.dir().join("xfer.log")).unwrap_or_default();
    let up = log
        .lines()
        .find(|l| l.contains("up.bin") && l.contains(" i r alice "))
        .unwrap_or_else(|| panic!("upload line in the TransferLog:\n{log}"));
    assert!(up.contains(" 50000 "), "bytes: {up}");
    assert!(
        log.lines()
            .any(|l| l.contains("up.bin") && l.contains(" o r alice ")),
        "download line:\n{log}"
    );
}

#[test]
fn the_display_banner_is_sent_before_authentication() {
    if !have_clients() {
        return;
    }
    let s = start("SFTPDisplayBanner LOGDIR/banner.txt", |setup, _| {
        fs::write(setup.dir().join("banner.txt"), "Authorized users only\n").expect("banner");
    });
    let here = s.local("client");
    let out = std::process::Command::new("sftp")
        .args(["-o", "BatchMode=yes", "-o", "LogLevel=INFO"])
        .args(["-i", oxftpd_testkit::tools::path_arg(&s.key)])
        .args(sftp_support::common_opts(s.port))
        .args(["-b", "/dev/null", "alice@127.0.0.1"])
        .current_dir(&here)
        .output()
        .expect("sftp");
    assert!(out.status.success(), "{}", shown(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Authorized users only"),
        "{}",
        shown(&out)
    );
}

#[test]
fn openssh_extensions_statvfs_hardlink_posix_rename_and_chmod() {
    if !have_clients() {
        return;
    }
    let s = start("", |_, alice| {
        for (name, body) in [("a.txt", b"aaa"), ("b.txt", b"bbb")] {
            let p = alice.home.join(name);
            fs::write(&p, body).expect("file");
            // Hard links need a file of one's own (fs.protected_hardlinks).
            std::os::unix::fs::chown(&p, Some(alice.uid), Some(alice.gid)).expect("chown");
        }
    });
    let here = s.local("client");
    let out = s.sftp(
        Auth::Key(&s.key),
        "df\nln a.txt hard.txt\nln -s a.txt soft.txt\nrename b.txt a.txt\nchmod 600 hard.txt\n",
        &here,
    );
    assert!(out.status.success(), "{}", shown(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("Avail"),
        "df (statvfs@openssh.com): {stdout}"
    );
    let home = &s.alice.home;
    // posix-rename replaced a.txt; the hard link still has the old contents.
    assert_eq!(fs::read(home.join("a.txt")).expect("a"), b"bbb");
    assert!(!home.join("b.txt").exists());
    assert_eq!(fs::read(home.join("hard.txt")).expect("hard"), b"aaa");
    assert_eq!(
        fs::metadata(home.join("hard.txt")).expect("hard").mode() & 0o777,
        0o600
    );
    assert_eq!(
        fs::read_link(home.join("soft.txt")).expect("symlink"),
        std::path::Path::new("a.txt")
    );
}

#[test]
fn an_sftp_session_is_on_the_scoreboard() {
    if !have_clients() {
        return;
    }
    // Debian's ftpwho (proftpd-core) reads the ScoreboardFile.
    let ftpwho = std::process::Command::new("ftpwho")
        .arg("-h")
        .output()
        .is_ok();
    assert!(ftpwho, "ftpwho (proftpd-core) is required");
    let s = start("", |_, _| {});
    let here = s.local("client");
    let mut child = std::process::Command::new("sftp")
        .args(["-o", "BatchMode=yes", "-i"])
        .arg(oxftpd_testkit::tools::path_arg(&s.key))
        .args(sftp_support::common_opts(s.port))
        .arg("alice@127.0.0.1")
        .current_dir(&here)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("sftp");
    let scoreboard = s.server.dir().join("run/oxftpd.scoreboard");
    let who = || {
        std::process::Command::new("ftpwho")
            .arg("-f")
            .arg(&scoreboard)
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    };
    let seen = oxftpd_testkit::wait_until(std::time::Duration::from_secs(15), || {
        who().contains("alice")
    });
    drop(child.stdin.take());
    let _ = child.wait();
    assert!(seen, "ftpwho shows alice's session:\n{}", who());
}

#[test]
fn a_killed_upload_leaves_no_hidden_store() {
    if !have_clients() {
        return;
    }
    let s = start("HiddenStores on", |_, _| {});
    let here = s.local("client");
    fs::write(here.join("big.bin"), random_bytes(64 << 20, 8)).expect("local");
    let mut child = std::process::Command::new("sftp")
        .args(["-o", "BatchMode=yes", "-i"])
        .arg(oxftpd_testkit::tools::path_arg(&s.key))
        .args(["-l", "8000"])
        .args(sftp_support::common_opts(s.port))
        .args(["-b", "-", "alice@127.0.0.1"])
        .current_dir(&here)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("sftp");
    if let Some(mut stdin) = child.stdin.take() {
        use std::io::Write;
        let _ = stdin.write_all(b"put big.bin\n");
    }
    let hidden = || {
        fs::read_dir(&s.alice.home)
            .map(|d| {
                d.filter_map(Result::ok)
                    .any(|e| e.file_name().to_string_lossy().starts_with(".in."))
            })
            .unwrap_or(false)
    };
    let started = oxftpd_testkit::wait_until(std::time::Duration::from_secs(15), hidden);
    let _ = child.kill();
    let _ = child.wait();
    assert!(started, "the upload began under a hidden name");
    let cleaned = oxftpd_testkit::wait_until(std::time::Duration::from_secs(15), || !hidden());
    assert!(cleaned, "the hidden file of the killed upload was removed");
    assert!(!s.alice.home.join("big.bin").exists());
}
