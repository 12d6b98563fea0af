//! Control-connection line splitting with Telnet (RFC 854) handling, bounded in memory.
//!
//! What ProFTPD 1.3.8 does, and so what this does (observed on loopback and read in its
//! `pr_netio_telnet_gets2`):
//! - `IAC IAC` is one 0xFF data byte; `IAC WILL/WONT x` is answered `IAC DONT x` and
//!   `IAC DO/DONT x` is answered `IAC WONT x` (captured: `N IAC WILL 1 OOP` → the server
//!   writes `FF FE 01` and then `200 NOOP command successful`); `IAC IP` and `IAC DM` are
//!   dropped (captured: `IAC IP IAC DM NOOP` → `200 NOOP command successful`).
//! - `IAC` before a byte that is no Telnet command is kept with that byte as data.
//! - A too-long line gets no reply at all: ProFTPD logs "client sent too-long command,
//!   ignoring", sleeps 250 ms, and after more than three of them closes the session. Its
//!   default buffer accepts 4100 bytes before the CR LF (captured: a 4102-byte line incl.
//!   CR LF is served, a 4103-byte one is ignored); see [`PROFTPD_MAX_LINE`].
//!
//! Deliberate differences: other two-byte Telnet commands (`IAC AO`, `IAC NOP`, `IAC AYT`,
//! …) are dropped rather than kept as data; and a bare LF ends a line unless the buffer was
//! made with [`LineBuffer::crlf_only`] (ProFTPD 1.3.8 only ends a line at CR LF: captured,
//! `MKD a LF MKD b CR LF` makes one directory named `a\nMKD b`).

/// The longest line, without its line end, that ProFTPD 1.3.8 accepts by default.
pub const PROFTPD_MAX_LINE: usize = 4100;

/// Line buffer capacity kept after a line; a longer one is freed when the next line starts.
const LINE_KEEP: usize = 512;
/// Read buffer capacity kept once everything read has been consumed.
const RAW_KEEP: usize = 16 * 1024;
/// Most bytes of Telnet refusals held for the caller; more are dropped (a flood of options).
const REPLIES_MAX: usize = 48;

const IAC: u8 = 255;
const DONT: u8 = 254;
const DO: u8 = 253;
const WONT: u8 = 252;
const WILL: u8 = 251;
const DM: u8 = 242;
const IP: u8 = 244;
/// `SE` (240) is the lowest Telnet command byte.
const SE: u8 = 240;

/// One complete control line, CR LF stripped and Telnet sequences decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line<'a> {
    /// The line's bytes, without the line end.
    pub bytes: &'a [u8],
    /// Whether `IAC IP` or `IAC DM` came while this line was read (Telnet "SYNCH", as
    /// clients send before an urgent `ABOR`).
    pub saw_interrupt: bool,
}

/// Why a line was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LineError {
    /// The line exceeded the maximum length; the rest of it, up to its line end, is skipped.
    #[error("command line too long")]
    TooLong,
}

/// Where the Telnet decoder stands between bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Telnet {
    Data,
    Iac,
    /// After `IAC WILL/WONT/DO/DONT`; holds that verb, waiting for the option byte.
    Option(u8),
}

/// What one pass over the input produced.
enum Outcome {
    Line,
    TooLong,
    NeedMore,
}

/// Splits the bytes read from a control connection into lines.
///
/// Feed it with [`feed`](Self::feed) (bytes you read elsewhere) or
/// [`fill_with`](Self::fill_with) (read straight into its spare capacity, e.g. with
/// `TcpStream::try_read` after `readable().await`, so that an idle session holds no read
/// buffer at all), then call [`next_line`](Self::next_line) until it returns `None`. It
/// never holds more than `max_len + 1` decoded bytes plus one read; a new buffer holds no heap
/// memory until bytes arrive, and [`release`](Self::release) frees it again.
#[derive(Debug)]
pub struct LineBuffer {
    raw: Vec<u8>,
    pos: usize,
    line: Vec<u8>,
    replies: Vec<u8>,
    max_len: usize,
    state: Telnet,
    prev_cr: bool,
    discarding: bool,
    interrupt: bool,
    returned: bool,
    crlf_only: bool,
}

impl LineBuffer {
    /// A buffer for lines of at most `max_len` bytes (line end excluded); a bare LF ends a
    /// line too.
    pub fn new(max_len: usize) -> LineBuffer {
        LineBuffer {
            raw: Vec::new(),
            pos: 0,
            line: Vec::new(),
            replies: Vec::new(),
            max_len,
            state: Telnet::Data,
            prev_cr: false,
            discarding: false,
            interrupt: false,
            returned: false,
            crlf_only: false,
        }
    }

    /// A buffer where only CR LF ends a line and a bare LF is data, as in ProFTPD 1.3.8.
    pub fn crlf_only(max_len: usize) -> LineBuffer {
        LineBuffer {
            crlf_only: true,
            ..LineBuffer::new(max_len)
        }
    }

    /// Appends bytes read from the connection.
    pub fn feed(&mut self, bytes: &[u8]) {
        self.compact();
        self.raw.extend_from_slice(bytes);
    }

    /// Lets `read` fill up to `want` bytes of spare capacity; returns what `read` returned.
    ///
    /// `read` gets a zeroed slice of `want` bytes and returns how many it filled (values past
    /// `want` are clamped).
    pub fn fill_with<E>(
        &mut self,
        want: usize,
        read: impl FnOnce(&mut [u8]) -> Result<usize, E>,
    ) -> Result<usize, E> {
        self.compact();
        let filled = self.raw.len();
        self.raw.resize(filled + want, 0);
        let res = read(&mut self.raw[filled..]);
        let n = match &res {
            Ok(n) => (*n).min(want),
            Err(_) => 0,
        };
        self.raw.truncate(filled + n);
        res.map(|_| n)
    }

    /// The next complete line, a too-long error (once per such line), or `None` when more
    /// input is needed.
    pub fn next_line(&mut self) -> Option<Result<Line<'_>, LineError>> {
        if self.returned {
            self.returned = false;
            self.interrupt = false;
            if self.line.capacity() > LINE_KEEP {
                self.line = Vec::new();
            } else {
                self.line.clear();
            }
        }
        let outcome = self.scan();
        if self.pos == self.raw.len() {
            self.pos = 0;
            if self.raw.capacity() > RAW_KEEP {
                self.raw = Vec::new();
            } else {
                self.raw.clear();
            }
        }
        match outcome {
            Outcome::NeedMore => None,
            Outcome::TooLong => Some(Err(LineError::TooLong)),
            Outcome::Line => {
                self.returned = true;
                Some(Ok(Line {
                    bytes: &self.line,
                    saw_interrupt: self.interrupt,
                }))
            }
        }
    }

    /// Moves the Telnet refusals owed to the client (`IAC DONT x` / `IAC WONT x`) to `out`.
    pub fn drain_telnet_replies(&mut self, out: &mut Vec<u8>) {
        out.append(&mut self.replies);
        self.replies = Vec::new();
    }

    /// Frees the heap buffers when no partial line is pending (call before a long idle wait).
    pub fn release(&mut self) {
        if self.pos == self.raw.len() {
            self.raw = Vec::new();
            self.pos = 0;
        }
        if self.returned {
            self.returned = false;
            self.interrupt = false;
            self.line = Vec::new();
        } else if self.line.is_empty() {
            self.line = Vec::new();
        }
    }

    /// Heap bytes currently held (capacity of the internal buffers).
    pub fn heap_bytes(&self) -> usize {
        self.raw.capacity() + self.line.capacity() + self.replies.capacity()
    }

    /// Drops the consumed prefix of the read buffer.
    fn compact(&mut self) {
        if self.pos > 0 {
            self.raw.drain(..self.pos);
            self.pos = 0;
        }
    }

    /// Decodes input until a line ends, a line overflows, or input runs out.
    fn scan(&mut self) -> Outcome {
        while self.pos < self.raw.len() {
            let b = self.raw[self.pos];
            self.pos += 1;
            match self.state {
                Telnet::Data if b == IAC => self.state = Telnet::Iac,
                Telnet::Data => {
                    if let Some(o) = self.data(b) {
                        return o;
                    }
                }
                Telnet::Iac => {
                    self.state = Telnet::Data;
                    match b {
                        IAC => {
                            if let Some(o) = self.data(IAC) {
                                return o;
                            }
                        }
                        WILL | WONT | DO | DONT => self.state = Telnet::Option(b),
                        IP | DM => self.interrupt = true,
                        SE..=250 => {}
                        _ => {
                            if let Some(o) = self.data(IAC) {
                                return o;
                            }
                            if let Some(o) = self.data(b) {
                                return o;
                            }
                        }
                    }
                }
                Telnet::Option(verb) => {
                    self.state = Telnet::Data;
                    let answer = if verb == WILL || verb == WONT {
                        DONT
                    } else {
                        WONT
                    };
                    if self.replies.len() + 3 <= REPLIES_MAX {
                        self.replies.extend_from_slice(&[IAC, answer, b]);
                    }
                }
            }
        }
        Outcome::NeedMore
    }

    /// Takes one decoded data byte; returns an outcome when it ends or overflows a line.
    fn data(&mut self, b: u8) -> Option<Outcome> {
        if b == b'\n' && (!self.crlf_only || self.prev_cr) {
            self.prev_cr = false;
            if self.discarding {
                self.discarding = false;
                self.interrupt = false;
                return None;
            }
            if self.line.last() == Some(&b'\r') {
                self.line.pop();
            }
            if self.line.len() > self.max_len {
                self.line = Vec::new();
                self.interrupt = false;
                return Some(Outcome::TooLong);
            }
            return Some(Outcome::Line);
        }
        // RFC 854: CR NUL is a bare CR; the NUL is no data (ProFTPD keeps `ab CR NUL cd` as
        // the name `ab CR cd`).
        if b == 0 && self.prev_cr {
            self.prev_cr = false;
            return None;
        }
        self.prev_cr = b == b'\r';
        if self.discarding {
            return None;
        }
        // One byte beyond max_len may be the CR of the line end.
        if self.line.len() > self.max_len {
            self.discarding = true;
            self.line = Vec::new();
            self.interrupt = false;
            return Some(Outcome::TooLong);
        }
        self.line.push(b);
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Collects everything `next_line` yields after feeding `input` in one piece.
    fn lines(lb: &mut LineBuffer, input: &[u8]) -> Vec<Result<(Vec<u8>, bool), LineError>> {
        lb.feed(input);
        let mut v = Vec::new();
        while let Some(r) = lb.next_line() {
            v.push(r.map(|l| (l.bytes.to_vec(), l.saw_interrupt)));
        }
        v
    }

    fn ok(s: &[u8]) -> Result<(Vec<u8>, bool), LineError> {
        Ok((s.to_vec(), false))
    }

    #[test]
    fn splits_crlf_and_bare_lf() {
        let mut lb = LineBuffer::new(512);
        assert_eq!(
            lines(&mut lb, b"USER a\r\nPASS b\nNOOP\r\n"),
            vec![ok(b"USER a"), ok(b"PASS b"), ok(b"NOOP")]
        );
        // A CR inside the line stays; only the one before LF goes.
        assert_eq!(lines(&mut lb, b"MKD a\rb\r\n"), vec![ok(b"MKD a\rb")]);
        assert_eq!(lines(&mut lb, b"\r\n"), vec![ok(b"")]);
    }

    #[test]
    fn cr_nul_is_a_bare_cr() {
        let mut lb = LineBuffer::crlf_only(100);
        assert_eq!(lines(&mut lb, b"MKD ab\r\0cd\r\n"), vec![ok(b"MKD ab\rcd")]);
        // A NUL anywhere else stays, for the command parser to refuse.
        assert_eq!(lines(&mut lb, b"MKD a\0b\r\n"), vec![ok(b"MKD a\0b")]);
    }

    #[test]
    fn crlf_only_keeps_bare_lf_as_data() {
        // ProFTPD 1.3.8 capture: `mkd bare-lf LF MKD lf CR cr2 LF NO FF OP CR LF` was one
        // command whose argument was `bare-lf\nMKD lf\rcr2\nNO\xffOP`.
        let mut lb = LineBuffer::crlf_only(512);
        assert_eq!(
            lines(&mut lb, b"mkd bare-lf\nMKD lf\rcr2\nNO\xffOP\r\n"),
            vec![ok(b"mkd bare-lf\nMKD lf\rcr2\nNO\xffOP")]
        );
    }

    #[test]
    fn byte_at_a_time_gives_same_lines() {
        let input = b"NO\xff\xffOP\r\nN\xff\xfb\x01OOP\r\n\xff\xf4\xff\xf2ABOR\r\n";
        let mut lb = LineBuffer::new(512);
        let mut got = Vec::new();
        for &b in input.iter() {
            lb.feed(&[b]);
            while let Some(r) = lb.next_line() {
                got.push(r.map(|l| (l.bytes.to_vec(), l.saw_interrupt)));
            }
        }
        assert_eq!(
            got,
            vec![ok(b"NO\xffOP"), ok(b"NOOP"), Ok((b"ABOR".to_vec(), true))]
        );
    }

    #[test]
    fn telnet_sequences() {
        let mut lb = LineBuffer::new(512);
        // IAC IAC is a data 0xFF (ProFTPD: `500 NO\xffOP not understood`).
        assert_eq!(lines(&mut lb, b"NO\xff\xffOP\r\n"), vec![ok(b"NO\xffOP")]);
        // WILL/DO negotiation is dropped from the line and refused.
        assert_eq!(
            lines(&mut lb, b"N\xff\xfb\x01OO\xff\xfd\x03P\r\n"),
            vec![ok(b"NOOP")]
        );
        let mut out = Vec::new();
        lb.drain_telnet_replies(&mut out);
        assert_eq!(out, b"\xff\xfe\x01\xff\xfc\x03");
        out.clear();
        lb.drain_telnet_replies(&mut out);
        assert!(out.is_empty());
        // SYNCH before ABOR marks the line; the flag does not leak to the next one.
        assert_eq!(
            lines(&mut lb, b"\xff\xf4\xff\xf2ABOR\r\nNOOP\r\n"),
            vec![Ok((b"ABOR".to_vec(), true)), ok(b"NOOP")]
        );
        // Other 2-byte commands (AO, NOP, AYT) vanish; IAC + non-command stays as data.
        assert_eq!(
            lines(&mut lb, b"NO\xff\xf5\xff\xf1\xff\xf6OP\r\n"),
            vec![ok(b"NOOP")]
        );
        assert_eq!(lines(&mut lb, b"NO\xffOP\r\n"), vec![ok(b"NO\xffOP")]);
    }

    #[test]
    fn telnet_replies_are_bounded() {
        let mut lb = LineBuffer::new(512);
        let flood: Vec<u8> = (0..1000).flat_map(|_| [IAC, WILL, 1]).collect();
        lb.feed(&flood);
        assert!(lb.next_line().is_none());
        let mut out = Vec::new();
        lb.drain_telnet_replies(&mut out);
        assert_eq!(out.len(), REPLIES_MAX);
    }

    #[test]
    fn too_long_once_then_recovers() {
        let mut lb = LineBuffer::new(8);
        assert_eq!(
            lines(&mut lb, b"12345678\r\n123456789\r\nNOOP\r\n"),
            vec![ok(b"12345678"), Err(LineError::TooLong), ok(b"NOOP")]
        );
        // Overflow found mid-line: one error, the rest skipped across feeds.
        assert_eq!(
            lines(&mut lb, b"abcdefghijklmnop"),
            vec![Err(LineError::TooLong)]
        );
        assert_eq!(lines(&mut lb, &[b'x'; 10_000]), vec![]);
        assert!(lb.heap_bytes() < 10_000 + 64);
        assert_eq!(lines(&mut lb, b"yyy\r\nPWD\r\n"), vec![ok(b"PWD")]);
        // Nine bytes then a bare LF: too long, not an overflow of the CR allowance.
        assert_eq!(
            lines(&mut lb, b"123456789\n"),
            vec![Err(LineError::TooLong)]
        );
    }

    #[test]
    fn proftpd_default_limit() {
        // ProFTPD 1.3.8 capture: a 4102-byte line incl. CR LF was answered, 4103 was not.
        let mut lb = LineBuffer::new(PROFTPD_MAX_LINE);
        let mut ok_line = vec![b'a'; 4100];
        ok_line.extend_from_slice(b"\r\n");
        assert_eq!(lines(&mut lb, &ok_line).len(), 1);
        assert!(lines(&mut lb, &ok_line)[0].is_ok());
        let mut long = vec![b'a'; 4101];
        long.extend_from_slice(b"\r\n");
        assert_eq!(lines(&mut lb, &long), vec![Err(LineError::TooLong)]);
    }

    #[test]
    fn fill_with_reads_into_spare_capacity() {
        let mut lb = LineBuffer::new(512);
        let n: Result<usize, ()> = lb.fill_with(64, |buf| {
            buf[..6].copy_from_slice(b"NOOP\r\n");
            Ok(6)
        });
        assert_eq!(n, Ok(6));
        assert_eq!(lb.next_line().unwrap().unwrap().bytes, b"NOOP");
        assert!(lb.next_line().is_none());
        let e: Result<usize, &str> = lb.fill_with(64, |_| Err("would block"));
        assert_eq!(e, Err("would block"));
        assert!(lb.next_line().is_none());
        // A reader claiming more than it was given is clamped.
        let n: Result<usize, ()> = lb.fill_with(4, |buf| {
            buf.copy_from_slice(b"PWD\n");
            Ok(99)
        });
        assert_eq!(n, Ok(4));
        assert_eq!(lb.next_line().unwrap().unwrap().bytes, b"PWD");
    }

    #[test]
    fn idle_footprint_is_small() {
        let mut lb = LineBuffer::new(PROFTPD_MAX_LINE);
        assert_eq!(lb.heap_bytes(), 0);
        assert!(std::mem::size_of::<LineBuffer>() <= 112);
        let mut big = vec![b'a'; 3000];
        big.extend_from_slice(b"\r\n");
        assert_eq!(lines(&mut lb, &big).len(), 1);
        // The long line's buffer is dropped when the next line is asked for.
        assert!(lb.next_line().is_none());
        assert!(lb.line.capacity() <= LINE_KEEP);
        lb.release();
        assert_eq!(lb.heap_bytes(), 0);
        // A partial line survives release.
        lb.feed(b"NO");
        assert!(lb.next_line().is_none());
        lb.release();
        lb.feed(b"OP\r\n");
        assert_eq!(lb.next_line().unwrap().unwrap().bytes, b"NOOP");
    }
}
