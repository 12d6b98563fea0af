//! What the SSH side reads from a client: SFTP packets (russh-sftp's decoder, as our
//! server feeds it), `scp` exec commands, and authorized_keys files.

use bytes::Bytes;
use oxftpd_mod_sftp::{keys, scp};
use russh_sftp::protocol::Packet;

/// Decodes `data` as an SFTP packet body, an exec command and a keys file.
pub fn run(data: &[u8]) {
    let mut bytes = Bytes::copy_from_slice(data);
    let _ = Packet::try_from(&mut bytes);
    let text = String::from_utf8_lossy(data);
    if let Some(req) = scp::Request::parse(&text) {
        assert!(!req.paths.is_empty() || text.contains("scp"));
    }
    let _ = keys::parse(&text);
}
