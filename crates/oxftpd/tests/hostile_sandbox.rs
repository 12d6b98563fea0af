//! The kernel sandbox (issue 19): with Landlock on, a path outside what the configuration
//! serves, logs to and reads is refused by the kernel even to the daemon itself, as root and
//! around every jail check (the debug-build probe `OXFTPD_TEST_SANDBOX_PROBE` opens paths
//! directly once sandboxed); with seccomp on, a refused system call answers EPERM. Sessions
//! work as before inside the sandbox.

mod wire;

use std::time::Duration;

use oxftpd_testkit::{Setup, TestServer, wait_until};
use wire::Raw;

/// The probe's log line for `path`, once it is there.
fn probe_line(s: &TestServer, what: &str) -> String {
    let needle = format!("sandbox probe: {what}:");
    let mut found = None;
    wait_until(Duration::from_secs(15), || {
        found = s
            .log()
            .lines()
            .find(|l| l.contains(&needle))
            .map(str::to_string);
        found.is_some()
    });
    found.unwrap_or_else(|| panic!("no probe line for {what}; log:\n{}", s.log()))
}

fn landlock_offered() -> bool {
    let out = std::process::Command::new(oxftpd_testkit::target!().bin)
        .arg("-V")
        .output()
        .expect("oxftpd -V");
    String::from_utf8_lossy(&out.stdout).contains("+ Landlock")
}

/// Starts alice's server with the probe aimed at a file outside every allowed tree, one in
/// her home and the AuthUserFile (read, not written).
fn start(extra: &str) -> (TestServer, [std::path::PathBuf; 3]) {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("test setup");
    let alice = setup.add_user("alice", "secret").expect("add alice");
    let outside = setup.dir().join("secret.txt");
    std::fs::write(&outside, b"outside\n").expect("write secret");
    let inside = alice.home.join("mine.txt");
    std::fs::write(&inside, b"inside\n").expect("write mine");
    let passwd = setup.dir().join("etc/passwd");
    let probe = std::env::join_paths([&outside, &inside, &passwd]).expect("paths");
    setup.env("OXFTPD_TEST_SANDBOX_PROBE", &probe.to_string_lossy());
    setup.config(extra);
    let s = TestServer::start(setup).unwrap_or_else(|e| panic!("start the daemon: {e}"));
    (s, [outside, inside, passwd])
}

#[test]
fn the_kernel_refuses_paths_outside_the_configuration() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(
        target,
        "Landlock and seccomp are oxftpd's (ProFTPD has neither)"
    );
    if !landlock_offered() {
        eprintln!("skipped: this kernel offers no Landlock");
        return;
    }
    let (s, [outside, inside, passwd]) = start("AllowOverwrite on\n");
    let line = probe_line(&s, &outside.display().to_string());
    assert!(
        line.contains("read Permission denied") && line.contains("write Permission denied"),
        "outside: {line}"
    );
    let line = probe_line(&s, &inside.display().to_string());
    assert!(line.contains("read ok; write ok"), "home: {line}");
    let line = probe_line(&s, &passwd.display().to_string());
    assert!(
        line.contains("read ok; write Permission denied"),
        "AuthUserFile: {line}"
    );
    let line = probe_line(&s, "bpf");
    assert!(line.contains("Operation not permitted"), "bpf: {line}");
    assert!(
        s.log().contains("sandbox: Landlock FullyEnforced"),
        "{}",
        s.log()
    );

    // Sessions work inside the sandbox: list, download, upload, delete.
    let mut c = Raw::login(s.addr());
    let (first, names, last) = c.download("NLST");
    assert!(first.starts_with("150 "), "NLST: {first}");
    assert_eq!(names, b"mine.txt\r\n");
    assert_eq!(last, "226 Transfer complete");
    let (first, _) = c.upload("STOR up.txt", b"uploaded\n");
    assert!(first.starts_with("150 "), "STOR: {first}");
    assert_eq!(
        std::fs::read(inside.with_file_name("up.txt")).expect("up.txt"),
        b"uploaded\n"
    );
    assert_eq!(c.cmd("DELE up.txt"), "250 DELE command successful");
    assert_eq!(c.cmd("QUIT"), "221 Goodbye.");
}

#[test]
fn sandbox_directives_turn_each_off() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "SandboxLandlock and SandboxSeccomp are oxftpd's");
    let (s, [outside, _, _]) = start("SandboxLandlock off\nSandboxSeccomp off\n");
    let line = probe_line(&s, &outside.display().to_string());
    assert!(line.contains("read ok; write ok"), "outside: {line}");
    let line = probe_line(&s, "bpf");
    assert!(!line.contains("Operation not permitted"), "bpf: {line}");
    let log = s.log();
    assert!(
        log.contains("sandbox: Landlock off (SandboxLandlock off)"),
        "{log}"
    );
    assert!(
        log.contains("sandbox: seccomp off (SandboxSeccomp off)"),
        "{log}"
    );
}

#[test]
fn without_default_root_landlock_says_why_it_is_not_applied() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "the sandbox is oxftpd's");
    if !landlock_offered() {
        eprintln!("skipped: this kernel offers no Landlock");
        return;
    }
    // A <VirtualHost> without DefaultRoot: its logins may see the whole filesystem.
    let (s, [outside, _, _]) = start("<VirtualHost 127.0.0.2>\n  Port 0\n</VirtualHost>\n");
    let line = probe_line(&s, &outside.display().to_string());
    assert!(line.contains("read ok"), "outside: {line}");
    assert!(
        s.log()
            .contains("sandbox: Landlock not applied: the server at"),
        "{}",
        s.log()
    );
    let line = probe_line(&s, "bpf");
    assert!(line.contains("Operation not permitted"), "bpf: {line}");
}

#[test]
fn version_reports_the_sandbox() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "-V's sandbox lines are oxftpd's");
    let out = std::process::Command::new(&target.bin)
        .arg("-V")
        .output()
        .expect("oxftpd -V");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Sandbox (SandboxLandlock, SandboxSeccomp):"),
        "{text}"
    );
    assert!(
        text.contains("Landlock") && text.contains("seccomp filter"),
        "{text}"
    );
}
