//! Small files read through the session's jailed filesystem, under its credentials
//! (`DisplayChdir` messages, `.ftpaccess` files).

use std::io::Read;

use oxftpd_storage::{Fs, Metadata};

/// The largest file read whole (ProFTPD's display files and `.ftpaccess` are small).
pub const MAX_SMALL_FILE: u64 = 64 * 1024;

/// The first [`MAX_SMALL_FILE`] bytes of the regular file `vpath` and its metadata;
/// `None` when it is missing or unreadable to the session.
pub async fn read_small(fs: &Fs, vpath: &str) -> Option<(Vec<u8>, Metadata)> {
    let (file, meta) = fs.open_read(vpath, 0).await.ok()?;
    let bytes = fs
        .pool()
        .run(fs.credentials(), move || {
            let mut buf = Vec::new();
            file.take(MAX_SMALL_FILE).read_to_end(&mut buf).map(|_| buf)
        })
        .await
        .ok()?
        .ok()?;
    Some((bytes, meta))
}
