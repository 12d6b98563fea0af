//! mod_sftp_pam: keyboard-interactive logins through a real PAM stack, the service file
//! written to `/etc/pam.d/oxftpd-test-<random>` (removed afterwards), a system user made by
//! `useradd`, OpenSSH's `sftp` answering PAM's `Password:` prompt through `sshpass`. Root
//! only (useradd, /etc/pam.d); returns early otherwise.

mod pam_fixture;
mod sftp_support;

use std::process::{Command, Output, Stdio};

use pam_fixture::{PamService, SystemUser, root};
use sftp_support::{common_opts, have_clients, shown};

const PAM_UNIX: &str =
    "auth required pam_unix.so\naccount required pam_unix.so\nsession required pam_permit.so\n";
const PAM_DENY: &str =
    "auth required pam_deny.so\naccount required pam_deny.so\nsession required pam_deny.so\n";

/// `sftp` as `user` with keyboard-interactive only, `password` typed at each prompt.
fn kbdint(port: u16, user: &str, password: &str) -> Output {
    let mut child = Command::new("sshpass")
        .args(["-p", password, "sftp", "-o", "BatchMode=no"])
        .args(["-o", "PubkeyAuthentication=no"])
        .args(["-o", "PreferredAuthentications=keyboard-interactive"])
        .args(["-o", "NumberOfPasswordPrompts=1"])
        .args(common_opts(port))
        .args(["-b", "-", &format!("{user}@127.0.0.1")])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sftp");
    if let Some(mut stdin) = child.stdin.take() {
        use std::io::Write;
        let _ = stdin.write_all(b"pwd\n");
    }
    child.wait_with_output().expect("sftp output")
}

fn server(pam: &str) -> (sftp_support::SftpServer, SystemUser, PamService) {
    let service = PamService::new(pam);
    let mut user = None;
    let s = sftp_support::start_with(&oxftpd_testkit::target!(), |setup, _| {
        user = Some(SystemUser::new(
            &setup.dir().join("home/pamuser"),
            "pam-secret",
        ));
        format!(
            "SFTPAuthMethods keyboard-interactive\nSFTPPAMEngine on\nSFTPPAMServiceName {}\n\
             AuthOrder mod_sftp_pam.c* mod_auth_unix.c",
            service.name
        )
    });
    let user = user.expect("system user");
    (s, user, service)
}

#[test]
fn keyboard_interactive_answers_the_pam_stack() {
    if !root() || !have_clients() {
        return;
    }
    let (s, user, _svc) = server(PAM_UNIX);
    let out = kbdint(s.port, &user.name, "pam-secret");
    let sftp_log = std::fs::read_to_string(s.server.dir().join("sftp.log")).unwrap_or_default();
    assert!(out.status.success(), "{}\n{sftp_log}", shown(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Remote working directory: /"),
        "{}",
        shown(&out)
    );
    let out = kbdint(s.port, &user.name, "wrong");
    assert!(!out.status.success(), "{}", shown(&out));
}

#[test]
fn pam_deny_refuses_even_the_right_password() {
    if !root() || !have_clients() {
        return;
    }
    let (s, user, _svc) = server(PAM_DENY);
    let out = kbdint(s.port, &user.name, "pam-secret");
    assert!(!out.status.success(), "{}", shown(&out));
}
