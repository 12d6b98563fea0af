//! `SQLAuthTypes`: how the password column is compared with what the client sent.
//!
//! mod_sql's own types (`Crypt`, `Plaintext`, `Empty`, `OpenSSL`) and mod_sql_passwd's
//! (`MD5`, `SHA1`, `SHA256`, `SHA512`, `PBKDF2`, which answer only with `SQLPasswordEngine on`).
//! Types are tried in the order written; the first that matches lets the user in. A stored
//! empty value matches nothing but `Empty`, and `Plaintext`/`Empty` only work when listed.

use base64::Engine as _;
use sha1::Digest as _;

use crate::passwd::{Digest, PasswdSettings};

/// One `SQLAuthTypes` entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthType {
    /// `crypt(3)` hashes (yescrypt, SHA-crypt, bcrypt, MD5-crypt, DES).
    Crypt,
    /// The password as stored, compared byte for byte.
    Plaintext,
    /// An empty stored value lets any password in.
    Empty,
    /// `{digest}base64` (`{md5}`, `{sha1}`, `{sha256}`, `{sha512}`).
    OpenSsl,
    /// mod_sql_passwd: a digest, encoded as `SQLPasswordEncoding` says.
    Hash(Digest),
    /// mod_sql_passwd: PBKDF2 with `SQLPasswordPBKDF2`'s digest, iterations and length.
    Pbkdf2,
}

impl AuthType {
    /// The type `name` names (case-insensitive, as mod_sql looks them up).
    pub fn parse(name: &str) -> Result<AuthType, String> {
        Ok(match name.to_ascii_lowercase().as_str() {
            "crypt" => AuthType::Crypt,
            "plaintext" => AuthType::Plaintext,
            "empty" => AuthType::Empty,
            "openssl" => AuthType::OpenSsl,
            "md5" => AuthType::Hash(Digest::Md5),
            "sha1" => AuthType::Hash(Digest::Sha1),
            "sha256" => AuthType::Hash(Digest::Sha256),
            "sha512" => AuthType::Hash(Digest::Sha512),
            "pbkdf2" => AuthType::Pbkdf2,
            "backend" => {
                return Err(
                    "the Backend auth type (the database's PASSWORD() function) is not supported"
                        .into(),
                );
            }
            "argon2" | "bcrypt" | "scrypt" => {
                return Err(format!(
                    "the {name} auth type is not supported (store crypt(3) hashes and use Crypt: libxcrypt reads bcrypt and yescrypt)"
                ));
            }
            _ => return Err(format!("unknown SQLAuthType '{name}'")),
        })
    }
}

/// Whether `password` matches the stored `stored` under `kind`; `salt` is the per-user salt
/// mod_sql_passwd uses, when one is configured.
pub fn matches(
    kind: AuthType,
    password: &str,
    stored: &str,
    passwd: &PasswdSettings,
    user_salt: Option<&[u8]>,
) -> bool {
    match kind {
        AuthType::Crypt => !stored.is_empty() && oxftpd_auth::crypt::verify(password, stored),
        AuthType::Plaintext => !stored.is_empty() && password == stored,
        AuthType::Empty => stored.is_empty(),
        AuthType::OpenSsl => openssl_matches(password, stored),
        AuthType::Hash(d) => passwd.engine && passwd.hash_matches(d, password, stored, user_salt),
        AuthType::Pbkdf2 => passwd.engine && passwd.pbkdf2_matches(password, stored, user_salt),
    }
}

/// `{digest}base64(digest(password))`.
fn openssl_matches(password: &str, stored: &str) -> bool {
    let Some(rest) = stored.strip_prefix('{') else {
        return false;
    };
    let Some((name, value)) = rest.split_once('}') else {
        return false;
    };
    let digest: Vec<u8> = match name.to_ascii_lowercase().as_str() {
        "md5" => md5::Md5::digest(password.as_bytes()).to_vec(),
        "sha1" => sha1::Sha1::digest(password.as_bytes()).to_vec(),
        "sha224" => sha2::Sha224::digest(password.as_bytes()).to_vec(),
        "sha256" => sha2::Sha256::digest(password.as_bytes()).to_vec(),
        "sha384" => sha2::Sha384::digest(password.as_bytes()).to_vec(),
        "sha512" => sha2::Sha512::digest(password.as_bytes()).to_vec(),
        _ => return false,
    };
    base64::engine::general_purpose::STANDARD.encode(digest) == value
}

#[cfg(test)]
mod tests {
    use super::*;

    fn off() -> PasswdSettings {
        PasswdSettings::default()
    }

    #[test]
    fn mod_sql_types() {
        let p = off();
        assert!(matches(AuthType::Plaintext, "pw", "pw", &p, None));
        assert!(!matches(AuthType::Plaintext, "", "", &p, None));
        assert!(matches(AuthType::Empty, "anything", "", &p, None));
        assert!(!matches(AuthType::Empty, "pw", "pw", &p, None));
        // echo -n secret | openssl dgst -md5 -binary | base64
        assert!(matches(
            AuthType::OpenSsl,
            "secret",
            "{md5}Xr4ilOzQ4PCOq3aQ0qbuaQ==",
            &p,
            None
        ));
        assert!(matches(
            AuthType::OpenSsl,
            "secret",
            "{sha1}5en6G6MezRroT3XKqkdPOmY/BfQ=",
            &p,
            None
        ));
        assert!(!matches(
            AuthType::OpenSsl,
            "wrong",
            "{md5}Xr4ilOzQ4PCOq3aQ0qbuaQ==",
            &p,
            None
        ));
        let hash = oxftpd_auth::crypt::verify("x", "x");
        assert!(!hash);
        assert!(!matches(AuthType::Crypt, "pw", "", &p, None));
    }

    #[test]
    fn passwd_types_need_the_engine() {
        // echo -n secret | sha1sum
        let stored = "e5e9fa1ba31ecd1ae84f75caaa474f3a663f05f4";
        assert!(!matches(
            AuthType::Hash(Digest::Sha1),
            "secret",
            stored,
            &off(),
            None
        ));
        let on = PasswdSettings {
            engine: true,
            ..PasswdSettings::default()
        };
        assert!(matches(
            AuthType::Hash(Digest::Sha1),
            "secret",
            stored,
            &on,
            None
        ));
        assert!(!matches(
            AuthType::Hash(Digest::Sha1),
            "Secret",
            stored,
            &on,
            None
        ));
    }

    #[test]
    fn names() {
        assert_eq!(AuthType::parse("CRYPT"), Ok(AuthType::Crypt));
        assert!(AuthType::parse("Backend").is_err());
        assert!(AuthType::parse("nonsense").is_err());
    }
}
