//! Host keys for `SFTPHostKey`, made by `oxftpctl hostkey`: Ed25519 in OpenSSH's private key
//! format (what `ssh-keygen -t ed25519` writes, and ProFTPD 1.3.8's mod_sftp reads).

use russh::keys::ssh_key::LineEnding;
use russh::keys::ssh_key::private::Ed25519Keypair;
use russh::keys::{PrivateKey, PublicKey};

/// An Ed25519 host key from 32 random bytes: the private key file's text and the public
/// key's `authorized_keys`/`known_hosts` line.
pub fn ed25519(seed: &[u8; 32], comment: &str) -> Result<(String, String), String> {
    let mut key = PrivateKey::from(Ed25519Keypair::from_seed(seed));
    key.set_comment(comment);
    let private = key
        .to_openssh(LineEnding::LF)
        .map_err(|e| format!("encoding the private key: {e}"))?;
    let public: PublicKey = key.public_key().clone();
    let line = public
        .to_openssh()
        .map_err(|e| format!("encoding the public key: {e}"))?;
    Ok((private.to_string(), line))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_reads_back_as_russh_loads_host_keys() {
        let (private, public) = ed25519(&[7u8; 32], "test").unwrap_or_default();
        let back = russh::keys::decode_secret_key(&private, None);
        assert!(back.is_ok(), "{private}");
        assert!(public.starts_with("ssh-ed25519 "), "{public}");
    }
}
