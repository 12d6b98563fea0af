//! mod_sql_passwd.c: digests of the password (and salt), encoded, for `SQLAuthTypes` `MD5`,
//! `SHA1`, `SHA256`, `SHA512` and `PBKDF2`, as its documentation's "transformations" give them:
//! `data = salt + password` (or `password + salt`, each part optionally hashed or hashed and
//! encoded first), then `SQLPasswordRounds` times `data = ENCODE(HASH(data))`.

use base64::Engine as _;
use oxftpd_config::{Args, Contexts, DirectiveSpec, Merged, ModuleSpec};
use sha1::Digest as _;

/// mod_sql_passwd.c's configuration surface.
pub static SPEC: ModuleSpec = ModuleSpec {
    name: "mod_sql_passwd.c",
    directives: DIRECTIVES,
};

static DIRECTIVES: &[DirectiveSpec] = &[
    DirectiveSpec::new(
        "SQLPasswordEngine",
        Contexts::SERVERS,
        Args::flag(),
        false,
        "answer the MD5, SHA1, SHA256, SHA512 and PBKDF2 SQLAuthTypes (off by default)",
    ),
    DirectiveSpec::new(
        "SQLPasswordEncoding",
        Contexts::SERVERS,
        Args::exact(1).checked(check_encoding),
        false,
        "base64, hex (the default) or HEX: how stored digests are written",
    ),
    DirectiveSpec::new(
        "SQLPasswordSaltEncoding",
        Contexts::SERVERS,
        Args::exact(1).checked(check_salt_encoding),
        false,
        "base64, hex, HEX or none (the default): how salts are written",
    ),
    DirectiveSpec::new(
        "SQLPasswordSaltFile",
        Contexts::SERVERS,
        Args::range(1, 2).checked(check_salt_place),
        false,
        "path|none [Prepend|Append]: one salt for every user (a last newline is dropped)",
    ),
    DirectiveSpec::new(
        "SQLPasswordUserSalt",
        Contexts::SERVERS,
        Args::range(1, 2).checked(check_user_salt),
        false,
        "name|sql:/named-query [Prepend|Append]: a salt per user",
    ),
    DirectiveSpec::new(
        "SQLPasswordRounds",
        Contexts::SERVERS,
        Args::exact(1).checked(check_rounds),
        false,
        "how many times the data is hashed and encoded (1)",
    ),
    DirectiveSpec::new(
        "SQLPasswordPBKDF2",
        Contexts::SERVERS,
        Args::exact(3).checked(check_pbkdf2),
        false,
        "digest iterations length for the PBKDF2 auth type",
    ),
    DirectiveSpec::new(
        "SQLPasswordOptions",
        Contexts::SERVERS,
        Args::at_least(1).checked(check_options),
        false,
        "HashPassword, HashEncodePassword, HashSalt, HashEncodeSalt",
    ),
];

/// A digest algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Digest {
    /// MD5.
    Md5,
    /// SHA-1.
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-512.
    Sha512,
}

impl Digest {
    fn parse(name: &str) -> Option<Digest> {
        Some(match name.to_ascii_lowercase().as_str() {
            "md5" => Digest::Md5,
            "sha1" => Digest::Sha1,
            "sha256" => Digest::Sha256,
            "sha512" => Digest::Sha512,
            _ => return None,
        })
    }

    fn hash(self, data: &[u8]) -> Vec<u8> {
        match self {
            Digest::Md5 => md5::Md5::digest(data).to_vec(),
            Digest::Sha1 => sha1::Sha1::digest(data).to_vec(),
            Digest::Sha256 => sha2::Sha256::digest(data).to_vec(),
            Digest::Sha512 => sha2::Sha512::digest(data).to_vec(),
        }
    }
}

/// How digests and salts are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// As is (salts only).
    None,
    /// Base64.
    Base64,
    /// Lower-case hex (the default for digests).
    #[default]
    Hex,
    /// Upper-case hex.
    HexUpper,
}

impl Encoding {
    fn parse(s: &str) -> Option<Encoding> {
        match s {
            "base64" => Some(Encoding::Base64),
            "hex" => Some(Encoding::Hex),
            "HEX" => Some(Encoding::HexUpper),
            "none" => Some(Encoding::None),
            _ => None,
        }
    }

    fn encode(self, data: &[u8]) -> Vec<u8> {
        match self {
            Encoding::None => data.to_vec(),
            Encoding::Base64 => base64::engine::general_purpose::STANDARD
                .encode(data)
                .into_bytes(),
            Encoding::Hex => hex::encode(data).into_bytes(),
            Encoding::HexUpper => hex::encode_upper(data).into_bytes(),
        }
    }

    fn decode(self, data: &[u8]) -> Option<Vec<u8>> {
        match self {
            Encoding::None => Some(data.to_vec()),
            Encoding::Base64 => base64::engine::general_purpose::STANDARD.decode(data).ok(),
            Encoding::Hex | Encoding::HexUpper => hex::decode(data).ok(),
        }
    }
}

/// Where a salt goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Place {
    /// Before the password.
    Prepend,
    /// After it (the default).
    #[default]
    Append,
}

/// Where the per-user salt comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserSalt {
    /// The user's name.
    Name,
    /// The first column of a named SELECT, with the user as `%{0}`.
    Query(String),
}

/// mod_sql_passwd's settings for one server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswdSettings {
    /// `SQLPasswordEngine`.
    pub engine: bool,
    /// `SQLPasswordEncoding`.
    pub encoding: Encoding,
    /// `SQLPasswordSaltEncoding`.
    pub salt_encoding: Encoding,
    /// `SQLPasswordSaltFile`'s salt, decoded, and where it goes.
    pub file_salt: Option<(Vec<u8>, Place)>,
    /// `SQLPasswordUserSalt`.
    pub user_salt: Option<(UserSalt, Place)>,
    /// `SQLPasswordRounds`.
    pub rounds: u32,
    /// `SQLPasswordPBKDF2`: digest, iterations, length.
    pub pbkdf2: Option<(Digest, u32, usize)>,
    /// `HashPassword`.
    pub hash_password: bool,
    /// `HashEncodePassword`.
    pub hash_encode_password: bool,
    /// `HashSalt`.
    pub hash_salt: bool,
    /// `HashEncodeSalt`.
    pub hash_encode_salt: bool,
}

impl Default for PasswdSettings {
    fn default() -> Self {
        PasswdSettings {
            engine: false,
            encoding: Encoding::Hex,
            salt_encoding: Encoding::None,
            file_salt: None,
            user_salt: None,
            rounds: 1,
            pbkdf2: None,
            hash_password: false,
            hash_encode_password: false,
            hash_salt: false,
            hash_encode_salt: false,
        }
    }
}

fn place(arg: Option<&String>) -> Place {
    match arg {
        Some(p) if p.eq_ignore_ascii_case("prepend") => Place::Prepend,
        _ => Place::Append,
    }
}

impl PasswdSettings {
    /// Reads the settings of a server (the salt file is read now, as root).
    pub fn read(m: &Merged<'_>) -> Result<PasswdSettings, String> {
        let mut s = PasswdSettings {
            engine: m.flag("SQLPasswordEngine").unwrap_or(false),
            ..PasswdSettings::default()
        };
        if let Some(e) = m.arg("SQLPasswordEncoding", 0) {
            s.encoding = Encoding::parse(&e).unwrap_or_default();
        }
        if let Some(e) = m.arg("SQLPasswordSaltEncoding", 0) {
            s.salt_encoding = Encoding::parse(&e).unwrap_or(Encoding::None);
        }
        if let Some(args) = m.args("SQLPasswordSaltFile")
            && !args[0].eq_ignore_ascii_case("none")
        {
            let mut raw = std::fs::read(&args[0])
                .map_err(|e| format!("SQLPasswordSaltFile '{}': {e}", args[0]))?;
            if raw.last() == Some(&b'\n') {
                raw.pop();
            }
            let salt = s.salt_encoding.decode(&raw).ok_or_else(|| {
                format!(
                    "SQLPasswordSaltFile '{}': salt is not in the SQLPasswordSaltEncoding",
                    args[0]
                )
            })?;
            s.file_salt = Some((salt, place(args.get(1))));
        }
        if let Some(args) = m.args("SQLPasswordUserSalt") {
            let source = match args[0].strip_prefix("sql:/") {
                Some(q) => UserSalt::Query(q.to_string()),
                None => UserSalt::Name,
            };
            s.user_salt = Some((source, place(args.get(1))));
        }
        if let Some(n) = m.number::<u32>("SQLPasswordRounds", 0) {
            s.rounds = n.max(1);
        }
        if let Some(args) = m.args("SQLPasswordPBKDF2") {
            let d = Digest::parse(&args[0]).ok_or("SQLPasswordPBKDF2: unsupported digest")?;
            let iter = args[1]
                .parse()
                .map_err(|_| "SQLPasswordPBKDF2: bad iterations")?;
            let len = args[2]
                .parse()
                .map_err(|_| "SQLPasswordPBKDF2: bad length")?;
            s.pbkdf2 = Some((d, iter, len));
        }
        for o in m.args("SQLPasswordOptions").unwrap_or_default() {
            match o.as_str() {
                "HashPassword" => s.hash_password = true,
                "HashEncodePassword" => s.hash_encode_password = true,
                "HashSalt" => s.hash_salt = true,
                "HashEncodeSalt" => s.hash_encode_salt = true,
                _ => {}
            }
        }
        Ok(s)
    }

    /// The salt for a user (`user_salt` is the per-user one, already fetched), and where.
    fn salt(&self, user_salt: Option<&[u8]>) -> Option<(Vec<u8>, Place)> {
        if let (Some(salt), Some((_, place))) = (user_salt, &self.user_salt) {
            let salt = self.salt_encoding.decode(salt)?;
            return Some((salt, *place));
        }
        self.file_salt.clone()
    }

    /// The data the rounds start from: password and salt, each part transformed as the
    /// options say.
    fn data(&self, d: Digest, password: &str, user_salt: Option<&[u8]>) -> Vec<u8> {
        let Some((salt, place)) = self.salt(user_salt) else {
            return password.as_bytes().to_vec();
        };
        let pw = if self.hash_encode_password {
            self.encoding.encode(&d.hash(password.as_bytes()))
        } else if self.hash_password {
            d.hash(password.as_bytes())
        } else {
            password.as_bytes().to_vec()
        };
        let salt = if self.hash_encode_salt {
            self.encoding.encode(&d.hash(&salt))
        } else if self.hash_salt {
            d.hash(&salt)
        } else {
            salt
        };
        match place {
            Place::Prepend => [salt, pw].concat(),
            Place::Append => [pw, salt].concat(),
        }
    }

    /// `SQLAuthTypes MD5/SHA1/SHA256/SHA512`.
    pub fn hash_matches(
        &self,
        d: Digest,
        password: &str,
        stored: &str,
        user_salt: Option<&[u8]>,
    ) -> bool {
        if stored.is_empty() {
            return false;
        }
        let mut data = self.data(d, password, user_salt);
        for _ in 0..self.rounds {
            data = self.encoding.encode(&d.hash(&data));
        }
        data == stored.as_bytes()
    }

    /// `SQLAuthTypes PBKDF2` (needs a salt and `SQLPasswordPBKDF2`).
    pub fn pbkdf2_matches(&self, password: &str, stored: &str, user_salt: Option<&[u8]>) -> bool {
        let (Some((d, iterations, len)), Some((salt, _))) = (self.pbkdf2, self.salt(user_salt))
        else {
            return false;
        };
        if len == 0 || len > 1024 || stored.is_empty() {
            return false;
        }
        let mut out = vec![0u8; len];
        let pw = password.as_bytes();
        let ok = match d {
            Digest::Md5 => {
                pbkdf2::pbkdf2::<pbkdf2::hmac::Hmac<md5::Md5>>(pw, &salt, iterations, &mut out)
            }
            Digest::Sha1 => {
                pbkdf2::pbkdf2::<pbkdf2::hmac::Hmac<sha1::Sha1>>(pw, &salt, iterations, &mut out)
            }
            Digest::Sha256 => {
                pbkdf2::pbkdf2::<pbkdf2::hmac::Hmac<sha2::Sha256>>(pw, &salt, iterations, &mut out)
            }
            Digest::Sha512 => {
                pbkdf2::pbkdf2::<pbkdf2::hmac::Hmac<sha2::Sha512>>(pw, &salt, iterations, &mut out)
            }
        };
        ok.is_ok() && self.encoding.encode(&out) == stored.as_bytes()
    }
}

fn check_encoding(args: &[String]) -> Result<(), String> {
    match Encoding::parse(&args[0]) {
        Some(Encoding::None) | None => {
            Err(format!("unsupported encoding '{}' configured", args[0]))
        }
        Some(_) => Ok(()),
    }
}

fn check_salt_encoding(args: &[String]) -> Result<(), String> {
    Encoding::parse(&args[0])
        .map(|_| ())
        .ok_or_else(|| format!("unsupported salt encoding '{}' configured", args[0]))
}

fn check_place(arg: Option<&String>) -> Result<(), String> {
    match arg {
        None => Ok(()),
        Some(p) if p.eq_ignore_ascii_case("prepend") || p.eq_ignore_ascii_case("append") => Ok(()),
        Some(p) => Err(format!("unknown salt flag '{p}'")),
    }
}

fn check_salt_place(args: &[String]) -> Result<(), String> {
    check_place(args.get(1))
}

fn check_user_salt(args: &[String]) -> Result<(), String> {
    if args[0] != "name" && !args[0].starts_with("sql:/") {
        return Err(format!("unsupported salt source: '{}'", args[0]));
    }
    check_place(args.get(1))
}

fn check_rounds(args: &[String]) -> Result<(), String> {
    match args[0].parse::<u32>() {
        Ok(n) if n >= 1 => Ok(()),
        _ => Err("must be 1 or more".into()),
    }
}

fn check_pbkdf2(args: &[String]) -> Result<(), String> {
    if args[0].starts_with("sql:/") {
        return Err("per-user PBKDF2 parameters (sql:/) are not supported".into());
    }
    Digest::parse(&args[0])
        .ok_or_else(|| format!("unsupported digest algorithm '{}' configured", args[0]))?;
    args[1]
        .parse::<u32>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or("iterations must be a positive number")?;
    args[2]
        .parse::<usize>()
        .ok()
        .filter(|n| *n > 0 && *n <= 1024)
        .ok_or("length must be 1 to 1024")?;
    Ok(())
}

fn check_options(args: &[String]) -> Result<(), String> {
    for a in args {
        if !matches!(
            a.as_str(),
            "HashPassword" | "HashEncodePassword" | "HashSalt" | "HashEncodeSalt"
        ) {
            return Err(format!("unknown SQLPasswordOption '{a}'"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on() -> PasswdSettings {
        PasswdSettings {
            engine: true,
            ..PasswdSettings::default()
        }
    }

    #[test]
    fn rounds_and_salts() {
        // hex(md5(hex(md5("secret"))))
        let once = hex::encode(Digest::Md5.hash(b"secret"));
        let twice = hex::encode(Digest::Md5.hash(once.as_bytes()));
        let s = PasswdSettings { rounds: 2, ..on() };
        assert!(s.hash_matches(Digest::Md5, "secret", &twice, None));
        let s = PasswdSettings {
            file_salt: Some((b"NaCl".to_vec(), Place::Prepend)),
            encoding: Encoding::Base64,
            ..on()
        };
        let want =
            base64::engine::general_purpose::STANDARD.encode(Digest::Sha256.hash(b"NaClsecret"));
        assert!(s.hash_matches(Digest::Sha256, "secret", &want, None));
        let s = PasswdSettings {
            user_salt: Some((UserSalt::Name, Place::Append)),
            ..on()
        };
        let want = hex::encode(Digest::Sha1.hash(b"secretbob"));
        assert!(s.hash_matches(Digest::Sha1, "secret", &want, Some(b"bob")));
    }

    #[test]
    fn pbkdf2_needs_salt_and_parameters() {
        let mut out = [0u8; 20];
        pbkdf2::pbkdf2::<pbkdf2::hmac::Hmac<sha1::Sha1>>(b"secret", b"saltsalt", 1000, &mut out)
            .unwrap();
        let stored = hex::encode(out);
        let s = PasswdSettings {
            pbkdf2: Some((Digest::Sha1, 1000, 20)),
            ..on()
        };
        assert!(!s.pbkdf2_matches("secret", &stored, None));
        let s = PasswdSettings {
            file_salt: Some((b"saltsalt".to_vec(), Place::Append)),
            ..s
        };
        assert!(s.pbkdf2_matches("secret", &stored, None));
        assert!(!s.pbkdf2_matches("wrong", &stored, None));
    }
}
