//! Deterministic content and a cheap content hash, for checking transfers byte for byte.

use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::AsyncWrite;

/// Fills `buf` with the xorshift64* stream seeded by `seed` (the same seed gives the same bytes).
pub fn fill(seed: u64, buf: &mut [u8]) {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    for chunk in buf.chunks_mut(8) {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        let word = state.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes();
        chunk.copy_from_slice(&word[..chunk.len()]);
    }
}

/// `len` bytes of the stream seeded by `seed`.
pub fn content(seed: u64, len: usize) -> Vec<u8> {
    let mut buf = vec![0u8; len];
    fill(seed, &mut buf);
    buf
}

/// Length plus a 64-bit FNV-1a hash: enough to tell two byte streams apart in a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Digest {
    /// Bytes seen.
    pub len: u64,
    /// FNV-1a over those bytes.
    pub hash: u64,
}

impl Default for Digest {
    fn default() -> Digest {
        Digest {
            len: 0,
            hash: 0xcbf2_9ce4_8422_2325,
        }
    }
}

impl Digest {
    /// The digest of a byte slice.
    pub fn of(bytes: &[u8]) -> Digest {
        let mut d = Digest::default();
        d.update(bytes);
        d
    }

    /// Adds bytes to the digest.
    pub fn update(&mut self, bytes: &[u8]) {
        let mut h = self.hash;
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01B3);
        }
        self.hash = h;
        self.len += bytes.len() as u64;
    }
}

/// A writer that keeps what it is told to (a digest, a newline count, or nothing but the length).
#[derive(Debug, Default)]
pub struct Sink {
    /// Whether to hash the bytes (costly at GiB sizes).
    pub hashing: bool,
    /// Whether to keep the bytes (listings to check).
    pub keeping: bool,
    /// Length (and hash when `hashing`).
    pub digest: Digest,
    /// Newlines seen.
    pub lines: u64,
    /// The bytes, when `keeping`.
    pub kept: Vec<u8>,
    /// Whether to leave newlines uncounted (bulk transfers: counting them cost a quarter of
    /// the client's CPU in a loopback RETR).
    pub no_lines: bool,
}

impl Sink {
    /// A sink that only counts bytes and lines.
    pub fn counting() -> Sink {
        Sink::default()
    }

    /// A sink that counts bytes only.
    pub fn length_only() -> Sink {
        Sink {
            no_lines: true,
            ..Sink::default()
        }
    }

    /// A sink that also hashes.
    pub fn hashing() -> Sink {
        Sink {
            hashing: true,
            ..Sink::default()
        }
    }

    /// A sink that also keeps the bytes.
    pub fn keeping() -> Sink {
        Sink {
            keeping: true,
            ..Sink::default()
        }
    }
}

impl AsyncWrite for Sink {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let me = self.get_mut();
        if me.hashing {
            me.digest.update(buf);
        } else {
            me.digest.len += buf.len() as u64;
        }
        if me.keeping {
            me.kept.extend_from_slice(buf);
        }
        if !me.no_lines {
            me.lines += buf.iter().filter(|b| **b == b'\n').count() as u64;
        }
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_is_deterministic_and_seeded() {
        assert_eq!(content(7, 100), content(7, 100));
        assert_ne!(content(7, 100), content(8, 100));
        assert_eq!(content(7, 13).len(), 13);
        assert_eq!(&content(7, 100)[..13], &content(7, 13)[..]);
    }

    #[test]
    fn digest_tells_bytes_apart() {
        assert_eq!(Digest::of(b"").hash, 0xcbf2_9ce4_8422_2325);
        assert_eq!(Digest::of(b"a").hash, 0xaf63_dc4c_8601_ec8c);
        let mut d = Digest::default();
        d.update(b"ab");
        d.update(b"c");
        assert_eq!(d, Digest::of(b"abc"));
        assert_ne!(Digest::of(b"abc"), Digest::of(b"acb"));
    }
}
