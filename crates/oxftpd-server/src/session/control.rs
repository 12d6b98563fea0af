//! The control connection: bounded line reading and reply writing.

use std::io;

use oxftpd_proto::line::{LineBuffer, LineError};
use oxftpd_proto::reply::Reply;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::data::tls_stream::{self, MaybeTls};

/// What reading the next command line gave.
pub enum Incoming {
    /// A complete line (copied out of the read buffer) and whether a Telnet interrupt preceded it.
    Line(Vec<u8>, bool),
    /// A line longer than `CommandBufferSize`; it was discarded.
    TooLong,
    /// The client closed the connection.
    Closed,
}

/// The control connection of one session.
pub struct Control {
    stream: MaybeTls,
    /// After `CCC`: the client's close_notify may still arrive and is skipped.
    skip_alert: bool,
    /// Bytes of that close_notify record still to skip (it may arrive in pieces).
    skip_left: usize,
    lines: LineBuffer,
    out: Vec<u8>,
    /// The code of the last reply queued (what a command ended with: `POST_CMD` or `_ERR`).
    last_code: u16,
    /// The text of the last line of the last reply queued (ProFTPD's last response message).
    last_text: String,
    /// Bytes read from and written to the control connection (`%I`, `%O` of a `LogFormat`).
    raw: (u64, u64),
    /// The peer's end of stream was read while draining after an urgent mark.
    eof: bool,
    /// The session's trace: each reply line on the `response` channel.
    trace: crate::trace::Trace,
    /// A session whose front door is not FTP (SSH): replies are recorded, never written.
    detached: bool,
}

impl Control {
    /// Wraps an accepted connection; `max_line` is `CommandBufferSize`.
    pub fn new(stream: TcpStream, max_line: usize) -> Self {
        // Urgent data (the Telnet SYNCH before ABOR, or ftplib's urgent `ABOR`) stays in the
        // byte stream, where the line splitter sees it.
        let _ = socket2::SockRef::from(&stream).set_out_of_band_inline(true);
        Control {
            stream: MaybeTls::Plain(stream),
            skip_alert: false,
            skip_left: 0,
            lines: LineBuffer::crlf_only(max_line),
            out: Vec::new(),
            last_code: 0,
            last_text: String::new(),
            raw: (0, 0),
            eof: false,
            trace: crate::trace::Trace::OFF,
            detached: false,
        }
    }

    /// A control connection for a session whose client speaks another protocol (mod_sftp's
    /// SSH): replies are queued for the logs (the last code and text) and then dropped; it
    /// never reads a line.
    pub fn detached() -> io::Result<Self> {
        let mut control = Control::new(dead_stream()?, 512);
        control.detached = true;
        control.eof = true;
        Ok(control)
    }

    /// The underlying TCP socket (for addresses and readiness).
    pub fn stream(&self) -> &TcpStream {
        self.stream.tcp()
    }

    /// Whether the control connection is TLS-protected.
    pub fn is_tls(&self) -> bool {
        self.stream.is_tls()
    }

    /// The rustls connection of a protected control connection.
    pub fn tls_connection(&self) -> Option<&rustls::ServerConnection> {
        match &self.stream {
            MaybeTls::Tls(s) => Some(s.get_ref().1),
            MaybeTls::Plain(_) | MaybeTls::Client(_) => None,
        }
    }

    /// Runs the TLS handshake on the connection (`AUTH TLS`, or at accept for implicit FTPS)
    /// with the configuration `choose` gives for the client's SNI name (`None` refuses it).
    /// Queued replies are sent first, in clear; on failure the connection is unusable.
    pub async fn upgrade_to_tls<F>(
        &mut self,
        limit: std::time::Duration,
        choose: F,
    ) -> io::Result<()>
    where
        F: FnOnce(Option<&str>) -> Option<std::sync::Arc<rustls::ServerConfig>>,
    {
        self.flush().await?;
        if self.stream.is_tls() {
            return Err(io::Error::other("control connection is already TLS"));
        }
        let placeholder = MaybeTls::Plain(dead_stream()?);
        let MaybeTls::Plain(tcp) = std::mem::replace(&mut self.stream, placeholder) else {
            return Err(io::Error::other("control connection is already TLS"));
        };
        let tls = tls_stream::accept_choosing(tcp, limit, choose).await?;
        self.stream = MaybeTls::Tls(Box::new(tls));
        Ok(())
    }

    /// Ends TLS on the control connection (`CCC`) after sending queued replies.
    pub async fn downgrade(&mut self) -> io::Result<()> {
        self.flush().await?;
        let placeholder = MaybeTls::Plain(dead_stream()?);
        match std::mem::replace(&mut self.stream, placeholder) {
            MaybeTls::Tls(tls) => {
                self.stream = MaybeTls::Plain(tls_stream::downgrade(*tls).await?);
                self.skip_alert = true;
            }
            plain => self.stream = plain,
        }
        Ok(())
    }

    /// Reads the next command line.
    pub async fn next(&mut self) -> io::Result<Incoming> {
        loop {
            match self.lines.next_line() {
                Some(Ok(line)) => {
                    return Ok(Incoming::Line(line.bytes.to_vec(), line.saw_interrupt));
                }
                Some(Err(LineError::TooLong)) => return Ok(Incoming::TooLong),
                Some(Err(_)) => return Ok(Incoming::TooLong),
                None => {}
            }
            if self.eof {
                return Ok(Incoming::Closed);
            }
            let mut buf = [0u8; 1024];
            let n = self.stream.read(&mut buf).await?;
            if n == 0 {
                crate::trace_msg!(
                    self.trace,
                    "command",
                    6,
                    "client sent EOF, closing control connection"
                );
                return Ok(Incoming::Closed);
            }
            let mut bytes = &buf[..n];
            if self.skip_left > 0 {
                let k = self.skip_left.min(bytes.len());
                self.skip_left -= k;
                bytes = &bytes[k..];
            }
            if self.skip_alert && !bytes.is_empty() {
                self.skip_alert = false;
                if let Some(len) = tls_record_len(bytes) {
                    let k = len.min(bytes.len());
                    self.skip_left = len - k;
                    bytes = &bytes[k..];
                }
            }
            self.raw.0 += bytes.len() as u64;
            self.lines.feed(bytes);
            if n < buf.len() && !self.stream.is_tls() {
                self.drain_after_short_read(&mut buf);
            }
            // Answers to Telnet option negotiation (we refuse every option).
            self.lines.drain_telnet_replies(&mut self.out);
            if !self.out.is_empty() {
                self.flush().await?;
            }
        }
    }

    /// Reads what is left after a short read, without waiting.
    ///
    /// Tokio takes a short read to mean the socket is drained and waits for the next
    /// readiness event; but the kernel also ends a read short at a TCP urgent mark (the
    /// urgent `ABOR` python's ftplib sends), and the bytes after the mark would then wait
    /// for the client's next command.
    fn drain_after_short_read(&mut self, buf: &mut [u8]) {
        loop {
            match rustix::net::recv(
                self.stream.tcp(),
                &mut *buf,
                rustix::net::RecvFlags::DONTWAIT,
            ) {
                Ok((0, _)) => {
                    self.eof = true;
                    return;
                }
                Ok((n, _)) => {
                    self.raw.0 += n as u64;
                    self.lines.feed(&buf[..n]);
                    if n < buf.len() {
                        return;
                    }
                }
                Err(_) => return,
            }
        }
    }

    /// Sets the trace the reply lines are written to.
    pub fn set_trace(&mut self, trace: crate::trace::Trace) {
        self.trace = trace;
    }

    /// Queues a reply without sending it.
    pub fn queue(&mut self, reply: &Reply) {
        self.last_code = reply.code();
        if let Some(last) = reply.lines().last() {
            self.last_text.clear();
            self.last_text.push_str(last);
        }
        let start = self.out.len();
        reply.write_to(&mut self.out);
        if self.trace.takes("response", 1) {
            for line in self.out[start..].split(|&b| b == b'\n') {
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                if !line.is_empty() {
                    self.trace.write(
                        "response",
                        1,
                        format_args!("{}", String::from_utf8_lossy(line)),
                    );
                }
            }
        }
    }

    /// Adds `text` to the last queued reply when that reply has `code` (one multi-line reply,
    /// as ProFTPD's `pr_response_add` builds it), as its first line when `first` (a module
    /// whose `POST_CMD` handler runs before the one that added the reply), else as its last;
    /// without such a reply, queues a new one. For modules' `Post` hooks (`SQLShowInfo`).
    pub fn add_line(&mut self, code: u16, text: &str, first: bool) {
        let line_start = |out: &[u8], end: usize| -> usize {
            let body = out[..end].strip_suffix(b"\r\n").unwrap_or(&out[..end]);
            body.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1)
        };
        let last = line_start(&self.out, self.out.len());
        let head = format!("{code:03} ");
        if self.out.len() < last + 4 || !self.out[last..].starts_with(head.as_bytes()) {
            self.queue(&Reply::new(code, text.to_string()));
            return;
        }
        // The reply's first line: walk back over middle lines (" …") to "CODE-…".
        let dash = format!("{code:03}-");
        let mut reply_start = last;
        let mut probe = last;
        while probe > 0 {
            let prev = line_start(&self.out, probe);
            let line = &self.out[prev..probe];
            if line.starts_with(b" ") {
                probe = prev;
                continue;
            }
            if line.starts_with(dash.as_bytes()) {
                reply_start = prev;
            }
            break;
        }
        let mut added = Vec::new();
        if first {
            oxftpd_proto::reply::write_first_line(code, text, &mut added);
            if reply_start != last {
                // The old first line "CODE-…" becomes a middle line " …".
                self.out.drain(reply_start..reply_start + 3);
                self.out[reply_start] = b' ';
            }
            self.out.splice(reply_start..reply_start, added);
        } else {
            if reply_start != last {
                // "CODE text" becomes a middle line " text".
                self.out.drain(last..last + 3);
            } else {
                self.out[last + 3] = b'-';
            }
            oxftpd_proto::reply::write_reply(code, text, &mut added);
            self.out.extend_from_slice(&added);
            self.last_text.clear();
            self.last_text.push_str(text);
        }
    }

    /// Replaces the last line of the last queued reply, when it is `code`'s final line, by
    /// `text` (a `Post` hook answering in its own words, as ProFTPD's `pr_response_clear` and
    /// `pr_response_add`: mod_auth_otp's `331`); whether it did.
    pub fn replace_last(&mut self, code: u16, text: &str) -> bool {
        let body = self.out.strip_suffix(b"\r\n").unwrap_or(&self.out);
        let last = body.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        if !self.out[last..].starts_with(format!("{code:03} ").as_bytes()) {
            return false;
        }
        self.out.truncate(last);
        let mut added = Vec::new();
        oxftpd_proto::reply::write_reply(code, text, &mut added);
        self.out.extend_from_slice(&added);
        self.last_text.clear();
        self.last_text.push_str(text);
        true
    }

    /// The text of the last line of the last reply queued.
    pub fn last_text(&self) -> &str {
        &self.last_text
    }

    /// Bytes read from and written to the control connection so far.
    pub fn raw_bytes(&self) -> (u64, u64) {
        self.raw
    }

    /// The code of the last reply queued since [`Control::take_last_code`].
    pub fn take_last_code(&mut self) -> u16 {
        std::mem::take(&mut self.last_code)
    }

    /// Sends queued replies.
    pub async fn flush(&mut self) -> io::Result<()> {
        if self.detached {
            self.out.clear();
            return Ok(());
        }
        if !self.out.is_empty() {
            self.stream.write_all(&self.out).await?;
            self.raw.1 += self.out.len() as u64;
            self.out.clear();
            if self.out.capacity() > 4096 {
                self.out = Vec::new();
            }
        }
        Ok(())
    }

    /// Queues and sends one reply.
    pub async fn send(&mut self, reply: &Reply) -> io::Result<()> {
        self.queue(reply);
        self.flush().await
    }

    /// Waits until the control connection has input: plaintext rustls has decrypted but
    /// nobody read yet, or new bytes on the socket. (The transfer watcher reads lines through
    /// [`Control::next`], which drains rustls' buffer first.)
    pub async fn readable(&mut self) -> io::Result<()> {
        if let MaybeTls::Tls(s) = &mut self.stream {
            let conn = s.get_mut().1;
            if let Ok(state) = conn.process_new_packets()
                && state.plaintext_bytes_to_read() > 0
            {
                return Ok(());
            }
        }
        self.stream.tcp().readable().await
    }
}

/// A TCP stream that stands in while the real one is being upgraded or downgraded.
fn dead_stream() -> io::Result<TcpStream> {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)?;
    socket.set_nonblocking(true)?;
    TcpStream::from_std(std::net::TcpStream::from(socket))
}

/// The length (header included) of the TLS record `bytes` starts with, if it starts with one:
/// the client's close_notify after `CCC` is an alert record (TLS 1.2) or, encrypted, an
/// application data record (TLS 1.3). No FTP command starts with these bytes.
fn tls_record_len(bytes: &[u8]) -> Option<usize> {
    match bytes {
        [0x15 | 0x17, 0x03, 0x01..=0x04, hi, lo, ..] => {
            Some(5 + usize::from(u16::from_be_bytes([*hi, *lo])))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::tls_record_len;

    #[test]
    fn close_notify_records_are_recognised() {
        assert_eq!(
            tls_record_len(&[0x15, 0x03, 0x03, 0x00, 0x02, 1, 0]),
            Some(7)
        );
        assert_eq!(tls_record_len(&[0x17, 0x03, 0x03, 0x00, 0x13]), Some(24));
        assert_eq!(tls_record_len(b"NOOP\r\n"), None);
        assert_eq!(tls_record_len(&[0x17, 0x03]), None);
    }
}
