//! mod_sftp behaviour ProFTPD's own `mod_sftp.t` checks, with real clients: the version
//! exchange (`Protocol mismatch.`, `SSH-2.0-mod_sftp`, `ServerIdent`), directory listings
//! (`.` and `..`, `HideFiles`, `<Limit LIST>` giving an empty listing), `REALPATH` through
//! symbolic links, and an encrypted host key opened with `SFTPPassPhraseProvider`.

mod sftp_support;

use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::process::Command;
use std::time::Duration;

use oxftpd_testkit::tools::{path_arg, run_ok};
use sftp_support::{Auth, have_clients, shown, start};

/// What the server sends on a connection whose client says `line`, until it closes.
fn answer_to(port: u16, line: &[u8]) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    s.write_all(line).expect("write");
    let mut got = Vec::new();
    let mut buf = [0u8; 256];
    while let Ok(n) = s.read(&mut buf) {
        if n == 0 || got.len() > 4096 {
            break;
        }
        got.extend_from_slice(&buf[..n]);
    }
    String::from_utf8_lossy(&got).into_owned()
}

#[test]
fn bad_version_lines_are_told_protocol_mismatch() {
    if !have_clients() {
        return;
    }
    let s = start("", |_, _| {});
    let long = format!("SSH-2.0-{}\r\n", "AAAA".repeat(1024));
    for bad in [
        &b"AAAA\r\n"[..],
        b"SSH-6.6-FOO\r\n",
        b"SSH-2.0-\r\n",
        long.as_bytes(),
    ] {
        let got = answer_to(s.port, bad);
        assert!(got.starts_with("SSH-2.0-mod_sftp\r\n"), "{got:?}");
        assert!(got.ends_with("Protocol mismatch.\n"), "{bad:?}: {got:?}");
    }
}

#[test]
fn server_ident_on_names_the_version_line() {
    if !have_clients() {
        return;
    }
    let s = start("ServerIdent on \"MyServer_1.0\"", |_, _| {});
    let got = answer_to(s.port, b"AAAA\r\n");
    assert!(got.starts_with("SSH-2.0-MyServer_1.0\r\n"), "{got:?}");
}

#[test]
fn listings_have_dot_entries_and_honour_hidefiles() {
    if !have_clients() {
        return;
    }
    let s = start(
        "<Directory ~>\nHideFiles \\.secret$\n</Directory>",
        |_, alice| {
            fs::write(alice.home.join("shown.txt"), b"a").expect("file");
            fs::write(alice.home.join("hidden.secret"), b"b").expect("file");
        },
    );
    let here = s.local("client");
    let out = s.sftp(Auth::Key(&s.key), "ls -1a\n", &here);
    assert!(out.status.success(), "{}", shown(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let names: Vec<&str> = stdout.lines().map(str::trim).collect();
    for want in [".", "..", "shown.txt"] {
        assert!(names.contains(&want), "{want} missing: {stdout}");
    }
    assert!(!names.contains(&"hidden.secret"), "HideFiles: {stdout}");
}

#[test]
fn limit_list_leaves_the_directory_openable_but_empty() {
    if !have_clients() {
        return;
    }
    let s = start("<Limit LIST>\nDenyAll\n</Limit>", |_, alice| {
        fs::write(alice.home.join("file.txt"), b"a").expect("file");
    });
    let here = s.local("client");
    let out = s.sftp(Auth::Key(&s.key), "ls -1a\nget file.txt\n", &here);
    assert!(out.status.success(), "{}", shown(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !stdout.lines().any(|l| l.trim() == "file.txt"),
        "listing must be empty: {stdout}"
    );
    assert_eq!(fs::read(here.join("file.txt")).expect("download"), b"a");
}

#[test]
fn realpath_and_rmdir_follow_symbolic_links_inside_the_jail() {
    if !have_clients() {
        return;
    }
    let s = start("", |_, alice| {
        fs::create_dir(alice.home.join("real.d")).expect("dir");
        fs::create_dir(alice.home.join("gone.d")).expect("dir");
        symlink("real.d", alice.home.join("link.d")).expect("symlink");
        symlink("gone.d", alice.home.join("gone.lnk")).expect("symlink");
        for d in ["real.d", "gone.d"] {
            std::os::unix::fs::chown(alice.home.join(d), Some(alice.uid), Some(alice.gid))
                .expect("chown");
        }
    });
    let here = s.local("client");
    let out = s.sftp(
        Auth::Key(&s.key),
        "cd link.d\npwd\ncd /\nrmdir gone.lnk\n",
        &here,
    );
    assert!(out.status.success(), "{}", shown(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("Remote working directory: /real.d"),
        "{stdout}"
    );
    assert!(
        !s.alice.home.join("gone.d").exists(),
        "rmdir followed the link"
    );
}

#[test]
fn an_encrypted_host_key_is_opened_with_the_passphrase_provider() {
    if !have_clients() {
        return;
    }
    let s = sftp_support::start_with(&oxftpd_testkit::target!(), |setup, _| {
        let d = setup.dir().to_path_buf();
        let key = d.join("host_locked");
        run_ok(Command::new("ssh-keygen").args([
            "-q",
            "-t",
            "ed25519",
            "-N",
            "s3cret-phrase",
            "-f",
            path_arg(&key),
        ]));
        let provider = d.join("passphrase.sh");
        fs::write(&provider, "#!/bin/sh\necho s3cret-phrase\n").expect("provider");
        fs::set_permissions(&provider, fs::Permissions::from_mode(0o700)).expect("mode");
        // A main-server directive, as in ProFTPD (whose mod_sftp must be loaded first).
        setup.config(&format!(
            "<IfModule mod_dso.c>\nLoadModule mod_sftp.c\n</IfModule>\nSFTPPassPhraseProvider {}",
            provider.display()
        ));
        format!("SFTPHostKey {}", key.display())
    });
    let here = s.local("client");
    let out = s.sftp(Auth::Key(&s.key), "pwd\n", &here);
    assert!(out.status.success(), "{}", shown(&out));
}
