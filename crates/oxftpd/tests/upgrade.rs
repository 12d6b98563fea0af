//! `SIGUSR2`: the binary is started again with the listening sockets; the old process
//! stops accepting, finishes its sessions (a 200 MiB download here) and exits, while new
//! logins reach the new process and the PidFile names it.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use oxftpd_client::Client;
use oxftpd_testkit::{Setup, Signal, TestServer};
use tokio::io::AsyncWrite;

const SIZE: usize = 200 * 1024 * 1024;

/// Byte `i` of the test file: a pattern that a shifted or truncated copy cannot match.
fn byte_at(i: usize) -> u8 {
    ((i / 4096) as u8).wrapping_mul(31) ^ (i as u8)
}

/// A writer that checks every byte against [`byte_at`] and slows down every 8 MiB, so the
/// download is still running when the upgrade happens.
struct SlowCheck {
    seen: Arc<AtomicUsize>,
    mismatch: Option<usize>,
    since_pause: usize,
    pause: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl AsyncWrite for SlowCheck {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        if let Some(p) = self.pause.as_mut() {
            if p.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            self.pause = None;
        }
        let n = buf.len().min(256 * 1024);
        let start = self.seen.load(Ordering::SeqCst);
        if self.mismatch.is_none()
            && let Some(k) = (0..n).find(|&k| buf[k] != byte_at(start + k))
        {
            self.mismatch = Some(start + k);
        }
        self.seen.fetch_add(n, Ordering::SeqCst);
        self.since_pause += n;
        if self.since_pause >= 8 * 1024 * 1024 {
            self.since_pause = 0;
            self.pause = Some(Box::pin(tokio::time::sleep(Duration::from_millis(120))));
        }
        Poll::Ready(Ok(n))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upgrade_keeps_a_download_alive_while_new_logins_reach_the_new_process() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "ProFTPD cannot hand its sockets to a new binary");
    let mut setup = Setup::new(&target).expect("setup");
    let alice = setup.add_user("alice", "secret").expect("alice");
    let data: Vec<u8> = (0..SIZE).map(byte_at).collect();
    std::fs::write(alice.home.join("big.bin"), &data).expect("write big file");
    drop(data);
    let server = TestServer::start(setup).expect("start");
    let pid_file = server.setup().pid_file();
    let old_pid = oxftpd_testkit::read_pid(&pid_file).expect("PidFile");

    let mut c = server.login("alice", "secret").await.expect("login");
    c.type_i().await.expect("TYPE I");
    c.set_timeout(Duration::from_secs(120));
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    let download = async move {
        let mut w = SlowCheck {
            seen: counter,
            mismatch: None,
            since_pause: 0,
            pause: None,
        };
        let t = c.transfer_in_to("RETR big.bin", &mut w).await;
        (t, w.mismatch, c)
    };
    let control = async {
        // Upgrade once the download is well under way.
        for _ in 0..400 {
            if seen.load(Ordering::SeqCst) > 16 * 1024 * 1024 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(
            seen.load(Ordering::SeqCst) < SIZE,
            "download finished too early"
        );
        // `oxftpctl restart` sends SIGUSR2 to the PidFile's pid.
        let ctl = std::process::Command::new(env!("CARGO_BIN_EXE_oxftpctl"))
            .arg("restart")
            .arg("--pid-file")
            .arg(&pid_file)
            .output()
            .expect("oxftpctl");
        assert_eq!(
            String::from_utf8_lossy(&ctl.stdout),
            format!("oxftpctl: restart requested of pid {old_pid}\n")
        );
        let mut new_pid = None;
        for _ in 0..400 {
            new_pid = oxftpd_testkit::read_pid(&pid_file).filter(|p| *p != old_pid);
            if new_pid.is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let new_pid =
            new_pid.unwrap_or_else(|| panic!("PidFile never named a new pid\n{}", server.log()));
        // New logins work while the old process is still sending.
        let mut fresh = Client::connect(server.addr()).await.expect("connect");
        fresh
            .login("alice", "secret")
            .await
            .expect("login on the new process");
        fresh.type_i().await.expect("TYPE I");
        assert_eq!(fresh.size("big.bin").await.expect("SIZE"), SIZE as u64);
        assert!(
            oxftpd_testkit::pid_alive(old_pid),
            "the old process is alive while its download runs"
        );
        assert!(
            seen.load(Ordering::SeqCst) < SIZE,
            "download still running at handover"
        );
        new_pid
    };
    let ((t, mismatch, _c), new_pid) = tokio::join!(download, control);
    let t = t.expect("download completes");
    assert_eq!(t.bytes, SIZE as u64);
    assert_eq!(mismatch, None, "bytes differ");
    assert_eq!(t.completion.code, 226);
    drop(_c);
    // The old process exits once its last session is gone; the new one keeps serving.
    assert!(
        oxftpd_testkit::wait_until(Duration::from_secs(15), || !oxftpd_testkit::pid_alive(
            old_pid
        )),
        "old process still alive\n{}",
        server.log()
    );
    let mut after = Client::connect(server.addr()).await.expect("connect after");
    after.login("alice", "secret").await.expect("login after");
    assert_eq!(oxftpd_testkit::read_pid(&pid_file), Some(new_pid));
    oxftpd_testkit::terminate(new_pid, Duration::from_secs(5));
}

/// `kill -9` of the new process while it starts (after it wrote the PidFile, before it
/// reported ready): the old process keeps serving its sessions and new ones, and the
/// PidFile names it again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_new_process_mid_upgrade_leaves_the_old_one_serving() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "ProFTPD cannot hand its sockets to a new binary");
    let mut setup = Setup::new(&target).expect("setup");
    setup.add_user("alice", "secret").expect("alice");
    // Debug builds only: the successor waits 60 s before it reports ready.
    setup.env("OXFTPD_TEST_UPGRADE_PAUSE_MS", "60000");
    let server = TestServer::start(setup).expect("start");
    let pid_file = server.setup().pid_file();
    let old_pid = oxftpd_testkit::read_pid(&pid_file).expect("PidFile");
    let mut c = server.login("alice", "secret").await.expect("login");
    assert!(oxftpd_testkit::signal(old_pid, Signal::USR2));
    // The successor is starting once it has written its pid.
    let mut new_pid = None;
    for _ in 0..400 {
        new_pid = oxftpd_testkit::read_pid(&pid_file).filter(|p| *p != old_pid);
        if new_pid.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let new_pid = new_pid.unwrap_or_else(|| panic!("no successor started\n{}", server.log()));
    assert!(oxftpd_testkit::signal(new_pid, Signal::KILL));
    // The old process sees it fail and names itself in the PidFile again.
    let mut back = false;
    for _ in 0..400 {
        if oxftpd_testkit::read_pid(&pid_file) == Some(old_pid) {
            back = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        back,
        "the PidFile names the old process again\n{}",
        server.log()
    );
    assert!(
        oxftpd_testkit::pid_alive(old_pid),
        "the old process serves on"
    );
    assert!(!oxftpd_testkit::pid_alive(new_pid), "the successor is gone");
    assert!(
        server.log().contains("still serving"),
        "the failed upgrade is logged\n{}",
        server.log()
    );
    // Its session goes on, and new logins reach it.
    c.noop().await.expect("the old session goes on");
    for _ in 0..3 {
        let mut fresh = server.login("alice", "secret").await.expect("a new login");
        fresh.pwd().await.expect("PWD");
        fresh.quit().await.expect("QUIT");
    }
}
