//! How the daemon is started: `ServerType inetd` (the session on stdin), systemd socket
//! activation (a passed listening fd), and `SIGHUP` reloads seen by the next session.

// This file calls libc (or other C APIs): unsafe code is allowed here only, each block
// with a SAFETY comment saying why it is sound.
#![allow(unsafe_code)]

use std::net::{Ipv4Addr, TcpListener};
use std::os::fd::{AsRawFd, OwnedFd};
use std::process::{Command, Stdio};
use std::time::Duration;

use oxftpd_client::Client;
use oxftpd_testkit::{Detached, Setup, Signal};

/// Starts the subject as inetd would: the accepted connection on stdin and stdout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inetd_mode_serves_one_session_on_stdin() {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    setup.add_user("alice", "secret").expect("alice");
    setup.config("ServerType inetd");
    let conf = setup.write_config().expect("config");
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
    let addr = listener.local_addr().expect("addr");
    let connect = tokio::spawn(async move { Client::connect(addr).await });
    let (accepted, _) = tokio::task::spawn_blocking(move || listener.accept())
        .await
        .expect("join")
        .expect("accept");
    let fd = OwnedFd::from(accepted);
    let out = fd.try_clone().expect("dup");
    let err = std::fs::File::create(setup.dir().join("stderr.log")).expect("log");
    let mut child = Command::new(&target.bin)
        .arg("-c")
        .arg(&conf)
        .stdin(Stdio::from(fd))
        .stdout(Stdio::from(out))
        .stderr(err)
        .spawn()
        .expect("spawn");
    let mut c = connect.await.expect("join").expect("banner");
    assert_eq!(
        c.banner().lines,
        vec!["220 ProFTPD Server (testkit) [127.0.0.1]"]
    );
    c.login("alice", "secret").await.expect("login");
    assert_eq!(c.pwd().await.expect("PWD"), "/");
    let bye = c.cmd("QUIT").await.expect("QUIT");
    assert_eq!(bye.code, 221);
    let status = wait_exit(&mut child, Duration::from_secs(10));
    assert_eq!(status, Some(0), "{}", setup.log());
}

fn wait_exit(child: &mut std::process::Child, limit: Duration) -> Option<i32> {
    let start = std::time::Instant::now();
    while start.elapsed() < limit {
        if let Ok(Some(st)) = child.try_wait() {
            return st.code();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

#[test]
fn inetd_mode_without_a_socket_says_so() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "ProFTPD only logs 'Socket operation on non-socket'");
    let mut setup = Setup::new(&target).expect("setup");
    setup.config("ServerType inetd");
    let conf = setup.write_config().expect("config");
    let out = Command::new(&target.bin)
        .arg("-n")
        .arg("-c")
        .arg(&conf)
        .stdin(Stdio::null())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "ServerType inetd: standard input is not a socket (Socket operation on non-socket)"
        ),
        "{err}"
    );
}

/// systemd's way: the socket is bound by the caller and passed as fd 3 with LISTEN_FDS=1.
#[tokio::test]
async fn socket_activation_serves_on_the_passed_fd() {
    use std::os::unix::process::CommandExt;
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "ProFTPD has no socket activation");
    let mut setup = Setup::new(&target).expect("setup");
    setup.add_user("alice", "secret").expect("alice");
    // The configured port is not bound: every connection arrives on the passed socket.
    let conf = setup.write_config().expect("config");
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
    let addr = listener.local_addr().expect("addr");
    let raw = listener.as_raw_fd();
    // LISTEN_PID must be the daemon's own pid: exec through sh, whose pid the daemon keeps.
    let mut child = Command::new("sh");
    child
        .arg("-c")
        .arg("LISTEN_PID=$$ exec \"$@\"")
        .arg("sh")
        .arg(&target.bin)
        .arg("-n")
        .arg("-c")
        .arg(&conf)
        .env("LISTEN_FDS", "1")
        .stdin(Stdio::null())
        .stderr(std::fs::File::create(setup.dir().join("stderr.log")).expect("log"));
    // SAFETY: only dup2 runs between fork and exec.
    unsafe {
        child.pre_exec(move || {
            // dup2 onto itself keeps FD_CLOEXEC (the listener may well be fd 3): clear it.
            if libc::dup2(raw, 3) < 0 || libc::fcntl(3, libc::F_SETFD, 0) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = child.spawn().expect("spawn");
    let mut child = KillOnDrop(child);
    drop(listener);
    let mut c = None;
    for _ in 0..100 {
        if let Ok(client) = Client::connect(addr).await {
            c = Some(client);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut c = c.unwrap_or_else(|| panic!("no banner on the passed socket\n{}", setup.log()));
    assert_eq!(
        c.banner().lines,
        vec!["220 ProFTPD Server (testkit) [127.0.0.1]"]
    );
    c.login("alice", "secret").await.expect("login");
    assert!(
        std::net::TcpStream::connect(setup.addr()).is_err(),
        "the configured port stays unbound under socket activation"
    );
    child.stop();
    assert!(
        setup
            .log()
            .contains("socket activation: serving on 1 socket(s) passed by systemd"),
        "{}",
        setup.log()
    );
}

#[tokio::test]
async fn sighup_changes_the_next_banner_and_keeps_open_sessions() {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    setup.add_user("alice", "secret").expect("alice");
    let mut d = Detached::launch(setup).expect("launch");
    assert!(d.status.success(), "{}", d.log());
    let pid = wait_pid(&d);
    let mut open = connect_retry(d.addr()).await;
    open.login("alice", "secret").await.expect("login");
    d.setup_mut().server_name("reloaded");
    d.setup().write_config().expect("rewrite");
    assert!(oxftpd_testkit::signal(pid, Signal::HUP));
    let mut seen = String::new();
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let c = connect_retry(d.addr()).await;
        seen = c.banner().lines.join("\n");
        if seen.contains("reloaded") {
            break;
        }
    }
    assert_eq!(seen, "220 ProFTPD Server (reloaded) [127.0.0.1]");
    assert_eq!(open.pwd().await.expect("PWD on the old session"), "/");
    assert_eq!(open.noop().await.expect("NOOP").code, 200);
}

#[tokio::test]
async fn sighup_with_a_broken_config_keeps_the_old_one() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::deliberately_differs!(
        target,
        "ProFTPD exits when the configuration it re-reads on SIGHUP has an error"
    );
    let mut setup = Setup::new(&target).expect("setup");
    setup.add_user("alice", "secret").expect("alice");
    let system_log = setup.dir().join("system.log");
    setup.config(&format!("SystemLog {}", system_log.display()));
    let d = Detached::launch(setup).expect("launch");
    assert!(d.status.success(), "{}", d.log());
    let pid = wait_pid(&d);
    let conf = d.setup().conf_path();
    let mut text = std::fs::read_to_string(&conf).expect("read");
    text = text.replace("ServerName \"testkit\"", "ServerName \"broken\"");
    text.push_str("NoSuchDirectiveAnywhere on\n");
    std::fs::write(&conf, text).expect("write");
    assert!(oxftpd_testkit::signal(pid, Signal::HUP));
    // Wait for the daemon's verdict on the new file, then check it is still there.
    assert!(
        oxftpd_testkit::wait_until(Duration::from_secs(10), || {
            std::fs::read_to_string(&system_log).is_ok_and(|l| l.contains("reload refused"))
        }),
        "no refusal logged\n{}",
        std::fs::read_to_string(&system_log).unwrap_or_default()
    );
    assert!(
        oxftpd_testkit::pid_alive(pid),
        "the daemon survives a broken reload"
    );
    let mut c = connect_retry(d.addr()).await;
    assert_eq!(
        c.banner().lines,
        vec!["220 ProFTPD Server (testkit) [127.0.0.1]"]
    );
    c.login("alice", "secret")
        .await
        .expect("login after refused reload");
}

fn wait_pid(d: &Detached) -> i32 {
    let mut pid = None;
    oxftpd_testkit::wait_until(Duration::from_secs(10), || {
        pid = d.pid();
        pid.is_some()
    });
    pid.unwrap_or_else(|| panic!("no PidFile\n{}", d.log()))
}

async fn connect_retry(addr: std::net::SocketAddr) -> Client {
    for _ in 0..100 {
        if let Ok(c) = Client::connect(addr).await {
            return c;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("cannot connect to {addr}");
}

/// Kills the child when the test ends, passing or not.
struct KillOnDrop(std::process::Child);

impl KillOnDrop {
    fn stop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        self.stop();
    }
}
