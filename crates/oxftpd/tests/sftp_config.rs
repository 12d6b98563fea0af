//! mod_sftp's directives beyond the basics: algorithm lists (`SFTPCiphers`), strict key
//! exchange against Terrapin on by default, `SFTPAuthMethods` chains, keyboard-interactive,
//! and the directives oxftpd refuses with a reason at `-t` time.

mod sftp_support;

use std::fs;
use std::process::Command;

use oxftpd_testkit::Setup;
use oxftpd_testkit::tools::path_arg;
use sftp_support::{Auth, common_opts, have_clients, shown, start};

/// `sftp` with extra client options, key login, one `pwd`.
fn probe(s: &sftp_support::SftpServer, extra: &[&str]) -> std::process::Output {
    let here = s.local("probe");
    let batch = here.join("batch");
    fs::write(&batch, "pwd\n").expect("batch");
    let mut c = Command::new("sftp");
    c.args(["-o", "BatchMode=yes", "-i", path_arg(&s.key)])
        .args(extra)
        .args(common_opts(s.port))
        .args(["-b", path_arg(&batch), "alice@127.0.0.1"]);
    c.output().expect("sftp")
}

#[test]
fn sftp_ciphers_limits_what_clients_may_choose() {
    if !have_clients() {
        return;
    }
    let s = start("SFTPCiphers aes256-ctr aes192-ctr", |_, _| {});
    let out = probe(&s, &["-c", "aes256-ctr"]);
    assert!(out.status.success(), "{}", shown(&out));
    let out = probe(&s, &["-c", "aes128-ctr"]);
    assert!(!out.status.success(), "{}", shown(&out));
}

#[test]
fn old_ciphers_are_refused_by_default() {
    if !have_clients() {
        return;
    }
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::deliberately_differs!(
        target,
        "ProFTPD 1.3.8 still offers CBC ciphers by default; oxftpd offers only CTR, GCM and ChaCha20"
    );
    let s = start("", |_, _| {});
    for cipher in ["aes128-cbc", "3des-cbc"] {
        let out = probe(&s, &["-c", cipher]);
        assert!(!out.status.success(), "{cipher}: {}", shown(&out));
    }
}

#[test]
fn strict_key_exchange_is_on_by_default() {
    if !have_clients() {
        return;
    }
    let s = start("", |_, _| {});
    let out = probe(&s, &["-o", "LogLevel=DEBUG3"]);
    assert!(out.status.success(), "{}", shown(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let server_kex = stderr
        .lines()
        .filter(|l| l.contains("KEX algorithms:"))
        .nth(1)
        .unwrap_or_default();
    assert!(
        server_kex.contains("kex-strict-s-v00@openssh.com"),
        "the server offers strict kex: {server_kex}"
    );
    assert!(
        stderr.contains("will use strict KEX ordering"),
        "strict kex chosen:\n{stderr}"
    );
}

#[test]
fn a_publickey_then_password_chain_needs_both() {
    if !have_clients() {
        return;
    }
    let s = start("SFTPAuthMethods publickey+password", |_, _| {});
    // The key alone is not enough.
    let out = probe(&s, &[]);
    assert!(!out.status.success(), "{}", shown(&out));
    // The password alone is not enough.
    let here = s.local("client");
    let out = s.sftp(Auth::Password("secret"), "pwd\n", &here);
    assert!(!out.status.success(), "{}", shown(&out));
    // Both, in order.
    let out = Command::new("sshpass")
        .args(["-p", "secret", "sftp", "-o", "BatchMode=no"])
        .args(["-i", path_arg(&s.key)])
        .args(common_opts(s.port))
        .args(["-b", "-", "alice@127.0.0.1"])
        .stdin(fs::File::open("/dev/null").expect("null"))
        .output()
        .expect("sftp");
    assert!(out.status.success(), "{}", shown(&out));
}

#[test]
fn keyboard_interactive_asks_for_the_password() {
    if !have_clients() {
        return;
    }
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::deliberately_differs!(
        target,
        "ProFTPD offers keyboard-interactive only with mod_sftp_pam; oxftpd asks for the password of the AuthOrder chain"
    );
    let s = start("SFTPAuthMethods keyboard-interactive", |_, alice| {
        fs::write(alice.home.join("k.txt"), b"kbd").expect("file");
    });
    let here = s.local("client");
    let out = Command::new("sshpass")
        .args([
            "-p",
            "secret",
            "-P",
            "assword",
            "sftp",
            "-o",
            "BatchMode=no",
        ])
        .args(["-o", "PubkeyAuthentication=no"])
        .args(["-o", "PreferredAuthentications=keyboard-interactive"])
        .args(common_opts(s.port))
        .args(["-b", "-", "alice@127.0.0.1"])
        .current_dir(&here)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            if let Some(mut i) = c.stdin.take() {
                i.write_all(b"get k.txt\n")?;
            }
            c.wait_with_output()
        })
        .expect("sftp");
    assert!(out.status.success(), "{}", shown(&out));
    assert_eq!(fs::read(here.join("k.txt")).expect("download"), b"kbd");
}

#[test]
fn refused_directives_name_the_line_and_the_reason() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "the refusals and their words are oxftpd's");
    for (line, words) in [
        ("SFTPCryptoDevice all", "pure Rust"),
        ("SFTPTrafficPolicy rogaway", "SSH_MSG_IGNORE"),
        (
            "SFTPClientMatch \".*\" channelWindowSize 1GB",
            "SFTP version 3",
        ),
        ("SFTPDHParamFile /etc/ssh/moduli", "RFC 3526"),
        ("SFTPCiphers 3des-cbc", "not safe"),
        ("SFTPCiphers rot13-ctr", "unsupported cipher"),
        ("SFTPOptions AllowInsecureLogin", "IgnoreSFTPUploadPerms"),
        ("SFTPAuthorizedUserKeys redis:/get-keys", "mod_redis"),
        (
            "SFTPPassPhraseProvider /bin/true",
            "not allowed in <VirtualHost>",
        ),
        ("SFTPAuthMethods hostbased", "hostbased"),
        ("SFTPKeyExchanges diffie-hellman-group1-sha1", "not safe"),
        ("SFTPRekey required 1800 1024 300", "rekey timeout"),
    ] {
        let mut setup = Setup::new(&target).expect("setup");
        setup.config(&format!(
            "<VirtualHost 127.0.0.1>\nPort 2\nSFTPEngine on\n{line}\n</VirtualHost>\n"
        ));
        let out = setup.check_config().expect("-t");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{line}: accepted\n{stderr}");
        let directive = line.split_whitespace().next().unwrap_or_default();
        assert!(
            stderr.contains(directive) && stderr.contains(words),
            "{line}: {stderr}"
        );
        assert!(stderr.contains("proftpd.conf:"), "file and line: {stderr}");
    }
}

#[test]
fn sftp_engine_without_a_host_key_is_an_error() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "the message is oxftpd's");
    let mut setup = Setup::new(&target).expect("setup");
    let port = oxftpd_testkit::free_port().expect("port");
    setup.config(&format!(
        "<VirtualHost 127.0.0.1>\nPort {port}\nSFTPEngine on\n</VirtualHost>\n"
    ));
    match oxftpd_testkit::TestServer::start(setup) {
        Ok(s) => panic!("started without a host key:\n{}", s.log()),
        Err(e) => assert!(e.to_string().contains("SFTPHostKey"), "{e}"),
    }
}

#[test]
fn a_host_key_from_oxftpctl_is_the_one_served() {
    if !have_clients() {
        return;
    }
    let s = start("SFTPHostKey LOGDIR/ctl_host_key", |setup, _| {
        let key = setup.dir().join("ctl_host_key");
        let out = Command::new(env!("CARGO_BIN_EXE_oxftpctl"))
            .args(["hostkey", "--key", path_arg(&key)])
            .output()
            .expect("oxftpctl");
        assert!(out.status.success(), "{}", shown(&out));
    });
    let public = fs::read_to_string(s.server.dir().join("ctl_host_key.pub")).expect("pub");
    let known = s.server.dir().join("known_hosts");
    fs::write(&known, format!("[127.0.0.1]:{} {}", s.port, public)).expect("known_hosts");
    let batch = s.local("probe").join("batch");
    fs::write(&batch, "pwd\n").expect("batch");
    let out = Command::new("sftp")
        .args(["-o", "BatchMode=yes", "-i", path_arg(&s.key)])
        .args(["-o", "StrictHostKeyChecking=yes"])
        .args(["-o", &format!("UserKnownHostsFile={}", known.display())])
        .args([
            "-o",
            "HostKeyAlgorithms=ssh-ed25519",
            "-o",
            "LogLevel=ERROR",
        ])
        .args(["-P", &s.port.to_string()])
        .args(["-b", path_arg(&batch), "alice@127.0.0.1"])
        .output()
        .expect("sftp");
    assert!(out.status.success(), "{}", shown(&out));
}

#[test]
fn dsa_host_keys_are_skipped_and_alone_are_an_error() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(
        target,
        "ProFTPD serves ssh-dss host keys; oxftpd skips them (no DSA in russh, removed from OpenSSH 9.8)"
    );
    if !have_clients() {
        return;
    }
    // As ProFTPD's own configurations write it: an RSA and a DSA key (PEM and OpenSSH forms).
    let s = start(
        "SFTPHostKey LOGDIR/host_rsa\nSFTPHostKey LOGDIR/host_dsa_pem\nSFTPHostKey LOGDIR/host_dsa",
        |setup, _| {
            let d = setup.dir().to_path_buf();
            sftp_support::keygen(&d.join("host_dsa_pem"), "dsa", &["-m", "PEM"]);
            sftp_support::keygen(&d.join("host_dsa"), "dsa", &[]);
        },
    );
    let cwd = s.local("dsa");
    let out = s.sftp(sftp_support::Auth::Key(&s.key), "pwd\n", &cwd);
    assert!(out.status.success(), "{}", shown(&out));

    let mut setup = Setup::new(&target).expect("setup");
    let d = setup.dir().to_path_buf();
    sftp_support::keygen(&d.join("only_dsa"), "dsa", &["-m", "PEM"]);
    let port = oxftpd_testkit::free_port().expect("port");
    setup.config(&format!(
        "<VirtualHost 127.0.0.1>\nPort {port}\nSFTPEngine on\nSFTPHostKey {}/only_dsa\n</VirtualHost>\n",
        d.display()
    ));
    match oxftpd_testkit::TestServer::start(setup) {
        Ok(s) => panic!("started with only a DSA host key:\n{}", s.log()),
        Err(e) => assert!(
            e.to_string().contains("DSA (ssh-dss) keys are not served"),
            "{e}"
        ),
    }
}
