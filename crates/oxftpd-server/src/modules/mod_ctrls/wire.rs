//! The control socket's messages, byte for byte as ProFTPD 1.3.8's `src/ctrls.c` writes and
//! reads them (`pr_ctrls_send_msg`, `pr_ctrls_recv_request`, `pr_ctrls_recv_response`), so
//! Debian's unchanged `ftpdctl` talks to oxftpd. Integers are C `int`/`unsigned int` in the
//! host's byte order (client and daemon share the host):
//!
//! ```text
//! status: i32          (a request sends 0; a response the handler's 0 or -1)
//! count:  u32          (request: the action plus its arguments; response: the lines)
//! count × { len: u32, bytes: [u8; len] }   (no NUL)
//! ```
//!
//! A request has at most 32 words, an action shorter than 128 bytes, arguments of at most
//! 256 printable bytes (empty ones are skipped); `ftpdctl` takes at most 1,024 response
//! lines of at most 1,023 bytes.

use std::io;

use tokio::io::{AsyncRead, AsyncReadExt};

/// Most words in a request (`CTRLS_MAX_NREQARGS`).
pub const MAX_REQUEST_WORDS: u32 = 32;
/// An action's name must be shorter than this (`reqaction[128]`).
pub const ACTION_LEN: usize = 128;
/// Longest argument (`CTRLS_MAX_REQARGLEN`).
pub const MAX_ARG_LEN: usize = 256;
/// Most response lines `ftpdctl` reads (`CTRLS_MAX_NRESPARGS`).
pub const MAX_RESPONSE_LINES: usize = 1024;
/// Longest response line `ftpdctl` reads (`PR_TUNABLE_BUFFER_SIZE` less its NUL).
pub const MAX_LINE_LEN: usize = 1023;

/// Why a request could not be read.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    /// The socket failed or closed early.
    #[error("{0}")]
    Io(#[from] io::Error),
    /// More words than a request may have.
    #[error("too many request arguments ({0})")]
    TooManyWords(u32),
    /// An action or argument longer than allowed.
    #[error("request argument too long ({0} bytes)")]
    TooLong(usize),
    /// A request without an action.
    #[error("empty request")]
    Empty,
    /// An argument with a non-printable byte.
    #[error("request argument with a non-printable character")]
    NotPrintable,
}

async fn u32_of<R: AsyncRead + Unpin>(r: &mut R) -> io::Result<u32> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b).await?;
    Ok(u32::from_ne_bytes(b))
}

/// Reads one request: the action, then its (non-empty) arguments.
pub async fn read_request<R: AsyncRead + Unpin>(r: &mut R) -> Result<Vec<String>, WireError> {
    let _status = u32_of(r).await?;
    let words = u32_of(r).await?;
    if words > MAX_REQUEST_WORDS {
        return Err(WireError::TooManyWords(words));
    }
    if words == 0 {
        return Err(WireError::Empty);
    }
    let mut out = Vec::with_capacity(words as usize);
    for i in 0..words {
        let len = u32_of(r).await? as usize;
        let limit = if i == 0 { ACTION_LEN - 1 } else { MAX_ARG_LEN };
        if len > limit {
            return Err(WireError::TooLong(len));
        }
        let mut bytes = vec![0u8; len];
        r.read_exact(&mut bytes).await?;
        if i > 0 && len == 0 {
            continue;
        }
        if bytes.iter().any(|b| !(0x20..0x7f).contains(b)) {
            return Err(WireError::NotPrintable);
        }
        out.push(String::from_utf8_lossy(&bytes).into_owned());
    }
    Ok(out)
}

/// A whole message (request or response): status, count, then each length and its bytes.
pub fn encode(status: i32, words: &[String]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + words.iter().map(|w| 4 + w.len()).sum::<usize>());
    out.extend_from_slice(&status.to_ne_bytes());
    out.extend_from_slice(&(words.len() as u32).to_ne_bytes());
    for w in words {
        out.extend_from_slice(&(w.len() as u32).to_ne_bytes());
        out.extend_from_slice(w.as_bytes());
    }
    out
}

/// Lines cut to what `ftpdctl` reads: at most 1,024, each at most 1,023 bytes.
pub fn for_ftpdctl(lines: Vec<String>) -> Vec<String> {
    let mut lines = lines;
    lines.truncate(MAX_RESPONSE_LINES);
    for l in &mut lines {
        if l.len() > MAX_LINE_LEN {
            let mut cut = MAX_LINE_LEN;
            while !l.is_char_boundary(cut) {
                cut -= 1;
            }
            l.truncate(cut);
        }
    }
    lines
}

/// Reads a whole message from a blocking stream (the `oxftpctl` side): status and words.
pub fn read_message(r: &mut impl io::Read) -> io::Result<(i32, Vec<String>)> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b)?;
    let status = i32::from_ne_bytes(b);
    r.read_exact(&mut b)?;
    let n = u32::from_ne_bytes(b);
    let mut words = Vec::new();
    for _ in 0..n {
        r.read_exact(&mut b)?;
        let len = u32::from_ne_bytes(b) as usize;
        if len > 64 << 20 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "response too long",
            ));
        }
        let mut bytes = vec![0u8; len];
        r.read_exact(&mut bytes)?;
        words.push(String::from_utf8_lossy(&bytes).into_owned());
    }
    Ok((status, words))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn requests_read_back() {
        let words: Vec<String> = ["kick", "user", "", "bob"].map(String::from).to_vec();
        let bytes = encode(0, &words);
        assert_eq!(&bytes[0..4], &0i32.to_ne_bytes());
        assert_eq!(&bytes[4..8], &4u32.to_ne_bytes());
        assert_eq!(&bytes[8..12], &4u32.to_ne_bytes());
        assert_eq!(&bytes[12..16], b"kick");
        let got = read_request(&mut &bytes[..]).await.expect("read");
        assert_eq!(got, ["kick", "user", "bob"], "empty arguments are skipped");
        let (status, back) = read_message(&mut &encode(-1, &got)[..]).expect("decode");
        assert_eq!((status, back), (-1, got));
    }

    #[tokio::test]
    async fn bad_requests_are_refused() {
        let many: Vec<String> = (0..33).map(|i| i.to_string()).collect();
        assert!(matches!(
            read_request(&mut &encode(0, &many)[..]).await,
            Err(WireError::TooManyWords(33))
        ));
        let long = vec!["x".repeat(128)];
        assert!(matches!(
            read_request(&mut &encode(0, &long)[..]).await,
            Err(WireError::TooLong(128))
        ));
        let bin = vec!["status".to_string(), "a\u{1}".to_string()];
        assert!(matches!(
            read_request(&mut &encode(0, &bin)[..]).await,
            Err(WireError::NotPrintable)
        ));
        assert!(
            read_request(&mut &encode(0, &["kick".into()])[..4])
                .await
                .is_err()
        );
    }

    #[test]
    fn long_answers_are_cut_for_ftpdctl() {
        let lines = for_ftpdctl(vec!["é".repeat(600); 1100]);
        assert_eq!(lines.len(), MAX_RESPONSE_LINES);
        assert!(lines.iter().all(|l| l.len() <= MAX_LINE_LEN));
    }
}
