//! `MODE Z` data connections (ProFTPD's mod_deflate): what the server sends is a zlib
//! stream of the transfer's bytes, what it receives is inflated before it reaches the file.
//!
//! The wrappers are generic over any [`AsyncWrite`]/[`AsyncRead`], so they sit on a plain TCP
//! data connection or on any other stream type alike. Each holds one output (or input) buffer
//! for the length of the transfer; nothing is allocated per chunk.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::modules::mod_deflate::log::{self as deflate_log, Report};

/// The compression level mod_deflate uses until `OPTS MODE Z LEVEL n` (the draft's 7).
pub const DEFAULT_LEVEL: u32 = 7;

/// Size of a wrapper's buffer.
const BUF: usize = 64 * 1024;

/// The session's transmission mode, as `MODE` and `OPTS MODE Z` set it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ModeZ {
    /// `MODE Z` is in force.
    pub on: bool,
    /// The zlib compression level, 0 to 9.
    pub level: u32,
}

impl Default for ModeZ {
    fn default() -> Self {
        ModeZ {
            on: false,
            level: DEFAULT_LEVEL,
        }
    }
}

/// What an inflater reports for a corrupt stream: EIO, as mod_deflate does.
fn data_error() -> io::Error {
    io::Error::from_raw_os_error(libc::EIO)
}

/// Compresses everything written into a zlib stream on `inner`; `shutdown` ends the stream.
pub struct DeflateWriter<W> {
    inner: W,
    z: Compress,
    out: Vec<u8>,
    pos: usize,
    finished: bool,
    report: Option<Report>,
}

impl<W: AsyncWrite + Unpin> DeflateWriter<W> {
    /// A zlib stream at `level` (0 to 9) over `inner`.
    pub fn new(inner: W, level: u32) -> Self {
        DeflateWriter {
            inner,
            z: Compress::new(Compression::new(level.min(9)), true),
            out: Vec::with_capacity(BUF),
            pos: 0,
            finished: false,
            report: None,
        }
    }

    /// Writes mod_deflate's summary to `report` when the writer is dropped.
    pub fn reporting(mut self, report: Option<Report>) -> Self {
        self.report = report;
        self
    }

    /// The bytes given to the writer so far, before compression.
    pub fn total_in(&self) -> u64 {
        self.z.total_in()
    }

    /// Writes out what the compressor produced and is not yet on `inner`.
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.pos < self.out.len() {
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &self.out[self.pos..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.pos += n;
        }
        self.out.clear();
        self.pos = 0;
        Poll::Ready(Ok(()))
    }
}

impl<W: AsyncWrite + Unpin> AsyncWrite for DeflateWriter<W> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        loop {
            ready!(this.drain(cx))?;
            if buf.is_empty() {
                return Poll::Ready(Ok(0));
            }
            let before = this.z.total_in();
            this.z
                .compress_vec(buf, &mut this.out, FlushCompress::None)
                .map_err(|_| data_error())?;
            let used = (this.z.total_in() - before) as usize;
            if used > 0 {
                return Poll::Ready(Ok(used));
            }
            // Nothing taken: the compressor only emitted output; send it and try again.
            if this.out.is_empty() {
                return Poll::Ready(Err(data_error()));
            }
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.drain(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            ready!(this.drain(cx))?;
            if this.finished {
                break;
            }
            let status = this
                .z
                .compress_vec(&[], &mut this.out, FlushCompress::Finish)
                .map_err(|_| data_error())?;
            if status == Status::StreamEnd {
                this.finished = true;
            }
        }
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

/// Inflates a zlib stream read from `inner`. The stream's end, or the connection's end
/// (mod_deflate accepts a stream the client did not finish), is the end of the data.
pub struct InflateReader<R> {
    inner: R,
    z: Decompress,
    input: Box<[u8]>,
    start: usize,
    end: usize,
    eof: bool,
    done: bool,
    last_read: usize,
    report: Option<Report>,
}

impl<R: AsyncRead + Unpin> InflateReader<R> {
    /// Reads the zlib stream on `inner`.
    pub fn new(inner: R) -> Self {
        InflateReader {
            inner,
            z: Decompress::new(true),
            input: vec![0u8; BUF].into_boxed_slice(),
            start: 0,
            end: 0,
            eof: false,
            done: false,
            last_read: 0,
            report: None,
        }
    }

    /// Writes mod_deflate's summary (and inflate errors) to `report`.
    pub fn reporting(mut self, report: Option<Report>) -> Self {
        self.report = report;
        self
    }

    /// Logs a stream that does not inflate, as mod_deflate: the bytes of the last read from
    /// the connection, zlib's error code and message.
    fn log_error(&self, e: &flate2::DecompressError) {
        let Some(r) = &self.report else { return };
        let (code, fallback) = if e.needs_dictionary().is_some() {
            (2, "Need dictionary")
        } else {
            (-3, "Data error")
        };
        deflate_log::write(
            &r.file,
            &format!(
                "error inflating {} bytes of data: [{code}] {}",
                self.last_read,
                e.message().unwrap_or(fallback)
            ),
        );
    }

    /// The compressed bytes read from the connection so far.
    pub fn total_in(&self) -> u64 {
        self.z.total_in()
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for InflateReader<R> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            if this.done || buf.remaining() == 0 {
                return Poll::Ready(Ok(()));
            }
            if this.start == this.end && !this.eof {
                let mut rb = ReadBuf::new(&mut this.input);
                ready!(Pin::new(&mut this.inner).poll_read(cx, &mut rb))?;
                this.start = 0;
                this.end = rb.filled().len();
                this.eof = this.end == 0;
                this.last_read = this.end;
            }
            let (in_before, out_before) = (this.z.total_in(), this.z.total_out());
            let flush = if this.eof {
                FlushDecompress::Finish
            } else {
                FlushDecompress::None
            };
            let status = match this.z.decompress(
                &this.input[this.start..this.end],
                buf.initialize_unfilled(),
                flush,
            ) {
                Ok(s) => s,
                Err(e) => {
                    this.log_error(&e);
                    return Poll::Ready(Err(data_error()));
                }
            };
            let used = (this.z.total_in() - in_before) as usize;
            let made = (this.z.total_out() - out_before) as usize;
            this.start += used;
            buf.advance(made);
            if status == Status::StreamEnd {
                this.done = true;
            }
            if made > 0 || this.done {
                return Poll::Ready(Ok(()));
            }
            if this.eof && used == 0 {
                // The client closed without finishing the stream: what came is all there is.
                this.done = true;
                return Poll::Ready(Ok(()));
            }
        }
    }
}

impl<W> Drop for DeflateWriter<W> {
    fn drop(&mut self) {
        if let Some(r) = &self.report
            && self.z.total_in() > 0
        {
            let line = deflate_log::summary(r.verb, true, self.z.total_in(), self.z.total_out());
            deflate_log::write(&r.file, &line);
        }
    }
}

impl<R> Drop for InflateReader<R> {
    fn drop(&mut self) {
        if let Some(r) = &self.report
            && self.z.total_in() > 0
        {
            let line = deflate_log::summary(r.verb, false, self.z.total_in(), self.z.total_out());
            deflate_log::write(&r.file, &line);
        }
    }
}

/// A data-connection writer that compresses in `MODE Z` and passes bytes through otherwise.
pub enum Sink<W> {
    /// `MODE S`, with the bytes written so far.
    Plain(W, u64),
    /// `MODE Z`.
    Deflate(DeflateWriter<W>),
}

impl<W: AsyncWrite + Unpin> Sink<W> {
    /// Wraps `inner` for the session's mode.
    pub fn new(inner: W, mode: ModeZ) -> Self {
        if mode.on {
            Sink::Deflate(DeflateWriter::new(inner, mode.level))
        } else {
            Sink::Plain(inner, 0)
        }
    }

    /// Bytes written into the sink so far (before compression).
    pub fn bytes(&self) -> u64 {
        match self {
            Sink::Plain(_, n) => *n,
            Sink::Deflate(w) => w.total_in(),
        }
    }

    /// In `MODE Z`, writes mod_deflate's summary to `report` when the sink is dropped.
    pub fn reporting(self, report: Option<Report>) -> Self {
        match self {
            Sink::Deflate(w) => Sink::Deflate(w.reporting(report)),
            plain => plain,
        }
    }
}

impl<W: crate::data::transfer_io::DataSocket> crate::data::transfer_io::DataSocket for Sink<W> {
    fn socket(&self) -> &tokio::net::TcpStream {
        match self {
            Sink::Plain(w, _) => w.socket(),
            Sink::Deflate(d) => d.inner.socket(),
        }
    }
}

impl<W: AsyncWrite + Unpin> AsyncWrite for Sink<W> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Sink::Plain(w, n) => {
                let written = ready!(Pin::new(w).poll_write(cx, buf))?;
                *n += written as u64;
                Poll::Ready(Ok(written))
            }
            Sink::Deflate(w) => Pin::new(w).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Sink::Plain(w, _) => Pin::new(w).poll_flush(cx),
            Sink::Deflate(w) => Pin::new(w).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Sink::Plain(w, _) => Pin::new(w).poll_shutdown(cx),
            Sink::Deflate(w) => Pin::new(w).poll_shutdown(cx),
        }
    }
}

/// A data-connection reader that inflates in `MODE Z` and passes bytes through otherwise.
pub enum Source<R> {
    /// `MODE S`.
    Plain(R),
    /// `MODE Z` (boxed: the inflater is much larger than a plain reader).
    Inflate(Box<InflateReader<R>>),
}

impl<R: AsyncRead + Unpin> Source<R> {
    /// Wraps `inner` for the session's mode.
    pub fn new(inner: R, mode: ModeZ) -> Self {
        if mode.on {
            Source::Inflate(Box::new(InflateReader::new(inner)))
        } else {
            Source::Plain(inner)
        }
    }

    /// In `MODE Z`, writes mod_deflate's summary and errors to `report`.
    pub fn reporting(self, report: Option<Report>) -> Self {
        match self {
            Source::Inflate(r) => Source::Inflate(Box::new(r.reporting(report))),
            plain => plain,
        }
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for Source<R> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Source::Plain(r) => Pin::new(r).poll_read(cx, buf),
            Source::Inflate(r) => Pin::new(r).poll_read(cx, buf),
        }
    }
}

/// Sends `file` from `offset` through the deflater `w` (LF to CRLF first when `ascii`),
/// ending the stream; returns the bytes read from the file. No `sendfile(2)` in `MODE Z`.
pub async fn send_file<W: AsyncWrite + Unpin>(
    mut w: DeflateWriter<W>,
    fs: &oxftpd_storage::Fs,
    file: &std::fs::File,
    span: std::ops::Range<u64>,
    ascii: bool,
    stall: Option<std::time::Duration>,
) -> io::Result<u64> {
    use tokio::io::AsyncWriteExt;
    let n = crate::data::transfer_io::send_buffered(&mut w, fs, file, span, ascii, stall).await?;
    crate::data::transfer_io::stalled(stall, w.shutdown()).await?;
    Ok(n)
}

/// The session's transmission mode (`MODE`, `OPTS MODE Z`), kept in its module state.
pub fn mode_z(ctx: &crate::session::Ctx) -> ModeZ {
    ctx.ext.get::<ModeZ>().copied().unwrap_or_default()
}

/// The session's transmission mode, to change.
pub fn mode_z_mut(ext: &mut crate::type_map::TypeMap) -> &mut ModeZ {
    ext.get_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    fn sample() -> Vec<u8> {
        (0..300_000u32)
            .flat_map(|i| format!("line {i} {}\n", i % 7).into_bytes())
            .collect()
    }

    #[tokio::test]
    async fn deflate_then_inflate_gives_the_bytes_back() {
        let data = sample();
        for level in [0, 1, 7, 9] {
            let mut w = DeflateWriter::new(Vec::new(), level);
            for chunk in data.chunks(10_007) {
                w.write_all(chunk).await.unwrap();
            }
            w.shutdown().await.unwrap();
            let wire = std::mem::take(&mut w.inner);
            if level > 0 {
                assert!(wire.len() < data.len() / 2, "level {level} compresses");
            }
            let mut r = InflateReader::new(&wire[..]);
            let mut back = Vec::new();
            r.read_to_end(&mut back).await.unwrap();
            assert_eq!(back, data, "level {level}");
        }
    }

    #[tokio::test]
    async fn garbage_is_an_io_error() {
        let mut r = InflateReader::new(&b"this is not zlib at all"[..]);
        let mut back = Vec::new();
        let e = r.read_to_end(&mut back).await.unwrap_err();
        assert_eq!(e.raw_os_error(), Some(libc::EIO));
    }

    #[test]
    fn a_bad_header_is_zlibs_error_after_two_bytes() {
        // mod_deflate logs zlib's message and then "inflated 2 bytes to 0 bytes".
        let mut z = Decompress::new(true);
        let mut out = [0u8; 64];
        let e = z
            .decompress(b"not zlib data at all!!", &mut out, FlushDecompress::None)
            .unwrap_err();
        assert_eq!(e.message(), Some("incorrect header check"));
        assert_eq!((z.total_in(), z.total_out()), (2, 0));
    }

    #[tokio::test]
    async fn plain_mode_passes_bytes_through() {
        let mut s = Sink::new(Vec::new(), ModeZ::default());
        s.write_all(b"abc").await.unwrap();
        assert_eq!(s.bytes(), 3);
        let Sink::Plain(v, _) = s else {
            panic!("plain")
        };
        assert_eq!(v, b"abc");
    }
}
