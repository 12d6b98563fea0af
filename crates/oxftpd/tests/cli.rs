//! The command line as init scripts and admins use it: `-t`, `-v`, `-V`, `-l`, config
//! errors, the embedded default, and daemon mode with its signals.

use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use oxftpd_testkit::{
    Detached, RunOutput, Setup, Signal, Target, first_line, only_oxftpd, pid_alive, run_bounded,
    signal, wait_until,
};

/// Bound for one CLI run.
const RUN_LIMIT: Duration = Duration::from_secs(20);
/// Bound for a daemon to react to a signal.
const SIGNAL_LIMIT: Duration = Duration::from_secs(10);

/// The release of ProFTPD whose behaviour we match.
const PROFTPD_RELEASE: &str = "1.3.8";

fn target() -> Target {
    oxftpd_testkit::target!()
}

fn run(target: &Target, args: &[&str]) -> RunOutput {
    run_bounded(Command::new(&target.bin).args(args), RUN_LIMIT)
        .unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

/// Runs `-t` on the preamble plus `body`; returns the output and the line `body` starts on.
fn syntax_check(body: &str) -> (RunOutput, usize, String) {
    let target = target();
    let mut setup = Setup::new(&target).expect("test setup");
    let first_body_line = setup.config_text().lines().count() + 1;
    setup.config(body);
    let conf = setup.write_config().expect("write config");
    let conf = conf.to_str().expect("UTF-8 temp path").to_string();
    let out = run(&target, &["-t", "-c", &conf]);
    (out, first_body_line, conf)
}

fn assert_fails(out: &RunOutput) {
    assert_eq!(
        out.code,
        Some(1),
        "exit code; stdout: {} stderr: {}",
        out.stdout,
        out.stderr
    );
}

#[test]
fn syntax_check_accepts_a_good_config() {
    let (out, _, _) =
        syntax_check("AllowOverwrite on\n<Directory /tmp>\n  AllowOverwrite off\n</Directory>\n");
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    if target().is_oxftpd() {
        // The issue asks for `Syntax OK` (what admins grep for after `-t`).
        assert_eq!(
            lines,
            ["Checking syntax of configuration file", "Syntax OK"]
        );
    } else {
        let expected = [
            "Checking syntax of configuration file",
            "Syntax check complete.",
        ];
        // ProFTPD loses its buffered second line when stdout is not a terminal.
        assert_eq!(lines.first(), Some(&expected[0]), "{}", out.stdout);
        assert!(expected.starts_with(&lines), "{}", out.stdout);
    }
}

#[test]
fn an_unknown_directive_is_an_error_with_file_and_line() {
    let (out, line, conf) = syntax_check("Frobnicate on\n");
    assert_fails(&out);
    let want = if target().is_oxftpd() {
        format!("{conf}:{line}: Frobnicate: unknown configuration directive")
    } else {
        format!("fatal: unknown configuration directive 'Frobnicate' on line {line} of '{conf}'")
    };
    assert!(
        out.stderr.contains(&want),
        "want {want:?} in {:?}",
        out.stderr
    );
}

#[test]
fn a_directive_in_the_wrong_context_is_an_error_with_file_and_line() {
    let (out, line, conf) = syntax_check("<Directory /tmp>\n  DefaultRoot ~\n</Directory>\n");
    assert_fails(&out);
    let want = if target().is_oxftpd() {
        format!(
            "{conf}:{}: DefaultRoot: not allowed in <Directory> context (allowed in: server config, <VirtualHost>, <Global>)",
            line + 1
        )
    } else {
        format!(
            "DefaultRoot: directive not allowed in <Directory> context on line {} of '{conf}'",
            line + 1
        )
    };
    assert!(
        out.stderr.contains(&want),
        "want {want:?} in {:?}",
        out.stderr
    );
}

#[test]
fn missing_arguments_are_an_error_with_file_and_line() {
    let (out, line, conf) = syntax_check("ServerName\n");
    assert_fails(&out);
    let want = if target().is_oxftpd() {
        format!("{conf}:{line}: ServerName: wrong number of parameters (expected 1, got 0)")
    } else {
        format!("fatal: ServerName: missing parameters on line {line} of '{conf}'")
    };
    assert!(
        out.stderr.contains(&want),
        "want {want:?} in {:?}",
        out.stderr
    );
}

#[test]
fn an_unknown_ifmodule_name_is_an_error() {
    let (out, line, conf) =
        syntax_check("<IfModule mod_nonexistent.c>\n  Frobnicate on\n</IfModule>\n");
    if target().is_oxftpd() {
        // A misspelt module name would silently drop the block: say so (did-you-mean).
        assert_fails(&out);
        let want = format!("{conf}:{line}: <IfModule>: unknown module name 'mod_nonexistent.c'");
        assert!(
            out.stderr.contains(&want),
            "want {want:?} in {:?}",
            out.stderr
        );
    } else {
        // ProFTPD skips the section.
        assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    }
}

#[test]
fn a_known_module_we_lack_skips_its_ifmodule_section() {
    let (out, _, _) = syntax_check("<IfModule mod_ratio.c>\n  Frobnicate on\n</IfModule>\n");
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
}

#[test]
fn an_unclosed_section_is_an_error() {
    let (out, line, conf) = syntax_check("<Directory /tmp>\n  AllowOverwrite on\n");
    assert_fails(&out);
    assert!(out.stderr.contains(&conf), "{}", out.stderr);
    if target().is_oxftpd() {
        // ProFTPD names only the file; we also name where the section opened.
        let want = format!("{conf}:{line}: <Directory>: section opened here is never closed");
        assert!(out.stderr.contains(&want), "{}", out.stderr);
    } else {
        assert!(out.stderr.contains("unclosed"), "{}", out.stderr);
    }
}

#[test]
fn too_many_arguments_are_an_error_with_file_and_line() {
    let t = target();
    only_oxftpd!(t, "ProFTPD ignores extra arguments to Port");
    let (out, line, conf) = syntax_check("Port 2121 2122\n");
    assert_fails(&out);
    let want = format!("{conf}:{line}: Port: wrong number of parameters (expected 1, got 2)");
    assert!(out.stderr.contains(&want), "{}", out.stderr);
}

#[test]
fn an_include_loop_is_an_error_with_file_and_line() {
    let t = target();
    only_oxftpd!(t, "ProFTPD 1.3.8 crashes (SIGSEGV) on an Include loop");
    let mut setup = Setup::new(&t).expect("test setup");
    let looped = setup.dir().join("etc/loop.conf");
    std::fs::write(&looped, format!("Include {}\n", looped.display())).expect("write loop.conf");
    let line = setup.config_text().lines().count() + 1;
    setup.config(&format!("Include {}\n", looped.display()));
    let conf = setup.write_config().expect("write config");
    let out = run(&t, &["-t", "-c", conf.to_str().expect("UTF-8 temp path")]);
    assert_fails(&out);
    let _ = line;
    let looped = looped.to_str().expect("UTF-8");
    let want = format!("{looped}:1: Include: include loop: {looped}:1 -> {looped}");
    assert!(out.stderr.contains(&want), "{}", out.stderr);
}

#[test]
fn a_ten_megabyte_line_is_an_error_with_file_and_line() {
    let t = target();
    only_oxftpd!(
        t,
        "ProFTPD truncates long lines and reports them as unknown directives on line 0"
    );
    let (out, line, conf) = syntax_check(&format!("ServerName \"{}\"\n", "a".repeat(10 << 20)));
    assert_fails(&out);
    assert!(
        out.stderr
            .contains(&format!("{conf}:{line}: line is longer than 65536 bytes")),
        "{:.300}",
        out.stderr
    );
    assert!(
        out.stderr.len() < 64 * 1024,
        "the error echoes the whole line ({} bytes)",
        out.stderr.len()
    );
}

#[test]
fn version_flag_prints_the_proftpd_release() {
    let t = target();
    let out = run(&t, &["-v"]);
    assert_eq!(out.code, Some(0));
    let line = out.stdout.trim_end();
    if t.is_oxftpd() {
        assert_eq!(
            line,
            format!(
                "ProFTPD Version {PROFTPD_RELEASE} (oxftpd {})",
                env!("CARGO_PKG_VERSION")
            )
        );
    } else {
        assert_eq!(line, format!("ProFTPD Version {PROFTPD_RELEASE}"));
    }
}

#[test]
fn list_flag_prints_compiled_in_modules() {
    let t = target();
    let out = run(&t, &["-l"]);
    assert_eq!(out.code, Some(0));
    let mut lines = out.stdout.lines();
    assert_eq!(lines.next(), Some("Compiled-in modules:"));
    let modules: Vec<&str> = lines.collect();
    for m in &modules {
        assert!(m.starts_with("  mod_") && m.ends_with(".c"), "{m:?}");
    }
    for want in [
        "  mod_core.c",
        "  mod_xfer.c",
        "  mod_auth_file.c",
        "  mod_auth.c",
        "  mod_ls.c",
    ] {
        assert!(modules.contains(&want), "{want:?} not in {modules:?}");
    }
}

#[test]
fn big_v_prints_compile_time_settings() {
    let t = target();
    let out = run(&t, &["-V"]);
    assert_eq!(out.code, Some(0));
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.first(), Some(&"Compile-time Settings:"));
    let version = lines
        .iter()
        .find(|l| l.starts_with("  Version: "))
        .expect("a Version line");
    if t.is_oxftpd() {
        assert_eq!(
            *version,
            format!(
                "  Version: {PROFTPD_RELEASE} (oxftpd {})",
                env!("CARGO_PKG_VERSION")
            )
        );
    } else {
        assert_eq!(*version, format!("  Version: {PROFTPD_RELEASE} (stable)"));
    }
    assert!(lines.contains(&"    + IPv6 support"), "{}", out.stdout);
    if t.is_oxftpd() {
        // The module crates of the build (default features here).
        let i = lines
            .iter()
            .position(|l| *l == "  Module crates:")
            .expect("a Module crates section");
        assert_eq!(
            lines.get(i + 1),
            Some(&"    + mod_prometheus.c"),
            "{}",
            out.stdout
        );
        let list = run(&t, &["-l"]);
        assert!(
            list.stdout.lines().any(|l| l == "  mod_prometheus.c"),
            "{}",
            list.stdout
        );
    }
}

/// Kills a child process when dropped, printing its output if the test failed.
struct ChildGuard {
    child: Child,
    dir: tempfile::TempDir,
}

impl ChildGuard {
    fn output(&self) -> String {
        let read = |n: &str| std::fs::read_to_string(self.dir.path().join(n)).unwrap_or_default();
        format!("{}{}", read("stdout.log"), read("stderr.log"))
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        if let Ok(pid) = i32::try_from(self.child.id()) {
            oxftpd_testkit::terminate(pid, Duration::from_secs(5));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("--- daemon output ---\n{}", self.output());
        }
    }
}

#[tokio::test]
async fn the_embedded_default_serves_the_current_directory_read_only() {
    let t = target();
    only_oxftpd!(t, "the embedded default (no -c) is oxftpd's");
    assert!(
        !Path::new("/etc/oxftpd/oxftpd.conf").exists(),
        "/etc/oxftpd/oxftpd.conf exists on this machine; the embedded-default test needs it absent"
    );
    // The built-in default's port (2121) moved to a free one (debug builds), so that a
    // daemon already on 2121 does not fail the test.
    let port = oxftpd_testkit::free_port().expect("port");
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let dir = tempfile::tempdir().expect("temp dir");
    // Logs go beside, not into, the directory being served.
    let served = dir.path().join("served");
    std::fs::create_dir(&served).expect("served dir");
    std::fs::write(served.join("hello.txt"), b"hello\n").expect("write file");
    let log = |n: &str| std::fs::File::create(dir.path().join(n)).expect("log file");
    let child = Command::new(&t.bin)
        .env("OXFTPD_TEST_EMBEDDED_PORT", port.to_string())
        .current_dir(&served)
        .stdin(Stdio::null())
        .stdout(log("stdout.log"))
        .stderr(log("stderr.log"))
        .spawn()
        .expect("start oxftpd");
    let guard = ChildGuard { child, dir };
    assert!(
        wait_until(Duration::from_secs(10), || first_line(addr)
            .is_some_and(|l| l.starts_with("220"))),
        "no 220 on {addr} within 10 s"
    );
    assert!(
        guard
            .output()
            .contains(&format!("curl ftp://127.0.0.1:{port}/")),
        "{}",
        guard.output()
    );

    let mut c = oxftpd_client::Client::connect(addr).await.expect("connect");
    c.login("anonymous", "test@example.com")
        .await
        .expect("anonymous login");
    assert_eq!(c.nlst(None).await.expect("NLST"), vec!["hello.txt"]);
    c.type_i().await.expect("TYPE I");
    assert_eq!(c.retr("hello.txt").await.expect("RETR"), b"hello\n");
    let t = c
        .transfer_out("STOR new.txt", &mut &b"x"[..])
        .await
        .expect("STOR");
    assert_eq!(t.completion.code, 550, "{}", t.completion);
    assert!(!guard.dir.path().join("new.txt").exists());

    if Command::new("curl").arg("--version").output().is_ok() {
        let out = Command::new("curl")
            .args([
                "-sS",
                "--max-time",
                "20",
                &format!("ftp://127.0.0.1:{port}/"),
            ])
            .output();
        let out = out.expect("run curl");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("hello.txt"));
    }
}

/// Launches the subject without `-n`.
fn launch(name: &str) -> Detached {
    let t = target();
    let mut setup = Setup::new(&t).expect("test setup");
    setup.server_name(name);
    let d = Detached::launch(setup).unwrap_or_else(|e| panic!("launch the daemon: {e}"));
    assert!(
        d.status.success(),
        "launcher exited {}: {}",
        d.status,
        d.log()
    );
    d
}

fn banner(addr: SocketAddr) -> Option<String> {
    first_line(addr)
}

#[test]
fn daemon_mode_returns_once_listening_with_the_pid_file_written() {
    let d = launch("daemon");
    // No retry for oxftpd: the launcher's return promises a listening socket. ProFTPD's
    // launcher can return before its daemon listens (seen under load): a bounded retry there.
    let tries = if oxftpd_testkit::target!().is_proftpd() {
        100
    } else {
        1
    };
    let mut stream = TcpStream::connect_timeout(&d.addr(), Duration::from_secs(2));
    for _ in 1..tries {
        if stream.is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
        stream = TcpStream::connect_timeout(&d.addr(), Duration::from_secs(2));
    }
    assert!(
        stream.is_ok(),
        "connect right after the launcher returned: {stream:?}"
    );
    drop(stream);
    assert_eq!(
        banner(d.addr()).as_deref(),
        Some("220 ProFTPD Server (daemon) [127.0.0.1]")
    );
    let pid = d.pid().expect("PidFile holds a pid");
    assert!(pid_alive(pid), "pid {pid} from the PidFile is not running");
}

#[test]
fn sigterm_removes_the_pid_file_and_frees_the_port() {
    let d = launch("daemon");
    let pid = d.pid().expect("PidFile holds a pid");
    assert!(signal(pid, Signal::TERM));
    assert!(
        wait_until(SIGNAL_LIMIT, || !d.pid_file().exists()),
        "PidFile still there"
    );
    assert!(
        wait_until(SIGNAL_LIMIT, || !pid_alive(pid)),
        "pid {pid} still running"
    );
    assert!(
        wait_until(SIGNAL_LIMIT, || TcpStream::connect_timeout(
            &d.addr(),
            Duration::from_millis(200)
        )
        .is_err()),
        "port still accepting"
    );
    assert!(
        TcpListener::bind(d.addr()).is_ok(),
        "port not free after SIGTERM"
    );
}

#[test]
fn sighup_rereads_the_config() {
    let mut d = launch("OLD");
    assert_eq!(
        banner(d.addr()).as_deref(),
        Some("220 ProFTPD Server (OLD) [127.0.0.1]")
    );
    d.setup_mut().server_name("NEW");
    d.setup().write_config().expect("rewrite config");
    let pid = d.pid().expect("PidFile holds a pid");
    assert!(signal(pid, Signal::HUP));
    let want = "220 ProFTPD Server (NEW) [127.0.0.1]";
    assert!(
        wait_until(SIGNAL_LIMIT, || banner(d.addr()).as_deref() == Some(want)),
        "banner never became {want:?}; last: {:?}",
        banner(d.addr())
    );
}

#[test]
fn sighup_with_a_broken_config_keeps_serving() {
    let t = target();
    only_oxftpd!(t, "ProFTPD exits when a SIGHUP finds a broken config");
    let mut d = launch("OLD");
    let pid = d.pid().expect("PidFile holds a pid");
    d.setup_mut().config("Frobnicate on");
    d.setup().write_config().expect("write broken config");
    assert!(signal(pid, Signal::HUP));
    // A reload leaves no trace on the wire, so watch for a second: every new session must
    // still get the old banner and the daemon must stay up.
    let window = std::time::Instant::now() + Duration::from_secs(1);
    while std::time::Instant::now() < window {
        assert_eq!(
            banner(d.addr()).as_deref(),
            Some("220 ProFTPD Server (OLD) [127.0.0.1]")
        );
        assert!(pid_alive(pid), "the daemon died on a broken config");
        std::thread::sleep(Duration::from_millis(50));
    }
    // Then a good config under a new name: seeing it proves later reloads still work.
    let good = d
        .setup()
        .config_text()
        .replace("Frobnicate on\n", "")
        .replace("\"OLD\"", "\"NEWER\"");
    std::fs::write(d.setup().conf_path(), good).expect("write good config");
    assert!(signal(pid, Signal::HUP));
    let want = "220 ProFTPD Server (NEWER) [127.0.0.1]";
    assert!(
        wait_until(SIGNAL_LIMIT, || banner(d.addr()).as_deref() == Some(want)),
        "banner never became {want:?}; last: {:?}",
        banner(d.addr())
    );
}

#[test]
fn debians_stock_config_passes_the_syntax_check() {
    // crates/oxftpd-config/tests/fixtures/debian-proftpd.conf: Debian's proftpd.conf and
    // modules.conf, restated in our own words.
    let t = target();
    only_oxftpd!(
        t,
        "ProFTPD -t with LoadModule needs the Debian module directory layout"
    );
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../oxftpd-config/tests/fixtures/debian-proftpd.conf");
    let out = run(&t, &["-t", "-c", fixture.to_str().expect("UTF-8 path")]);
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    assert!(out.stdout.ends_with("Syntax OK\n"), "{}", out.stdout);
    // The only complaints: LoadModule lines for modules oxftpd does not have, each with file:line.
    let warnings: Vec<&str> = out.stderr.lines().collect();
    assert!(!warnings.is_empty());
    for w in &warnings {
        assert!(
            w.starts_with(&format!("warning: {}:", fixture.display()))
                && w.contains(": LoadModule: mod_")
                && w.ends_with(
                    "is not available in oxftpd; ignored (its <IfModule> sections are skipped)"
                ),
            "{w}"
        );
    }
    assert!(
        warnings.iter().any(|w| w.contains("mod_quotatab_radius.c")),
        "{}",
        out.stderr
    );
}
