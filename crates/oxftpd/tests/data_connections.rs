//! Data connections: EPSV ALL, foreign addresses (passive and active, FXP), privileged ports,
//! PassivePorts, MasqueradeAddress, and IPv6. Reply texts are ProFTPD 1.3.8's (observed).

mod wire;

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use wire::{Raw, listen, port_arg, put, server};

const FOREIGN: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));

#[test]
fn epsv_all_locks_out_the_other_modes() {
    let (s, _) = server("");
    let mut c = Raw::login(s.addr());
    assert_eq!(c.cmd("EPSV ALL"), "200 EPSV ALL command successful");
    assert_eq!(
        c.cmd("PASV"),
        "500 Illegal PASV command, EPSV ALL in effect"
    );
    assert_eq!(
        c.cmd("PORT 127,0,0,1,100,100"),
        "500 Illegal PORT command, EPSV ALL in effect"
    );
    assert_eq!(
        c.cmd("EPRT |1|127.0.0.1|5000|"),
        "500 Illegal EPRT command, EPSV ALL in effect"
    );
    assert!(
        c.cmd("EPSV")
            .starts_with("229 Entering Extended Passive Mode (|||")
    );
}

#[test]
fn epsv_and_eprt_name_the_connection_family() {
    let (s, _) = server("");
    let mut c = Raw::login(s.addr());
    assert_eq!(
        c.cmd("EPSV 2"),
        "522 Network protocol not supported, use (1)"
    );
    assert_eq!(
        c.cmd("EPSV 3"),
        "522 Network protocol not supported, use (1)"
    );
    assert!(c.cmd("EPSV 1").starts_with("229 "));
    assert_eq!(
        c.cmd("EPRT |2|::1|5000|"),
        "522 Network protocol not supported, use (1)"
    );
    assert_eq!(c.cmd("EPRT |1|127.0.0.1|"), "501 Illegal EPRT command");
}

#[test]
fn port_to_a_foreign_address_or_privileged_port_is_refused() {
    let (s, _) = server("");
    let mut c = Raw::login(s.addr());
    assert_eq!(c.cmd("PORT 127,0,0,2,100,100"), "500 Illegal PORT command");
    assert_eq!(c.cmd("PORT 127,0,0,1,3,100"), "500 Illegal PORT command");
    assert_eq!(c.cmd("PORT 127,0,0,1,100"), "501 Illegal PORT command");
    assert_eq!(c.cmd("PORT"), "501 Invalid number of parameters");
    assert_eq!(c.cmd("EPRT |1|127.0.0.2|5000|"), "500 Illegal EPRT command");
    assert_eq!(c.cmd("EPRT |1|127.0.0.1|80|"), "500 Illegal EPRT command");
}

#[test]
fn port_to_a_foreign_address_with_allow_foreign_address() {
    let (s, alice) = server("AllowForeignAddress on");
    put(&alice, "fxp.bin", b"site to site");
    let mut c = Raw::login(s.addr());
    c.cmd("TYPE I");
    let l = listen(FOREIGN);
    let addr = l.local_addr().expect("addr");
    assert_eq!(
        c.cmd(&format!("PORT {}", port_arg(addr))),
        "200 PORT command successful"
    );
    assert!(c.cmd("RETR fxp.bin").starts_with("150 "));
    let (mut data, _) = l.accept().expect("the server connects");
    let mut got = Vec::new();
    data.read_to_end(&mut got).expect("data");
    assert_eq!(got, b"site to site");
    assert_eq!(c.reply(), "226 Transfer complete");
    // EPRT too.
    let l = listen(FOREIGN);
    let addr = l.local_addr().expect("addr");
    assert_eq!(
        c.cmd(&format!("EPRT |1|127.0.0.2|{}|", addr.port())),
        "200 EPRT command successful"
    );
}

#[test]
fn active_mode_connects_back_to_the_client() {
    let (s, alice) = server("");
    put(&alice, "a.bin", b"active bytes");
    let mut c = Raw::login(s.addr());
    c.cmd("TYPE I");
    let l = listen(IpAddr::V4(Ipv4Addr::LOCALHOST));
    let addr = l.local_addr().expect("addr");
    assert_eq!(
        c.cmd(&format!("PORT {}", port_arg(addr))),
        "200 PORT command successful"
    );
    assert!(c.cmd("RETR a.bin").starts_with("150 "));
    let (mut data, from) = l.accept().expect("the server connects");
    assert_eq!(from.ip(), IpAddr::V4(Ipv4Addr::LOCALHOST));
    let mut got = Vec::new();
    data.read_to_end(&mut got).expect("data");
    assert_eq!(got, b"active bytes");
    assert_eq!(c.reply(), "226 Transfer complete");
}

#[test]
fn a_passive_connection_from_a_foreign_address_is_refused() {
    oxftpd_testkit::deliberately_differs!(
        oxftpd_testkit::target!(),
        "ProFTPD 1.3.8 (observed) starts the transfer (150) on a passive connection from \
         127.0.0.2; the issue requires refusing it"
    );
    let (s, alice) = server("");
    put(&alice, "p.bin", b"not for strangers");
    let mut c = Raw::login(s.addr());
    c.cmd("TYPE I");
    let mut data = c.pasv(Some(FOREIGN));
    let reply = c.cmd("RETR p.bin");
    assert_eq!(
        reply,
        "425 Unable to build data connection: Operation not permitted"
    );
    let mut got = Vec::new();
    let _ = data.read_to_end(&mut got);
    assert!(got.is_empty(), "data went to a foreign address");
    let _ = data.write_all(b"x");
    assert_eq!(c.cmd("NOOP"), "200 NOOP command successful");
}

#[test]
fn passive_ports_are_taken_from_the_range() {
    let base = 40_000 + (std::process::id() % 1000) as u16 * 10;
    let (s, _) = server(&format!("PassivePorts {base} {}", base + 9));
    let mut c = Raw::login(s.addr());
    for _ in 0..5 {
        let data = c.pasv(None);
        let port = data.peer_addr().expect("peer").port();
        assert!((base..=base + 9).contains(&port), "port {port}");
        let r = c.cmd("EPSV");
        let port: u16 = r
            .trim_end_matches("|)")
            .rsplit('|')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("{r}"));
        assert!((base..=base + 9).contains(&port), "port {port}");
    }
}

#[test]
fn masquerade_address_is_named_in_pasv() {
    let (s, _) = server("MasqueradeAddress 10.1.2.3");
    let mut c = Raw::login(s.addr());
    let r = c.cmd("PASV");
    assert!(r.starts_with("227 Entering Passive Mode (10,1,2,3,"), "{r}");
}

/// A server that also listens on `::1` (a `<VirtualHost ::1>` on the same port).
fn ipv6_server() -> Option<(oxftpd_testkit::TestServer, oxftpd_testkit::TestUser)> {
    if std::net::TcpListener::bind("[::1]:0").is_err() {
        eprintln!("note: skipped, no IPv6 loopback");
        return None;
    }
    let target = oxftpd_testkit::target!();
    let mut setup = oxftpd_testkit::Setup::new(&target).expect("setup");
    let alice = setup.add_user("alice", "secret").expect("alice");
    let port = setup.port();
    let d = setup.dir().display().to_string();
    setup.config(&format!(
        "UseIPv6 on\nAllowOverwrite on\n<VirtualHost ::1>\n  Port {port}\n  \
         AuthUserFile {d}/etc/passwd\n  AuthGroupFile {d}/etc/group\n  \
         AuthOrder mod_auth_file.c\n  DefaultRoot ~\n  RequireValidShell off\n  \
         AllowOverwrite on\n</VirtualHost>\n"
    ));
    Some((
        oxftpd_testkit::TestServer::start(setup).unwrap_or_else(|e| panic!("start: {e}")),
        alice,
    ))
}

#[test]
fn ipv6_epsv_and_eprt() {
    let Some((s, alice)) = ipv6_server() else {
        return;
    };
    put(&alice, "six.bin", b"over IPv6");
    let addr = SocketAddr::new("::1".parse().expect("::1"), s.port());
    let mut c = Raw::login(addr);
    c.cmd("TYPE I");
    assert!(c.cmd("EPSV 1").starts_with("229 "));
    assert_eq!(
        c.cmd("EPSV 3"),
        "522 Network protocol not supported, use (1,2)"
    );
    let r = c.cmd("EPSV");
    let port: u16 = r
        .trim_end_matches("|)")
        .rsplit('|')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("{r}"));
    let mut data = wire::connect_from(None, SocketAddr::new(addr.ip(), port));
    assert!(c.cmd("RETR six.bin").starts_with("150 "));
    let mut got = Vec::new();
    data.read_to_end(&mut got).expect("data");
    assert_eq!(got, b"over IPv6");
    assert_eq!(c.reply(), "226 Transfer complete");

    let l = listen(addr.ip());
    let port = l.local_addr().expect("addr").port();
    assert_eq!(
        c.cmd(&format!("EPRT |2|::1|{port}|")),
        "200 EPRT command successful"
    );
    assert!(c.cmd("RETR six.bin").starts_with("150 "));
    let (mut data, _) = l.accept().expect("connect back");
    let mut got = Vec::new();
    data.read_to_end(&mut got).expect("data");
    assert_eq!(got, b"over IPv6");
    assert_eq!(c.reply(), "226 Transfer complete");
}

/// Under `UseIPv6 on`, EPSV and EPRT take protocol 2 on an IPv4 connection too (mod_core asks
/// only whether IPv6 is on), and the refusal offers `(1,2)`.
#[test]
fn use_ipv6_on_offers_both_protocols() {
    let (s, _) = server("UseIPv6 on");
    let mut c = Raw::login(s.addr());
    assert!(c.cmd("EPSV 2").starts_with("229 "), "EPSV 2");
    assert_eq!(
        c.cmd("EPSV 3"),
        "522 Network protocol not supported, use (1,2)"
    );
}
