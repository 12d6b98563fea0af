//! `IdentLookups` (ProFTPD's mod_ident): at connect the server asks the client's RFC 1413
//! ident server (port 113 of the client's address) who owns the connection; `%u` shows the
//! answer (`UNKNOWN` without one). Each test's client and fake ident server use a loopback
//! address of their own, so tests can run side by side. Debian's ProFTPD loads mod_ident
//! only on request; oxftpd has it built in.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc;
use std::time::Duration;

const DEADLINE: Duration = Duration::from_secs(15);

/// What the fake ident server saw: the query line and where it came from.
struct Query {
    line: String,
    from: IpAddr,
}

/// Serves one RFC 1413 query on `ip`:113, answering `answer(query)`; reports it on the channel.
fn ident_server(ip: IpAddr, answer: fn(&str) -> String) -> mpsc::Receiver<Query> {
    let listener = TcpListener::bind(SocketAddr::new(ip, 113)).expect("bind the ident port");
    listener.set_nonblocking(true).expect("nonblocking");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let start = std::time::Instant::now();
        while start.elapsed() < DEADLINE {
            match listener.accept() {
                Ok((mut s, from)) => {
                    s.set_nonblocking(false).expect("blocking");
                    s.set_read_timeout(Some(DEADLINE)).expect("timeout");
                    let mut line = String::new();
                    let _ = BufReader::new(s.try_clone().expect("clone")).read_line(&mut line);
                    let _ = s.write_all(answer(&line).as_bytes());
                    drop(s);
                    let _ = tx.send(Query {
                        line,
                        from: from.ip(),
                    });
                    return;
                }
                Err(_) => std::thread::sleep(Duration::from_millis(10)),
            }
        }
    });
    rx
}

/// Connects from `from` and reads the banner lines.
fn connect_from(from: IpAddr, server: SocketAddr) -> (TcpStream, Vec<String>) {
    let s =
        socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).expect("socket");
    s.bind(&SocketAddr::new(from, 0).into()).expect("bind");
    s.connect_timeout(&server.into(), DEADLINE)
        .expect("connect");
    let stream: TcpStream = s.into();
    stream.set_read_timeout(Some(DEADLINE)).expect("timeout");
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).expect("banner");
        let line = line.trim_end().to_string();
        let last = line.as_bytes().get(3) == Some(&b' ') || line.is_empty();
        lines.push(line);
        if last {
            break;
        }
    }
    (stream, lines)
}

fn server(lookups: &str) -> oxftpd_testkit::TestServer {
    let target = oxftpd_testkit::target!();
    let mut setup = oxftpd_testkit::Setup::new(&target).expect("setup");
    let display = setup.dir().join("connect.msg");
    std::fs::write(&display, "ident=%u\n").expect("display file");
    let load = if target.is_proftpd() {
        "LoadModule mod_ident.c\n"
    } else {
        ""
    };
    setup.config(&format!(
        "{load}{lookups}DisplayConnect {}\n",
        display.display()
    ));
    oxftpd_testkit::TestServer::start(setup).unwrap_or_else(|e| panic!("start: {e}"))
}

fn userid(query: &str) -> String {
    format!("{} : USERID : UNIX : tester\r\n", query.trim_end())
}

fn no_user(query: &str) -> String {
    format!("{} : ERROR : NO-USER\r\n", query.trim_end())
}

#[test]
fn the_ident_answer_becomes_percent_u() {
    let client: IpAddr = "127.0.113.1".parse().unwrap();
    let queries = ident_server(client, userid);
    let s = server("IdentLookups on\n");
    let (stream, banner) = connect_from(client, s.addr());
    assert_eq!(banner[0], "220-ident=tester");
    let q = queries.recv_timeout(DEADLINE).expect("the server asked");
    let mine = stream.local_addr().expect("addr").port();
    assert_eq!(q.line, format!("{mine}, {}\r\n", s.port()));
    // From the control connection's local address.
    assert_eq!(q.from, "127.0.0.1".parse::<IpAddr>().unwrap());
}

#[test]
fn an_ident_error_leaves_unknown() {
    let client: IpAddr = "127.0.113.2".parse().unwrap();
    let queries = ident_server(client, no_user);
    let s = server("IdentLookups on\n");
    let (_stream, banner) = connect_from(client, s.addr());
    assert_eq!(banner[0], "220-ident=UNKNOWN");
    assert!(queries.recv_timeout(DEADLINE).is_ok());
}

#[test]
fn no_ident_server_leaves_unknown_at_once() {
    // Nothing listens on 127.0.113.3:113: the connection is refused.
    let client: IpAddr = "127.0.113.3".parse().unwrap();
    let s = server("IdentLookups on\n");
    let t = std::time::Instant::now();
    let (_stream, banner) = connect_from(client, s.addr());
    assert_eq!(banner[0], "220-ident=UNKNOWN");
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
}

#[test]
fn lookups_are_off_by_default() {
    let client: IpAddr = "127.0.113.4".parse().unwrap();
    let queries = ident_server(client, userid);
    let s = server("");
    let (mut stream, banner) = connect_from(client, s.addr());
    assert_eq!(banner[0], "220-ident=UNKNOWN");
    stream.write_all(b"QUIT\r\n").expect("quit");
    let mut rest = Vec::new();
    let _ = stream.read_to_end(&mut rest);
    assert!(
        queries.recv_timeout(Duration::from_millis(500)).is_err(),
        "the server queried the ident server with IdentLookups unset"
    );
}
