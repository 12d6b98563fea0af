//! Moving file bytes over a data connection: `sendfile(2)` for binary downloads, bounded
//! buffers for uploads and ASCII conversion (LF on disk, CRLF on the wire).

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::AsFd;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt, Interest};
use tokio::net::TcpStream;

/// Size of the buffer a transfer holds while it runs (and only then).
const BUF: usize = 256 * 1024;

async fn stalled<T>(
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

/// Sends `file` from `offset` to its end with `sendfile(2)`; returns the bytes sent.
pub async fn send_binary(
    stream: &TcpStream,
    file: &File,
    offset: u64,
    stall: Option<Duration>,
) -> io::Result<u64> {
    let mut pos = offset;
    loop {
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

/// Sends `file` converting LF to CRLF; returns the bytes read from the file.
pub async fn send_ascii(
    stream: &mut TcpStream,
    mut file: File,
    stall: Option<Duration>,
) -> io::Result<u64> {
    let mut input = vec![0u8; BUF / 2];
    let mut output = Vec::with_capacity(BUF + 2);
    let mut total = 0u64;
    let mut last_cr = false;
    loop {
        let n = file.read(&mut input)?;
        if n == 0 {
            return Ok(total);
        }
        total += n as u64;
        output.clear();
        for &b in &input[..n] {
            if b == b'\n' && !last_cr {
                output.push(b'\r');
            }
            output.push(b);
            last_cr = b == b'\r';
        }
        stalled(stall, stream.write_all(&output)).await?;
    }
}

/// Receives into `file` until the client closes; in ASCII mode CRLF becomes LF.
pub async fn receive(
    stream: &mut TcpStream,
    file: &mut File,
    ascii: bool,
    stall: Option<Duration>,
) -> io::Result<u64> {
    receive_at_most(stream, file, ascii, stall, None).await
}

/// Like [`receive`], failing with [`io::ErrorKind::FileTooLarge`] before writing the chunk
/// that takes the bytes received past `limit` (`MaxStoreFileSize`).
pub async fn receive_at_most(
    stream: &mut TcpStream,
    file: &mut File,
    ascii: bool,
    stall: Option<Duration>,
    limit: Option<u64>,
) -> io::Result<u64> {
    let mut buf = vec![0u8; BUF];
    let mut total = 0u64;
    let mut pending_cr = false;
    loop {
        let n = stalled(stall, stream.read(&mut buf)).await?;
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
        if !ascii {
            file.write_all(&buf[..n])?;
            continue;
        }
        let mut out = Vec::with_capacity(n + 1);
        let mut chunk = &buf[..n];
        if pending_cr {
            if chunk[0] != b'\n' {
                out.push(b'\r');
            }
            pending_cr = false;
        }
        if chunk.last() == Some(&b'\r') {
            pending_cr = true;
            chunk = &chunk[..chunk.len() - 1];
        }
        let mut i = 0;
        while i < chunk.len() {
            if chunk[i] == b'\r' && chunk.get(i + 1) == Some(&b'\n') {
                i += 1;
                continue;
            }
            out.push(chunk[i]);
            i += 1;
        }
        file.write_all(&out)?;
    }
}

/// Writes `bytes` (a listing chunk) to the data connection.
pub async fn write_chunk(
    stream: &mut TcpStream,
    bytes: &[u8],
    stall: Option<Duration>,
) -> io::Result<()> {
    stalled(stall, stream.write_all(bytes)).await
}

/// Ends a data connection cleanly: FIN, then close.
pub async fn finish(mut stream: TcpStream) {
    let _ = stream.shutdown().await;
}
