//! The `check-file` extension (`check-file-name`, `check-file-handle`): digests of a file's
//! bytes, of the whole range or per block, as draft-ietf-secsh-filexfer-extensions and
//! ProFTPD's mod_sftp give them (md5, sha1, sha224, sha256, sha384, sha512).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};

use sha2::Digest;

/// The digests offered, in the order the server prefers them when the client lists several.
pub const ALGORITHMS: &[&str] = &["md5", "sha1", "sha224", "sha256", "sha384", "sha512"];

/// A `check-file` request's parameters.
pub struct Request {
    /// The client's comma-separated list of digest names.
    pub algorithms: String,
    /// Where to start.
    pub offset: u64,
    /// How many bytes (0: to the end).
    pub length: u64,
    /// Bytes per digest (0: one digest for the whole range).
    pub block: u32,
}

/// The first digest of the client's list that is offered.
pub fn choose(list: &str) -> Option<&'static str> {
    list.split(',').map(str::trim).find_map(|a| {
        ALGORITHMS
            .iter()
            .copied()
            .find(|k| k.eq_ignore_ascii_case(a))
    })
}

fn digest(algorithm: &str, data: &[u8]) -> Vec<u8> {
    match algorithm {
        "md5" => md5::Md5::digest(data).to_vec(),
        "sha1" => sha1::Sha1::digest(data).to_vec(),
        "sha224" => sha2::Sha224::digest(data).to_vec(),
        "sha384" => sha2::Sha384::digest(data).to_vec(),
        "sha512" => sha2::Sha512::digest(data).to_vec(),
        _ => sha2::Sha256::digest(data).to_vec(),
    }
}

/// Most bytes one request may digest (a bounded amount of work per request).
const MAX_BYTES: u64 = 1 << 34;

/// Reads the range from `file` and returns the digests, one after another (run on the pool).
pub fn run(mut file: &File, algorithm: &str, req: &Request) -> std::io::Result<Vec<u8>> {
    let size = file.metadata()?.len();
    let start = req.offset.min(size);
    let end = if req.length == 0 {
        size
    } else {
        start.saturating_add(req.length).min(size)
    };
    if end - start > MAX_BYTES {
        return Err(std::io::Error::other("range too large"));
    }
    file.seek(SeekFrom::Start(start))?;
    let block = if req.block == 0 {
        end - start
    } else {
        u64::from(req.block.max(256))
    };
    let mut out = Vec::new();
    let mut left = end - start;
    let mut buf = Vec::new();
    loop {
        let n = left.min(block);
        buf.clear();
        (&mut file).take(n).read_to_end(&mut buf)?;
        out.extend_from_slice(&digest(algorithm, &buf));
        left -= n;
        if left == 0 || n == 0 {
            break;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_offered_digest_of_the_list_is_chosen() {
        assert_eq!(choose("crc32,sha256,md5"), Some("sha256"));
        assert_eq!(choose("crc32"), None);
    }
}
