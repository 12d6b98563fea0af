//! `SFTPCiphers`, `SFTPDigests`, `SFTPKeyExchanges` and `SFTPCompression` as russh's
//! preference lists. A name russh does not implement is a configuration error; strict key
//! exchange (`kex-strict-s-v00@openssh.com`, against Terrapin, CVE-2023-48795) is always
//! offered, whatever the list says.

use std::borrow::Cow;

use russh::{cipher, compression, kex, mac};

/// Ciphers no list may name: they break confidentiality.
const REFUSED_CIPHERS: &[&str] = &["none", "clear", "3des-cbc", "blowfish-cbc", "arcfour"];

fn unknown(kind: &str, name: &str, known: &[&str]) -> String {
    format!(
        "unsupported {kind} '{name}' (supported: {})",
        known.join(", ")
    )
}

const CIPHERS: &[&str] = &[
    "chacha20-poly1305@openssh.com",
    "aes256-gcm@openssh.com",
    "aes128-gcm@openssh.com",
    "aes256-ctr",
    "aes192-ctr",
    "aes128-ctr",
    "aes256-cbc",
    "aes192-cbc",
    "aes128-cbc",
];

/// Parses an `SFTPCiphers` list.
pub fn ciphers(names: &[String]) -> Result<Vec<cipher::Name>, String> {
    names
        .iter()
        .map(|n| {
            if REFUSED_CIPHERS.contains(&n.as_str()) {
                return Err(format!("cipher '{n}' is refused: it is not safe"));
            }
            cipher::Name::try_from(n.as_str())
                .ok()
                .filter(|c| *c != cipher::CLEAR && *c != cipher::NONE)
                .ok_or_else(|| unknown("cipher", n, CIPHERS))
        })
        .collect()
}

/// Checks an `SFTPCiphers` list.
pub fn check_ciphers(args: &[String]) -> Result<(), String> {
    ciphers(args).map(|_| ())
}

const MACS: &[&str] = &[
    "hmac-sha2-512-etm@openssh.com",
    "hmac-sha2-256-etm@openssh.com",
    "hmac-sha2-512",
    "hmac-sha2-256",
    "hmac-sha1-etm@openssh.com",
    "hmac-sha1",
];

/// The MACs offered without `SFTPDigests`: SHA-2, then SHA-1 (as OpenSSH's server offers
/// them; HMAC-SHA1 is not weakened by SHA-1's collisions), never MD5 or RIPEMD.
pub const DEFAULT_DIGESTS: &[mac::Name] = &[
    mac::HMAC_SHA512_ETM,
    mac::HMAC_SHA256_ETM,
    mac::HMAC_SHA512,
    mac::HMAC_SHA256,
    mac::HMAC_SHA1_ETM,
    mac::HMAC_SHA1,
];

/// Parses an `SFTPDigests` list.
pub fn digests(names: &[String]) -> Result<Vec<mac::Name>, String> {
    names
        .iter()
        .map(|n| {
            mac::Name::try_from(n.as_str())
                .ok()
                .filter(|m| *m != mac::NONE)
                .ok_or_else(|| unknown("digest", n, MACS))
        })
        .collect()
}

/// Checks an `SFTPDigests` list.
pub fn check_digests(args: &[String]) -> Result<(), String> {
    digests(args).map(|_| ())
}

const KEXES: &[&str] = &[
    "mlkem768x25519-sha256",
    "curve25519-sha256",
    "curve25519-sha256@libssh.org",
    "diffie-hellman-group-exchange-sha256",
    "diffie-hellman-group18-sha512",
    "diffie-hellman-group17-sha512",
    "diffie-hellman-group16-sha512",
    "diffie-hellman-group15-sha512",
    "diffie-hellman-group14-sha256",
    "diffie-hellman-group14-sha1",
    "diffie-hellman-group-exchange-sha1",
    "ecdh-sha2-nistp256",
    "ecdh-sha2-nistp384",
    "ecdh-sha2-nistp521",
];

/// Parses an `SFTPKeyExchanges` list; the extension names (`ext-info-s` and strict kex)
/// are added after it.
pub fn kexes(names: &[String]) -> Result<Vec<kex::Name>, String> {
    let mut out = names
        .iter()
        .map(|n| {
            if n == "diffie-hellman-group1-sha1" {
                return Err(format!("key exchange '{n}' is refused: it is not safe"));
            }
            kex::Name::try_from(n.as_str())
                .ok()
                .filter(|k| KEXES.contains(&k.as_ref()))
                .ok_or_else(|| unknown("key exchange", n, KEXES))
        })
        .collect::<Result<Vec<_>, _>>()?;
    out.push(kex::EXTENSION_SUPPORT_AS_SERVER);
    out.push(kex::EXTENSION_OPENSSH_STRICT_KEX_AS_SERVER);
    Ok(out)
}

/// Checks an `SFTPKeyExchanges` list.
pub fn check_kex(args: &[String]) -> Result<(), String> {
    kexes(args).map(|_| ())
}

/// `SFTPCompression`: `on` offers zlib, `delayed` zlib@openssh.com (after login), `off` none.
pub fn compression(word: Option<&str>) -> Cow<'static, [compression::Name]> {
    match word.map(str::to_ascii_lowercase).as_deref() {
        Some("on" | "yes" | "true") => Cow::Owned(vec![
            compression::NONE,
            compression::ZLIB,
            compression::ZLIB_LEGACY,
        ]),
        Some("delayed") => Cow::Owned(vec![compression::NONE, compression::ZLIB_LEGACY]),
        _ => Cow::Owned(vec![compression::NONE]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn known_names_parse_and_unknown_ones_are_errors() {
        assert_eq!(
            ciphers(&words("aes256-ctr aes128-ctr")).map(|v| v.len()),
            Ok(2)
        );
        assert!(ciphers(&words("3des-cbc")).is_err());
        assert!(ciphers(&words("rot13")).is_err());
        assert_eq!(digests(&words("hmac-sha2-256")).map(|v| v.len()), Ok(1));
        assert!(digests(&words("umac-64@openssh.com")).is_err());
    }

    #[test]
    fn strict_kex_is_always_offered() {
        let k = kexes(&words("curve25519-sha256")).unwrap_or_default();
        assert!(k.contains(&kex::EXTENSION_OPENSSH_STRICT_KEX_AS_SERVER));
        assert!(kexes(&words("diffie-hellman-group1-sha1")).is_err());
    }
}
