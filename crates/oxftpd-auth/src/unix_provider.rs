//! `mod_auth_unix.c`: system users and groups through NSS, passwords from shadow.
//!
//! Uses the re-entrant libc calls (`getpwnam_r`, `getspnam_r`, `getgrouplist`…),
//! so whatever `/etc/nsswitch.conf` names (files, NIS, LDAP via sssd) works.
//! Refused: locked hashes (`!…`, `*`), accounts past their shadow expiry date
//! (`Disabled`), and passwords older than max age + inactivity (`PasswordAged`).

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::identity::dedup_groups;
use crate::nss::{self, Passwd, Shadow};
use crate::{AuthError, AuthProvider, Flow, Identity, crypt};

/// The `AuthOrder` name of this provider.
pub const MODULE: &str = "mod_auth_unix.c";

/// Identity provider over the system's user database.
#[derive(Debug, Default, Clone)]
pub struct UnixProvider {
    _private: (),
}

impl UnixProvider {
    /// A provider over NSS.
    pub fn new() -> Self {
        Self::default()
    }

    fn passwd(&self, user: &str) -> Option<Passwd> {
        match nss::getpwnam(user) {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!("{MODULE}: getpwnam_r('{user}') failed: {e}");
                None
            }
        }
    }

    fn identity(&self, pw: &Passwd) -> Identity {
        let list = nss::getgrouplist(&pw.name, pw.gid).unwrap_or_else(|e| {
            tracing::warn!("{MODULE}: getgrouplist('{}') failed: {e}", pw.name);
            vec![pw.gid]
        });
        let groups = dedup_groups(pw.gid, list);
        let group_names = groups.iter().filter_map(|&g| self.group_name(g)).collect();
        Identity {
            name: pw.name.clone(),
            uid: pw.uid,
            gid: pw.gid,
            groups,
            group_names,
            home: PathBuf::from(&pw.dir),
            shell: pw.shell.clone(),
            pam_session: None,
        }
    }
}

/// Days since the epoch, now.
fn today_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// ProFTPD's shadow checks: an expiry date in the past disables the account;
/// a password older than max + inactive days is aged out.
fn shadow_refusal(sp: &Shadow, now_secs: i64) -> Option<AuthError> {
    const DAY: i64 = 86_400;
    if sp.expire > 0 && now_secs > sp.expire * DAY {
        return Some(AuthError::Disabled);
    }
    if sp.last_change > 0
        && sp.max_days > 0
        && sp.inactive_days > 0
        && now_secs > (sp.last_change + sp.max_days + sp.inactive_days) * DAY
    {
        return Some(AuthError::PasswordAged);
    }
    None
}

impl AuthProvider for UnixProvider {
    fn module(&self) -> &'static str {
        MODULE
    }

    fn authenticate(&self, user: &str, password: &str) -> Flow<Identity> {
        let Some(pw) = self.passwd(user) else {
            return Flow::Continue;
        };
        let shadow = match nss::getspnam(user) {
            Ok(s) => s,
            Err(e) => {
                tracing::debug!("{MODULE}: getspnam_r('{user}') failed: {e}");
                None
            }
        };
        let hash = match &shadow {
            Some(sp) => sp.hash.as_str(),
            None if pw.passwd == "x" => {
                return Flow::Break(Err(AuthError::Unavailable {
                    module: MODULE,
                    reason: format!("no readable shadow entry for '{user}'"),
                }));
            }
            None => pw.passwd.as_str(),
        };
        if crypt::is_locked(hash) {
            return Flow::Break(Err(AuthError::Disabled));
        }
        if !crypt::verify(password, hash) {
            return Flow::Break(Err(AuthError::BadPassword));
        }
        if let Some(sp) = &shadow
            && let Some(refusal) = shadow_refusal(sp, today_secs())
        {
            return Flow::Break(Err(refusal));
        }
        Flow::Break(Ok(self.identity(&pw)))
    }

    fn lookup(&self, user: &str) -> Flow<Identity> {
        match self.passwd(user) {
            Some(pw) => Flow::Break(Ok(self.identity(&pw))),
            None => Flow::Continue,
        }
    }

    fn user_name(&self, uid: u32) -> Option<String> {
        nss::getpwuid(uid).ok().flatten().map(|p| p.name)
    }

    fn group_name(&self, gid: u32) -> Option<String> {
        nss::getgrgid(gid).ok().flatten().map(|g| g.name)
    }

    fn group_id(&self, name: &str) -> Option<u32> {
        nss::getgrnam(name).ok().flatten().map(|g| g.gid)
    }

    fn user_id(&self, name: &str) -> Option<u32> {
        self.passwd(name).map(|p| p.uid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sp(expire: i64, last_change: i64, max_days: i64, inactive_days: i64) -> Shadow {
        Shadow {
            hash: String::new(),
            last_change,
            max_days,
            inactive_days,
            expire,
        }
    }

    #[test]
    fn shadow_expiry_rules() {
        let day = 86_400;
        let now = 20_000 * day + 5;
        assert_eq!(shadow_refusal(&sp(-1, 19_000, 99_999, -1), now), None);
        assert_eq!(shadow_refusal(&sp(0, 0, -1, -1), now), None);
        assert_eq!(
            shadow_refusal(&sp(19_999, 0, -1, -1), now),
            Some(AuthError::Disabled)
        );
        assert_eq!(shadow_refusal(&sp(20_001, 0, -1, -1), now), None);
        assert_eq!(
            shadow_refusal(&sp(-1, 19_000, 900, 50), now),
            Some(AuthError::PasswordAged)
        );
        assert_eq!(shadow_refusal(&sp(-1, 19_000, 900, 200), now), None);
    }

    #[test]
    fn root_via_nss() {
        let p = UnixProvider::new();
        let Flow::Break(Ok(id)) = p.lookup("root") else {
            panic!("root not found");
        };
        assert_eq!(id.uid, 0);
        assert_eq!(id.gid, 0);
        assert_eq!(id.home, PathBuf::from("/root"));
        assert_eq!(id.groups[0], 0);
        assert_eq!(id.group_names.first().map(String::as_str), Some("root"));
        assert_eq!(p.user_name(0).as_deref(), Some("root"));
        assert_eq!(p.user_id("root"), Some(0));
        assert_eq!(p.group_name(0).as_deref(), Some("root"));
        assert_eq!(p.group_id("root"), Some(0));
    }

    #[test]
    fn unknown_user_continues() {
        let p = UnixProvider::new();
        assert_eq!(p.lookup("no-such-user-oxftpd-x9"), Flow::Continue);
        assert_eq!(
            p.authenticate("no-such-user-oxftpd-x9", "pw"),
            Flow::Continue
        );
        assert_eq!(p.lookup("bad\0name"), Flow::Continue);
        assert_eq!(p.user_id("no-such-user-oxftpd-x9"), None);
        assert_eq!(p.group_id("no-such-group-oxftpd-x9"), None);
    }
}
