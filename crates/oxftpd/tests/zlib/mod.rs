//! Shared by the mod_deflate test files (deflate, deflate_log): zlib streams made and read
//! with flate2, and the `LoadModule` line Debian's ProFTPD needs.

use std::io::{Read, Write};

use flate2::Compression;
use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;

/// The bytes of the zlib stream `bytes`; panics unless it is one.
pub fn inflate(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    ZlibDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("the data connection carried a valid zlib stream");
    out
}

/// `bytes` as a zlib stream at level 6 (mod_deflate's default).
pub fn deflate(bytes: &[u8]) -> Vec<u8> {
    let mut z = ZlibEncoder::new(Vec::new(), Compression::new(6));
    z.write_all(bytes).expect("compress");
    z.finish().expect("compress")
}

/// `LoadModule mod_deflate.c` for ProFTPD (Debian builds it as a loadable module); nothing for
/// oxftpd, which has it compiled in.
pub fn load_deflate(target: &oxftpd_testkit::Target) -> &'static str {
    if target.is_proftpd() {
        "LoadModule mod_deflate.c\n"
    } else {
        ""
    }
}
