//! The source port of active-mode (PORT) data connections, as ProFTPD 1.3.8 chooses it from
//! `RootRevoke` (observed, and src/data.c): unset, the kernel picks it; `RootRevoke off`, the
//! control port minus one (RFC 959's "L-1", SO_REUSEADDR, shared by sessions); on port 21
//! that is port 20, which oxftpd binds after dropping root only because it kept
//! CAP_NET_BIND_SERVICE for it; `RootRevoke on` refuses PORT/EPRT on a port below 1025.

mod wire;

use std::io::Read;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use oxftpd_testkit::{Setup, TestServer};
use wire::{Raw, listen, port_arg, put, server};

const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// Sends PORT to a fresh listener and RETR `name`; returns the listener's accepted stream,
/// the server's source address, and leaves the reply to the caller.
fn active_retr(c: &mut Raw, name: &str) -> (std::net::TcpStream, SocketAddr) {
    let l = listen(LOCALHOST);
    let addr = l.local_addr().expect("addr");
    assert_eq!(
        c.cmd(&format!("PORT {}", port_arg(addr))),
        "200 PORT command successful"
    );
    let reply = c.cmd(&format!("RETR {name}"));
    assert!(reply.starts_with("150 "), "{reply}");
    l.accept().expect("the server connects")
}

#[test]
fn by_default_active_data_comes_from_a_port_the_kernel_picks() {
    let (s, alice) = server("");
    put(&alice, "a.bin", b"any port");
    let mut c = Raw::login(s.addr());
    c.cmd("TYPE I");
    let (mut data, from) = active_retr(&mut c, "a.bin");
    assert_eq!(from.ip(), LOCALHOST);
    assert_ne!(from.port(), s.port() - 1);
    assert!(from.port() >= 1024, "{from}");
    let mut got = Vec::new();
    data.read_to_end(&mut got).expect("data");
    assert_eq!(got, b"any port");
    assert_eq!(c.reply(), "226 Transfer complete");
}

#[test]
fn with_root_revoke_off_active_data_comes_from_the_control_port_minus_one() {
    let (s, alice) = server("RootRevoke off");
    put(&alice, "a.bin", b"from L-1");
    let mut c = Raw::login(s.addr());
    c.cmd("TYPE I");
    let (mut data, from) = active_retr(&mut c, "a.bin");
    assert_eq!(from, SocketAddr::new(LOCALHOST, s.port() - 1));
    let mut got = Vec::new();
    data.read_to_end(&mut got).expect("data");
    assert_eq!(got, b"from L-1");
    assert_eq!(c.reply(), "226 Transfer complete");
    // Again, right after: the port is reusable while the last connection lingers.
    let (mut data, from) = active_retr(&mut c, "a.bin");
    assert_eq!(from.port(), s.port() - 1);
    got.clear();
    data.read_to_end(&mut got).expect("data");
    assert_eq!(got, b"from L-1");
    assert_eq!(c.reply(), "226 Transfer complete");
}

#[test]
fn two_sessions_share_the_active_source_port() {
    let (s, alice) = server("RootRevoke off");
    put(&alice, "big.bin", &vec![7u8; 4 << 20]);
    let mut one = Raw::login(s.addr());
    let mut two = Raw::login(s.addr());
    one.cmd("TYPE I");
    two.cmd("TYPE I");
    // The first transfer stays open (unread) while the second one connects.
    let (mut d1, from1) = active_retr(&mut one, "big.bin");
    let (mut d2, from2) = active_retr(&mut two, "big.bin");
    assert_eq!(from1.port(), s.port() - 1);
    assert_eq!(from2.port(), s.port() - 1);
    for (d, c) in [(&mut d1, &mut one), (&mut d2, &mut two)] {
        let mut got = Vec::new();
        d.read_to_end(&mut got).expect("data");
        assert_eq!(got.len(), 4 << 20);
        assert_eq!(c.reply(), "226 Transfer complete");
    }
}

/// A loopback address of its own per test process, so that port 21 on it is free.
/// A loopback address of its own for each call (tests of this file run in parallel, and
/// both port-21 tests bind port 21).
fn own_loopback() -> Ipv4Addr {
    static NEXT: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);
    let pid = std::process::id();
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed) & 0x7f;
    Ipv4Addr::new(127, 21, (pid & 0xff) as u8, n + 2)
}

#[test]
fn on_port_21_active_data_comes_from_port_20_after_dropping_root() {
    port_21(true);
}

#[test]
fn root_revoke_on_refuses_active_mode_on_port_21() {
    port_21(false);
}

/// A server with a `<VirtualHost>` on port 21: `RootRevoke off` (L-1 is 20) or `on`.
fn port_21(revoke_off: bool) {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    let alice = setup.add_user("alice", "secret").expect("alice");
    let d = setup.dir().display().to_string();
    let ip = own_loopback();
    // A <VirtualHost> on port 21 of its own address; ProFTPD's vhosts inherit nothing.
    setup.config(&format!(
        "<VirtualHost {ip}>\n  Port 21\n  AuthOrder mod_auth_file.c\n  \
         AuthUserFile {d}/etc/passwd\n  AuthGroupFile {d}/etc/group\n  \
         RequireValidShell off\n  DefaultRoot ~\n  WtmpLog off\n  TransferLog none\n  \
         RootRevoke {}\n</VirtualHost>\n",
        if revoke_off { "off" } else { "on" }
    ));
    let s = TestServer::start(setup).expect("start");
    put(&alice, "p.bin", b"from port 20");
    let mut c = Raw::login(SocketAddr::new(IpAddr::V4(ip), 21));
    c.cmd("TYPE I");
    if !revoke_off {
        let l = listen(LOCALHOST);
        let addr = l.local_addr().expect("addr");
        assert_eq!(
            c.cmd(&format!("PORT {}", port_arg(addr))),
            "500 Unable to service PORT commands"
        );
        assert_eq!(
            c.cmd(&format!("EPRT |1|127.0.0.1|{}|", addr.port())),
            "500 Unable to service EPRT commands"
        );
        return;
    }
    let (mut data, from) = active_retr(&mut c, "p.bin");
    assert_eq!(from, SocketAddr::new(IpAddr::V4(ip), 20), "{}", s.log());
    let mut got = Vec::new();
    data.read_to_end(&mut got).expect("data");
    assert_eq!(got, b"from port 20");
    assert_eq!(c.reply(), "226 Transfer complete");
}
