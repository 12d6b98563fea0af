//! mod_sql.c in `AuthOrder`: users and groups from `SQLUserInfo`/`SQLGroupInfo`.
//!
//! Every statement binds the user's name (and every other `%`-variable) as a parameter.
//! A database that cannot answer makes the provider break the chain with
//! `AuthError::Unavailable` (the login gets `530`, the log says why), so a login never falls
//! through to another provider because the database was down; the next login tries again.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use oxftpd_auth::{AuthError, AuthProvider, Flow, Identity};

use crate::authtypes;
use crate::backend::{Db, DbError, Row};
use crate::passwd::UserSalt;
use crate::query::{self, Bound, Var};
use crate::settings::{GroupInfo, SqlSettings, UserInfo};

/// The module name in `AuthOrder`.
pub const MODULE: &str = "mod_sql.c";

/// The session's variables a look-up may use (`SQLUserWhereClause "allowed_ip = '%L'"`).
fn session_var(s: Option<&oxftpd_auth::session_info::SessionInfo>, v: Var<'_>) -> Option<String> {
    let s = s?;
    Some(match v {
        Var::Short('a') => s.remote.ip().to_string(),
        Var::Short('h') => s
            .remote_host
            .clone()
            .unwrap_or_else(|| s.remote.ip().to_string()),
        Var::Short('L') => s.local.ip().to_string(),
        Var::Short('p') => s.local.port().to_string(),
        Var::Short('v') | Var::Short('V') => s.server_name.clone(),
        Var::Long("remote-port") => s.remote.port().to_string(),
        _ => return None,
    })
}

/// A user's row, as `SQLUserInfo` maps it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct UserRow {
    name: String,
    passwd: String,
    uid: Option<String>,
    gid: Option<String>,
    home: Option<String>,
    shell: Option<String>,
}

/// Users and groups of one server's database.
pub struct SqlProvider {
    s: Arc<SqlSettings>,
    /// `SQLNegativeCache`: names the database did not have.
    unknown: Mutex<HashSet<String>>,
    /// When a statement last failed: id → name look-ups (listings, on the async threads)
    /// skip the database for [`NAMES_BACKOFF`] after, so a database that is down never
    /// holds a listing; logins always try.
    failed_at: Mutex<Option<Instant>>,
}

/// How long name look-ups leave a failing database alone.
const NAMES_BACKOFF: Duration = Duration::from_secs(30);

impl SqlProvider {
    /// The provider for one server's settings.
    pub fn new(s: Arc<SqlSettings>) -> SqlProvider {
        SqlProvider {
            s,
            unknown: Mutex::new(HashSet::new()),
            failed_at: Mutex::new(None),
        }
    }

    fn db(&self) -> Result<Arc<Db>, DbError> {
        crate::pool_for(&self.s)
    }

    /// Binds `sql` with `%{0}` (and `%u`, `%U`) as `arg`.
    fn bind(&self, sql: &str, arg: &str) -> Bound {
        let session = oxftpd_auth::session_info::current();
        let vars = |v: Var<'_>| match v {
            Var::Long("0") | Var::Short('u') | Var::Short('U') => Some(arg.to_string()),
            other => session_var(session.as_ref(), other),
        };
        query::bind(sql, self.s.kind, &vars)
    }

    fn fetch(&self, sql: &str, arg: &str) -> Result<Vec<Row>, DbError> {
        let stmt = self.bind(sql, arg);
        let r = self.db().and_then(|db| db.fetch_blocking(stmt));
        *self.failed_at.lock().unwrap_or_else(|p| p.into_inner()) = r.is_err().then(Instant::now);
        r
    }

    /// Whether id → name look-ups may ask the database now.
    fn names_allowed(&self) -> bool {
        self.failed_at
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_none_or(|t| t.elapsed() >= NAMES_BACKOFF)
    }

    /// `WHERE (col = %{0}) AND (where clause)`: `%{0}` quoted (bound as text) for a name,
    /// bare (bound as a number) for an id.
    fn where_key(col: &str, numeric: bool, extra: &Option<String>) -> String {
        let key = if numeric { "%{0}" } else { "'%{0}'" };
        match extra {
            Some(w) => format!("({col} = {key}) AND ({w})"),
            None => format!("({col} = {key})"),
        }
    }

    fn user_row(&self, name: &str, by_uid: bool) -> Result<Option<UserRow>, DbError> {
        let rows = match &self.s.user_info {
            UserInfo::Table {
                table,
                name: ncol,
                passwd,
                uid,
                gid,
                home,
                shell,
            } => {
                let cols = [
                    Some(ncol),
                    Some(passwd),
                    uid.as_ref(),
                    gid.as_ref(),
                    home.as_ref(),
                    shell.as_ref(),
                ];
                let list: Vec<&str> = cols.iter().flatten().map(|c| c.as_str()).collect();
                let key = if by_uid {
                    match uid {
                        Some(u) => u,
                        None => return Ok(None),
                    }
                } else {
                    ncol
                };
                let sql = format!(
                    "SELECT {} FROM {table} WHERE {} LIMIT 1",
                    list.join(", "),
                    Self::where_key(key, by_uid, &self.s.user_where)
                );
                let rows = self.fetch(&sql, name)?;
                // Put the optional columns back in their places.
                rows.into_iter()
                    .map(|r| {
                        let mut it = r.into_iter();
                        cols.iter()
                            .map(|c| {
                                if c.is_some() {
                                    it.next().flatten()
                                } else {
                                    None
                                }
                            })
                            .collect::<Vec<_>>()
                    })
                    .collect()
            }
            UserInfo::Custom { by_name, by_id } => {
                let q = if by_uid {
                    match by_id {
                        Some(q) => q,
                        None => return Ok(None),
                    }
                } else {
                    by_name
                };
                let Some(nq) = self.s.queries.get(q) else {
                    return Ok(None);
                };
                self.fetch(&nq.statement(), name)?
            }
        };
        let Some(mut r) = rows.into_iter().next() else {
            return Ok(None);
        };
        r.resize(6, None);
        let mut it = r.into_iter();
        let mut next = || it.next().flatten();
        Ok(Some(UserRow {
            name: next().unwrap_or_else(|| name.to_string()),
            passwd: next().unwrap_or_default(),
            uid: next(),
            gid: next(),
            home: next(),
            shell: next(),
        }))
    }

    /// The groups `user` is a member of: (name, gid).
    fn member_groups(&self, user: &str) -> Result<Vec<(String, u32)>, DbError> {
        if !self.s.mask.groups {
            return Ok(Vec::new());
        }
        let rows = match &self.s.group_info {
            GroupInfo::Table {
                table,
                name,
                gid,
                members,
            } => {
                let cond = if self.s.options.normalized_groups {
                    format!("{members} = '%{{0}}'")
                } else {
                    // A superset (LIKE on the bound name); exact membership is checked below.
                    format!("{members} LIKE '%{{1}}'")
                };
                let sql = match &self.s.group_where {
                    Some(w) => format!(
                        "SELECT {name}, {gid}, {members} FROM {table} WHERE ({cond}) AND ({w})"
                    ),
                    None => format!("SELECT {name}, {gid}, {members} FROM {table} WHERE {cond}"),
                };
                let pattern = format!("%{user}%");
                let session = oxftpd_auth::session_info::current();
                let vars = |v: Var<'_>| match v {
                    Var::Long("0") | Var::Short('u') | Var::Short('U') => Some(user.to_string()),
                    Var::Long("1") => Some(pattern.clone()),
                    other => session_var(session.as_ref(), other),
                };
                self.db()?
                    .fetch_blocking(query::bind(&sql, self.s.kind, &vars))?
            }
            GroupInfo::Custom { by_member, .. } => match self.s.queries.get(by_member) {
                Some(q) => self.fetch(&q.statement(), user)?,
                None => Vec::new(),
            },
        };
        let normalized = self.s.options.normalized_groups;
        Ok(rows
            .into_iter()
            .filter(|r| {
                normalized
                    || matches!(self.s.group_info, GroupInfo::Custom { .. })
                    || r.get(2)
                        .cloned()
                        .flatten()
                        .is_some_and(|m| m.split(',').any(|n| n.trim() == user))
            })
            .filter_map(|r| {
                let name = r.first().cloned().flatten()?;
                let gid = r.get(1).cloned().flatten()?.trim().parse().ok()?;
                Some((name, gid))
            })
            .collect())
    }

    /// A group's row by name or by gid: (name, gid).
    fn group_row(&self, key: &str, by_gid: bool) -> Result<Option<(String, u32)>, DbError> {
        let rows = match &self.s.group_info {
            GroupInfo::Table {
                table, name, gid, ..
            } => {
                let col = if by_gid { gid } else { name };
                let sql = format!(
                    "SELECT {name}, {gid} FROM {table} WHERE {} LIMIT 1",
                    Self::where_key(col, by_gid, &self.s.group_where)
                );
                self.fetch(&sql, key)?
            }
            GroupInfo::Custom { by_name, by_id, .. } => {
                let q = if by_gid { by_id } else { by_name };
                match self.s.queries.get(q) {
                    Some(q) => self.fetch(&q.statement(), key)?,
                    None => Vec::new(),
                }
            }
        };
        Ok(rows.into_iter().next().and_then(|r| {
            let name = r.first().cloned().flatten()?;
            let gid = r.get(1).cloned().flatten()?.trim().parse().ok()?;
            Some((name, gid))
        }))
    }

    fn unavailable(&self, user: &str, e: &DbError) -> AuthError {
        let reason = format!("database unavailable while looking up '{user}': {e}");
        crate::log::line(Some(&self.s), &reason);
        tracing::error!(target: "mod_sql", "{reason}");
        AuthError::Unavailable {
            module: MODULE,
            reason,
        }
    }

    /// The user's row, through the negative cache; `Ok(None)` for a user the database lacks.
    fn find(&self, user: &str) -> Result<Option<UserRow>, DbError> {
        if self.s.negative_cache
            && self
                .unknown
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .contains(user)
        {
            return Ok(None);
        }
        let row = self.user_row(user, false)?;
        if row.is_none() && self.s.negative_cache {
            self.unknown
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(user.to_string());
        }
        Ok(row)
    }

    fn identity(&self, row: UserRow) -> Result<Identity, AuthError> {
        let s = &self.s;
        let parse = |v: &Option<String>, default: u32| {
            v.as_deref()
                .and_then(|t| t.trim().parse::<u32>().ok())
                .unwrap_or(default)
        };
        let mut uid = parse(&row.uid, s.default_uid);
        let mut gid = parse(&row.gid, s.default_gid);
        if uid < s.min_uid {
            crate::log::line(
                Some(s),
                &format!(
                    "user UID {uid} below SQLMinUserUID {}, using SQLDefaultUID {}",
                    s.min_uid, s.default_uid
                ),
            );
            uid = s.default_uid;
        }
        if gid < s.min_gid {
            crate::log::line(
                Some(s),
                &format!(
                    "user GID {gid} below SQLMinUserGID {}, using SQLDefaultGID {}",
                    s.min_gid, s.default_gid
                ),
            );
            gid = s.default_gid;
        }
        let home = match row.home.as_deref() {
            Some(h) if !h.is_empty() && h != "NULL" => h.to_string(),
            _ => match &s.default_home {
                Some(h) => h.clone(),
                None => {
                    return Err(AuthError::Unavailable {
                        module: MODULE,
                        reason: format!(
                            "no home directory for user '{}' (and no SQLDefaultHomedir)",
                            row.name
                        ),
                    });
                }
            },
        };
        let groups = self
            .member_groups(&row.name)
            .map_err(|e| self.unavailable(&row.name, &e))?;
        let mut ids = vec![gid];
        let mut names = Vec::new();
        if s.mask.groups
            && let Ok(Some((name, _))) = self.group_row(&gid.to_string(), true)
        {
            names.push(name);
        }
        for (name, g) in groups {
            if !ids.contains(&g) {
                ids.push(g);
                names.push(name);
            }
        }
        Ok(Identity {
            name: row.name,
            uid,
            gid,
            groups: ids,
            group_names: names,
            home: PathBuf::from(home),
            shell: row.shell.unwrap_or_default(),
            pam_session: None,
        })
    }

    /// The per-user salt of mod_sql_passwd, when one is configured.
    fn user_salt(&self, user: &str) -> Result<Option<Vec<u8>>, DbError> {
        match &self.s.passwd.user_salt {
            None => Ok(None),
            Some((UserSalt::Name, _)) => Ok(Some(user.as_bytes().to_vec())),
            Some((UserSalt::Query(q), _)) => {
                let Some(nq) = self.s.queries.get(q) else {
                    return Ok(None);
                };
                let rows = self.fetch(&nq.statement(), user)?;
                Ok(rows
                    .into_iter()
                    .next()
                    .and_then(|r| r.into_iter().next().flatten())
                    .map(String::into_bytes))
            }
        }
    }
}

impl AuthProvider for SqlProvider {
    fn module(&self) -> &'static str {
        MODULE
    }

    fn authenticate(&self, user: &str, password: &str) -> Flow<Identity> {
        let row = match self.find(user) {
            Ok(Some(r)) => r,
            Ok(None) => return Flow::Continue,
            Err(e) => return Flow::Break(Err(self.unavailable(user, &e))),
        };
        if self.s.auth_types.is_empty() {
            crate::log::line(Some(&self.s), "error: no SQLAuthTypes configured");
            return Flow::Break(Err(AuthError::BadPassword));
        }
        let salt = match self.user_salt(user) {
            Ok(s) => s,
            Err(e) => return Flow::Break(Err(self.unavailable(user, &e))),
        };
        let ok = self.s.auth_types.iter().any(|t| {
            authtypes::matches(*t, password, &row.passwd, &self.s.passwd, salt.as_deref())
        });
        if !ok {
            crate::log::line(
                Some(&self.s),
                &format!("{user}: password does not match any SQLAuthTypes"),
            );
            return Flow::Break(Err(AuthError::BadPassword));
        }
        Flow::Break(self.identity(row))
    }

    fn lookup(&self, user: &str) -> Flow<Identity> {
        match self.find(user) {
            Ok(Some(r)) => Flow::Break(self.identity(r)),
            Ok(None) => Flow::Continue,
            Err(e) => Flow::Break(Err(self.unavailable(user, &e))),
        }
    }

    fn user_name(&self, uid: u32) -> Option<String> {
        if !self.names_allowed() {
            return None;
        }
        self.user_row(&uid.to_string(), true)
            .ok()
            .flatten()
            .map(|r| r.name)
    }

    fn group_name(&self, gid: u32) -> Option<String> {
        if !self.s.mask.groups || !self.names_allowed() {
            return None;
        }
        self.group_row(&gid.to_string(), true)
            .ok()
            .flatten()
            .map(|(n, _)| n)
    }

    fn group_id(&self, name: &str) -> Option<u32> {
        if !self.s.mask.groups {
            return None;
        }
        self.group_row(name, false).ok().flatten().map(|(_, g)| g)
    }

    fn user_id(&self, name: &str) -> Option<u32> {
        let row = self.find(name).ok().flatten()?;
        self.identity(row).ok().map(|i| i.uid)
    }
}
