//! The rough edges a new administrator hit (issue 14, item 8), each fixed: the built-in
//! default started by a user other than root, `-t` with nothing to check, a `SystemLog` that
//! cannot be opened, `-n` with a `SystemLog`, `oxftpctl cert` run twice.

use std::net::{Ipv4Addr, SocketAddr};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use oxftpd_testkit::{Setup, TestServer, first_line, run_bounded, wait_until};

const RUN_LIMIT: Duration = Duration::from_secs(20);

#[test]
fn a_syntax_check_without_a_file_says_there_is_none() {
    let t = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(t, "ProFTPD's -t without -c checks its compiled-in file");
    assert!(!Path::new("/etc/oxftpd/oxftpd.conf").exists());
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run_bounded(
        Command::new(&t.bin).arg("-t").current_dir(dir.path()),
        RUN_LIMIT,
    )
    .expect("run -t");
    assert_ne!(out.code, Some(0), "{out:?}");
    assert!(
        out.stderr
            .contains("-t: no configuration file to check: no -c FILE was given"),
        "{out:?}"
    );
    assert!(!out.stdout.contains("Syntax OK"), "{out:?}");
}

#[test]
fn a_system_log_that_cannot_be_opened_stops_the_start() {
    let t = oxftpd_testkit::target!();
    let mut setup = Setup::new(&t).expect("setup");
    let log = setup.dir().join("no/such/dir/system.log");
    setup.config(&format!("SystemLog {}", log.display()));
    let conf = setup.write_config().expect("config");
    let out = run_bounded(
        Command::new(&t.bin).arg("-n").arg("-c").arg(&conf),
        RUN_LIMIT,
    )
    .expect("run");
    assert_eq!(out.code, Some(1), "{out:?}");
    let said = format!("{}{}", out.stdout, out.stderr);
    assert!(
        said.contains(&format!("unable to open SystemLog '{}'", log.display())),
        "{said}"
    );
}

#[tokio::test]
async fn the_foreground_with_a_system_log_says_where_the_log_goes() {
    let t = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(t, "ProFTPD -n with a SystemLog prints nothing");
    let mut setup = Setup::new(&t).expect("setup");
    let log = setup.dir().join("run/system.log");
    setup.config(&format!("SystemLog {}", log.display()));
    let s = TestServer::start(setup).expect("start");
    assert!(
        s.log().contains(&format!(
            "oxftpd: logging to the SystemLog {}",
            log.display()
        )),
        "{}",
        s.log()
    );
    let text = std::fs::read_to_string(&log).expect("the SystemLog");
    assert!(text.contains("STARTUP"), "{text}");
}

#[test]
fn cert_twice_points_to_force() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ctl = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_oxftpctl"))
            .args(args)
            .current_dir(dir.path())
            .output()
            .expect("run oxftpctl")
    };
    assert!(ctl(&["cert"]).status.success());
    let again = ctl(&["cert"]);
    assert!(!again.status.success());
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(
        err.contains("./oxftpd.key already exists; use --force to replace it"),
        "{err}"
    );
    assert!(ctl(&["cert", "--force"]).status.success());
}

/// Kills the child (and shows its output when the test fails).
struct Child(std::process::Child, std::path::PathBuf);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
        if std::thread::panicking() {
            for n in ["stdout.log", "stderr.log"] {
                eprintln!(
                    "--- {n} ---\n{}",
                    std::fs::read_to_string(self.1.join(n)).unwrap_or_default()
                );
            }
        }
    }
}

#[tokio::test]
async fn the_built_in_default_started_by_a_user_serves_anonymous_logins() {
    let t = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(t, "the embedded default (no -c) is oxftpd's");
    if !rustix::process::geteuid().is_root() {
        eprintln!("note: skipped, needs root to start the daemon as another user");
        return;
    }
    assert!(!Path::new("/etc/oxftpd/oxftpd.conf").exists());
    // The built-in default's port (2121) moved to a free one (debug builds).
    let port = oxftpd_testkit::free_port().expect("port");
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let served = dir.path().join("served");
    std::fs::create_dir(&served).expect("served");
    std::fs::set_permissions(&served, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    std::fs::write(served.join("hello.txt"), b"hello\n").expect("file");
    let log = |n: &str| std::fs::File::create(dir.path().join(n)).expect("log file");
    let child = {
        use std::os::unix::process::CommandExt;
        Command::new(&t.bin)
            .current_dir(&served)
            .env("OXFTPD_TEST_EMBEDDED_PORT", port.to_string())
            .uid(65534)
            .gid(65534)
            .stdin(Stdio::null())
            .stdout(log("stdout.log"))
            .stderr(log("stderr.log"))
            .spawn()
            .expect("start oxftpd as nobody")
    };
    let _guard = Child(child, dir.path().to_path_buf());
    assert!(
        wait_until(Duration::from_secs(10), || first_line(addr)
            .is_some_and(|l| l.starts_with("220"))),
        "no 220 on {addr} within 10 s"
    );
    let mut c = oxftpd_client::Client::connect(addr).await.expect("connect");
    c.login("anonymous", "test@example.com")
        .await
        .expect("anonymous login as the user that started the daemon");
    c.type_i().await.expect("TYPE I");
    assert_eq!(c.retr("hello.txt").await.expect("RETR"), b"hello\n");
}

#[test]
fn without_a_pid_file_directive_the_default_one_is_written_and_reload_finds_it() {
    let t = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(t, "the default PidFile path is oxftpd's");
    let setup = Setup::new(&t).expect("setup");
    let text: String = setup
        .config_text()
        .lines()
        .filter(|l| !l.starts_with("PidFile"))
        .map(|l| format!("{l}\n"))
        .collect();
    let conf = setup.dir().join("etc/nopid.conf");
    std::fs::write(&conf, text).expect("config");
    let pid_file = setup.dir().join("run/default.pid");
    let log = |n: &str| std::fs::File::create(setup.dir().join(n)).expect("log file");
    let child = Command::new(&t.bin)
        .arg("-n")
        .arg("-c")
        .arg(&conf)
        .env("OXFTPD_TEST_DEFAULT_PID_FILE", &pid_file)
        .stdin(Stdio::null())
        .stdout(log("stdout.log"))
        .stderr(log("stderr.log"))
        .spawn()
        .expect("start");
    let pid = child.id();
    let _guard = Child(child, setup.dir().to_path_buf());
    assert!(
        wait_until(Duration::from_secs(10), || first_line(setup.addr())
            .is_some_and(|l| l.starts_with("220"))),
        "no greeting"
    );
    let written = std::fs::read_to_string(&pid_file).expect("the default PidFile");
    assert_eq!(written.trim(), pid.to_string());
    let out = Command::new(env!("CARGO_BIN_EXE_oxftpctl"))
        .arg("reload")
        .env("OXFTPD_TEST_DEFAULT_PID_FILE", &pid_file)
        .output()
        .expect("oxftpctl reload");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&format!("reload requested of pid {pid}")),
        "{out:?}"
    );
    let stderr = setup.dir().join("stderr.log");
    assert!(
        wait_until(Duration::from_secs(10), || std::fs::read_to_string(&stderr)
            .is_ok_and(|l| l.contains("configuration reloaded"))),
        "the daemon did not reload"
    );
}

#[test]
fn the_systemd_unit_checks_the_configuration_and_needs_no_socket_unit() {
    let unit = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../contrib/oxftpd.service"),
    )
    .expect("contrib/oxftpd.service");
    assert!(
        unit.lines()
            .any(|l| l.starts_with("ExecStartPre=") && l.contains(" -t ")),
        "{unit}"
    );
    assert!(!unit.lines().any(|l| l.starts_with("Requires=")), "{unit}");
    assert!(
        unit.lines()
            .any(|l| l == format!("PIDFile={}", oxftpd::info::DEFAULT_PID_FILE)),
        "{unit}"
    );
    let v = Command::new(env!("CARGO_BIN_EXE_oxftpd"))
        .arg("-V")
        .output()
        .expect("-V");
    assert!(
        String::from_utf8_lossy(&v.stdout).contains(oxftpd::info::DEFAULT_PID_FILE),
        "{v:?}"
    );
}

#[tokio::test]
async fn logs_renamed_then_hup_go_to_new_files_with_proftpds_modes() {
    let t = oxftpd_testkit::target!();
    let mut setup = Setup::new(&t).expect("setup");
    setup.add_user("alice", "secret").expect("alice");
    let (syslog, xferlog) = (
        setup.dir().join("run/system.log"),
        setup.dir().join("run/xferlog"),
    );
    setup.config(&format!(
        "SystemLog {}\nTransferLog {}\nAllowOverwrite on",
        syslog.display(),
        xferlog.display()
    ));
    let s = TestServer::start(setup).expect("start");
    let pid = s.pid().expect("pid");
    let mut c = s.login("alice", "secret").await.expect("login");
    c.type_i().await.expect("TYPE I");
    c.stor("one.txt", b"1").await.expect("STOR");
    assert!(
        wait_until(Duration::from_secs(10), || std::fs::read_to_string(
            &xferlog
        )
        .is_ok_and(|l| l.contains("one.txt"))),
        "no xferlog line"
    );
    std::fs::rename(&syslog, syslog.with_extension("log.1")).expect("mv SystemLog");
    std::fs::rename(&xferlog, xferlog.with_extension("1")).expect("mv xferlog");
    assert!(
        oxftpd_testkit::signal(pid as i32, oxftpd_testkit::Signal::HUP),
        "HUP"
    );
    if t.is_oxftpd() {
        assert!(
            wait_until(Duration::from_secs(10), || std::fs::read_to_string(&syslog)
                .is_ok_and(|l| l.contains("configuration reloaded"))),
            "the reload is logged in a new SystemLog"
        );
    }
    // ProFTPD opens the TransferLog per session: compare after the next upload.
    let mode = |p: &Path| std::fs::metadata(p).expect("stat").permissions().mode() & 0o777;
    let mut c2 = s.login("alice", "secret").await.expect("login again");
    c2.type_i().await.expect("TYPE I");
    c2.stor("two.txt", b"2").await.expect("STOR");
    assert!(
        wait_until(Duration::from_secs(10), || std::fs::read_to_string(
            &xferlog
        )
        .is_ok_and(|l| l.contains("two.txt"))),
        "the new xferlog has the new line"
    );
    assert_eq!(mode(&xferlog), 0o644, "TransferLog mode");
    if t.is_oxftpd() {
        // ProFTPD reopens its SystemLog only on a restart that changes it.
        assert_eq!(mode(&syslog), 0o640, "SystemLog mode");
        assert!(
            wait_until(Duration::from_secs(10), || std::fs::read_to_string(&syslog)
                .is_ok_and(|l| l.contains("alice"))),
            "the new SystemLog gets the new lines"
        );
    }
}

/// Whether `line` starts as ProFTPD's module log lines do: `YYYY-MM-DD HH:MM:SS,mmm TAG[PID]: `.
fn proftpd_log_prefix(line: &str, tag: &str) -> bool {
    let b = line.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    digits(0..4)
        && b.get(4) == Some(&b'-')
        && digits(5..7)
        && b.get(7) == Some(&b'-')
        && digits(8..10)
        && b.get(10) == Some(&b' ')
        && digits(11..13)
        && digits(14..16)
        && digits(17..19)
        && b.get(19) == Some(&b',')
        && digits(20..23)
        && line.get(23..).is_some_and(|rest| {
            rest.strip_prefix(&format!(" {tag}["))
                .and_then(|r| r.split_once("]: "))
                .is_some_and(|(pid, _)| pid.parse::<u32>().is_ok())
        })
}

#[tokio::test]
async fn tls_log_lines_carry_proftpds_time_stamp() {
    use oxftpd_testkit::tls::{load_tls, make_certs, tls_block};
    let t = oxftpd_testkit::target!();
    let mut setup = Setup::new(&t).expect("setup");
    let certs = make_certs(setup.dir());
    let body = format!(
        "{}{}",
        load_tls(&setup),
        tls_block(&setup, &certs.cert, &certs.key, "TLSRequired on")
    );
    setup.config(&body);
    let s = TestServer::start(setup).expect("start");
    let mut c = s.client().await.expect("connect");
    let reply = c.cmd("NOOP").await.expect("NOOP");
    assert_eq!(reply.code, 550, "{reply}");
    let path = s.dir().join("tls.log");
    assert!(
        wait_until(Duration::from_secs(10), || std::fs::read_to_string(&path)
            .is_ok_and(|l| l.contains("denying NOOP"))),
        "no TLSLog line"
    );
    let text = std::fs::read_to_string(&path).expect("TLSLog");
    let line = text
        .lines()
        .find(|l| l.contains("denying NOOP"))
        .expect("the line");
    assert!(proftpd_log_prefix(line, "mod_tls/2.9.2"), "{line}");
}
