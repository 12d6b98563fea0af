//! ProFTPD 1.3.8's scoreboard file, byte for byte as `include/scoreboard.h` lays it out on
//! Linux x86-64 and aarch64 (LP64, glibc): a 32-byte header, then one 624-byte entry per
//! slot; an entry whose pid is 0 is free. Debian's `ftpwho`, `ftpcount` and `ftptop` read
//! the file with `read(2)` into these structs, so every offset here is theirs.
//!
//! Written here from the header's field list rather than with `#[repr(C)]` structs, so that
//! no unsafe code is needed and the encoding is testable byte by byte.

/// `PR_SCOREBOARD_MAGIC`.
pub const MAGIC: u64 = 0xdead_beef;
/// `PR_SCOREBOARD_VERSION` of 1.3.8.
pub const VERSION: u64 = 0x0104_0003;
/// `sizeof(pr_scoreboard_header_t)`.
pub const HEADER_LEN: usize = 32;
/// `sizeof(pr_scoreboard_entry_t)`.
pub const ENTRY_LEN: usize = 624;

/// Where each field of an entry starts, and its size (`PR_TUNABLE_SCOREBOARD_BUFFER_SIZE`
/// is 80, `INET6_ADDRSTRLEN` 46).
mod at {
    pub const PID: usize = 0;
    pub const UID: usize = 4;
    pub const GID: usize = 8;
    pub const USER: (usize, usize) = (12, 32);
    pub const SERVER_PORT: usize = 44;
    pub const SERVER_ADDR: (usize, usize) = (48, 80);
    pub const SERVER_LABEL: (usize, usize) = (128, 32);
    pub const CLIENT_ADDR: (usize, usize) = (160, 46);
    pub const CLIENT_NAME: (usize, usize) = (206, 80);
    pub const CLASS: (usize, usize) = (286, 32);
    pub const PROTOCOL: (usize, usize) = (318, 32);
    pub const CWD: (usize, usize) = (350, 80);
    pub const CMD: (usize, usize) = (430, 65);
    pub const CMD_ARG: (usize, usize) = (495, 80);
    pub const BEGIN_IDLE: usize = 576;
    pub const BEGIN_SESSION: usize = 584;
    pub const XFER_SIZE: usize = 592;
    pub const XFER_DONE: usize = 600;
    pub const XFER_LEN: usize = 608;
    pub const XFER_ELAPSED: usize = 616;
}

/// The file's header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// The daemon's pid (0 under inetd).
    pub pid: u32,
    /// When the daemon wrote the header, unix seconds.
    pub uptime: i64,
}

impl Header {
    /// The header's bytes.
    pub fn encode(&self) -> [u8; HEADER_LEN] {
        let mut b = [0u8; HEADER_LEN];
        b[0..8].copy_from_slice(&MAGIC.to_ne_bytes());
        b[8..16].copy_from_slice(&VERSION.to_ne_bytes());
        b[16..20].copy_from_slice(&self.pid.to_ne_bytes());
        b[24..32].copy_from_slice(&self.uptime.to_ne_bytes());
        b
    }

    /// Reads a header; `None` unless the magic and version are 1.3.8's.
    pub fn decode(b: &[u8]) -> Option<Header> {
        let b = b.get(..HEADER_LEN)?;
        if u64_at(b, 0) != MAGIC || u64_at(b, 8) != VERSION {
            return None;
        }
        Some(Header {
            pid: u32_at(b, 16),
            uptime: i64::from_ne_bytes(b[24..32].try_into().ok()?),
        })
    }
}

/// One session's entry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Entry {
    /// The pid serving the session (0: a free slot).
    pub pid: u32,
    /// The session's uid.
    pub uid: u32,
    /// The session's gid.
    pub gid: u32,
    /// The user (`(none)` before login).
    pub user: String,
    /// The server's port.
    pub server_port: i32,
    /// Our address, `ip:port`.
    pub server_addr: String,
    /// The server's `ServerName`.
    pub server_label: String,
    /// The client's address.
    pub client_addr: String,
    /// The client's name (reverse DNS), or its address.
    pub client_name: String,
    /// The session's `<Class>`.
    pub class: String,
    /// `ftp` or `ftps`.
    pub protocol: String,
    /// The current directory.
    pub cwd: String,
    /// The command being served, or `idle`.
    pub cmd: String,
    /// Its argument.
    pub cmd_arg: String,
    /// When the session went idle, unix seconds.
    pub begin_idle: i64,
    /// When the session began, unix seconds.
    pub begin_session: i64,
    /// Bytes the transfer will move (downloads), or 0.
    pub xfer_size: i64,
    /// Bytes moved so far.
    pub xfer_done: i64,
    /// Bytes moved, for the rate.
    pub xfer_len: i64,
    /// Milliseconds the transfer has run, for the rate.
    pub xfer_elapsed: u64,
}

impl Entry {
    /// The entry's bytes; strings longer than their field are cut to fit with their NUL.
    pub fn encode(&self) -> [u8; ENTRY_LEN] {
        let mut b = [0u8; ENTRY_LEN];
        b[at::PID..at::PID + 4].copy_from_slice(&self.pid.to_ne_bytes());
        b[at::UID..at::UID + 4].copy_from_slice(&self.uid.to_ne_bytes());
        b[at::GID..at::GID + 4].copy_from_slice(&self.gid.to_ne_bytes());
        put_str(&mut b, at::USER, &self.user);
        b[at::SERVER_PORT..at::SERVER_PORT + 4].copy_from_slice(&self.server_port.to_ne_bytes());
        put_str(&mut b, at::SERVER_ADDR, &self.server_addr);
        put_str(&mut b, at::SERVER_LABEL, &self.server_label);
        put_str(&mut b, at::CLIENT_ADDR, &self.client_addr);
        put_str(&mut b, at::CLIENT_NAME, &self.client_name);
        put_str(&mut b, at::CLASS, &self.class);
        put_str(&mut b, at::PROTOCOL, &self.protocol);
        put_str(&mut b, at::CWD, &self.cwd);
        put_str(&mut b, at::CMD, &self.cmd);
        put_str(&mut b, at::CMD_ARG, &self.cmd_arg);
        for (off, v) in [
            (at::BEGIN_IDLE, self.begin_idle),
            (at::BEGIN_SESSION, self.begin_session),
            (at::XFER_SIZE, self.xfer_size),
            (at::XFER_DONE, self.xfer_done),
            (at::XFER_LEN, self.xfer_len),
        ] {
            b[off..off + 8].copy_from_slice(&v.to_ne_bytes());
        }
        b[at::XFER_ELAPSED..at::XFER_ELAPSED + 8].copy_from_slice(&self.xfer_elapsed.to_ne_bytes());
        b
    }

    /// Reads an entry (`None` when `b` is shorter than an entry).
    pub fn decode(b: &[u8]) -> Option<Entry> {
        let b = b.get(..ENTRY_LEN)?;
        Some(Entry {
            pid: u32_at(b, at::PID),
            uid: u32_at(b, at::UID),
            gid: u32_at(b, at::GID),
            user: get_str(b, at::USER),
            server_port: i32::from_ne_bytes(
                b[at::SERVER_PORT..at::SERVER_PORT + 4].try_into().ok()?,
            ),
            server_addr: get_str(b, at::SERVER_ADDR),
            server_label: get_str(b, at::SERVER_LABEL),
            client_addr: get_str(b, at::CLIENT_ADDR),
            client_name: get_str(b, at::CLIENT_NAME),
            class: get_str(b, at::CLASS),
            protocol: get_str(b, at::PROTOCOL),
            cwd: get_str(b, at::CWD),
            cmd: get_str(b, at::CMD),
            cmd_arg: get_str(b, at::CMD_ARG),
            begin_idle: i64_at(b, at::BEGIN_IDLE),
            begin_session: i64_at(b, at::BEGIN_SESSION),
            xfer_size: i64_at(b, at::XFER_SIZE),
            xfer_done: i64_at(b, at::XFER_DONE),
            xfer_len: i64_at(b, at::XFER_LEN),
            xfer_elapsed: u64_at(b, at::XFER_ELAPSED),
        })
    }
}

fn put_str(b: &mut [u8], (off, len): (usize, usize), s: &str) {
    // Cut on a character boundary, leaving room for the NUL.
    let mut n = s.len().min(len - 1);
    while !s.is_char_boundary(n) {
        n -= 1;
    }
    b[off..off + n].copy_from_slice(&s.as_bytes()[..n]);
}

fn get_str(b: &[u8], (off, len): (usize, usize)) -> String {
    let field = &b[off..off + len];
    let end = field.iter().position(|&c| c == 0).unwrap_or(len);
    String::from_utf8_lossy(&field[..end]).into_owned()
}

fn u32_at(b: &[u8], off: usize) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[off..off + 4]);
    u32::from_ne_bytes(a)
}

fn u64_at(b: &[u8], off: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[off..off + 8]);
    u64::from_ne_bytes(a)
}

fn i64_at(b: &[u8], off: usize) -> i64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[off..off + 8]);
    i64::from_ne_bytes(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_and_entry_round_trip() {
        let h = Header {
            pid: 4242,
            uptime: 1_765_000_000,
        };
        assert_eq!(Header::decode(&h.encode()), Some(h));
        let e = Entry {
            pid: 7,
            uid: 2001,
            gid: 2002,
            user: "alice".into(),
            server_port: 21,
            server_addr: "127.0.0.1:21".into(),
            server_label: "ProFTPD Default Installation".into(),
            client_addr: "::ffff:127.0.0.1".into(),
            client_name: "localhost".into(),
            class: "local".into(),
            protocol: "ftp".into(),
            cwd: "/home/alice".into(),
            cmd: "RETR".into(),
            cmd_arg: "big.iso".into(),
            begin_idle: 5,
            begin_session: 6,
            xfer_size: 1 << 40,
            xfer_done: 3,
            xfer_len: 4,
            xfer_elapsed: 9,
        };
        assert_eq!(Entry::decode(&e.encode()), Some(e));
    }

    #[test]
    fn long_strings_are_cut_on_a_character_boundary_with_their_nul() {
        let e = Entry {
            user: "é".repeat(40),
            ..Entry::default()
        };
        let b = e.encode();
        assert_eq!(b[12 + 31], 0, "the field keeps its NUL");
        assert_eq!(Entry::decode(&b).map(|d| d.user), Some("é".repeat(15)));
    }

    #[test]
    fn a_foreign_header_is_refused() {
        let mut b = Header { pid: 1, uptime: 2 }.encode();
        b[8] ^= 1;
        assert_eq!(Header::decode(&b), None);
    }
}
