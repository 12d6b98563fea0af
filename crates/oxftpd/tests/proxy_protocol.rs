//! mod_proxy_protocol: behind a load balancer, the PROXY protocol header (v1 and v2) names the
//! client; `<Limit LOGIN>` and the passive data-connection check see it; only trusted sources'
//! headers are read; a missing, malformed or late header closes the connection; and HAProxy in
//! front of two nodes (one speaking v1, one v2) serves curl from the client's own address.
//!
//! Debian's ProFTPD does not ship mod_proxy_protocol (a third-party module), so these run
//! against oxftpd only.

use std::net::{Ipv4Addr, SocketAddr};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use oxftpd_client::Client;
use oxftpd_testkit::{Setup, TestServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

const CLIENT: &str = "192.0.2.7";
const OTHER: &str = "198.51.100.9";

/// Only `CLIENT` may log in.
const ONLY_CLIENT: &str =
    "<Limit LOGIN>\n  Order allow,deny\n  Allow from 192.0.2.7\n  Deny from all\n</Limit>\n";

fn v1(source: &str, port: u16) -> Vec<u8> {
    format!("PROXY TCP4 {source} 127.0.0.1 50000 {port}\r\n").into_bytes()
}

fn v2(command: u8, source: Option<Ipv4Addr>, port: u16) -> Vec<u8> {
    let mut b = b"\r\n\r\n\0\r\nQUIT\n".to_vec();
    b.push(0x20 | command);
    match source {
        Some(ip) => {
            b.push(0x11);
            b.extend_from_slice(&12u16.to_be_bytes());
            b.extend_from_slice(&ip.octets());
            b.extend_from_slice(&[127, 0, 0, 1]);
            b.extend_from_slice(&50000u16.to_be_bytes());
            b.extend_from_slice(&port.to_be_bytes());
        }
        None => {
            b.push(0);
            b.extend_from_slice(&0u16.to_be_bytes());
        }
    }
    b
}

fn ip(s: &str) -> Ipv4Addr {
    s.parse().expect("address")
}

/// A TCP connection to `addr` from `from` (a loopback address).
async fn connect_from(from: &str, addr: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().expect("socket");
    socket
        .bind(SocketAddr::new(from.parse().expect("from"), 0))
        .expect("bind");
    tokio::time::timeout(Duration::from_secs(5), socket.connect(addr))
        .await
        .expect("connect in time")
        .expect("connect")
}

/// A client that came through a proxy at `from` whose header is `header`.
async fn proxied(
    from: &str,
    addr: SocketAddr,
    header: &[u8],
) -> Result<Client, oxftpd_client::Error> {
    let mut stream = connect_from(from, addr).await;
    stream.write_all(header).await.expect("header");
    let local = stream.local_addr().expect("local");
    Client::from_stream(Box::new(stream), local, addr).await
}

/// Whether the server closes `stream` without sending a byte, within 10 s.
async fn closed_silently(mut stream: TcpStream) -> bool {
    let mut buf = [0u8; 64];
    matches!(
        tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf)).await,
        Ok(Ok(0)) | Ok(Err(_))
    )
}

fn server(body: &str, hello: &[u8]) -> TestServer {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    setup.add_user("alice", "secret").expect("alice");
    setup.hello(hello);
    setup.config(body);
    TestServer::start(setup).expect("start")
}

#[tokio::test]
async fn a_v1_header_names_the_client_for_limit_login_and_data() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "Debian's ProFTPD has no mod_proxy_protocol");
    let mut setup = Setup::new(&target).expect("setup");
    setup.add_user("alice", "secret").expect("alice");
    let hello = v1(CLIENT, setup.port());
    setup.hello(&hello);
    setup.config(&format!("ProxyProtocolEngine on\n{ONLY_CLIENT}"));
    let s = TestServer::start(setup).expect("start");

    let mut c = proxied("127.0.0.1", s.addr(), &v1(CLIENT, s.port()))
        .await
        .expect("greeting");
    assert_eq!(c.banner().code, 220);
    c.login("alice", "secret").await.expect("login");
    // The passive data connection comes from the proxy (here, the test itself).
    c.stor("up.txt", b"through the proxy\n")
        .await
        .expect("STOR");
    assert_eq!(
        std::fs::read(s.dir().join("home/alice/up.txt")).expect("on disk"),
        b"through the proxy\n"
    );
    assert_eq!(c.nlst(None).await.expect("NLST"), vec!["up.txt"]);

    // Another client behind the same proxy is refused by <Limit LOGIN>: closed unanswered.
    let mut stream = connect_from("127.0.0.1", s.addr()).await;
    stream
        .write_all(&v1(OTHER, s.port()))
        .await
        .expect("header");
    assert!(
        closed_silently(stream).await,
        "a denied client got a greeting"
    );
}

#[tokio::test]
async fn a_v2_header_works_and_a_v1_header_is_refused_there() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "Debian's ProFTPD has no mod_proxy_protocol");
    // The readiness check speaks for itself (LOCAL): its own address stands.
    let s = server(
        "ProxyProtocolEngine on\nProxyProtocolVersion haproxyV2\n<Limit LOGIN>\n  Deny from 198.51.100.9\n</Limit>\n",
        &v2(0, None, 0),
    );
    let mut c = proxied("127.0.0.1", s.addr(), &v2(1, Some(ip(CLIENT)), s.port()))
        .await
        .expect("greeting");
    c.login("alice", "secret").await.expect("login");
    assert!(c.list(None).await.is_ok());

    let mut denied = connect_from("127.0.0.1", s.addr()).await;
    denied
        .write_all(&v2(1, Some(ip(OTHER)), s.port()))
        .await
        .expect("header");
    assert!(
        closed_silently(denied).await,
        "a denied client got a greeting"
    );

    let mut wrong = connect_from("127.0.0.1", s.addr()).await;
    wrong
        .write_all(&v1(CLIENT, s.port()))
        .await
        .expect("header");
    assert!(closed_silently(wrong).await, "a v1 header was taken for v2");
}

#[tokio::test]
async fn missing_malformed_or_late_headers_close_the_connection() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "Debian's ProFTPD has no mod_proxy_protocol");
    let s = server(
        "ProxyProtocolEngine on\nProxyProtocolTimeout 1\n",
        b"PROXY UNKNOWN\r\n",
    );
    for bytes in [
        &b"USER alice\r\n"[..],
        b"PROXY TCP4 192.0.2.7 nonsense\r\n",
        b"PROXY TCP4 192.0.2.7 127.0.0.1 1 70000\r\n",
    ] {
        let mut stream = connect_from("127.0.0.1", s.addr()).await;
        stream.write_all(bytes).await.expect("bytes");
        assert!(closed_silently(stream).await, "{bytes:?} got a greeting");
    }
    // Nothing at all: closed once ProxyProtocolTimeout passes.
    let started = Instant::now();
    let silent = connect_from("127.0.0.1", s.addr()).await;
    assert!(
        closed_silently(silent).await,
        "a silent client got a greeting"
    );
    assert!(started.elapsed() >= Duration::from_millis(900));
    // A header split across writes is read whole, and the command after it is served.
    let mut split = connect_from("127.0.0.1", s.addr()).await;
    let header = v1(CLIENT, s.port());
    split.write_all(&header[..9]).await.expect("first part");
    tokio::task::yield_now().await;
    split.write_all(&header[9..]).await.expect("rest");
    let local = split.local_addr().expect("local");
    let mut c = Client::from_stream(Box::new(split), local, s.addr())
        .await
        .expect("greeting");
    assert_eq!(c.login("alice", "secret").await.expect("login").code, 230);
}

#[tokio::test]
async fn only_trusted_sources_headers_are_read() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "Debian's ProFTPD has no mod_proxy_protocol");
    // 127.0.0.1 (the readiness check) is not trusted: a direct client, greeted at once.
    let s = server(
        "ProxyProtocolEngine on\nProxyProtocolTrustedSources 127.0.0.2 10.0.0.0/8\n<Limit LOGIN>\n  Deny from 198.51.100.9\n</Limit>\n",
        b"",
    );
    // From an untrusted source a header is only a line of text: it names no one.
    let mut direct = proxied("127.0.0.1", s.addr(), &v1(OTHER, s.port()))
        .await
        .expect("greeting");
    assert_eq!(direct.read_reply().await.expect("reply").code, 500);
    assert_eq!(
        direct.login("alice", "secret").await.expect("login").code,
        230
    );
    // From the trusted proxy the header is believed: the named client is denied.
    let mut stream = connect_from("127.0.0.2", s.addr()).await;
    stream
        .write_all(&v1(OTHER, s.port()))
        .await
        .expect("header");
    assert!(
        closed_silently(stream).await,
        "a denied client got a greeting"
    );
    let mut c = proxied("127.0.0.2", s.addr(), &v1(CLIENT, s.port()))
        .await
        .expect("greeting");
    assert_eq!(c.login("alice", "secret").await.expect("login").code, 230);
}

#[tokio::test]
async fn a_passive_data_connection_from_a_third_address_is_refused() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "Debian's ProFTPD has no mod_proxy_protocol");
    let s = server("ProxyProtocolEngine on\n", b"PROXY UNKNOWN\r\n");
    let mut c = proxied("127.0.0.1", s.addr(), &v1(CLIENT, s.port()))
        .await
        .expect("greeting");
    c.login("alice", "secret").await.expect("login");
    let pasv = c.cmd("PASV").await.expect("PASV");
    assert_eq!(pasv.code, 227);
    let data = oxftpd_client::parse_pasv(&pasv).expect("PASV address");
    // Neither the client (192.0.2.7) nor the proxy (127.0.0.1): refused.
    let thief = connect_from("127.0.0.3", data).await;
    let reply = c.cmd("LIST").await.expect("LIST");
    let reply = if reply.code == 150 {
        c.read_reply().await.expect("after 150")
    } else {
        reply
    };
    assert_eq!(reply.code, 425, "{reply:?}");
    drop(thief);
    // The session goes on, and a data connection from the proxy works.
    assert!(c.list(None).await.is_ok());
}

/// HAProxy, stopped when dropped.
struct Haproxy(Child);

impl Drop for Haproxy {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn have_haproxy() -> bool {
    let found = Command::new("haproxy")
        .arg("-v")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("OXFTPD_REQUIRE_CLIENTS").as_deref() != Ok("1"),
            "haproxy is required (OXFTPD_REQUIRE_CLIENTS=1) but not installed"
        );
        eprintln!("note: skipped, haproxy is not installed");
    }
    found
}

/// A base port with `n` free ports after it on 127.0.0.1 and 127.0.0.5.
fn free_range(n: u16) -> u16 {
    for _ in 0..200 {
        let base = oxftpd_testkit::free_port()
            .expect("port")
            .clamp(20000, 60000);
        let free = (base..base + n).all(|p| {
            ["127.0.0.1", "127.0.0.5"]
                .iter()
                .all(|a| std::net::TcpListener::bind((*a, p)).is_ok())
        });
        if free {
            return base;
        }
    }
    panic!("no free port range");
}

#[test]
fn haproxy_in_front_of_two_nodes_serves_curl_as_the_client() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "Debian's ProFTPD has no mod_proxy_protocol");
    if !have_haproxy() || !oxftpd_testkit::tools::have("curl") {
        return;
    }
    // Two nodes on 127.0.0.1 (one reads v1, one v2), each with its own passive ports, which
    // HAProxy forwards from its own address, 127.0.0.5, without a header; only the client at
    // 127.0.0.3 may log in.
    let mut nodes = Vec::new();
    let mut passive = Vec::new();
    for (version, hello) in [("haproxyV1", 1u8), ("haproxyV2", 2u8)] {
        let range = free_range(4);
        let mut setup = Setup::new(&target).expect("setup");
        setup.add_user("alice", "secret").expect("alice");
        let hello = if hello == 1 {
            format!("PROXY TCP4 127.0.0.3 127.0.0.5 1 {}\r\n", setup.port()).into_bytes()
        } else {
            v2(1, Some(ip("127.0.0.3")), setup.port())
        };
        setup.hello(&hello);
        setup.config(&format!(
            "ProxyProtocolEngine on\nProxyProtocolVersion {version}\nProxyProtocolTrustedSources 127.0.0.1\n\
             PassivePorts {} {}\nMasqueradeAddress 127.0.0.5\n\
             <Limit LOGIN>\n  Order allow,deny\n  Allow from 127.0.0.3\n  Deny from all\n</Limit>\n",
            range,
            range + 3
        ));
        nodes.push(TestServer::start(setup).expect("node"));
        passive.push(range);
    }
    let front = free_range(1);
    let dir = tempfile::tempdir().expect("dir");
    let cfg = dir.path().join("haproxy.cfg");
    let mut text = String::from(
        "global\n  maxconn 100\ndefaults\n  mode tcp\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30s\n",
    );
    text.push_str(&format!(
        "listen ftp\n  bind 127.0.0.5:{front}\n  balance roundrobin\n  server a 127.0.0.1:{} send-proxy\n  server b 127.0.0.1:{} send-proxy-v2\n",
        nodes[0].port(),
        nodes[1].port()
    ));
    for (i, base) in passive.iter().enumerate() {
        text.push_str(&format!(
            "listen data{i}\n  bind 127.0.0.5:{base}-{}\n  server n{i} 127.0.0.1\n",
            base + 3
        ));
    }
    std::fs::write(&cfg, text).expect("haproxy.cfg");
    let child = Command::new("haproxy")
        .arg("-db")
        .arg("-f")
        .arg(&cfg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("haproxy");
    let _haproxy = Haproxy(child);
    let front_addr = SocketAddr::from(([127, 0, 0, 5], front));
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect_timeout(&front_addr, Duration::from_millis(200)).is_err() {
        assert!(Instant::now() < deadline, "haproxy did not listen");
        std::thread::sleep(Duration::from_millis(50));
    }

    let curl = |from: &str, args: &[&str]| {
        Command::new("curl")
            .args([
                "-sS",
                "--max-time",
                "20",
                "--interface",
                from,
                "-u",
                "alice:secret",
            ])
            .args(args)
            .output()
            .expect("curl")
    };
    // Four uploads, round robin over the two nodes, from the client's own address.
    for i in 0..4 {
        let local = dir.path().join(format!("f{i}"));
        std::fs::write(&local, format!("file {i}\n")).expect("local file");
        let out = curl(
            "127.0.0.3",
            &[
                "-T",
                local.to_str().expect("path"),
                &format!("ftp://127.0.0.5:{front}/f{i}.txt"),
            ],
        );
        assert!(
            out.status.success(),
            "curl upload {i}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let mut per_node = Vec::new();
    for node in &nodes {
        let home = node.dir().join("home/alice");
        let names: Vec<String> = std::fs::read_dir(&home)
            .expect("home")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".txt"))
            .collect();
        per_node.push(names.len());
        for n in &names {
            let i = &n[1..2];
            assert_eq!(
                std::fs::read_to_string(home.join(n)).expect("file"),
                format!("file {i}\n")
            );
        }
    }
    assert_eq!(
        per_node,
        vec![2, 2],
        "round robin put two files on each node"
    );
    // A listing through the proxy: the passive data connection comes through HAProxy.
    let out = curl("127.0.0.3", &[&format!("ftp://127.0.0.5:{front}/")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains(".txt"));
    // The same request from 127.0.0.1 is refused: the nodes see the client, not the proxy.
    let out = curl("127.0.0.1", &[&format!("ftp://127.0.0.5:{front}/")]);
    assert!(!out.status.success(), "a client at 127.0.0.1 got in");
}

mod sftp_support;

/// paramiko through a "proxy" at 127.0.0.2: the header goes first, then SSH.
const PARAMIKO_PROXIED: &str = r#"
import socket, sys, paramiko
port, client = int(sys.argv[1]), sys.argv[2]
s = socket.socket()
s.bind(("127.0.0.2", 0))
s.settimeout(20)
s.connect(("127.0.0.1", port))
s.sendall(("PROXY TCP4 %s 127.0.0.1 50000 %d\r\n" % (client, port)).encode())
t = paramiko.Transport(s)
try:
    t.connect(username="alice", password="secret")
    sftp = paramiko.SFTPClient.from_transport(t)
    print("listed", ",".join(sorted(sftp.listdir("."))))
except Exception as e:
    print("refused", type(e).__name__)
t.close()
"#;

#[test]
fn sftp_reads_the_header_before_ssh() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "Debian's ProFTPD has no mod_proxy_protocol");
    if !sftp_support::have_clients() {
        return;
    }
    if !sftp_support::have_paramiko() {
        return;
    }
    // The readiness check (127.0.0.1) is a direct client; 127.0.0.2 is the trusted proxy.
    let s = sftp_support::start(
        "ProxyProtocolEngine on\nProxyProtocolTrustedSources 127.0.0.2\n<Limit LOGIN>\n  Deny from 198.51.100.9\n</Limit>\n",
        |_, alice| {
            std::fs::write(alice.home.join("seen.txt"), b"x").expect("file");
        },
    );
    let run = |client: &str| {
        let out = Command::new("/usr/bin/python3")
            .args(["-c", PARAMIKO_PROXIED, &s.port.to_string(), client])
            .output()
            .expect("python3");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    assert_eq!(run(CLIENT), "listed .sftp,seen.txt");
    assert!(run(OTHER).starts_with("refused"), "a denied client got in");
}
