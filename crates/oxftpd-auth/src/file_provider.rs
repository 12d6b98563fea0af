//! `mod_auth_file.c`: users from an `AuthUserFile`, groups from an `AuthGroupFile`.
//!
//! Both files have the system formats (passwd(5), group(5)). They are re-read
//! when they change on disk; malformed lines are skipped with a warning naming
//! `file:line`. A file that breaks ProFTPD's permission rules (see
//! [`crate::file_perms`]) is refused, logged and treated as empty, also when
//! it changes while running (ProFTPD only checks at startup: we are stricter),
//! unless insecure permissions are allowed (`AuthFileOptions InsecurePerms`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::entries::{GroupEntry, PasswdEntry, is_ignorable};
use crate::file_perms::AuthFileKind;
use crate::identity::dedup_groups;
use crate::watched_file::WatchedFile;
use crate::{AuthError, AuthProvider, Flow, Identity, crypt};

/// The `AuthOrder` name of this provider.
pub const MODULE: &str = "mod_auth_file.c";

/// Parsed `AuthUserFile`.
#[derive(Default)]
struct Users {
    by_name: HashMap<String, PasswdEntry>,
    /// First name seen for each uid.
    by_uid: HashMap<u32, String>,
}

/// Parsed `AuthGroupFile`.
#[derive(Default)]
struct Groups {
    entries: Vec<GroupEntry>,
    by_name: HashMap<String, usize>,
    by_gid: HashMap<u32, usize>,
    /// User name → indexes of the groups listing them as a member, in file order.
    member_of: HashMap<String, Vec<usize>>,
}

fn parse_users(path: &Path, text: &str) -> Users {
    let mut users = Users::default();
    for (i, line) in text.lines().enumerate() {
        if is_ignorable(line) {
            continue;
        }
        match PasswdEntry::parse(line) {
            Ok(e) => {
                if users.by_name.contains_key(&e.name) {
                    tracing::warn!(
                        "{}:{}: duplicate user '{}' ignored",
                        path.display(),
                        i + 1,
                        e.name
                    );
                    continue;
                }
                users.by_uid.entry(e.uid).or_insert_with(|| e.name.clone());
                users.by_name.insert(e.name.clone(), e);
            }
            Err(err) => {
                tracing::warn!(
                    "{}:{}: malformed entry skipped: {err}",
                    path.display(),
                    i + 1
                )
            }
        }
    }
    users
}

fn parse_groups(path: &Path, text: &str) -> Groups {
    let mut groups = Groups::default();
    for (i, line) in text.lines().enumerate() {
        if is_ignorable(line) {
            continue;
        }
        match GroupEntry::parse(line) {
            Ok(e) => {
                if groups.by_name.contains_key(&e.name) {
                    tracing::warn!(
                        "{}:{}: duplicate group '{}' ignored",
                        path.display(),
                        i + 1,
                        e.name
                    );
                    continue;
                }
                let idx = groups.entries.len();
                groups.by_name.insert(e.name.clone(), idx);
                groups.by_gid.entry(e.gid).or_insert(idx);
                for m in &e.members {
                    groups.member_of.entry(m.clone()).or_default().push(idx);
                }
                groups.entries.push(e);
            }
            Err(err) => {
                tracing::warn!(
                    "{}:{}: malformed entry skipped: {err}",
                    path.display(),
                    i + 1
                )
            }
        }
    }
    groups
}

/// Identity provider over an `AuthUserFile` and an optional `AuthGroupFile`.
pub struct FileProvider {
    users: Option<WatchedFile<Users>>,
    groups: Option<WatchedFile<Groups>>,
}

impl FileProvider {
    /// A provider over these files; with no user file it knows no user (as ProFTPD declines).
    pub fn new(user_file: Option<&Path>, group_file: Option<&Path>) -> Self {
        Self::with_permissions(user_file, group_file, false)
    }

    /// Like `new`, choosing whether world-readable/-writable files are accepted.
    pub fn with_permissions(
        user_file: Option<&Path>,
        group_file: Option<&Path>,
        allow_insecure: bool,
    ) -> Self {
        FileProvider {
            users: user_file.map(|p| {
                WatchedFile::new(
                    PathBuf::from(p),
                    AuthFileKind::User,
                    allow_insecure,
                    parse_users,
                )
            }),
            groups: group_file.map(|p| {
                WatchedFile::new(
                    PathBuf::from(p),
                    AuthFileKind::Group,
                    allow_insecure,
                    parse_groups,
                )
            }),
        }
    }

    /// The configured `AuthUserFile`, if any.
    pub fn user_file(&self) -> Option<&Path> {
        self.users.as_ref().map(WatchedFile::path)
    }

    fn users(&self) -> Option<Arc<Users>> {
        self.users.as_ref().map(WatchedFile::get)
    }

    fn groups(&self) -> Option<Arc<Groups>> {
        self.groups.as_ref().map(WatchedFile::get)
    }

    fn identity(&self, e: &PasswdEntry) -> Identity {
        let groups = self.groups();
        let mut gids = vec![e.gid];
        if let Some(g) = &groups
            && let Some(idxs) = g.member_of.get(&e.name)
        {
            gids.extend(idxs.iter().map(|&i| g.entries[i].gid));
        }
        let gids = dedup_groups(e.gid, gids);
        let group_names = match &groups {
            Some(g) => gids
                .iter()
                .filter_map(|gid| g.by_gid.get(gid).map(|&i| g.entries[i].name.clone()))
                .collect(),
            None => Vec::new(),
        };
        Identity {
            name: e.name.clone(),
            uid: e.uid,
            gid: e.gid,
            groups: gids,
            group_names,
            home: PathBuf::from(&e.home),
            shell: e.shell.clone(),
            pam_session: None,
        }
    }
}

impl AuthProvider for FileProvider {
    fn module(&self) -> &'static str {
        MODULE
    }

    fn authenticate(&self, user: &str, password: &str) -> Flow<Identity> {
        let Some(users) = self.users() else {
            return Flow::Continue;
        };
        let Some(entry) = users.by_name.get(user) else {
            return Flow::Continue;
        };
        if crypt::is_locked(&entry.hash) {
            return Flow::Break(Err(AuthError::Disabled));
        }
        if !crypt::verify(password, &entry.hash) {
            return Flow::Break(Err(AuthError::BadPassword));
        }
        Flow::Break(Ok(self.identity(entry)))
    }

    fn lookup(&self, user: &str) -> Flow<Identity> {
        match self.users().as_ref().and_then(|u| u.by_name.get(user)) {
            Some(e) => Flow::Break(Ok(self.identity(e))),
            None => Flow::Continue,
        }
    }

    fn user_name(&self, uid: u32) -> Option<String> {
        self.users()?.by_uid.get(&uid).cloned()
    }

    fn group_name(&self, gid: u32) -> Option<String> {
        let g = self.groups()?;
        g.by_gid.get(&gid).map(|&i| g.entries[i].name.clone())
    }

    fn group_id(&self, name: &str) -> Option<u32> {
        let g = self.groups()?;
        g.by_name.get(name).map(|&i| g.entries[i].gid)
    }

    fn user_id(&self, name: &str) -> Option<u32> {
        self.users()?.by_name.get(name).map(|e| e.uid)
    }
}
