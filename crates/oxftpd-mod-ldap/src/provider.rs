//! mod_ldap.c in `AuthOrder`: users from `LDAPUsers`, groups from `LDAPGroups`.
//!
//! A user the directory does not have (or has twice, or without the attributes an identity
//! needs and no default for them) is not mod_ldap's: the chain asks the next provider, as
//! ProFTPD declines. A directory that cannot answer breaks the chain with
//! `AuthError::Unavailable`: the login gets `530`, `LDAPLog` and the daemon's log say why, and
//! the next login tries the directory again.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use oxftpd_auth::{AuthError, AuthProvider, Flow, Identity};

use crate::directory::{Directory, Entry, LdapFail};
use crate::filter::{interpolate, interpolate_dn};
use crate::password::{self, Check};
use crate::settings::LdapSettings;

/// The module name in `AuthOrder`.
pub const MODULE: &str = "mod_ldap.c";

/// How long id → name look-ups (listings) leave a failing directory alone.
const NAMES_BACKOFF: Duration = Duration::from_secs(30);

/// A user as the directory has them, before the password is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
struct User {
    dn: String,
    name: String,
    uid: u32,
    gid: u32,
    home: String,
    shell: String,
    password: Option<String>,
}

/// Users and groups of one server's directory.
pub struct LdapProvider {
    s: Arc<LdapSettings>,
    dir: Arc<Directory>,
    /// When a request last failed (see [`NAMES_BACKOFF`]).
    failed_at: Mutex<Option<Instant>>,
}

impl LdapProvider {
    /// The provider for one server's settings.
    pub fn new(s: Arc<LdapSettings>) -> Result<LdapProvider, String> {
        let dir = Directory::new(s.connect.clone(), s.log.clone())?;
        Ok(LdapProvider {
            s,
            dir: Arc::new(dir),
            failed_at: Mutex::new(None),
        })
    }

    fn note(&self, message: &str) {
        crate::log::line(self.s.log.as_deref(), message);
    }

    fn search(
        &self,
        base: &str,
        filter: &str,
        attrs: &[&str],
        limit: i32,
    ) -> Result<Vec<Entry>, LdapFail> {
        let r = self.dir.search(base, filter, attrs, limit);
        *self.failed_at.lock().unwrap_or_else(|p| p.into_inner()) = r.is_err().then(Instant::now);
        r
    }

    fn names_allowed(&self) -> bool {
        self.failed_at
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_none_or(|t| t.elapsed() >= NAMES_BACKOFF)
    }

    fn unavailable(&self, user: &str, e: &LdapFail) -> AuthError {
        let reason = format!("directory unavailable while looking up '{user}': {e}");
        self.note(&reason);
        tracing::error!(target: "mod_ldap", "{reason}");
        AuthError::Unavailable {
            module: MODULE,
            reason,
        }
    }

    /// The generated home directory (`LDAPGenerateHomedirPrefix[/name]`).
    fn generated_home(&self, name: &str) -> Option<String> {
        let prefix = self.s.gen_home_prefix.as_ref()?;
        Some(if self.s.gen_home_no_username {
            prefix.clone()
        } else {
            format!("{}/{name}", prefix.trim_end_matches('/'))
        })
    }

    /// The user's entry by name (`by_uid` false) or uid; `Ok(None)` when not mod_ldap's.
    fn find(&self, key: &str, by_uid: bool) -> Result<Option<User>, LdapFail> {
        let Some(users) = &self.s.users else {
            return Ok(None);
        };
        let a = &self.s.attrs;
        let mut attrs = vec![
            a.uid.as_str(),
            a.uid_number.as_str(),
            a.gid_number.as_str(),
            a.home.as_str(),
            a.shell.as_str(),
        ];
        if !self.s.auth_binds {
            attrs.push(a.password.as_str());
        }
        let (base, filter) = if by_uid {
            (users.base.clone(), interpolate(&users.uid_filter, key))
        } else {
            (
                interpolate_dn(&users.base, key),
                interpolate(&users.name_filter, key),
            )
        };
        let entries = self.search(&base, &filter, &attrs, 2)?;
        let entry = match entries.as_slice() {
            [] => {
                self.note(&format!(
                    "no entries for filter {filter} under base DN {base}"
                ));
                return Ok(None);
            }
            [e] => e,
            _ => {
                self.note(
                    "LDAP search returned multiple entries during user lookup, aborting query",
                );
                return Ok(None);
            }
        };
        Ok(self.user_of(entry))
    }

    /// The user an entry describes, with the defaults; `None` (and a log line) when an
    /// attribute it needs is missing and has no default.
    fn user_of(&self, e: &Entry) -> Option<User> {
        let s = &self.s;
        let a = &s.attrs;
        let missing = |attr: &str, what: &str| {
            self.note(&format!("no {attr} attribute for DN {}, and {what}", e.dn));
        };
        let Some(name) = e.first(&a.uid).map(str::to_string) else {
            missing(&a.uid, "no name for the user");
            return None;
        };
        let number = |v: Option<&str>| v.and_then(|t| t.trim().parse::<u32>().ok());
        let uid = match (number(e.first(&a.uid_number)), s.default_uid) {
            (_, Some(d)) if s.force_uid => d,
            (Some(u), _) => u,
            (None, Some(d)) => d,
            (None, None) => {
                missing(&a.uid_number, "LDAPDefaultUID not configured");
                return None;
            }
        };
        let gid = match (number(e.first(&a.gid_number)), s.default_gid) {
            (_, Some(d)) if s.force_gid => d,
            (Some(g), _) => g,
            (None, Some(d)) => d,
            (None, None) => {
                missing(&a.gid_number, "LDAPDefaultGID not configured");
                return None;
            }
        };
        let home = match e.first(&a.home) {
            _ if s.force_gen_home => match self.generated_home(&name) {
                Some(h) => h,
                None => {
                    self.note("LDAPForceGeneratedHomedir and LDAPGenerateHomedir enabled, but missing required LDAPGenerateHomedirPrefix");
                    return None;
                }
            },
            Some(h) if !h.is_empty() => h.to_string(),
            _ => match (s.gen_home, self.generated_home(&name)) {
                (true, Some(h)) => h,
                (false, _) => {
                    missing(&a.home, "LDAPGenerateHomedir not enabled");
                    return None;
                }
                (true, None) => {
                    missing(
                        &a.home,
                        "LDAPGenerateHomedir enabled but LDAPGenerateHomedirPrefix not configured",
                    );
                    return None;
                }
            },
        };
        Some(User {
            dn: e.dn.clone(),
            name,
            uid,
            gid,
            home,
            shell: e.first(&a.shell).unwrap_or_default().to_string(),
            password: e.first(&a.password).map(str::to_string),
        })
    }

    /// The group with gid `gid` (`LDAPGroups`' gid filter): its name.
    fn group_by_gid(&self, gid: u32) -> Result<Option<String>, LdapFail> {
        let Some(g) = &self.s.groups else {
            return Ok(None);
        };
        let filter = interpolate(&g.gid_filter, &gid.to_string());
        let entries = self.search(&g.base, &filter, &[self.s.attrs.cn.as_str()], 2)?;
        Ok(entries
            .first()
            .and_then(|e| e.first(&self.s.attrs.cn))
            .map(str::to_string))
    }

    /// The groups `user` is a member of (`memberUid`): (name, gid).
    fn member_groups(&self, user: &str) -> Result<Vec<(String, u32)>, LdapFail> {
        let Some(g) = &self.s.groups else {
            return Ok(Vec::new());
        };
        let a = &self.s.attrs;
        let filter = interpolate(&g.member_filter, user);
        let entries = self.search(&g.base, &filter, &[a.gid_number.as_str(), a.cn.as_str()], 0)?;
        Ok(entries
            .iter()
            .filter_map(|e| {
                let gid = e.first(&a.gid_number)?.trim().parse().ok()?;
                Some((e.first(&a.cn)?.to_string(), gid))
            })
            .collect())
    }

    fn identity(&self, u: User) -> Result<Identity, LdapFail> {
        let mut groups = vec![u.gid];
        let mut names = Vec::new();
        if let Some(n) = self.group_by_gid(u.gid)? {
            names.push(n);
        }
        for (name, gid) in self.member_groups(&u.name)? {
            if !groups.contains(&gid) {
                groups.push(gid);
                names.push(name);
            }
        }
        self.note(&format!(
            "found user {}, UID {}, GID {}, homedir {}, shell {}",
            u.name, u.uid, u.gid, u.home, u.shell
        ));
        Ok(Identity {
            name: u.name,
            uid: u.uid,
            gid: u.gid,
            groups,
            group_names: names,
            home: PathBuf::from(u.home),
            shell: u.shell,
            pam_session: None,
        })
    }

    fn check_password(&self, u: &User, typed: &str) -> Result<bool, LdapFail> {
        if self.s.auth_binds {
            if typed.is_empty() {
                self.note(
                    "LDAPAuthBinds is enabled, but no user-supplied cleartext password was found",
                );
                return Ok(false);
            }
            return self.dir.bind_as(&u.dn, typed);
        }
        let Some(stored) = &u.password else {
            self.note(&format!(
                "LDAPAuthBinds not enabled, and unable to retrieve password for user {}",
                u.name
            ));
            return Ok(false);
        };
        Ok(
            match password::check(stored, typed, self.s.default_scheme) {
                Check::Match => true,
                Check::Mismatch => false,
                Check::Unsupported(scheme) => {
                    self.note(&format!("unsupported userPassword auth scheme: {scheme}"));
                    false
                }
            },
        )
    }
}

impl AuthProvider for LdapProvider {
    fn module(&self) -> &'static str {
        MODULE
    }

    fn authenticate(&self, user: &str, password: &str) -> Flow<Identity> {
        let u = match self.find(user, false) {
            Ok(Some(u)) => u,
            Ok(None) => return Flow::Continue,
            Err(e) => return Flow::Break(Err(self.unavailable(user, &e))),
        };
        match self.check_password(&u, password) {
            Ok(true) => {}
            Ok(false) => {
                self.note(&format!("bad password for user {}", u.name));
                return Flow::Break(Err(AuthError::BadPassword));
            }
            Err(e) => return Flow::Break(Err(self.unavailable(user, &e))),
        }
        Flow::Break(self.identity(u).map_err(|e| self.unavailable(user, &e)))
    }

    fn lookup(&self, user: &str) -> Flow<Identity> {
        match self.find(user, false) {
            Ok(Some(u)) => Flow::Break(self.identity(u).map_err(|e| self.unavailable(user, &e))),
            Ok(None) => Flow::Continue,
            Err(e) => Flow::Break(Err(self.unavailable(user, &e))),
        }
    }

    fn user_name(&self, uid: u32) -> Option<String> {
        if !self.names_allowed() {
            return None;
        }
        self.find(&uid.to_string(), true)
            .ok()
            .flatten()
            .map(|u| u.name)
    }

    fn group_name(&self, gid: u32) -> Option<String> {
        if !self.names_allowed() {
            return None;
        }
        self.group_by_gid(gid).ok().flatten()
    }

    fn group_id(&self, name: &str) -> Option<u32> {
        let g = self.s.groups.as_ref()?;
        let a = &self.s.attrs;
        let filter = interpolate(&g.name_filter, name);
        let entries = self
            .search(&g.base, &filter, &[a.gid_number.as_str()], 2)
            .ok()?;
        entries.first()?.first(&a.gid_number)?.trim().parse().ok()
    }

    fn user_id(&self, name: &str) -> Option<u32> {
        self.find(name, false).ok().flatten().map(|u| u.uid)
    }
}
