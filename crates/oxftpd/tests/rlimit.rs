//! mod_rlimit: `daemon` limits are set on the daemon's process; a per-session value other
//! than `max` is refused with the reason (oxftpd's sessions share the daemon's process).

mod common;

use common::*;

/// The soft and hard values of one row of /proc/PID/limits.
fn limits_of(pid: u32, row: &str) -> (String, String) {
    let text = std::fs::read_to_string(format!("/proc/{pid}/limits")).expect("read limits");
    let line = text
        .lines()
        .find(|l| l.starts_with(row))
        .unwrap_or_else(|| panic!("{row} in {text}"));
    let cols: Vec<&str> = line[row.len()..].split_whitespace().collect();
    (cols[0].to_string(), cols[1].to_string())
}

#[tokio::test]
async fn daemon_limits_are_set_on_the_process() {
    let (server, _alice) = server_with(
        "RLimitOpenFiles daemon 4000 5000\n\
         RLimitCPU daemon 100000 max\n\
         RLimitMemory session max\n",
    );
    let mut c = login(&server).await;
    assert_eq!(line(&mut c, "NOOP").await, "200 NOOP command successful");
    let pid = server.pid().expect("daemon pid");
    assert_eq!(
        limits_of(pid, "Max open files"),
        ("4000".into(), "5000".into())
    );
    assert_eq!(
        limits_of(pid, "Max cpu time"),
        ("100000".into(), "unlimited".into())
    );
}

#[test]
fn a_per_session_limit_is_refused_with_the_reason() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::deliberately_differs!(
        target,
        "ProFTPD forks a process per session and limits each; oxftpd's sessions share one"
    );
    let mut setup = oxftpd_testkit::Setup::new(&target).expect("setup");
    setup.config("RLimitCPU session 30\n");
    let out = setup
        .run_with_config(std::process::Command::new(&target.bin), "-t")
        .expect("run -t");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("per-session limit"), "{err}");
}
