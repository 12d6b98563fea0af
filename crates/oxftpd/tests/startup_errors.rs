//! The FAQ's "the daemon won't start" puzzles, answered by the error message itself:
//! accounts that do not exist, ports that need root, ports in use, unresolvable
//! `<VirtualHost>` names.

use std::net::{Ipv4Addr, TcpListener};
use std::process::Command;

use oxftpd_testkit::Setup;

/// Runs the subject in the foreground on `setup`'s config; returns (exit code, stderr).
fn start_fails(setup: &Setup, wrap_unprivileged: bool) -> (Option<i32>, String) {
    let cmd = if wrap_unprivileged {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&setup.target().bin);
        c
    } else {
        Command::new(&setup.target().bin)
    };
    let out = setup.run_with_config(cmd, "-n").expect("run");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_group_that_does_not_exist_is_named_with_its_line() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "ProFTPD's message has no file:line");
    if !rustix::process::geteuid().is_root() {
        return;
    }
    let mut setup = Setup::new(&target).expect("setup");
    setup.config("Group nosuchgroupxyz");
    let (code, err) = start_fails(&setup, false);
    assert_eq!(code, Some(1), "{err}");
    let line = setup
        .config_text()
        .lines()
        .position(|l| l == "Group nosuchgroupxyz")
        .expect("line")
        + 1;
    assert!(
        err.contains(&format!(
            "{}:{line}: Group: no such group 'nosuchgroupxyz' (groups here include: root",
            setup.conf_path().display()
        )),
        "{err}"
    );
}

#[test]
fn a_user_that_does_not_exist_is_named() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "ProFTPD's message has no file:line");
    if !rustix::process::geteuid().is_root() {
        return;
    }
    let mut setup = Setup::new(&target).expect("setup");
    setup.config("User nosuchuserxyz");
    let (code, err) = start_fails(&setup, false);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("User: no such user 'nosuchuserxyz'"), "{err}");
}

#[test]
fn a_port_in_use_names_the_holder() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "ProFTPD only says 'Address already in use'");
    let setup = Setup::new(&target).expect("setup");
    let _holder = TcpListener::bind((Ipv4Addr::LOCALHOST, setup.port())).expect("hold the port");
    let (code, err) = start_fails(&setup, false);
    assert_eq!(code, Some(1), "{err}");
    let me = std::fs::read_to_string(format!("/proc/{}/comm", std::process::id())).expect("comm");
    assert!(
        err.contains(&format!(
            "cannot bind 127.0.0.1:{port}: Address already in use (os error 98): pid {} ({}) is already listening on port {port}",
            std::process::id(),
            me.trim(),
            port = setup.port()
        )),
        "{err}"
    );
}

#[test]
fn a_low_port_without_root_says_why() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "ProFTPD's message does not mention root");
    if !rustix::process::geteuid().is_root() {
        return;
    }
    let mut setup = Setup::new(&target).expect("setup");
    setup.config("Port 921");
    let (code, err) = start_fails(&setup, true);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains(
            "cannot bind 127.0.0.1:921: Permission denied (os error 13): port 921 is below 1024 and needs root (or CAP_NET_BIND_SERVICE)"
        ),
        "{err}"
    );
}

#[test]
fn a_virtual_host_that_does_not_resolve_is_named() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "ProFTPD warns and carries on");
    let mut setup = Setup::new(&target).expect("setup");
    setup.config("<VirtualHost no-such-host.invalid>\n  ServerName vh\n</VirtualHost>");
    let (code, err) = start_fails(&setup, false);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("no-such-host.invalid"), "{err}");
}

#[test]
fn a_counter_store_that_cannot_be_is_named() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "CounterStore is oxftpd's");
    let mut setup = Setup::new(&target).expect("setup");
    setup.config("CounterStore redis");
    let (code, err) = start_fails(&setup, false);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("CounterStore: a Redis counter store needs RedisEngine on in the main server"),
        "{err}"
    );
    let mut setup = Setup::new(&target).expect("setup");
    setup.config("CounterStore nosuch");
    let (code, err) = start_fails(&setup, false);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains(
            "CounterStore: expected 'sqlite PATH', 'sql', 'redis' or 'memory', not 'nosuch'"
        ),
        "{err}"
    );
    let mut setup = Setup::new(&target).expect("setup");
    setup.config("CounterStore sql");
    let (code, err) = start_fails(&setup, false);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("CounterStore sql: no server has an SQLConnectInfo"),
        "{err}"
    );
}
