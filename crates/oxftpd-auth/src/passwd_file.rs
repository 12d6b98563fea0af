//! Editing `AuthUserFile`/`AuthGroupFile` files, as ProFTPD's `ftpasswd` does.
//!
//! A file is loaded as lines; one entry is replaced, appended or removed by
//! name and every other line (comments, other entries, even malformed ones) is
//! kept as it was, in place. Saving writes a temporary file in the same
//! directory, gives it mode 0440 (what `ftpasswd` leaves), the previous
//! owner when we may, and renames it over the original, so a server never
//! reads a half-written file. Unlike `ftpasswd`, entries are not re-sorted by id.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::entries::{EntryError, GroupEntry, PasswdEntry, is_ignorable};

/// Mode of a file written here, as `ftpasswd` sets it.
pub const FILE_MODE: u32 = 0o440;

/// Why an account file could not be edited.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PasswdFileError {
    /// Reading or writing the file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        #[source]
        source: io::Error,
    },
    /// The named user or group has no entry.
    #[error("no such entry '{name}' in {path}")]
    NoSuchEntry {
        /// The name asked for.
        name: String,
        /// The file.
        path: PathBuf,
    },
    /// The existing entry for the name cannot be parsed.
    #[error("{path}:{line}: {source}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        #[source]
        source: EntryError,
    },
    /// The new entry cannot be written (bad characters, empty name).
    #[error(transparent)]
    Invalid(#[from] EntryError),
}

/// Whether a write created a new entry or replaced one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// No entry had this name; one was appended.
    Created,
    /// The entry with this name was replaced in place.
    Updated,
}

/// A file of `name:…` lines, edited by name.
#[derive(Debug, Clone)]
struct Lines {
    path: PathBuf,
    lines: Vec<String>,
}

impl Lines {
    fn load(path: &Path) -> Result<Self, PasswdFileError> {
        let lines = match fs::read(path) {
            Ok(bytes) => String::from_utf8_lossy(&bytes)
                .lines()
                .map(str::to_owned)
                .collect(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(source) => {
                return Err(PasswdFileError::Io {
                    path: path.to_owned(),
                    source,
                });
            }
        };
        Ok(Lines {
            path: path.to_owned(),
            lines,
        })
    }

    fn index_of(&self, name: &str) -> Option<usize> {
        self.lines
            .iter()
            .position(|l| !is_ignorable(l) && l.split(':').next() == Some(name))
    }

    fn no_such(&self, name: &str) -> PasswdFileError {
        PasswdFileError::NoSuchEntry {
            name: name.to_owned(),
            path: self.path.clone(),
        }
    }

    fn get<T>(
        &self,
        name: &str,
        parse: fn(&str) -> Result<T, EntryError>,
    ) -> Result<Option<T>, PasswdFileError> {
        let Some(i) = self.index_of(name) else {
            return Ok(None);
        };
        parse(&self.lines[i])
            .map(Some)
            .map_err(|source| PasswdFileError::Malformed {
                path: self.path.clone(),
                line: i + 1,
                source,
            })
    }

    fn set(&mut self, name: &str, line: String) -> Change {
        match self.index_of(name) {
            Some(i) => {
                self.lines[i] = line;
                Change::Updated
            }
            None => {
                self.lines.push(line);
                Change::Created
            }
        }
    }

    fn remove(&mut self, name: &str) -> Result<(), PasswdFileError> {
        let i = self.index_of(name).ok_or_else(|| self.no_such(name))?;
        self.lines.remove(i);
        Ok(())
    }

    fn save(&self) -> Result<(), PasswdFileError> {
        let io_err = |source| PasswdFileError::Io {
            path: self.path.clone(),
            source,
        };
        let dir = match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
            _ => PathBuf::from("."),
        };
        let file_name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "passwd".into());
        let tmp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
        let previous = fs::metadata(&self.path).ok();

        let write = || -> io::Result<()> {
            let mut f = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&tmp)?;
            let mut text = self.lines.join("\n");
            if !text.is_empty() {
                text.push('\n');
            }
            f.write_all(text.as_bytes())?;
            f.sync_all()?;
            if let Some(m) = &previous {
                // Keep the owner the administrator chose; only root may give files away.
                let _ = std::os::unix::fs::fchown(&f, Some(m.uid()), Some(m.gid()));
            }
            f.set_permissions(fs::Permissions::from_mode(FILE_MODE))?;
            fs::rename(&tmp, &self.path)?;
            if let Ok(d) = fs::File::open(&dir) {
                let _ = d.sync_all();
            }
            Ok(())
        };
        write().map_err(|e| {
            let _ = fs::remove_file(&tmp);
            io_err(e)
        })
    }
}

/// An `AuthUserFile` (passwd(5) format) being edited.
#[derive(Debug, Clone)]
pub struct PasswdFile(Lines);

impl PasswdFile {
    /// Reads `path`; a missing file is an empty one (created on save).
    pub fn load(path: &Path) -> Result<Self, PasswdFileError> {
        Lines::load(path).map(PasswdFile)
    }

    /// The entry for user `name`, if present.
    pub fn user(&self, name: &str) -> Result<Option<PasswdEntry>, PasswdFileError> {
        self.0.get(name, PasswdEntry::parse)
    }

    /// Replaces the entry with the same name, or appends it.
    pub fn set_user(&mut self, entry: &PasswdEntry) -> Result<Change, PasswdFileError> {
        entry.validate()?;
        Ok(self.0.set(&entry.name, entry.to_line()))
    }

    /// Removes user `name`.
    pub fn remove_user(&mut self, name: &str) -> Result<(), PasswdFileError> {
        self.0.remove(name)
    }

    /// Replaces the password hash of user `name`.
    pub fn set_hash(&mut self, name: &str, hash: &str) -> Result<(), PasswdFileError> {
        let mut e = self.user(name)?.ok_or_else(|| self.0.no_such(name))?;
        e.hash = hash.to_owned();
        self.set_user(&e).map(|_| ())
    }

    /// Disables user `name` by prefixing `!` to the hash (once, as `ftpasswd --lock`).
    pub fn lock_user(&mut self, name: &str) -> Result<(), PasswdFileError> {
        let e = self.user(name)?.ok_or_else(|| self.0.no_such(name))?;
        if e.hash.starts_with('!') {
            return Ok(());
        }
        self.set_hash(name, &format!("!{}", e.hash))
    }

    /// Re-enables user `name` by removing leading `!`s (as `ftpasswd --unlock`).
    pub fn unlock_user(&mut self, name: &str) -> Result<(), PasswdFileError> {
        let e = self.user(name)?.ok_or_else(|| self.0.no_such(name))?;
        self.set_hash(name, e.hash.trim_start_matches('!'))
    }

    /// Writes the file atomically with mode 0440.
    pub fn save(&self) -> Result<(), PasswdFileError> {
        self.0.save()
    }
}

/// An `AuthGroupFile` (group(5) format) being edited.
#[derive(Debug, Clone)]
pub struct GroupFile(Lines);

impl GroupFile {
    /// Reads `path`; a missing file is an empty one (created on save).
    pub fn load(path: &Path) -> Result<Self, PasswdFileError> {
        Lines::load(path).map(GroupFile)
    }

    /// The entry for group `name`, if present.
    pub fn group(&self, name: &str) -> Result<Option<GroupEntry>, PasswdFileError> {
        self.0.get(name, GroupEntry::parse)
    }

    /// Replaces the entry with the same name, or appends it.
    pub fn set_group(&mut self, entry: &GroupEntry) -> Result<Change, PasswdFileError> {
        entry.validate()?;
        Ok(self.0.set(&entry.name, entry.to_line()))
    }

    /// Removes group `name`.
    pub fn remove_group(&mut self, name: &str) -> Result<(), PasswdFileError> {
        self.0.remove(name)
    }

    /// Adds `user` to group `name`'s members (no duplicate).
    pub fn add_member(&mut self, name: &str, user: &str) -> Result<(), PasswdFileError> {
        let mut g = self.group(name)?.ok_or_else(|| self.0.no_such(name))?;
        if !g.members.iter().any(|m| m == user) {
            g.members.push(user.to_owned());
        }
        self.set_group(&g).map(|_| ())
    }

    /// Removes `user` from group `name`'s members.
    pub fn remove_member(&mut self, name: &str, user: &str) -> Result<(), PasswdFileError> {
        let mut g = self.group(name)?.ok_or_else(|| self.0.no_such(name))?;
        g.members.retain(|m| m != user);
        self.set_group(&g).map(|_| ())
    }

    /// Writes the file atomically with mode 0440.
    pub fn save(&self) -> Result<(), PasswdFileError> {
        self.0.save()
    }
}
