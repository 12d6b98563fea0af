//! Session timeouts with ProFTPD's 421 replies. Timeouts are 1-2 seconds; replies are awaited
//! with a bounded deadline, never a fixed sleep.

mod wire;

use std::io::Write;
use std::time::{Duration, Instant};

use wire::{Raw, server};

/// Reads the next reply and how long it took.
fn timed(c: &mut Raw) -> (String, Duration) {
    let t = Instant::now();
    let r = c.reply();
    (r, t.elapsed())
}

#[test]
fn timeout_login() {
    let (s, _) = server("TimeoutLogin 1");
    let mut c = Raw::connect(s.addr());
    let (r, took) = timed(&mut c);
    assert_eq!(
        r,
        "421 Login timeout (1 second): closing control connection"
    );
    assert!(took < Duration::from_secs(5), "{took:?}");
    assert_eq!(c.reply(), "<EOF>");
}

#[test]
fn timeout_idle() {
    let (s, _) = server("TimeoutIdle 1");
    let mut c = Raw::login(s.addr());
    let (r, took) = timed(&mut c);
    assert_eq!(
        r,
        "421 Idle timeout (1 seconds): closing control connection"
    );
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[test]
fn timeout_no_transfer() {
    let (s, _) = server("TimeoutNoTransfer 2\nTimeoutIdle 60");
    let mut c = Raw::login(s.addr());
    // Commands other than transfers do not reset it.
    assert_eq!(c.cmd("NOOP"), "200 NOOP command successful");
    let (r, took) = timed(&mut c);
    assert_eq!(
        r,
        "421 No transfer timeout (2 seconds): closing control connection"
    );
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[test]
fn timeout_session() {
    let (s, _) = server("TimeoutSession 2\nTimeoutIdle 60");
    let mut c = Raw::login(s.addr());
    let t = Instant::now();
    // Stay busy: the session timeout fires anyway.
    let r = loop {
        let r = c.cmd("NOOP");
        if !r.starts_with("200") || t.elapsed() > Duration::from_secs(10) {
            break r;
        }
        // Between NOOPs, wait (at most 200 ms) for the server to speak first: the 421.
        c.stream()
            .set_read_timeout(Some(Duration::from_millis(200)))
            .expect("timeout");
        let spoke = c.stream().peek(&mut [0u8; 1]).is_ok_and(|n| n > 0);
        c.stream()
            .set_read_timeout(Some(wire::DEADLINE))
            .expect("timeout");
        if spoke {
            break c.reply();
        }
    };
    assert_eq!(
        r,
        "421 Session Timeout (2 seconds): closing control connection"
    );
}

#[test]
fn timeout_stalled_ends_the_upload_and_the_session() {
    let (s, alice) = server("TimeoutStalled 1\nHiddenStores on");
    let mut c = Raw::login(s.addr());
    c.cmd("TYPE I");
    let mut data = c.pasv(None);
    assert!(c.cmd("STOR stall.bin").starts_with("150 "));
    data.write_all(b"abc").expect("send");
    // ProFTPD closes the control connection without a reply; oxftpd says why first.
    let (r, took) = timed(&mut c);
    assert!(
        r == "<EOF>" || r == "421 Data transfer stall timeout: 1 seconds",
        "{r}"
    );
    assert!(took < Duration::from_secs(6), "{took:?}");
    assert!(
        wire::wait_until(|| !alice.home.join(".in.stall.bin.").exists()),
        "hidden file of the stalled upload left behind"
    );
}
