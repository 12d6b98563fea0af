//! mod_log's `LogOptions` (which fields a log line carries: `±Timestamp`, `±Hostname`,
//! `±VirtualHost`, `±RoleBasedProcessLabels`, ProFTPD's defaults ± each) and `ServerLog` (a
//! `<VirtualHost>`'s sessions log to their own file, or nowhere with `ServerLog none`,
//! reopened after a rename and SIGHUP).
//!
//! ProFTPD in the foreground (`-n`, as the testkit runs it) writes every line to stderr and
//! opens no `ServerLog`: the `ServerLog` test is oxftpd's (checked by hand against ProFTPD
//! run as a daemon: the same routing, the same fields; see DIFFERENCES.md).

use std::path::Path;
use std::time::Duration;

use oxftpd_testkit::{Setup, Signal, TestServer, free_port, wait_until};

async fn fail_login(addr: std::net::SocketAddr) {
    let mut c = oxftpd_client::Client::connect(addr).await.expect("connect");
    let _ = c.login("alice", "wrong").await;
    let _ = c.quit().await;
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_default()
}

/// The lines of `text` that record alice's failed login.
fn failures(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| l.ends_with("USER alice (Login failed): Incorrect password"))
        .collect()
}

/// `label[digits] ` at the start of `line`, and what follows it.
fn after_label<'a>(line: &'a str, label: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(label)?.strip_prefix('[')?;
    let (pid, rest) = rest.split_once("] ")?;
    pid.bytes().all(|b| b.is_ascii_digit()).then_some(rest)
}

#[tokio::test]
async fn log_options_take_fields_out_and_label_roles() {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    setup.add_user("alice", "secret").expect("alice");
    setup.config("LogOptions -Timestamp -Hostname +RoleBasedProcessLabels\n");
    let s = TestServer::start(setup).expect("start");
    fail_login(s.addr()).await;
    let stderr = s.dir().join("stderr.log");
    assert!(
        wait_until(Duration::from_secs(10), || !failures(&read(&stderr))
            .is_empty()),
        "{}",
        s.log()
    );
    let text = read(&stderr);
    let line = failures(&text)[0];
    // No time, no host: the role label first, then the server and the client.
    let rest = after_label(line, "session").unwrap_or_else(|| panic!("{line}"));
    assert!(
        rest.contains(" (") && rest.contains("[127.0.0.1]): USER alice"),
        "{line}"
    );
}

#[tokio::test]
async fn a_vhost_logs_to_its_server_log_with_its_options() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(
        target,
        "ProFTPD in the foreground (-n) writes every line to stderr and opens no ServerLog"
    );
    let mut setup = Setup::new(&target).expect("setup");
    setup.add_user("alice", "secret").expect("alice");
    let d = setup.dir().display().to_string();
    let port = setup.port();
    let third = free_port().expect("port");
    let auth = format!(
        "AuthOrder mod_auth_file.c\nAuthUserFile {d}/etc/passwd\nAuthGroupFile {d}/etc/group\n\
         RequireValidShell off\n"
    );
    setup.config(&format!(
        "SystemLog {d}/etc/system.log\n\
         <VirtualHost 127.0.0.2>\nPort {port}\nServerLog {d}/etc/second.log\n\
         LogOptions -Timestamp -VirtualHost\n{auth}</VirtualHost>\n\
         <VirtualHost 127.0.0.3>\nPort {third}\nServerLog none\n{auth}</VirtualHost>\n"
    ));
    let s = TestServer::start(setup).expect("start");
    let system = s.dir().join("etc/system.log");
    let second = s.dir().join("etc/second.log");
    fail_login(s.addr()).await;
    fail_login(([127, 0, 0, 2], port).into()).await;
    fail_login(([127, 0, 0, 3], third).into()).await;
    assert!(
        wait_until(Duration::from_secs(10), || {
            !failures(&read(&system)).is_empty() && !failures(&read(&second)).is_empty()
        }),
        "{}\n{}\n{}",
        read(&system),
        read(&second),
        s.log()
    );
    // The main server's session: the SystemLog, every field.
    let sys = read(&system);
    let main: Vec<_> = failures(&sys);
    assert_eq!(main.len(), 1, "{sys}");
    assert_eq!(
        main[0].as_bytes()[19],
        b',',
        "a time stamp first: {}",
        main[0]
    );
    assert!(
        main[0].contains("] 127.0.0.1 (127.0.0.1[127.0.0.1]): USER alice"),
        "{}",
        main[0]
    );
    // Neither vhost's session is in the SystemLog; the daemon's own lines stay there.
    assert!(!sys.contains("127.0.0.2 ("), "{sys}");
    assert!(!sys.contains("127.0.0.3 ("), "{sys}");
    // The second vhost's: its ServerLog, without the time or the server's name.
    let sec = read(&second);
    let lines = failures(&sec);
    assert_eq!(lines.len(), 1, "{sec}");
    let rest = lines[0]
        .split_once(' ')
        .and_then(|(_host, rest)| after_label(rest, "oxftpd"))
        .unwrap_or_else(|| panic!("{}", lines[0]));
    assert_eq!(
        rest,
        "(127.0.0.1[127.0.0.1]): USER alice (Login failed): Incorrect password"
    );
    assert!(
        sec.lines().all(|l| l.contains("(127.0.0.1[127.0.0.1]): ")),
        "only session lines: {sec}"
    );
    // The third's (ServerLog none) is nowhere.
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&second)
            .expect("log")
            .permissions()
            .mode();
        assert_eq!(mode & 0o027, 0, "{mode:o}: readable or writable by others");
    }
    // logrotate: rename, HUP, and the next session's line is in a new file.
    let old = second.with_extension("log.1");
    std::fs::rename(&second, &old).expect("rename");
    let pid = s.pid().expect("pid") as i32;
    assert!(oxftpd_testkit::signal(pid, Signal::HUP));
    assert!(
        wait_until(Duration::from_secs(10), || second.exists()),
        "{}",
        s.log()
    );
    fail_login(([127, 0, 0, 2], port).into()).await;
    assert!(
        wait_until(Duration::from_secs(10), || failures(&read(&second)).len()
            == 1),
        "{}\n{}",
        read(&second),
        s.log()
    );
    assert_eq!(failures(&read(&old)).len(), 1);
    assert_eq!(failures(&read(&system)).len(), 1, "{}", read(&system));
}
