//! Shared by the protocol test files (transfers, data_connections, input_limits, timeouts,
//! interop): servers with a test user, a raw synchronous control connection that can send
//! urgent data and reset sockets, and file helpers.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use oxftpd_testkit::{Setup, Target, TestServer, TestUser};

/// How long any single wait in these tests may take.
pub const DEADLINE: Duration = Duration::from_secs(15);

/// A server with alice/secret, `AllowOverwrite on`, and `extra` appended to the config.
pub fn server(extra: &str) -> (TestServer, TestUser) {
    let target = oxftpd_testkit::target!();
    server_for(&target, extra)
}

/// Like [`server`], for a given target.
pub fn server_for(target: &Target, extra: &str) -> (TestServer, TestUser) {
    let mut setup = Setup::new(target).expect("test setup");
    let alice = setup.add_user("alice", "secret").expect("add alice");
    setup.config(&format!("AllowOverwrite on\n{extra}\n"));
    (
        TestServer::start(setup).unwrap_or_else(|e| panic!("start the daemon: {e}")),
        alice,
    )
}

/// Deterministic pseudo-random bytes (xorshift64*), so failures reproduce.
pub fn random_bytes(len: usize, mut seed: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        seed ^= seed >> 12;
        seed ^= seed << 25;
        seed ^= seed >> 27;
        out.extend_from_slice(&seed.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Writes a file in the user's home, owned by the user.
pub fn put(user: &TestUser, name: &str, bytes: &[u8]) -> PathBuf {
    let path = user.home.join(name);
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    std::os::unix::fs::chown(&path, Some(user.uid), Some(user.gid)).expect("chown");
    path
}

/// Reads a file, or `None` when it does not exist.
pub fn get(path: &Path) -> Option<Vec<u8>> {
    std::fs::read(path).ok()
}

/// Waits (bounded) until `done` holds; returns whether it did.
pub fn wait_until(mut done: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < DEADLINE {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// Bytes received on `stream` and not yet read.
pub fn unread(stream: &TcpStream) -> u64 {
    rustix::io::ioctl_fionread(stream).unwrap_or(0)
}

/// Waits (bounded) until the server has filled `data`, a connection this side leaves unread:
/// bytes wait in it and their count stops growing over several looks. Returns the count.
pub fn wait_until_filled(data: &TcpStream) -> u64 {
    let (mut last, mut same) = (0, 0);
    let filled = wait_until(|| {
        let n = unread(data);
        same = if n > 0 && n == last { same + 1 } else { 0 };
        last = n;
        same >= 5
    });
    assert!(
        filled,
        "the server never filled the data connection ({last} bytes)"
    );
    last
}

/// A raw control connection: lines in, replies out, nothing hidden.
pub struct Raw {
    reader: BufReader<TcpStream>,
    stream: TcpStream,
}

impl Raw {
    /// Connects and reads the banner.
    pub fn connect(addr: SocketAddr) -> Raw {
        let stream = TcpStream::connect_timeout(&addr, DEADLINE).expect("connect");
        stream.set_read_timeout(Some(DEADLINE)).expect("timeout");
        let reader = BufReader::new(stream.try_clone().expect("clone"));
        let mut raw = Raw { reader, stream };
        let banner = raw.reply();
        assert!(banner.starts_with("220"), "banner: {banner}");
        raw
    }

    /// Connects and logs in as alice/secret.
    pub fn login(addr: SocketAddr) -> Raw {
        let mut raw = Raw::connect(addr);
        assert_eq!(raw.cmd("USER alice"), "331 Password required for alice");
        assert_eq!(raw.cmd("PASS secret"), "230 User alice logged in");
        raw
    }

    /// The underlying socket.
    pub fn stream(&self) -> &TcpStream {
        &self.stream
    }

    /// Gives up the connection (to reset it).
    pub fn into_stream(self) -> TcpStream {
        self.stream
    }

    /// Sets how long a reply may take.
    pub fn set_timeout(&mut self, d: Duration) {
        self.stream.set_read_timeout(Some(d)).expect("timeout");
    }

    /// Sends raw bytes.
    pub fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("send");
    }

    /// Sends a line with CR LF.
    pub fn line(&mut self, line: &str) {
        self.send(format!("{line}\r\n").as_bytes());
    }

    /// Sends `ABOR` the way python's ftplib does: the whole line as urgent data.
    pub fn urgent_abor(&mut self) {
        let sock = socket2::SockRef::from(&self.stream);
        sock.send_out_of_band(b"ABOR\r\n")
            .expect("send urgent ABOR");
    }

    /// Reads one reply (all lines of a multi-line one); `"<EOF>"` when the server closed.
    pub fn reply(&mut self) -> String {
        let first = match self.read_line() {
            Ok(Some(l)) => l,
            Ok(None) => return "<EOF>".into(),
            Err(e) => return format!("<{}>", e.kind()),
        };
        if first.as_bytes().get(3) != Some(&b'-') {
            return first;
        }
        let mut all = first.clone();
        loop {
            let Ok(Some(l)) = self.read_line() else {
                return all;
            };
            all.push('\n');
            all.push_str(&l);
            if l.len() >= 4 && l[..3] == first[..3] && l.as_bytes()[3] == b' ' {
                return all;
            }
        }
    }

    /// One reply line, line end removed, bytes that are not UTF-8 replaced.
    fn read_line(&mut self) -> std::io::Result<Option<String>> {
        let mut raw = Vec::new();
        if self.reader.read_until(b'\n', &mut raw)? == 0 {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(&raw);
        Ok(Some(text.trim_end_matches(['\r', '\n']).to_string()))
    }

    /// Sends a command and returns its reply.
    pub fn cmd(&mut self, line: &str) -> String {
        self.line(line);
        self.reply()
    }

    /// `PASV`, then connects to the address named (from `bind`, when given).
    pub fn pasv(&mut self, bind: Option<IpAddr>) -> TcpStream {
        let r = self.cmd("PASV");
        let addr = oxftpd_client::parse_pasv(&oxftpd_client::Reply {
            code: 227,
            lines: vec![r.clone()],
        })
        .unwrap_or_else(|| panic!("PASV reply: {r}"));
        connect_from(bind, addr)
    }

    /// Runs a download command on a passive connection: (150 reply, bytes, final reply).
    pub fn download(&mut self, command: &str) -> (String, Vec<u8>, String) {
        let mut data = self.pasv(None);
        let first = self.cmd(command);
        if !first.starts_with("150") && !first.starts_with("125") {
            return (first, Vec::new(), String::new());
        }
        data.set_read_timeout(Some(DEADLINE)).expect("timeout");
        let mut bytes = Vec::new();
        data.read_to_end(&mut bytes).expect("read data");
        drop(data);
        let last = self.reply();
        (first, bytes, last)
    }

    /// Runs an upload command on a passive connection: (150 reply, final reply).
    pub fn upload(&mut self, command: &str, bytes: &[u8]) -> (String, String) {
        let mut data = self.pasv(None);
        let first = self.cmd(command);
        if !first.starts_with("150") && !first.starts_with("125") {
            return (first, String::new());
        }
        data.write_all(bytes).expect("write data");
        drop(data);
        (first, self.reply())
    }
}

/// Connects to `addr`, from `bind` when given.
pub fn connect_from(bind: Option<IpAddr>, addr: SocketAddr) -> TcpStream {
    match bind {
        None => TcpStream::connect_timeout(&addr, DEADLINE).expect("data connect"),
        Some(ip) => {
            let domain = if ip.is_ipv4() {
                socket2::Domain::IPV4
            } else {
                socket2::Domain::IPV6
            };
            let s = socket2::Socket::new(domain, socket2::Type::STREAM, None).expect("socket");
            s.bind(&SocketAddr::new(ip, 0).into()).expect("bind");
            s.connect_timeout(&addr.into(), DEADLINE).expect("connect");
            s.into()
        }
    }
}

/// Resets a connection (RST, not FIN): what a client that vanishes does to the server.
pub fn reset(stream: TcpStream) {
    let s = socket2::Socket::from(stream);
    let _ = s.set_linger(Some(Duration::ZERO));
    drop(s);
}

/// A listener for active-mode data connections on `ip`.
pub fn listen(ip: IpAddr) -> TcpListener {
    TcpListener::bind(SocketAddr::new(ip, 0)).expect("listen")
}

/// `PORT` argument for an address.
pub fn port_arg(addr: SocketAddr) -> String {
    match addr.ip() {
        IpAddr::V4(v4) => {
            let [a, b, c, d] = v4.octets();
            format!(
                "{a},{b},{c},{d},{},{}",
                addr.port() >> 8,
                addr.port() & 0xff
            )
        }
        IpAddr::V6(_) => panic!("PORT is IPv4 only"),
    }
}

/// True when `tool` runs; otherwise skips (or fails under OXFTPD_REQUIRE_CLIENTS=1).
pub fn have(tool: &str) -> bool {
    let found = std::process::Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("OXFTPD_REQUIRE_CLIENTS").as_deref() != Ok("1"),
            "{tool} is required (OXFTPD_REQUIRE_CLIENTS=1) but not installed"
        );
        eprintln!("note: skipped, {tool} is not installed");
    }
    found
}
