//! Lines of passwd(5) and group(5) files, as `AuthUserFile`/`AuthGroupFile` hold them.

/// One `name:hash:uid:gid:gecos:home:shell` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswdEntry {
    /// Login name.
    pub name: String,
    /// crypt(3) hash (or `x`, `*`, `!…` markers).
    pub hash: String,
    /// User id.
    pub uid: u32,
    /// Primary group id.
    pub gid: u32,
    /// Free-text description.
    pub gecos: String,
    /// Home directory.
    pub home: String,
    /// Login shell.
    pub shell: String,
}

/// One `name:password:gid:member1,member2` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupEntry {
    /// Group name.
    pub name: String,
    /// Group password field (normally `x`).
    pub password: String,
    /// Group id.
    pub gid: u32,
    /// Names of member users.
    pub members: Vec<String>,
}

/// Why a line is not a valid entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EntryError {
    /// Wrong number of `:`-separated fields.
    #[error("expected {expected} ':'-separated fields, found {found}")]
    FieldCount {
        /// How many the format has.
        expected: usize,
        /// How many the line has.
        found: usize,
    },
    /// The name field is empty.
    #[error("empty name")]
    EmptyName,
    /// A numeric id field is not a non-negative 32-bit number.
    #[error("bad {field} '{value}'")]
    BadId {
        /// `uid` or `gid`.
        field: &'static str,
        /// The text found.
        value: String,
    },
    /// A field holds a character the format cannot carry (`:`, newline).
    #[error("{field} may not contain ':' or a line break: '{value}'")]
    BadField {
        /// Which field.
        field: &'static str,
        /// The text given.
        value: String,
    },
}

/// True for lines that carry no entry: blank, or a `#` comment.
pub fn is_ignorable(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#')
}

fn parse_id(field: &'static str, value: &str) -> Result<u32, EntryError> {
    value.parse::<u32>().map_err(|_| EntryError::BadId {
        field,
        value: value.to_owned(),
    })
}

/// Checks that `value` can be written into a `:`-separated line.
pub fn check_field(field: &'static str, value: &str) -> Result<(), EntryError> {
    if value.contains([':', '\n', '\r']) {
        return Err(EntryError::BadField {
            field,
            value: value.to_owned(),
        });
    }
    Ok(())
}

impl PasswdEntry {
    /// Parses one passwd(5) line (without its line break).
    pub fn parse(line: &str) -> Result<Self, EntryError> {
        let fields: Vec<&str> = line.split(':').collect();
        let [name, hash, uid, gid, gecos, home, shell] = fields[..] else {
            return Err(EntryError::FieldCount {
                expected: 7,
                found: fields.len(),
            });
        };
        if name.is_empty() {
            return Err(EntryError::EmptyName);
        }
        Ok(Self {
            name: name.to_owned(),
            hash: hash.to_owned(),
            uid: parse_id("uid", uid)?,
            gid: parse_id("gid", gid)?,
            gecos: gecos.to_owned(),
            home: home.to_owned(),
            shell: shell.to_owned(),
        })
    }

    /// Checks every text field for characters the format cannot carry.
    pub fn validate(&self) -> Result<(), EntryError> {
        if self.name.is_empty() {
            return Err(EntryError::EmptyName);
        }
        check_field("name", &self.name)?;
        check_field("password hash", &self.hash)?;
        check_field("gecos", &self.gecos)?;
        check_field("home", &self.home)?;
        check_field("shell", &self.shell)
    }

    /// The passwd(5) line for this entry (without a line break).
    pub fn to_line(&self) -> String {
        format!(
            "{}:{}:{}:{}:{}:{}:{}",
            self.name, self.hash, self.uid, self.gid, self.gecos, self.home, self.shell
        )
    }
}

impl GroupEntry {
    /// Parses one group(5) line (without its line break); the member field may be absent.
    pub fn parse(line: &str) -> Result<Self, EntryError> {
        let fields: Vec<&str> = line.split(':').collect();
        let (name, password, gid, members) = match fields[..] {
            [n, p, g] => (n, p, g, ""),
            [n, p, g, m] => (n, p, g, m),
            _ => {
                return Err(EntryError::FieldCount {
                    expected: 4,
                    found: fields.len(),
                });
            }
        };
        if name.is_empty() {
            return Err(EntryError::EmptyName);
        }
        Ok(Self {
            name: name.to_owned(),
            password: password.to_owned(),
            gid: parse_id("gid", gid)?,
            members: members
                .split(',')
                .map(str::trim)
                .filter(|m| !m.is_empty())
                .map(str::to_owned)
                .collect(),
        })
    }

    /// Checks every text field for characters the format cannot carry.
    pub fn validate(&self) -> Result<(), EntryError> {
        if self.name.is_empty() {
            return Err(EntryError::EmptyName);
        }
        check_field("name", &self.name)?;
        check_field("group password", &self.password)?;
        for m in &self.members {
            check_field("member", m)?;
            if m.contains(',') || m.is_empty() {
                return Err(EntryError::BadField {
                    field: "member",
                    value: m.clone(),
                });
            }
        }
        Ok(())
    }

    /// The group(5) line for this entry (without a line break).
    pub fn to_line(&self) -> String {
        format!(
            "{}:{}:{}:{}",
            self.name,
            self.password,
            self.gid,
            self.members.join(",")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwd_line_round_trips() {
        let line = "alice:$6$s$h:1001:100:Alice A:/srv/ftp/alice:/bin/false";
        let e = PasswdEntry::parse(line).unwrap();
        assert_eq!(e.name, "alice");
        assert_eq!(e.hash, "$6$s$h");
        assert_eq!((e.uid, e.gid), (1001, 100));
        assert_eq!(e.home, "/srv/ftp/alice");
        assert_eq!(e.shell, "/bin/false");
        assert_eq!(e.to_line(), line);
    }

    #[test]
    fn passwd_line_errors() {
        assert_eq!(
            PasswdEntry::parse("a:b:1:2:g:/h"),
            Err(EntryError::FieldCount {
                expected: 7,
                found: 6
            })
        );
        assert_eq!(
            PasswdEntry::parse("a:x:-1:2:g:/h:/s"),
            Err(EntryError::BadId {
                field: "uid",
                value: "-1".into()
            })
        );
        assert_eq!(
            PasswdEntry::parse(":x:1:2:g:/h:/s"),
            Err(EntryError::EmptyName)
        );
    }

    #[test]
    fn group_line_parses_members() {
        let g = GroupEntry::parse("ftp:x:50:alice,bob").unwrap();
        assert_eq!(g.gid, 50);
        assert_eq!(g.members, vec!["alice".to_string(), "bob".to_string()]);
        assert_eq!(g.to_line(), "ftp:x:50:alice,bob");
        let g = GroupEntry::parse("empty:x:51").unwrap();
        assert!(g.members.is_empty());
        assert_eq!(g.to_line(), "empty:x:51:");
        assert!(GroupEntry::parse("bad:x").is_err());
    }

    #[test]
    fn fields_with_colons_are_rejected() {
        let mut e = PasswdEntry::parse("a:x:1:2::/h:/s").unwrap();
        assert_eq!(e.validate(), Ok(()));
        e.home = "/h:x".into();
        assert!(matches!(
            e.validate(),
            Err(EntryError::BadField { field: "home", .. })
        ));
    }
}
