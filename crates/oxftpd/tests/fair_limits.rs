//! `MaxTransfersPerHost`, `MaxTransfersPerUser` (mod_xfer.c) and `MaxCommandRate`,
//! `MaxConnectionRate` (mod_core.c), with ProFTPD 1.3.8's replies: a transfer past the
//! maximum is refused with `451` before its data connection opens, commands past the rate
//! are slowed down, connections past the rate are closed without a greeting.

mod wire;

use std::time::{Duration, Instant};

use oxftpd_testkit::{Setup, TestServer};
use wire::{DEADLINE, Raw, put, random_bytes};

/// Starts a slow download of `name` on `c` (paced by the config) and waits for its `150`.
fn start_download(c: &mut Raw, name: &str) -> std::net::TcpStream {
    let data = c.pasv(None);
    let first = c.cmd(&format!("RETR {name}"));
    assert!(first.starts_with("150"), "{first}");
    data
}

/// Ends a running download: drops its data connection and reads the failure reply.
fn end_download(c: &mut Raw, data: std::net::TcpStream) {
    wire::reset(data);
    let last = c.reply();
    assert!(last.starts_with("426") || last.starts_with("226"), "{last}");
}

#[test]
fn max_transfers_per_host_refuses_the_next_download_from_the_address() {
    let (s, alice) = wire::server("TransferRate RETR 50\nMaxTransfersPerHost RETR 1");
    put(&alice, "big", &random_bytes(2_000_000, 1));
    put(&alice, "small", b"small\n");
    let mut a = Raw::login(s.addr());
    let data = start_download(&mut a, "big");
    let mut b = Raw::login(s.addr());
    b.pasv(None);
    assert_eq!(
        b.cmd("RETR small"),
        "451 Sorry, the maximum number of data transfers (1) from your host are currently being used."
    );
    // 1.3.8 then fails the command with a second reply.
    assert_eq!(b.reply(), "451 small: Too many transfers");
    // Uploads are not counted by a RETR rule.
    let (first, last) = b.upload("STOR up", b"up\n");
    assert!(first.starts_with("150"), "{first}");
    assert_eq!(last, "226 Transfer complete");
    end_download(&mut a, data);
    let (first, bytes, last) = b.download("RETR small");
    assert!(first.starts_with("150"), "{first}");
    assert_eq!(
        (bytes.as_slice(), last.as_str()),
        (&b"small\r\n"[..], "226 Transfer complete")
    );
}

#[test]
fn max_transfers_per_host_uses_the_configured_text() {
    let (s, alice) = wire::server(
        "TransferRate STOR,RETR 50\nMaxTransfersPerHost STOR,RETR 1 \"Only %m at once\"",
    );
    put(&alice, "big", &random_bytes(2_000_000, 2));
    let mut a = Raw::login(s.addr());
    let data = start_download(&mut a, "big");
    let mut b = Raw::login(s.addr());
    b.pasv(None);
    assert_eq!(b.cmd("RETR big"), "451 Only 1 at once");
    assert_eq!(b.reply(), "451 big: Too many transfers");
    end_download(&mut a, data);
}

#[test]
fn max_transfers_per_user_refuses_the_users_next_download() {
    let target = oxftpd_testkit::target!();
    if target.is_proftpd() {
        // 1.3.8 counts the user's sessions that do *not* run the command (DIFFERENCES.md).
        return;
    }
    let (s, alice) = wire::server("TransferRate RETR 50\nMaxTransfersPerUser RETR 1");
    put(&alice, "big", &random_bytes(2_000_000, 3));
    put(&alice, "small", b"small\n");
    let mut a = Raw::login(s.addr());
    let data = start_download(&mut a, "big");
    let mut b = Raw::login(s.addr());
    b.pasv(None);
    assert_eq!(
        b.cmd("RETR small"),
        "451 Sorry, the maximum number of data transfers (1) from this user are currently being used."
    );
    assert_eq!(b.reply(), "451 small: Too many transfers");
    end_download(&mut a, data);
    let (first, _, last) = b.download("RETR small");
    assert!(first.starts_with("150"), "{first}");
    assert_eq!(last, "226 Transfer complete");
}

#[test]
fn bad_max_transfers_and_rates_are_config_errors() {
    let target = oxftpd_testkit::target!();
    for bad in [
        "MaxTransfersPerHost RETR 0",
        "MaxTransfersPerHost LIST 2",
        "MaxTransfersPerUser RETR",
        "MaxCommandRate fast",
        "MaxCommandRate 10 0",
        "MaxConnectionRate -1",
        "<VirtualHost 127.0.0.2>\nMaxConnectionRate 5\n</VirtualHost>",
    ] {
        let mut setup = Setup::new(&target).expect("setup");
        setup.config(&format!("{bad}\n"));
        let out = setup.check_config().expect("run -t");
        assert!(!out.status.success(), "{bad} was accepted");
    }
}

#[test]
fn commands_past_max_command_rate_are_slowed_down() {
    let (s, _) = wire::server("MaxCommandRate 10 1");
    let mut c = Raw::login(s.addr());
    // Counted from the first command after the login (not USER and PASS, nor anything
    // before them, in 1.3.8): NOOPs 1 to 10 are free, 11 to 13 wait 100, 200 and 300 ms.
    for _ in 1..=10 {
        assert_eq!(c.cmd("NOOP"), "200 NOOP command successful");
    }
    let start = Instant::now();
    for _ in 11..=13 {
        assert_eq!(c.cmd("NOOP"), "200 NOOP command successful");
    }
    let took = start.elapsed();
    assert!(took >= Duration::from_millis(550), "{took:?}");
    assert!(took < DEADLINE, "{took:?}");
}

/// A connection to `addr` and its first line ("" when closed without one).
fn greeted(addr: std::net::SocketAddr) -> (std::net::TcpStream, String) {
    let stream = std::net::TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(DEADLINE)).expect("timeout");
    let mut line = String::new();
    let _ = std::io::BufRead::read_line(&mut std::io::BufReader::new(&stream), &mut line);
    (stream, line.trim_end().to_string())
}

/// Connects until `addr` greets (sessions the harness's readiness probes left may still be
/// ending and counting); bounded.
fn until_greeted(addr: std::net::SocketAddr) -> std::net::TcpStream {
    let start = Instant::now();
    loop {
        let (stream, line) = greeted(addr);
        if line.starts_with("220") {
            return stream;
        }
        assert!(start.elapsed() < DEADLINE, "never greeted");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn connections_past_max_connection_rate_are_closed_without_a_greeting() {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    setup.config("MaxConnectionRate 2 10\n");
    let s = TestServer::start(setup).expect("start");
    let first = until_greeted(s.addr());
    let second = until_greeted(s.addr());
    let (_third, line) = greeted(s.addr());
    assert_eq!(line, "", "a third session within 10 seconds");
    // Sessions that ended no longer count.
    drop((first, second));
    until_greeted(s.addr());
}
