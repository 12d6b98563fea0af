//! mod_sql's settings for one server, typed from its directives.

use std::collections::HashMap;
use std::time::Duration;

use oxftpd_config::{Config, Merged, Server};

use crate::authtypes::AuthType;
use crate::connect::{ConnectInfo, Kind};
use crate::passwd::PasswdSettings;

/// `SQLAuthenticate`: what mod_sql answers for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthMask {
    /// `users`: user look-ups and passwords.
    pub users: bool,
    /// `groups`: group look-ups.
    pub groups: bool,
    /// `userset[fast]`: listing every user.
    pub userset: bool,
    /// `groupset[fast]`: listing every group.
    pub groupset: bool,
}

impl AuthMask {
    /// Parses `SQLAuthenticate`'s arguments.
    pub fn parse(args: &[String]) -> Result<AuthMask, String> {
        let all = AuthMask {
            users: true,
            groups: true,
            userset: true,
            groupset: true,
        };
        if args.len() == 1 {
            match oxftpd_config::parse_flag(&args[0]) {
                Some(true) => return Ok(all),
                Some(false) => {
                    return Ok(AuthMask {
                        users: false,
                        groups: false,
                        userset: false,
                        groupset: false,
                    });
                }
                None => {}
            }
        }
        let mut m = AuthMask {
            users: false,
            groups: false,
            userset: false,
            groupset: false,
        };
        for a in args {
            let a = a.to_ascii_lowercase();
            let (slot, what) = match a.as_str() {
                "users" | "users*" => (&mut m.users, "users"),
                "groups" | "groups*" => (&mut m.groups, "groups"),
                "userset" | "usersetfast" => (&mut m.userset, "userset"),
                "groupset" | "groupsetfast" => (&mut m.groupset, "groupset"),
                _ => return Err(format!("unknown argument '{a}'")),
            };
            if *slot {
                return Err(format!("{what} already set"));
            }
            *slot = true;
        }
        Ok(m)
    }
}

/// `SQLUserInfo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserInfo {
    /// `table user passwd uid gid homedir shell` (`None` for a `NULL` column).
    Table {
        /// The table.
        table: String,
        /// The name column.
        name: String,
        /// The password column.
        passwd: String,
        /// The uid column.
        uid: Option<String>,
        /// The gid column.
        gid: Option<String>,
        /// The home directory column.
        home: Option<String>,
        /// The shell column.
        shell: Option<String>,
    },
    /// `custom:/by-name[/by-id[/names[/all]]]`: named SELECTs returning the same six columns.
    Custom {
        /// The query by user name (`%{0}`).
        by_name: String,
        /// The query by uid (`%{0}`).
        by_id: Option<String>,
    },
}

fn column(s: &str) -> Option<String> {
    (!s.eq_ignore_ascii_case("NULL")).then(|| s.to_string())
}

impl UserInfo {
    /// Parses `SQLUserInfo`'s arguments.
    pub fn parse(args: &[String]) -> Result<UserInfo, String> {
        if let Some(rest) = args[0].strip_prefix("custom:/") {
            if args.len() != 1 {
                return Err("custom:/ takes no further parameters".into());
            }
            let mut parts = rest.split('/');
            let by_name = parts.next().unwrap_or_default().to_string();
            if by_name.is_empty() {
                return Err("custom:/ needs a named query".into());
            }
            let by_id = parts.next().map(str::to_string).filter(|s| !s.is_empty());
            return Ok(UserInfo::Custom { by_name, by_id });
        }
        if args.len() != 7 {
            return Err(
                "requires 7 parameters (table user passwd uid gid homedir shell) or custom:/"
                    .into(),
            );
        }
        for (i, a) in args.iter().enumerate() {
            if !is_identifier(a) {
                return Err(format!("'{a}' is not a table or column name"));
            }
            if i < 3 && a.eq_ignore_ascii_case("NULL") {
                return Err("the table, user and password columns cannot be NULL".into());
            }
        }
        Ok(UserInfo::Table {
            table: args[0].clone(),
            name: args[1].clone(),
            passwd: args[2].clone(),
            uid: column(&args[3]),
            gid: column(&args[4]),
            home: column(&args[5]),
            shell: column(&args[6]),
        })
    }
}

/// `SQLGroupInfo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupInfo {
    /// `table groupname gid members`.
    Table {
        /// The table.
        table: String,
        /// The name column.
        name: String,
        /// The gid column.
        gid: String,
        /// The members column (comma-separated names).
        members: String,
    },
    /// `custom:/by-name/by-id/by-member[/names[/all]]`.
    Custom {
        /// By group name (`%{0}`).
        by_name: String,
        /// By gid (`%{0}`).
        by_id: String,
        /// By member name (`%{0}`).
        by_member: String,
    },
}

impl GroupInfo {
    /// Parses `SQLGroupInfo`'s arguments.
    pub fn parse(args: &[String]) -> Result<GroupInfo, String> {
        if let Some(rest) = args[0].strip_prefix("custom:/") {
            let parts: Vec<&str> = rest.split('/').collect();
            if args.len() != 1 || parts.len() < 3 || parts[..3].iter().any(|p| p.is_empty()) {
                return Err("custom:/ needs by-name/by-id/by-member named queries".into());
            }
            return Ok(GroupInfo::Custom {
                by_name: parts[0].to_string(),
                by_id: parts[1].to_string(),
                by_member: parts[2].to_string(),
            });
        }
        if args.len() != 4 {
            return Err("requires 4 parameters (table groupname gid members) or custom:/".into());
        }
        if let Some(a) = args.iter().find(|a| !is_identifier(a)) {
            return Err(format!("'{a}' is not a table or column name"));
        }
        Ok(GroupInfo::Table {
            table: args[0].clone(),
            name: args[1].clone(),
            gid: args[2].clone(),
            members: args[3].clone(),
        })
    }
}

/// A table or column name as the administrator wrote it (letters, digits, `_`, `.`, `$`):
/// anything else in a name would be SQL text, which only named queries may carry.
fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '$'))
}

/// `SQLNamedQuery`'s kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryKind {
    /// `SELECT "rest"`: `SELECT rest`.
    Select,
    /// `UPDATE "set WHERE …" table`.
    Update(String),
    /// `INSERT "values" table`.
    Insert(String),
    /// `FREEFORM "statement"`.
    Freeform,
}

/// One `SQLNamedQuery`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedQuery {
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: QueryKind,
    /// Its text, with `%`-variables.
    pub text: String,
}

impl NamedQuery {
    /// Parses `SQLNamedQuery name TYPE text [table] [connection]`.
    pub fn parse(args: &[String]) -> Result<NamedQuery, String> {
        let (name, ty, text) = (&args[0], &args[1], &args[2]);
        let rest = &args[3..];
        let (kind, conn) = match ty.to_ascii_uppercase().as_str() {
            "SELECT" => (QueryKind::Select, rest.first()),
            "FREEFORM" => (QueryKind::Freeform, rest.first()),
            "INSERT" | "UPDATE" => {
                let Some(table) = rest.first() else {
                    return Err(format!("expected '{ty}' query-string table-name"));
                };
                if !is_identifier(table) {
                    return Err(format!("'{table}' is not a table name"));
                }
                let k = if ty.eq_ignore_ascii_case("INSERT") {
                    QueryKind::Insert(table.clone())
                } else {
                    QueryKind::Update(table.clone())
                };
                (k, rest.get(1))
            }
            _ => return Err(format!("unknown query type '{ty}'")),
        };
        if let Some(c) = conn
            && c != "default"
        {
            return Err(format!(
                "connection '{c}': oxftpd has one connection per server (SQLNamedConnectInfo is not supported)"
            ));
        }
        Ok(NamedQuery {
            name: name.clone(),
            kind,
            text: text.clone(),
        })
    }

    /// The whole statement, still with its `%`-variables.
    pub fn statement(&self) -> String {
        match &self.kind {
            QueryKind::Select => format!("SELECT {}", self.text),
            QueryKind::Freeform => self.text.clone(),
            QueryKind::Insert(t) => format!("INSERT INTO {t} VALUES ({})", self.text),
            QueryKind::Update(t) => format!("UPDATE {t} SET {}", self.text),
        }
    }
}

/// `SQLOptions`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// `NoDisconnectOnError`: a failed SQLLog query does not end the session.
    pub no_disconnect_on_error: bool,
    /// `UseNormalizedGroupSchema`: one row per (group, member).
    pub normalized_groups: bool,
    /// `NoReconnect`: a lost connection is not replaced (the pool replaces it anyway).
    pub no_reconnect: bool,
    /// `IgnoreConfigFile` (MySQL's option files: never read by oxftpd's driver).
    pub ignore_config_file: bool,
}

impl Options {
    /// Parses `SQLOptions`.
    pub fn parse(args: &[String]) -> Result<Options, String> {
        let mut o = Options::default();
        for a in args {
            match a.to_ascii_lowercase().as_str() {
                "nodisconnectonerror" => o.no_disconnect_on_error = true,
                "usenormalizedgroupschema" => o.normalized_groups = true,
                "noreconnect" => o.no_reconnect = true,
                "ignoreconfigfile" => o.ignore_config_file = true,
                _ => return Err(format!("unknown SQLOption '{a}'")),
            }
        }
        Ok(o)
    }
}

/// One `SQLLog` or `SQLLogOnEvent` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRule {
    /// Commands (upper case; `*` for all; `ERR_X` for failures) or the event name.
    pub on: Vec<String>,
    /// The named query.
    pub query: String,
    /// `IGNORE_ERRORS`.
    pub ignore_errors: bool,
}

/// One `SQLShowInfo` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShowInfo {
    /// Commands (`ERR_X` for failures, `*` for all).
    pub on: Vec<String>,
    /// The reply code.
    pub code: u16,
    /// The text (with `%{name}` running named SELECTs).
    pub text: String,
}

/// Everything mod_sql reads for one server.
#[derive(Debug, Clone)]
pub struct SqlSettings {
    /// `SQLEngine`: user/group look-ups on.
    pub auth_on: bool,
    /// `SQLEngine`: `SQLLog` on.
    pub log_on: bool,
    /// The backend.
    pub kind: Kind,
    /// `SQLConnectInfo`.
    pub connect: ConnectInfo,
    /// The URL for sqlx.
    pub url: String,
    /// `SQLAuthenticate`.
    pub mask: AuthMask,
    /// `SQLAuthTypes`, in order.
    pub auth_types: Vec<AuthType>,
    /// `SQLUserInfo`.
    pub user_info: UserInfo,
    /// `SQLGroupInfo`.
    pub group_info: GroupInfo,
    /// `SQLUserWhereClause`.
    pub user_where: Option<String>,
    /// `SQLGroupWhereClause`.
    pub group_where: Option<String>,
    /// `SQLDefaultUID`.
    pub default_uid: u32,
    /// `SQLDefaultGID`.
    pub default_gid: u32,
    /// `SQLDefaultHomedir`.
    pub default_home: Option<String>,
    /// `SQLMinUserUID`.
    pub min_uid: u32,
    /// `SQLMinUserGID`.
    pub min_gid: u32,
    /// `SQLNegativeCache`.
    pub negative_cache: bool,
    /// `SQLNamedQuery`, by name.
    pub queries: HashMap<String, NamedQuery>,
    /// `SQLLog`.
    pub logs: Vec<LogRule>,
    /// `SQLLogOnEvent`.
    pub events: Vec<LogRule>,
    /// `SQLShowInfo`.
    pub show: Vec<ShowInfo>,
    /// `SQLLogFile`.
    pub log_file: Option<String>,
    /// `SQLOptions`.
    pub options: Options,
    /// `SQLKeepAlive` interval and statement.
    pub keepalive: Option<(Duration, String)>,
    /// mod_sql_passwd.
    pub passwd: PasswdSettings,
}

/// A setting error with where it was written.
pub type Located = (Option<oxftpd_config::Directive>, String);

/// The backend module named by `LoadModule` lines, when there is exactly one.
fn loaded_backend(config: Option<&Config>, m: &Merged<'_>) -> Option<Kind> {
    let _ = config;
    let mut kinds: Vec<Kind> = m
        .all_first("LoadModule")
        .iter()
        .filter_map(|n| Kind::from_module(n))
        .collect();
    kinds.dedup();
    (kinds.len() == 1).then(|| kinds[0])
}

impl SqlSettings {
    /// mod_sql's settings for `server`; `Ok(None)` when mod_sql is off there (no
    /// `SQLEngine on|auth|log`, or no `SQLConnectInfo`).
    pub fn from_server(server: &Server) -> Result<Option<SqlSettings>, Located> {
        let m = Merged::of(&server.scope(None));
        let at = |name: &'static str| m.one(name).cloned();
        let engine = m.arg("SQLEngine", 0).map(|e| e.to_ascii_lowercase());
        let (auth_on, log_on) = match engine.as_deref() {
            None => {
                // ProFTPD turns the engine on when it finds a SQLConnectInfo.
                let on = m.has("SQLConnectInfo");
                (on, on)
            }
            Some("auth") => (true, false),
            Some("log") => (false, true),
            Some(flag) => {
                let on = oxftpd_config::parse_flag(flag).unwrap_or(false);
                (on, on)
            }
        };
        if !auth_on && !log_on {
            return Ok(None);
        }
        let Some(ci_args) = m.args("SQLConnectInfo") else {
            return Err((
                at("SQLEngine"),
                "SQLEngine is on but there is no SQLConnectInfo".into(),
            ));
        };
        let connect = ConnectInfo::parse(&ci_args, None).map_err(|e| (at("SQLConnectInfo"), e))?;
        let kind = match m.arg("SQLBackend", 0) {
            Some(b) => Kind::from_backend(&b).map_err(|e| (at("SQLBackend"), e))?,
            None => match loaded_backend(None, &m).or_else(|| connect.guess_kind()) {
                Some(k) => k,
                None => {
                    return Err((
                        at("SQLConnectInfo"),
                        "which database? add SQLBackend mysql|postgres|sqlite3 (or one LoadModule of mod_sql_mysql.c/mod_sql_postgres.c/mod_sql_sqlite.c)".into(),
                    ));
                }
            },
        };
        let url = connect.url(kind).map_err(|e| (at("SQLConnectInfo"), e))?;
        let mask = match m.args("SQLAuthenticate") {
            Some(a) => AuthMask::parse(&a).map_err(|e| (at("SQLAuthenticate"), e))?,
            None => AuthMask::parse(&["on".to_string()]).map_err(|e| (None, e))?,
        };
        let auth_types = match m.args("SQLAuthTypes") {
            Some(a) => a
                .iter()
                .map(|t| AuthType::parse(t))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| (at("SQLAuthTypes"), e))?,
            None => Vec::new(),
        };
        let user_info = match m.args("SQLUserInfo") {
            Some(a) => UserInfo::parse(&a).map_err(|e| (at("SQLUserInfo"), e))?,
            None => UserInfo::Table {
                table: "users".into(),
                name: "userid".into(),
                passwd: "passwd".into(),
                uid: Some("uid".into()),
                gid: Some("gid".into()),
                home: Some("homedir".into()),
                shell: Some("shell".into()),
            },
        };
        let group_info = match m.args("SQLGroupInfo") {
            Some(a) => GroupInfo::parse(&a).map_err(|e| (at("SQLGroupInfo"), e))?,
            None => GroupInfo::Table {
                table: "groups".into(),
                name: "groupname".into(),
                gid: "gid".into(),
                members: "members".into(),
            },
        };
        let mut queries = HashMap::new();
        for d in m.all("SQLNamedQuery") {
            let q = NamedQuery::parse(&d.args).map_err(|e| (Some(d.clone()), e))?;
            queries.entry(q.name.clone()).or_insert(q);
        }
        let check_query = |name: &str, d: &oxftpd_config::Directive| -> Result<(), Located> {
            if queries.contains_key(name) {
                Ok(())
            } else {
                Err((Some(d.clone()), format!("no SQLNamedQuery '{name}'")))
            }
        };
        if let UserInfo::Custom { by_name, by_id } = &user_info {
            let d = m.one("SQLUserInfo").cloned();
            for q in std::iter::once(by_name).chain(by_id) {
                if !queries.contains_key(q) {
                    return Err((d, format!("no SQLNamedQuery '{q}'")));
                }
            }
        }
        if let GroupInfo::Custom {
            by_name,
            by_id,
            by_member,
        } = &group_info
        {
            let d = m.one("SQLGroupInfo").cloned();
            for q in [by_name, by_id, by_member] {
                if !queries.contains_key(q) {
                    return Err((d, format!("no SQLNamedQuery '{q}'")));
                }
            }
        }
        let rule = |d: &oxftpd_config::Directive, upper: bool| -> Result<LogRule, Located> {
            let on = d.args[0]
                .split(',')
                .map(|s| {
                    if upper {
                        s.trim().to_ascii_uppercase()
                    } else {
                        s.trim().to_string()
                    }
                })
                .collect();
            check_query(&d.args[1], d)?;
            Ok(LogRule {
                on,
                query: d.args[1].clone(),
                ignore_errors: d.args.len() > 2,
            })
        };
        let logs = m
            .all("SQLLog")
            .map(|d| rule(d, true))
            .collect::<Result<Vec<_>, _>>()?;
        let events = m
            .all("SQLLogOnEvent")
            .map(|d| rule(d, false))
            .collect::<Result<Vec<_>, _>>()?;
        let show = m
            .all("SQLShowInfo")
            .map(|d| ShowInfo {
                on: d.args[0]
                    .split(',')
                    .map(|s| s.trim().to_ascii_uppercase())
                    .collect(),
                code: d.args[1].parse().unwrap_or(214),
                text: d.args[2].clone(),
            })
            .collect();
        let min_id: Option<u32> = m.number("SQLMinID", 0);
        let options = match m.args("SQLOptions") {
            Some(a) => Options::parse(&a).map_err(|e| (at("SQLOptions"), e))?,
            None => Options::default(),
        };
        let keepalive = match m.args("SQLKeepAlive") {
            Some(a) => {
                let secs: u64 = a[0].parse().unwrap_or(0);
                (secs > 0).then(|| {
                    (
                        Duration::from_secs(secs),
                        a.get(1).cloned().unwrap_or_else(|| "SELECT 1".into()),
                    )
                })
            }
            None => None,
        };
        let passwd = PasswdSettings::read(&m).map_err(|e| (None, e))?;
        if let Some((crate::passwd::UserSalt::Query(q), _)) = &passwd.user_salt
            && !queries.contains_key(q)
        {
            return Err((
                m.one("SQLPasswordUserSalt").cloned(),
                format!("no SQLNamedQuery '{q}'"),
            ));
        }
        Ok(Some(SqlSettings {
            auth_on,
            log_on,
            kind,
            connect,
            url,
            mask,
            auth_types,
            user_info,
            group_info,
            user_where: m.arg("SQLUserWhereClause", 0),
            group_where: m.arg("SQLGroupWhereClause", 0),
            default_uid: m.number("SQLDefaultUID", 0).unwrap_or(65533),
            default_gid: m.number("SQLDefaultGID", 0).unwrap_or(65533),
            default_home: m.arg("SQLDefaultHomedir", 0),
            min_uid: m.number("SQLMinUserUID", 0).or(min_id).unwrap_or(999),
            min_gid: m.number("SQLMinUserGID", 0).or(min_id).unwrap_or(999),
            negative_cache: m.flag("SQLNegativeCache").unwrap_or(false),
            queries,
            logs,
            events,
            show,
            log_file: m.arg("SQLLogFile", 0),
            options,
            keepalive,
            passwd,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn authenticate_masks() {
        assert!(AuthMask::parse(&a(&["on"])).unwrap().users);
        assert!(!AuthMask::parse(&a(&["off"])).unwrap().users);
        let m = AuthMask::parse(&a(&["users", "groupsetfast"])).unwrap();
        assert!(m.users && m.groupset && !m.groups);
        assert!(AuthMask::parse(&a(&["users", "users"])).is_err());
        assert!(AuthMask::parse(&a(&["people"])).is_err());
    }

    #[test]
    fn info_forms() {
        let u = UserInfo::parse(&a(&[
            "users", "userid", "passwd", "uid", "gid", "homedir", "NULL",
        ]))
        .unwrap();
        assert!(matches!(u, UserInfo::Table { shell: None, .. }));
        assert!(
            UserInfo::parse(&a(&["users; DROP TABLE x", "a", "b", "c", "d", "e", "f"])).is_err()
        );
        assert!(matches!(
            UserInfo::parse(&a(&["custom:/get-user"])).unwrap(),
            UserInfo::Custom { by_id: None, .. }
        ));
        assert!(GroupInfo::parse(&a(&["custom:/a/b"])).is_err());
    }

    #[test]
    fn named_queries() {
        let q = NamedQuery::parse(&a(&[
            "up",
            "UPDATE",
            "count=count+1 WHERE userid='%u'",
            "users",
        ]))
        .unwrap();
        assert_eq!(
            q.statement(),
            "UPDATE users SET count=count+1 WHERE userid='%u'"
        );
        let q = NamedQuery::parse(&a(&["ins", "INSERT", "'%u', %b", "log"])).unwrap();
        assert_eq!(q.statement(), "INSERT INTO log VALUES ('%u', %b)");
        assert!(NamedQuery::parse(&a(&["x", "INSERT", "1"])).is_err());
        assert!(NamedQuery::parse(&a(&["x", "DELETE", "1"])).is_err());
    }
}
