//! Moving file bytes over a data connection: `sendfile(2)` for binary downloads, bounded
//! buffers for uploads and ASCII conversion (LF on disk, CRLF on the wire).

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::fd::AsFd;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, Interest};
use tokio::net::TcpStream;

/// Size of the buffer a transfer holds while it runs (and only then).
const BUF: usize = 256 * 1024;

/// Runs `fut`, failing with `TimedOut` after `limit` (`TimeoutStalled`).
pub(crate) async fn stalled<T>(
    limit: Option<Duration>,
    fut: impl std::future::Future<Output = io::Result<T>>,
) -> io::Result<T> {
    match limit {
        Some(d) => tokio::time::timeout(d, fut)
            .await
            .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "Data transfer stalled"))?,
        None => fut.await,
    }
}

/// Sends `file` from `offset` to its end: `sendfile(2)` on a plain connection, one large
/// reused buffer written through rustls on a TLS one; returns the bytes sent.
pub async fn send_binary(
    stream: &mut crate::data_stream::DataStream,
    file: &File,
    offset: u64,
    stall: Option<Duration>,
) -> io::Result<u64> {
    match stream {
        crate::data_stream::DataStream::Plain(tcp) => sendfile(tcp, file, offset, stall).await,
        crate::data_stream::DataStream::Tls(tls) => {
            send_buffered(tls.as_mut(), file, offset, false, stall).await
        }
    }
}

/// Sends `file` from `offset` to its end with `sendfile(2)`; returns the bytes sent.
async fn sendfile(
    stream: &TcpStream,
    file: &File,
    offset: u64,
    stall: Option<Duration>,
) -> io::Result<u64> {
    let mut pos = offset;
    loop {
        // Let the session's control-connection watcher run between chunks.
        tokio::task::consume_budget().await;
        stalled(stall, stream.writable()).await?;
        let r = stream.try_io(Interest::WRITABLE, || {
            rustix::fs::sendfile(stream.as_fd(), file.as_fd(), Some(&mut pos), 1 << 30)
                .map_err(io::Error::from)
        });
        match r {
            Ok(0) => return Ok(pos - offset),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
}

/// Converts LF to CRLF from `input` into `output` (cleared first); `last_cr` carries
/// whether the previous chunk ended with CR, so an existing CRLF is not doubled.
pub fn lf_to_crlf(input: &[u8], output: &mut Vec<u8>, last_cr: &mut bool) {
    output.clear();
    for &b in input {
        if b == b'\n' && !*last_cr {
            output.push(b'\r');
        }
        output.push(b);
        *last_cr = b == b'\r';
    }
}

/// Converts CRLF to LF from `input` into `output` (cleared first); `pending_cr` carries a CR
/// that ended the previous chunk, written only once the next byte shows it is no line end.
pub fn crlf_to_lf(input: &[u8], output: &mut Vec<u8>, pending_cr: &mut bool) {
    output.clear();
    for &b in input {
        if *pending_cr {
            *pending_cr = false;
            if b != b'\n' {
                output.push(b'\r');
            }
        }
        if b == b'\r' {
            *pending_cr = true;
        } else {
            output.push(b);
        }
    }
}

/// Sends `file` from `offset` converting LF to CRLF; returns the bytes read from the file.
pub async fn send_ascii<W: AsyncWrite + Unpin>(
    stream: &mut W,
    file: &File,
    offset: u64,
    stall: Option<Duration>,
) -> io::Result<u64> {
    send_buffered(stream, file, offset, true, stall).await
}

/// Sends `file` from `offset` through a buffer (converting LF to CRLF when `ascii`), for
/// streams `sendfile(2)` cannot feed; returns the bytes read from the file.
///
/// Both buffers are allocated once per transfer: no allocation happens per chunk.
pub async fn send_buffered<W: AsyncWrite + Unpin>(
    stream: &mut W,
    mut file: &File,
    offset: u64,
    ascii: bool,
    stall: Option<Duration>,
) -> io::Result<u64> {
    file.seek(SeekFrom::Start(offset))?;
    let mut input = vec![0u8; BUF / 2];
    let mut output = if ascii {
        Vec::with_capacity(BUF)
    } else {
        Vec::new()
    };
    let mut total = 0u64;
    let mut last_cr = false;
    loop {
        let n = file.read(&mut input)?;
        if n == 0 {
            // A TLS stream (and a deflater) may hold the last bytes until flushed.
            stalled(stall, stream.flush()).await?;
            return Ok(total);
        }
        total += n as u64;
        if ascii {
            lf_to_crlf(&input[..n], &mut output, &mut last_cr);
            stalled(stall, stream.write_all(&output)).await?;
        } else {
            stalled(stall, stream.write_all(&input[..n])).await?;
        }
    }
}

/// Receives into `file` until the client closes; in ASCII mode CRLF becomes LF.
///
/// Both buffers are allocated once per transfer: no allocation happens per chunk.
pub async fn receive<R: AsyncRead + Unpin>(
    stream: &mut R,
    file: &mut File,
    ascii: bool,
    stall: Option<Duration>,
) -> io::Result<u64> {
    receive_at_most(stream, file, ascii, stall, None).await
}

/// Like [`receive`], failing with [`io::ErrorKind::FileTooLarge`] before writing the chunk
/// that takes the bytes received past `limit` (`MaxStoreFileSize`).
pub async fn receive_at_most<R: AsyncRead + Unpin>(
    stream: &mut R,
    file: &mut File,
    ascii: bool,
    stall: Option<Duration>,
    limit: Option<u64>,
) -> io::Result<u64> {
    let mut buf = vec![0u8; BUF];
    let mut out = if ascii {
        Vec::with_capacity(BUF)
    } else {
        Vec::new()
    };
    let mut total = 0u64;
    let mut pending_cr = false;
    loop {
        let n = match stalled(stall, stream.read(&mut buf)).await {
            Ok(n) => n,
            // A TLS client that closes TCP without close_notify (curl does): end of the upload,
            // as mod_tls takes it.
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => 0,
            Err(e) => return Err(e),
        };
        if n == 0 {
            if pending_cr {
                file.write_all(b"\r")?;
            }
            return Ok(total);
        }
        total += n as u64;
        if limit.is_some_and(|max| total > max) {
            return Err(io::Error::from(io::ErrorKind::FileTooLarge));
        }
        if ascii {
            crlf_to_lf(&buf[..n], &mut out, &mut pending_cr);
            file.write_all(&out)?;
        } else {
            file.write_all(&buf[..n])?;
        }
    }
}

/// Writes `bytes` (a listing chunk) to the data connection.
pub async fn write_chunk<W: AsyncWrite + Unpin>(
    stream: &mut W,
    bytes: &[u8],
    stall: Option<Duration>,
) -> io::Result<()> {
    stalled(stall, stream.write_all(bytes)).await
}

/// Ends a data connection cleanly: FIN, then close.
pub async fn finish<W: AsyncWrite + Unpin>(mut stream: W) {
    let _ = stream.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::{crlf_to_lf, lf_to_crlf};

    fn both_ways_in_chunks(disk: &[u8], chunk: usize) -> (Vec<u8>, Vec<u8>) {
        let (mut wire, mut out, mut last_cr) = (Vec::new(), Vec::new(), false);
        for c in disk.chunks(chunk) {
            lf_to_crlf(c, &mut out, &mut last_cr);
            wire.extend_from_slice(&out);
        }
        let (mut back, mut pending) = (Vec::new(), false);
        for c in wire.chunks(chunk) {
            crlf_to_lf(c, &mut out, &mut pending);
            back.extend_from_slice(&out);
        }
        if pending {
            back.push(b'\r');
        }
        (wire, back)
    }

    #[test]
    fn lf_becomes_crlf_and_back_across_chunk_edges() {
        for chunk in [1, 2, 3, 7, 64] {
            let (wire, back) = both_ways_in_chunks(b"a\nb\n\nc", chunk);
            assert_eq!(wire, b"a\r\nb\r\n\r\nc", "chunk {chunk}");
            assert_eq!(back, b"a\nb\n\nc", "chunk {chunk}");
        }
    }

    #[test]
    fn existing_crlf_and_bare_cr_are_kept() {
        let (wire, back) = both_ways_in_chunks(b"x\r\ny\rz\r", 2);
        assert_eq!(wire, b"x\r\ny\rz\r");
        assert_eq!(back, b"x\ny\rz\r");
    }
}
