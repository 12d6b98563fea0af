//! Moving file bytes over a data connection: `sendfile(2)` for binary downloads, bounded
//! buffers for uploads and ASCII conversion (LF on disk, CRLF on the wire).
//!
//! No file write and no read that could wait for the disk runs on the async worker threads:
//! a read takes what the page cache holds without blocking (`RWF_NOWAIT`) and leaves the
//! rest, like every write, to one job of up to [`BATCH`] bytes on the session's `FsPool`
//! (the session's own threads, under its credentials), the batch buffer travelling to the
//! job and back, so no byte is copied for the hop. An upload through here (ASCII, TLS,
//! MODE Z; plain binary ones go to `upload_thread`) holds two batches: the network fills one
//! while the pool writes the other.

use std::fs::File;
use std::io::{self, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::FileExt;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use oxftpd_storage::Fs;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, Interest, ReadBuf};
use tokio::net::TcpStream;

/// Size of the buffer a transfer holds while it runs (and only then).
const BUF: usize = 256 * 1024;

/// Bytes one `FsPool` job reads or writes: large, to amortise the hop to the pool.
pub const BATCH: usize = 256 << 10;

/// Counts the bytes read or written through it (a transfer's progress, for `STAT`, the
/// scoreboard and `oxftpctl who`): one relaxed atomic add per call, never a write elsewhere.
pub struct Counted<'p, R> {
    inner: R,
    bytes: &'p AtomicU64,
}

impl<'p, R> Counted<'p, R> {
    /// Counts what moves through `inner` into `bytes`.
    pub fn new(inner: R, bytes: &'p AtomicU64) -> Self {
        Counted { inner, bytes }
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for Counted<'_, R> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        ready!(Pin::new(&mut this.inner).poll_read(cx, buf))?;
        let n = (buf.filled().len() - before) as u64;
        this.bytes.fetch_add(n, Ordering::Relaxed);
        Poll::Ready(Ok(()))
    }
}

impl<W: AsyncWrite + Unpin> AsyncWrite for Counted<'_, W> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let n = ready!(Pin::new(&mut this.inner).poll_write(cx, buf))?;
        this.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Poll::Ready(Ok(n))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

fn pool_error(e: oxftpd_storage::StorageError) -> io::Error {
    io::Error::other(e.to_string())
}

/// Reads what the page cache already holds at `pos` (up to `batch.len()` bytes) without
/// blocking (`preadv2(RWF_NOWAIT)`), on the calling thread: no hop to the pool, and the
/// bytes are still in this core's cache when they are encrypted or converted. `None` when
/// nothing could be read that way (not cached, end of file, or a file system without
/// `RWF_NOWAIT`): the pool's blocking read then answers.
fn read_cached(file: &File, batch: &mut [u8], pos: u64) -> Option<usize> {
    let mut got = 0;
    while got < batch.len() {
        let mut slice = [io::IoSliceMut::new(&mut batch[got..])];
        match rustix::io::preadv2(
            file,
            &mut slice,
            pos + got as u64,
            rustix::io::ReadWriteFlags::NOWAIT,
        ) {
            // End of file, or a short answer: the pool's plain read tells which.
            Ok(0) => break,
            Ok(n) => got += n,
            Err(rustix::io::Errno::INTR) => {}
            Err(_) => break,
        }
    }
    (got > 0).then_some(got)
}

/// Reads up to `batch.len()` bytes at `pos`: from the page cache on this thread when it can,
/// else on the pool; gives the buffer back with the count.
async fn read_batch(
    fs: &Fs,
    file: &Arc<File>,
    mut batch: Vec<u8>,
    pos: u64,
) -> io::Result<(Vec<u8>, usize)> {
    if let Some(got) = read_cached(file, &mut batch, pos) {
        return Ok((batch, got));
    }
    let file = Arc::clone(file);
    let (batch, got) = fs
        .pool()
        .run(fs.credentials(), move || {
            let mut got = 0;
            while got < batch.len() {
                match file.read_at(&mut batch[got..], pos + got as u64) {
                    Ok(0) => break,
                    Ok(n) => got += n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return (batch, Err(e)),
                }
            }
            (batch, Ok(got))
        })
        .await
        .map_err(pool_error)?;
    Ok((batch, got?))
}

/// A batch being written on the pool; gives the buffer back, emptied.
type Writing = std::pin::Pin<Box<dyn Future<Output = io::Result<Vec<u8>>> + Send>>;

/// Starts writing all of `batch` at the file's position on the pool.
fn start_write(fs: &Fs, file: &Arc<File>, batch: Vec<u8>) -> Writing {
    let file = Arc::clone(file);
    let job = fs.pool().start(fs.credentials(), move || {
        let r = (&*file).write_all(&batch);
        (batch, r)
    });
    Box::pin(async move {
        let (mut batch, r) = job.await.map_err(pool_error)?;
        r?;
        batch.clear();
        Ok(batch)
    })
}

/// Hands `batch` to the pool once the batch before it is written, and returns the buffer to
/// fill next: the network fills one batch while the disk takes the other.
async fn rotate(
    fs: &Fs,
    file: &Arc<File>,
    writing: &mut Option<Writing>,
    batch: Vec<u8>,
) -> io::Result<Vec<u8>> {
    let next = match writing.take() {
        Some(previous) => previous.await?,
        None => Vec::with_capacity(BATCH),
    };
    *writing = Some(start_write(fs, file, batch));
    Ok(next)
}

/// Waits for the batch still being written, if any.
async fn settle(writing: &mut Option<Writing>) -> io::Result<()> {
    match writing.take() {
        Some(job) => job.await.map(drop),
        None => Ok(()),
    }
}

/// The error of a transfer that moved no data for `TimeoutStalled`.
pub(crate) fn stall_error() -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, "Data transfer stalled")
}

/// Runs `fut`, failing with [`stall_error`] after `limit` (`TimeoutStalled`).
pub(crate) async fn stalled<T>(
    limit: Option<Duration>,
    fut: impl std::future::Future<Output = io::Result<T>>,
) -> io::Result<T> {
    match limit {
        Some(d) => tokio::time::timeout(d, fut)
            .await
            .map_err(|_| stall_error())?,
        None => fut.await,
    }
}

/// What may hold back a download's `sendfile(2)` calls (a transfer rate): how many bytes may
/// go now, and how many went.
pub trait Gate: Send {
    /// How many of `want` bytes may go now (at least one), or `Pending` until some may.
    fn poll_grant(&mut self, cx: &mut std::task::Context<'_>, want: usize) -> Poll<usize>;
    /// Counts `n` bytes sent.
    fn consume(&mut self, n: usize);
}

/// Sends the bytes `span` of `file` (up to its end): `sendfile(2)` on a plain connection (at
/// most `chunk` bytes a call, `UseSendfile LEN`, and no more than `gate` grants), one large
/// reused buffer written through rustls on a TLS one (a caller that paces wraps a TLS stream
/// itself: `gate` holds back `sendfile` only); returns the bytes sent.
#[allow(clippy::too_many_arguments)] // the download's parts, and where its progress is counted
pub async fn send_binary(
    stream: &mut crate::data::stream::DataStream,
    fs: &Fs,
    file: &File,
    span: std::ops::Range<u64>,
    stall: Option<Duration>,
    chunk: u64,
    gate: Option<&mut dyn Gate>,
    sent: &AtomicU64,
) -> io::Result<u64> {
    match stream {
        crate::data::stream::DataStream::Plain(tcp) => {
            sendfile(tcp, file, span, stall, chunk, gate, sent).await
        }
        crate::data::stream::DataStream::Tls(tls) => {
            let mut counted = Counted::new(tls.as_mut(), sent);
            send_buffered(&mut counted, fs, file, span, false, stall).await
        }
        crate::data::stream::DataStream::Client(tls) => {
            let mut counted = Counted::new(tls.as_mut(), sent);
            send_buffered(&mut counted, fs, file, span, false, stall).await
        }
    }
}

/// Sends the bytes `span` of `file` (up to its end) with `sendfile(2)`; returns the bytes sent.
async fn sendfile(
    stream: &TcpStream,
    file: &File,
    span: std::ops::Range<u64>,
    stall: Option<Duration>,
    chunk: u64,
    gate: Option<&mut dyn Gate>,
    sent: &AtomicU64,
) -> io::Result<u64> {
    let offset = span.start;
    let mut pos = offset;
    // Full segments only while the file streams (as ProFTPD corks its data socket): fewer,
    // larger packets for the receiver to take in. Uncorked at the end to push the tail.
    let _ = rustix::net::sockopt::set_tcp_cork(stream, true);
    let chunk = usize::try_from(chunk).unwrap_or(usize::MAX).min(1 << 30);
    let done = sendfile_loop(stream, file, &mut pos, span.end, stall, chunk, gate, sent).await;
    let _ = rustix::net::sockopt::set_tcp_cork(stream, false);
    done.map(|()| pos - offset)
}

/// The loop of [`sendfile`]: sends from `pos` until the end of the file, counting into `sent`.
#[allow(clippy::too_many_arguments)] // sendfile's own arguments, passed through
async fn sendfile_loop(
    stream: &TcpStream,
    file: &File,
    pos: &mut u64,
    end: u64,
    stall: Option<Duration>,
    chunk: usize,
    mut gate: Option<&mut dyn Gate>,
    sent: &AtomicU64,
) -> io::Result<()> {
    loop {
        if *pos >= end {
            return Ok(());
        }
        let mut count = usize::try_from(end - *pos).unwrap_or(usize::MAX).min(chunk);
        if let Some(g) = gate.as_deref_mut() {
            count = std::future::poll_fn(|cx| g.poll_grant(cx, count))
                .await
                .clamp(1, count);
        }
        let before = *pos;
        // Let the session's control-connection watcher run between chunks.
        tokio::task::consume_budget().await;
        stalled(stall, stream.writable()).await?;
        let r = stream.try_io(Interest::WRITABLE, || {
            rustix::fs::sendfile(stream.as_fd(), file.as_fd(), Some(&mut *pos), count)
                .map_err(io::Error::from)
        });
        sent.fetch_add(*pos - before, Ordering::Relaxed);
        if let Some(g) = gate.as_deref_mut() {
            g.consume(usize::try_from(*pos - before).unwrap_or(usize::MAX));
        }
        match r {
            Ok(0) => return Ok(()),
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
    crlf_to_lf_append(input, output, pending_cr);
}

/// Like [`crlf_to_lf`], appending to `output`.
fn crlf_to_lf_append(input: &[u8], output: &mut Vec<u8>, pending_cr: &mut bool) {
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
    fs: &Fs,
    file: &File,
    offset: u64,
    stall: Option<Duration>,
) -> io::Result<u64> {
    send_buffered(stream, fs, file, offset..u64::MAX, true, stall).await
}

/// Sends the bytes `span` of `file` (up to its end) through a buffer (converting LF to CRLF
/// when `ascii`), for streams `sendfile(2)` cannot feed; returns the bytes read from the file.
///
/// The buffers are allocated once per transfer: no allocation happens per chunk.
pub async fn send_buffered<W: AsyncWrite + Unpin>(
    stream: &mut W,
    fs: &Fs,
    file: &File,
    span: std::ops::Range<u64>,
    ascii: bool,
    stall: Option<Duration>,
) -> io::Result<u64> {
    let (offset, end) = (span.start, span.end);
    let disk = Arc::new(file.try_clone()?);
    let mut batch = vec![0u8; BATCH];
    let mut output = if ascii {
        Vec::with_capacity(BUF)
    } else {
        Vec::new()
    };
    let mut pos = offset;
    let mut last_cr = false;
    loop {
        // At the known end, no further read: it would hop to the pool after every byte is out,
        // and an ABOR read meanwhile would abort a transfer that is complete.
        if pos >= end {
            stalled(stall, stream.flush()).await?;
            return Ok(pos - offset);
        }
        let (back, n) = read_batch(fs, &disk, batch, pos).await?;
        batch = back;
        let n = n.min(usize::try_from(end.saturating_sub(pos)).unwrap_or(usize::MAX));
        if n == 0 {
            // A TLS stream (and a deflater) may hold the last bytes until flushed.
            stalled(stall, stream.flush()).await?;
            return Ok(pos - offset);
        }
        pos += n as u64;
        if ascii {
            for piece in batch[..n].chunks(BUF / 2) {
                lf_to_crlf(piece, &mut output, &mut last_cr);
                stalled(stall, stream.write_all(&output)).await?;
            }
        } else {
            stalled(stall, stream.write_all(&batch[..n])).await?;
        }
    }
}

/// Receives into `file` until the client closes; in ASCII mode CRLF becomes LF.
///
/// The buffers are allocated once per transfer: no allocation happens per chunk.
pub async fn receive<R: AsyncRead + Unpin>(
    stream: &mut R,
    fs: &Fs,
    file: &mut File,
    ascii: bool,
    stall: Option<Duration>,
) -> io::Result<u64> {
    receive_at_most(stream, fs, file, ascii, stall, None).await
}

/// One read from the connection: into `buf` (ASCII, to be converted) or straight into the
/// spare capacity of `batch` (binary; it never grows: the caller keeps room in it).
/// Cancel-safe, as the reads it wraps.
async fn read_some<R: AsyncRead + Unpin>(
    stream: &mut R,
    buf: &mut [u8],
    batch: &mut Vec<u8>,
    ascii: bool,
) -> io::Result<usize> {
    if ascii {
        stream.read(buf).await
    } else {
        stream.read_buf(batch).await
    }
}

/// Like [`receive`], failing with [`io::ErrorKind::FileTooLarge`] before writing the chunk
/// that takes the bytes received past `limit` (`MaxStoreFileSize`).
///
/// Binary data is read from the connection straight into the batch the pool writes; ASCII
/// data is converted into it from one read buffer.
pub async fn receive_at_most<R: AsyncRead + Unpin>(
    stream: &mut R,
    fs: &Fs,
    file: &mut File,
    ascii: bool,
    stall: Option<Duration>,
    limit: Option<u64>,
) -> io::Result<u64> {
    let disk = Arc::new(file.try_clone()?);
    let mut writing = None;
    let outcome = receive_batches(stream, fs, &disk, &mut writing, ascii, stall, limit).await;
    // Whatever ended the upload, the bytes received before it are on disk when it returns.
    let settled = settle(&mut writing).await;
    let total = outcome?;
    settled.map(|()| total)
}

/// The loop of [`receive_at_most`]; leaves the last batch being written in `writing`.
async fn receive_batches<R: AsyncRead + Unpin>(
    stream: &mut R,
    fs: &Fs,
    disk: &Arc<File>,
    writing: &mut Option<Writing>,
    ascii: bool,
    stall: Option<Duration>,
    limit: Option<u64>,
) -> io::Result<u64> {
    let mut buf = if ascii { vec![0u8; BUF] } else { Vec::new() };
    let mut batch: Vec<u8> = Vec::with_capacity(BATCH);
    let mut total = 0u64;
    let mut pending_cr = false;
    loop {
        // Room for one more read (an ASCII read may add the CR held from the last one).
        let room = batch.capacity() - batch.len();
        if (ascii && room < BUF + 1) || room == 0 {
            batch = rotate(fs, disk, writing, batch).await?;
        }
        // Read what the connection has now; when it has nothing, the batch so far goes to
        // disk while the client sends more (so a slow upload is written as it comes).
        let now = {
            let mut first = std::pin::pin!(read_some(stream, &mut buf, &mut batch, ascii));
            std::future::poll_fn(|cx| Poll::Ready(first.as_mut().poll(cx))).await
        };
        let read = match now {
            Poll::Ready(r) => r,
            Poll::Pending => {
                if !batch.is_empty() {
                    batch = rotate(fs, disk, writing, batch).await?;
                }
                stalled(stall, read_some(stream, &mut buf, &mut batch, ascii)).await
            }
        };
        let n = match read {
            Ok(n) => n,
            // A TLS client that closes TCP without close_notify (curl does): end of the upload,
            // as mod_tls takes it.
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => 0,
            Err(e) => return Err(e),
        };
        if n == 0 {
            if pending_cr {
                batch.push(b'\r');
            }
            if !batch.is_empty() {
                rotate(fs, disk, writing, batch).await?;
            }
            return Ok(total);
        }
        total += n as u64;
        if limit.is_some_and(|max| total > max) {
            return Err(io::Error::from(io::ErrorKind::FileTooLarge));
        }
        if ascii {
            crlf_to_lf_append(&buf[..n], &mut batch, &mut pending_cr);
        }
    }
}

/// Writes `bytes` (a listing chunk) to the data connection.
pub async fn write_chunk<W: AsyncWrite + Unpin>(
    stream: &mut W,
    bytes: &[u8],
    stall: Option<Duration>,
) -> io::Result<()> {
    // Names that are not UTF-8 go out as the bytes on disk (`raw_name`).
    let bytes = oxftpd_proto::raw_name::unescape(bytes);
    stalled(stall, stream.write_all(&bytes)).await
}

/// A data stream over a TCP socket that can be waited on (`TimeoutLinger`).
pub trait DataSocket {
    /// The TCP socket under the stream.
    fn socket(&self) -> &TcpStream;
}

impl DataSocket for TcpStream {
    fn socket(&self) -> &TcpStream {
        self
    }
}

impl DataSocket for crate::data::stream::DataStream {
    fn socket(&self) -> &TcpStream {
        self.tcp()
    }
}

/// Corks a data connection that carries a listing (Linux `TCP_CORK`, as ProFTPD's
/// `pr_inet_set_proto_cork`): partial segments wait for the close, so a listing's last bytes
/// and the FIN leave together and a client that reads the data and then looks for the end at
/// once (Perl's Net::FTP) sees it, instead of aborting a transfer that has finished.
pub fn cork(socket: &TcpStream) {
    let _ = socket2::SockRef::from(socket).set_tcp_cork(true);
}

/// Waits until the client's end of a data connection closes or sends something (ProFTPD's
/// `select` for reading); a readiness that turns out spurious is waited out again.
async fn client_end(socket: &TcpStream) {
    let mut byte = [0u8; 1];
    loop {
        if socket.readable().await.is_err() {
            return;
        }
        match socket.try_read(&mut byte) {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
            _ => return,
        }
    }
}

/// Ends a data connection cleanly, as ProFTPD's lingering close: our end is shut (a TLS
/// close_notify, then FIN), then we wait up to `linger` (`TimeoutLinger`) for the client's end
/// to close or send, so every byte is through before the reply says the transfer is complete.
pub async fn finish<W: AsyncWrite + DataSocket + Unpin>(
    mut stream: W,
    linger: Option<Duration>,
    trace: &crate::trace::Trace,
) {
    let _ = stream.shutdown().await;
    if let Some(limit) = linger {
        crate::trace_msg!(
            trace,
            "data",
            8,
            "lingering {} {} before closing data connection",
            limit.as_secs(),
            if limit.as_secs() == 1 { "sec" } else { "secs" }
        );
        let _ = tokio::time::timeout(limit, client_end(stream.socket())).await;
        crate::trace_msg!(trace, "data", 8, "done lingering, closing data connection");
    }
}

#[cfg(test)]
mod tests {
    use super::{crlf_to_lf, lf_to_crlf, read_cached};

    #[test]
    fn cached_reads_give_the_bytes_at_the_offset_and_leave_the_end_to_the_pool() {
        let path = std::env::temp_dir().join(format!("oxftpd-read-cached-{}", std::process::id()));
        let bytes: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &bytes).expect("write");
        let file = std::fs::File::open(&path).expect("open");
        let mut buf = vec![0u8; 100_000];
        // Just written, so in the page cache: read inline, at any offset.
        assert_eq!(read_cached(&file, &mut buf, 12_345), Some(100_000));
        assert!(buf[..] == bytes[12_345..112_345]);
        assert_eq!(read_cached(&file, &mut buf, 250_000), Some(50_000));
        assert!(buf[..50_000] == bytes[250_000..]);
        // At the end: no answer, so the caller asks the pool's blocking read.
        assert_eq!(read_cached(&file, &mut buf, 300_000), None);
        let _ = std::fs::remove_file(&path);
    }

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
