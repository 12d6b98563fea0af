//! Checksums as ProFTPD's mod_digest computes them: `HASH` (draft-bryan-ftp-hash-07) and the
//! older `XCRC`, `MD5`, `XMD5`, `XSHA`, `XSHA1`, `XSHA256`, `XSHA512`.
//!
//! draft-bryan-ftp-hash 3: "The HASH command allows a client to request the hash of a file
//! … The server MUST respond with the hash algorithm used, the byte range, the hash and the
//! file name." The algorithm is chosen with `OPTS HASH` (section 4).

use std::io::Read;

use md5::Md5;
use oxftpd_proto::reply::codes;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};

use crate::messages::multi;
use crate::module::{CommandError, CommandResult, HandlerCtx, HandlerFuture, Session};
use crate::session::{Ctx, LoggedIn};

/// Read size while hashing.
const CHUNK: usize = 64 * 1024;

/// A checksum algorithm mod_digest offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HashAlgo {
    /// CRC-32 (IEEE), as `cksum -o3`/zlib compute it.
    Crc32,
    /// MD5.
    Md5,
    /// SHA-1 (the default).
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-512.
    Sha512,
}

impl HashAlgo {
    /// The name `HASH` and `OPTS HASH` use (`SHA-256`).
    pub fn name(self) -> &'static str {
        match self {
            HashAlgo::Crc32 => "CRC32",
            HashAlgo::Md5 => "MD5",
            HashAlgo::Sha1 => "SHA-1",
            HashAlgo::Sha256 => "SHA-256",
            HashAlgo::Sha512 => "SHA-512",
        }
    }

    /// The name the `X…` commands use in their `Computing … digest` line (`SHA256`).
    pub fn short_name(self) -> &'static str {
        match self {
            HashAlgo::Crc32 => "CRC32",
            HashAlgo::Md5 => "MD5",
            HashAlgo::Sha1 => "SHA1",
            HashAlgo::Sha256 => "SHA256",
            HashAlgo::Sha512 => "SHA512",
        }
    }

    /// The algorithm an `OPTS HASH` argument names (case-insensitive).
    pub fn from_name(name: &str) -> Option<HashAlgo> {
        [
            HashAlgo::Crc32,
            HashAlgo::Md5,
            HashAlgo::Sha1,
            HashAlgo::Sha256,
            HashAlgo::Sha512,
        ]
        .into_iter()
        .find(|a| a.name().eq_ignore_ascii_case(name))
    }
}

/// A running checksum.
enum Hasher {
    Crc32(crc32fast::Hasher),
    Md5(Md5),
    Sha1(Sha1),
    Sha256(Sha256),
    Sha512(Sha512),
}

impl Hasher {
    fn new(algo: HashAlgo) -> Hasher {
        match algo {
            HashAlgo::Crc32 => Hasher::Crc32(crc32fast::Hasher::new()),
            HashAlgo::Md5 => Hasher::Md5(Md5::new()),
            HashAlgo::Sha1 => Hasher::Sha1(Sha1::new()),
            HashAlgo::Sha256 => Hasher::Sha256(Sha256::new()),
            HashAlgo::Sha512 => Hasher::Sha512(Sha512::new()),
        }
    }

    fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Crc32(h) => h.update(bytes),
            Hasher::Md5(h) => h.update(bytes),
            Hasher::Sha1(h) => h.update(bytes),
            Hasher::Sha256(h) => h.update(bytes),
            Hasher::Sha512(h) => h.update(bytes),
        }
    }

    fn finish(self) -> Vec<u8> {
        match self {
            Hasher::Crc32(h) => h.finalize().to_be_bytes().to_vec(),
            Hasher::Md5(h) => h.finalize().to_vec(),
            Hasher::Sha1(h) => h.finalize().to_vec(),
            Hasher::Sha256(h) => h.finalize().to_vec(),
            Hasher::Sha512(h) => h.finalize().to_vec(),
        }
    }
}

/// Hex digits of `bytes`, lower or upper case.
pub fn hex(bytes: &[u8], upper: bool) -> String {
    let digits: &[u8; 16] = if upper {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(digits[usize::from(b >> 4)]));
        s.push(char::from(digits[usize::from(b & 0xf)]));
    }
    s
}

/// The checksum of `len` bytes of `file` (already positioned at the start of the range).
pub fn checksum(file: std::fs::File, algo: HashAlgo, len: u64) -> std::io::Result<Vec<u8>> {
    let mut hasher = Hasher::new(algo);
    let mut reader = file.take(len);
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            return Ok(hasher.finish());
        }
        hasher.update(&buf[..n]);
    }
}

/// With `DigestEngine on`, opens `arg` and hashes `[start, end)` (`end` `None`: to the end of the file).
///
async fn digest_of(
    engine: bool,
    user: &LoggedIn,
    arg: &str,
    algo: HashAlgo,
    range: Option<(u64, u64)>,
    verb: &str,
) -> Result<(Vec<u8>, u64, u64), CommandError> {
    if !engine {
        return Err(CommandError::bad_argument(
            codes::SYNTAX_ERROR,
            format!("{verb} not understood"),
        ));
    }
    let vpath = user.resolve(arg);
    let start = range.map_or(0, |(s, _)| s);
    let (file, meta) = match user.fs.open_read(&vpath, 0).await {
        Ok(v) => v,
        Err(
            oxftpd_storage::StorageError::IsADirectory
            | oxftpd_storage::StorageError::NotRegularFile,
        ) => return Err(CommandError::NotAFile { path: arg.into() }),
        Err(e) => return Err(CommandError::storage(arg, e)),
    };
    let end = range.map_or(meta.size, |(_, e)| e);
    if end > meta.size {
        return Err(CommandError::bad_argument(
            codes::SYNTAX_ERROR_ARGUMENTS,
            format!("{verb}: end exceeds file size"),
        ));
    }
    if start > end {
        return Err(CommandError::bad_argument(
            codes::SYNTAX_ERROR_ARGUMENTS,
            format!("{verb}: start exceeds end"),
        ));
    }
    // Hashing runs on the session's filesystem pool, under its credentials.
    let result = user
        .fs
        .pool()
        .run(user.fs.credentials(), move || {
            use std::io::Seek;
            let mut file = file;
            file.seek(std::io::SeekFrom::Start(start))?;
            checksum(file, algo, end - start)
        })
        .await;
    match result {
        Ok(Ok(sum)) => Ok((sum, start, end)),
        Ok(Err(e)) => Err(CommandError::storage(arg, e.into())),
        Err(e) => Err(CommandError::storage(arg, e)),
    }
}

/// `HASH path`: `213 ALGO start-end hash path` with the `OPTS HASH` algorithm.
pub fn hash<'a>(hx: HandlerCtx<'a>, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let HandlerCtx {
            user, mut session, ..
        } = hx;
        let ctx = &mut session;
        let Some(arg) = arg else {
            return Err(CommandError::MissingArgument);
        };
        let algo = algo(ctx);
        match digest_of(ctx.server.cfg.digest.engine, user, arg, algo, None, "HASH").await {
            Ok((sum, start, end)) => {
                let lines = vec![
                    format!("Computing {} digest", algo.name()),
                    format!("{} {start}-{end} {} {arg}", algo.name(), hex(&sum, false)),
                ];
                Ok(ctx.send(&multi(codes::FILE_STATUS, lines)).await?)
            }
            Err(e) => Err(e),
        }
    })
}

/// Splits `path [start end]`: `None` when the count of words is wrong or the offsets are not numbers.
fn path_and_range(arg: &str) -> Option<(String, Option<(u64, u64)>)> {
    let words: Vec<&str> = arg.split_whitespace().collect();
    let unquote = |s: &str| -> String {
        s.strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .unwrap_or(s)
            .to_string()
    };
    match words.as_slice() {
        [path] => Some((unquote(path), None)),
        [path @ .., start, end] if !path.is_empty() => {
            let start = start.parse().ok()?;
            let end = end.parse().ok()?;
            if path.len() == 1 {
                Some((unquote(path[0]), Some((start, end))))
            } else {
                Some((unquote(&path.join(" ")), Some((start, end))))
            }
        }
        _ => None,
    }
}

async fn x_digest(
    ctx: &mut Session<'_>,
    user: &mut LoggedIn,
    arg: Option<&str>,
    algo: HashAlgo,
    verb: &str,
) -> CommandResult {
    let Some((path, range)) = arg.and_then(path_and_range) else {
        return Err(CommandError::MissingArgument);
    };
    match digest_of(ctx.server.cfg.digest.engine, user, &path, algo, range, verb).await {
        Ok((sum, _, _)) => {
            let lines = vec![
                format!("Computing {} digest", algo.short_name()),
                hex(&sum, true),
            ];
            Ok(ctx.send(&multi(codes::FILE_ACTION_OK, lines)).await?)
        }
        Err(e) => Err(e),
    }
}

macro_rules! x_command {
    ($name:ident, $algo:expr, $verb:literal) => {
        #[doc = concat!("`", $verb, " path [start end]`: `250 HEX`.")]
        pub fn $name<'a>(mut hx: HandlerCtx<'a>, arg: Option<&'a str>) -> HandlerFuture<'a> {
            Box::pin(async move { x_digest(&mut hx.session, hx.user, arg, $algo, $verb).await })
        }
    };
}

x_command!(xcrc, HashAlgo::Crc32, "XCRC");
x_command!(xmd5, HashAlgo::Md5, "XMD5");
x_command!(xsha, HashAlgo::Sha1, "XSHA");
x_command!(xsha1, HashAlgo::Sha1, "XSHA1");
x_command!(xsha256, HashAlgo::Sha256, "XSHA256");
x_command!(xsha512, HashAlgo::Sha512, "XSHA512");

/// `MD5 path`: `251 path HEX`.
pub fn md5<'a>(hx: HandlerCtx<'a>, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let HandlerCtx {
            user, mut session, ..
        } = hx;
        let ctx = &mut session;
        let Some(arg) = arg else {
            return Err(CommandError::MissingArgument);
        };
        match digest_of(
            ctx.server.cfg.digest.engine,
            user,
            arg,
            HashAlgo::Md5,
            None,
            "MD5",
        )
        .await
        {
            Ok((sum, _, _)) => {
                let lines = vec![
                    "Computing MD5 digest".to_string(),
                    format!("{arg} {}", hex(&sum, true)),
                ];
                Ok(ctx.send(&multi(codes::MD5_DIGEST, lines)).await?)
            }
            Err(e) => Err(e),
        }
    })
}

/// The algorithm `HASH` uses: the session's `OPTS HASH` choice, SHA-1 until it makes one.
pub fn algo(ctx: &Ctx) -> HashAlgo {
    ctx.ext.get::<HashAlgo>().copied().unwrap_or(HashAlgo::Sha1)
}

/// Whether `DigestEngine` is on for the session's server: FEAT lists mod_digest's commands
/// only then, as mod_digest adds them only then.
pub fn engine_on(ctx: &Ctx) -> bool {
    ctx.server.cfg.digest.engine
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_both_cases() {
        assert_eq!(hex(&[0xaf, 0x08, 0x3b], false), "af083b");
        assert_eq!(hex(&[0xaf, 0x08, 0x3b], true), "AF083B");
    }

    #[test]
    fn names_round_trip() {
        assert_eq!(HashAlgo::from_name("sha-256"), Some(HashAlgo::Sha256));
        assert_eq!(HashAlgo::from_name("SHA256"), None);
        assert_eq!(HashAlgo::Sha256.short_name(), "SHA256");
    }

    #[test]
    fn ranges_parse_like_mod_digest() {
        assert_eq!(path_and_range("f"), Some(("f".into(), None)));
        assert_eq!(path_and_range("f 6 8"), Some(("f".into(), Some((6, 8)))));
        assert_eq!(path_and_range("\"f\""), Some(("f".into(), None)));
        assert_eq!(path_and_range("f 6"), None);
        assert_eq!(path_and_range("f x y"), None);
    }
}
