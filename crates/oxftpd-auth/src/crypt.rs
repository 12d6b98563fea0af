//! Password hashes checked and made with the system's crypt(3) (libxcrypt).
//!
//! Whatever the system's libxcrypt supports verifies: yescrypt (`$y$`),
//! SHA-512 (`$6$`), SHA-256 (`$5$`), bcrypt (`$2b$`), MD5 (`$1$`), DES. Hashing
//! is deliberately slow: call these functions off the async worker threads.

// This file calls libc (or other C APIs): unsafe code is allowed here only, each block
// with a SAFETY comment saying why it is sound.
#![allow(unsafe_code)]

use std::ffi::{CStr, CString, c_char, c_int, c_ulong, c_void};

/// Size of libxcrypt's `struct crypt_data` (all `char` fields, so alignment 1).
const CRYPT_DATA_SIZE: usize = 32768;
/// Size of the buffer `crypt_gensalt_rn` writes into (`CRYPT_GENSALT_OUTPUT_SIZE`).
const GENSALT_OUTPUT_SIZE: usize = 192;

#[link(name = "crypt")]
unsafe extern "C" {
    fn crypt_r(phrase: *const c_char, setting: *const c_char, data: *mut c_void) -> *mut c_char;
    fn crypt_gensalt_rn(
        prefix: *const c_char,
        count: c_ulong,
        rbytes: *const c_char,
        nrbytes: c_int,
        output: *mut c_char,
        output_size: c_int,
    ) -> *mut c_char;
}

/// Which hash `hash_password` makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HashScheme {
    /// SHA-512 crypt, `$6$` (the default: understood by every current libc).
    #[default]
    Sha512,
    /// yescrypt, `$y$` (Debian's default for /etc/shadow).
    Yescrypt,
}

impl HashScheme {
    fn prefix(self) -> &'static CStr {
        match self {
            HashScheme::Sha512 => c"$6$",
            HashScheme::Yescrypt => c"$y$",
        }
    }
}

/// Why a hash could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CryptError {
    /// The password contains a NUL byte, which crypt(3) cannot take.
    #[error("password contains a NUL byte")]
    NulInPassword,
    /// The system's crypt library refused (unsupported scheme, no randomness).
    #[error("crypt(3) failed for {scheme:?}: {reason}")]
    Failed {
        /// The scheme asked for.
        scheme: HashScheme,
        /// What the library reported.
        reason: String,
    },
}

/// A zeroed, heap-allocated `struct crypt_data` (32 KiB: too big for small stacks).
struct CryptData(Box<[u8]>);

impl CryptData {
    fn new() -> Self {
        CryptData(vec![0u8; CRYPT_DATA_SIZE].into_boxed_slice())
    }
}

/// True if `hash` can never match a password: empty, `*…` or `!…` (locked).
///
/// Deliberate difference: ProFTPD 1.3.8 lets *any* password in for an
/// `AuthUserFile` entry whose password field is empty (observed on Debian's
/// build); we treat an empty field as locked, since an entry that opens with
/// every password is almost always a mistake.
pub fn is_locked(hash: &str) -> bool {
    hash.is_empty() || hash.starts_with('*') || hash.starts_with('!')
}

/// crypt(3) of `password` with `setting` (a hash or a salt string), or None on failure.
fn crypt_with(password: &str, setting: &str) -> Option<Vec<u8>> {
    let phrase = CString::new(password).ok()?;
    let setting = CString::new(setting).ok()?;
    let mut data = CryptData::new();
    // SAFETY: both strings are NUL-terminated and outlive the call; `data` is a
    // zeroed buffer of exactly sizeof(struct crypt_data), which crypt_r may use
    // as scratch and output; the returned pointer points into `data` (or is
    // NULL) and is read before `data` is dropped.
    let out = unsafe {
        let p = crypt_r(
            phrase.as_ptr(),
            setting.as_ptr(),
            data.0.as_mut_ptr().cast::<c_void>(),
        );
        if p.is_null() {
            return None;
        }
        CStr::from_ptr(p).to_bytes().to_vec()
    };
    // libxcrypt reports failure with a "*0"/"*1" token instead of NULL.
    if out.is_empty() || out[0] == b'*' {
        return None;
    }
    Some(out)
}

/// Compares two byte strings in time independent of where they differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

/// True if `password` matches the crypt(3) `hash`; locked or unusable hashes never match.
pub fn verify(password: &str, hash: &str) -> bool {
    if is_locked(hash) {
        return false;
    }
    match crypt_with(password, hash) {
        Some(out) => constant_time_eq(&out, hash.as_bytes()),
        None => false,
    }
}

/// Hashes `password` with a fresh random salt from the system's crypt library.
pub fn hash_password(password: &str, scheme: HashScheme) -> Result<String, CryptError> {
    if password.contains('\0') {
        return Err(CryptError::NulInPassword);
    }
    let mut salt = [0u8; GENSALT_OUTPUT_SIZE];
    // SAFETY: prefix is a NUL-terminated static string; rbytes NULL with
    // nrbytes 0 asks libxcrypt for OS randomness; `salt` is writable for the
    // size given. The result points into `salt` or is NULL.
    let setting = unsafe {
        let p = crypt_gensalt_rn(
            scheme.prefix().as_ptr(),
            0,
            std::ptr::null(),
            0,
            salt.as_mut_ptr().cast::<c_char>(),
            GENSALT_OUTPUT_SIZE as c_int,
        );
        if p.is_null() {
            return Err(CryptError::Failed {
                scheme,
                reason: format!("crypt_gensalt_rn: {}", std::io::Error::last_os_error()),
            });
        }
        CStr::from_ptr(p).to_string_lossy().into_owned()
    };
    let out = crypt_with(password, &setting).ok_or_else(|| CryptError::Failed {
        scheme,
        reason: format!("crypt_r refused setting '{setting}'"),
    })?;
    String::from_utf8(out).map_err(|_| CryptError::Failed {
        scheme,
        reason: "non-UTF-8 hash".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // Made at test-writing time: `openssl passwd -6/-5/-1 -salt …` and perl's crypt().
    const SHA512: &str = "$6$Xq1s2d3f4g5h6j7k$/qnytdcjKU6lX8lF4Hxuu2lY6RdLSQpby.TfH7d5Jh3IJ8sqnA2BI6QNzxZ3J9PkevYnyPyHtkioSHSLS8813.";
    const SHA256: &str = "$5$saltsalt$myjXcpMpE2Ofk7fj9hqyNYSn6lmWG4Mqnjx.KIRRr4/";
    const MD5: &str = "$1$abcdefgh$y6iHhJNbuC0xpbk0w9pm80";
    const YESCRYPT: &str =
        "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$zwtVrjrUCmXcyLTs6oxLTQlzifSUkF8RHJ./tK5KU79";
    const BCRYPT: &str = "$2b$05$abcdefghijklmnopqrstuuHNbAKRhpaujgo33bRWs.NLUTJO3lOy2";
    const DES: &str = "abhv/ZnAzL36k"; // "secret12"

    #[test]
    fn known_hashes_verify() {
        for h in [SHA512, SHA256, MD5, YESCRYPT, BCRYPT] {
            assert!(verify("correct horse", h), "{h}");
            assert!(!verify("correct horsf", h), "{h}");
            assert!(!verify("", h), "{h}");
        }
        assert!(verify("secret12", DES));
        assert!(!verify("secret13", DES));
    }

    #[test]
    fn locked_and_empty_never_verify() {
        assert!(!verify("correct horse", &format!("!{SHA512}")));
        assert!(!verify("correct horse", "!!"));
        assert!(!verify("", "!!"));
        assert!(!verify("", "*"));
        assert!(!verify("", ""));
        assert!(!verify("x", "x"));
        assert!(is_locked("!$6$abc"));
        assert!(is_locked(""));
        assert!(!is_locked(SHA512));
    }

    #[test]
    fn made_hashes_verify() {
        let h = hash_password("pa:ss wörd", HashScheme::Sha512).unwrap();
        assert!(h.starts_with("$6$"), "{h}");
        assert!(verify("pa:ss wörd", &h));
        assert!(!verify("pa:ss word", &h));
        let y = hash_password("pw", HashScheme::Yescrypt).unwrap();
        assert!(y.starts_with("$y$"), "{y}");
        assert!(verify("pw", &y));
        // Fresh salt each time.
        assert_ne!(h, hash_password("pa:ss wörd", HashScheme::Sha512).unwrap());
    }

    #[test]
    fn nul_in_password() {
        assert_eq!(
            hash_password("a\0b", HashScheme::Sha512),
            Err(CryptError::NulInPassword)
        );
        assert!(!verify("correct horse\0", SHA512));
    }

    #[test]
    fn constant_time_eq_compares() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
