//! HOTP (RFC 4226) and TOTP (RFC 6238) codes, six digits, as mod_auth_otp computes them.

use hmac::{Hmac, Mac};

/// The code algorithm (`AuthOTPAlgorithm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// Counter-based, HMAC-SHA1.
    Hotp,
    /// Time-based, HMAC-SHA1 (`totp`, `totp-sha1`; the default).
    TotpSha1,
    /// Time-based, HMAC-SHA256.
    TotpSha256,
    /// Time-based, HMAC-SHA512.
    TotpSha512,
}

/// The TOTP time step (RFC 6238's default, and mod_auth_otp's).
pub const STEP_SECS: u64 = 30;

impl Algorithm {
    /// Parses `AuthOTPAlgorithm`'s value.
    pub fn parse(s: &str) -> Result<Algorithm, String> {
        match s.to_ascii_lowercase().as_str() {
            "hotp" => Ok(Algorithm::Hotp),
            "totp" | "totp-sha1" => Ok(Algorithm::TotpSha1),
            "totp-sha256" => Ok(Algorithm::TotpSha256),
            "totp-sha512" => Ok(Algorithm::TotpSha512),
            _ => Err(format!(
                "expected supported OTP algorithm (hotp, totp, totp-sha256, totp-sha512), not '{s}'"
            )),
        }
    }

    /// Whether codes follow the clock.
    pub fn is_totp(self) -> bool {
        self != Algorithm::Hotp
    }
}

fn mac<M: Mac + hmac::digest::KeyInit>(key: &[u8], msg: &[u8]) -> Vec<u8> {
    // HMAC takes keys of any length.
    let mut m = <M as hmac::digest::KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    m.update(msg);
    m.finalize().into_bytes().to_vec()
}

/// RFC 4226 §5.3's dynamic truncation to six digits.
fn truncate(h: &[u8]) -> u32 {
    let offset = usize::from(h[h.len() - 1] & 0x0f);
    let bin = (u32::from(h[offset] & 0x7f) << 24)
        | (u32::from(h[offset + 1]) << 16)
        | (u32::from(h[offset + 2]) << 8)
        | u32::from(h[offset + 3]);
    bin % 1_000_000
}

/// The code for moving factor `counter` (the HOTP counter, or the TOTP time step number).
pub fn code(algo: Algorithm, secret: &[u8], counter: u64) -> u32 {
    let msg = counter.to_be_bytes();
    let h = match algo {
        Algorithm::Hotp | Algorithm::TotpSha1 => mac::<Hmac<sha1::Sha1>>(secret, &msg),
        Algorithm::TotpSha256 => mac::<Hmac<sha2::Sha256>>(secret, &msg),
        Algorithm::TotpSha512 => mac::<Hmac<sha2::Sha512>>(secret, &msg),
    };
    truncate(&h)
}

/// The TOTP code at Unix time `secs`.
pub fn totp(algo: Algorithm, secret: &[u8], secs: u64) -> u32 {
    code(algo, secret, secs / STEP_SECS)
}

/// Decodes a Base32 secret (RFC 4648, as Google Authenticator writes it: upper or lower case,
/// with or without `=` padding and spaces).
pub fn decode_secret(text: &str) -> Option<Vec<u8>> {
    let mut clean: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '=')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    while !clean.len().is_multiple_of(8) {
        clean.push('=');
    }
    data_encoding::BASE32.decode(clean.as_bytes()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_4226_appendix_d() {
        let key = b"12345678901234567890";
        let want = [
            755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489,
        ];
        for (i, w) in want.iter().enumerate() {
            assert_eq!(code(Algorithm::Hotp, key, i as u64), *w, "counter {i}");
        }
    }

    #[test]
    fn rfc_6238_appendix_b_last_six_digits() {
        let k1 = b"12345678901234567890";
        let k256 = b"12345678901234567890123456789012";
        let k512 = b"1234567890123456789012345678901234567890123456789012345678901234";
        for (t, sha1, sha256, sha512) in [
            (59u64, 94287082u32, 46119246u32, 90693936u32),
            (1111111109, 7081804, 68084774, 25091201),
            (20000000000, 65353130, 77737706, 47863826),
        ] {
            assert_eq!(totp(Algorithm::TotpSha1, k1, t), sha1 % 1_000_000, "{t}");
            assert_eq!(totp(Algorithm::TotpSha256, k256, t), sha256 % 1_000_000);
            assert_eq!(totp(Algorithm::TotpSha512, k512, t), sha512 % 1_000_000);
        }
    }

    #[test]
    fn base32_secrets_as_authenticators_write_them() {
        assert_eq!(
            decode_secret("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").as_deref(),
            Some(&b"12345678901234567890"[..])
        );
        assert_eq!(decode_secret("kruga==="), decode_secret("KRUGA"));
        assert!(decode_secret("KRUGA").is_some());
        assert_eq!(decode_secret("not base32!"), None);
        assert!(Algorithm::parse("TOTP-SHA256").is_ok());
        assert!(Algorithm::parse("md5").is_err());
    }
}
