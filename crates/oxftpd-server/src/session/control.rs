//! The control connection: bounded line reading and reply writing.

use std::io;

use oxftpd_proto::line::{LineBuffer, LineError};
use oxftpd_proto::reply::Reply;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

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
    stream: TcpStream,
    lines: LineBuffer,
    out: Vec<u8>,
    /// The peer's end of stream was read while draining after an urgent mark.
    eof: bool,
}

impl Control {
    /// Wraps an accepted connection; `max_line` is `CommandBufferSize`.
    pub fn new(stream: TcpStream, max_line: usize) -> Self {
        // Urgent data (the Telnet SYNCH before ABOR, or ftplib's urgent `ABOR`) stays in the
        // byte stream, where the line splitter sees it.
        let _ = socket2::SockRef::from(&stream).set_out_of_band_inline(true);
        Control {
            stream,
            lines: LineBuffer::crlf_only(max_line),
            out: Vec::new(),
            eof: false,
        }
    }

    /// The underlying socket (for addresses and readiness).
    pub fn stream(&self) -> &TcpStream {
        &self.stream
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
                return Ok(Incoming::Closed);
            }
            self.lines.feed(&buf[..n]);
            if n < buf.len() {
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
            match rustix::net::recv(&self.stream, &mut *buf, rustix::net::RecvFlags::DONTWAIT) {
                Ok((0, _)) => {
                    self.eof = true;
                    return;
                }
                Ok((n, _)) => {
                    self.lines.feed(&buf[..n]);
                    if n < buf.len() {
                        return;
                    }
                }
                Err(_) => return,
            }
        }
    }

    /// Queues a reply without sending it.
    pub fn queue(&mut self, reply: &Reply) {
        reply.write_to(&mut self.out);
    }

    /// Sends queued replies.
    pub async fn flush(&mut self) -> io::Result<()> {
        if !self.out.is_empty() {
            self.stream.write_all(&self.out).await?;
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

    /// Waits until the control connection has input (used to notice ABOR during a transfer).
    pub async fn readable(&self) -> io::Result<()> {
        self.stream.readable().await
    }
}
