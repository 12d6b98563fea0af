//! `SQLBackend` and `SQLConnectInfo`: which database, where, as whom, turned into the URL
//! sqlx connects with (user and password percent-encoded by `url`, never spliced by hand).

use std::time::Duration;

/// A backend module: mod_sql_sqlite.c, mod_sql_postgres.c or mod_sql_mysql.c.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// mod_sql_sqlite.c: a database file.
    Sqlite,
    /// mod_sql_postgres.c.
    Postgres,
    /// mod_sql_mysql.c (MySQL and MariaDB).
    Mysql,
}

impl Kind {
    /// The kind `SQLBackend NAME` names (as the backend modules register themselves).
    pub fn from_backend(name: &str) -> Result<Kind, String> {
        match name.to_ascii_lowercase().as_str() {
            "sqlite3" | "sqlite" => Ok(Kind::Sqlite),
            "postgres" | "postgresql" | "pgsql" => Ok(Kind::Postgres),
            "mysql" | "mariadb" => Ok(Kind::Mysql),
            _ => Err(format!(
                "no such backend '{name}' (available: mysql, postgres, sqlite3)"
            )),
        }
    }

    /// The backend module's name, as `LoadModule` and `<IfModule>` write it.
    pub fn module(self) -> &'static str {
        match self {
            Kind::Sqlite => "mod_sql_sqlite.c",
            Kind::Postgres => "mod_sql_postgres.c",
            Kind::Mysql => "mod_sql_mysql.c",
        }
    }

    /// The kind whose module is `name` (`mod_sql_postgres.c`).
    pub fn from_module(name: &str) -> Option<Kind> {
        [Kind::Sqlite, Kind::Postgres, Kind::Mysql]
            .into_iter()
            .find(|k| k.module() == name)
    }

    /// The text of the `n`th (from 1) bound parameter in this backend's SQL.
    pub fn placeholder(self, n: usize) -> String {
        match self {
            Kind::Postgres => format!("${n}"),
            Kind::Sqlite | Kind::Mysql => "?".to_string(),
        }
    }
}

/// How long a pooled connection may stay (`SQLConnectInfo`'s policy).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// `PERSESSION` (the default): connections are kept and reused.
    Keep,
    /// `PERCALL`: a connection is closed after each use.
    PerCall,
    /// A number: idle connections are closed after this long.
    Idle(Duration),
}

/// `SQLConnectInfo` as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectInfo {
    /// `db`, `db@host`, `db@host:port`, or the SQLite file.
    pub info: String,
    /// The database user.
    pub user: String,
    /// Its password.
    pub password: String,
    /// The connection policy.
    pub policy: Policy,
    /// `ssl-cert:` path.
    pub ssl_cert: Option<String>,
    /// `ssl-key:` path.
    pub ssl_key: Option<String>,
    /// `ssl-ca:` file.
    pub ssl_ca: Option<String>,
}

impl ConnectInfo {
    /// Parses the arguments of `SQLConnectInfo` (`kind` checks the info's shape when known).
    pub fn parse(args: &[String], kind: Option<Kind>) -> Result<ConnectInfo, String> {
        let Some(info) = args.first() else {
            return Err("requires 1 to 8 parameters; check the mod_sql docs".into());
        };
        let mut positional = Vec::new();
        let mut ci = ConnectInfo {
            info: info.clone(),
            user: String::new(),
            password: String::new(),
            policy: Policy::Keep,
            ssl_cert: None,
            ssl_key: None,
            ssl_ca: None,
        };
        for a in &args[1..] {
            if let Some(p) = a.strip_prefix("ssl-cert:") {
                ci.ssl_cert = Some(p.to_string());
            } else if let Some(p) = a.strip_prefix("ssl-key:") {
                ci.ssl_key = Some(p.to_string());
            } else if let Some(p) = a.strip_prefix("ssl-ca:") {
                ci.ssl_ca = Some(p.to_string());
            } else if a.starts_with("ssl-ciphers:") {
                return Err(
                    "ssl-ciphers: is not supported (the TLS library chooses its own cipher suites)"
                        .into(),
                );
            } else {
                positional.push(a.clone());
            }
        }
        if positional.len() > 3 {
            return Err(format!("unexpected parameter '{}'", positional[3]));
        }
        let mut it = positional.into_iter();
        ci.user = it.next().unwrap_or_default();
        ci.password = it.next().unwrap_or_default();
        if let Some(p) = it.next() {
            ci.policy = match p.to_ascii_uppercase().as_str() {
                "PERSESSION" | "PERCONNECTION" => Policy::Keep,
                "PERCALL" => Policy::PerCall,
                n => match n.parse::<u64>() {
                    Ok(0) => Policy::Keep,
                    Ok(secs) => Policy::Idle(Duration::from_secs(secs)),
                    Err(_) => return Err(format!("unknown connection policy '{p}'")),
                },
            };
        }
        if let Some(k) = kind {
            ci.url(k)?;
        }
        Ok(ci)
    }

    /// The backend this info names when `SQLBackend` does not say: a path is a SQLite file.
    pub fn guess_kind(&self) -> Option<Kind> {
        if self.info.starts_with('/') {
            Some(Kind::Sqlite)
        } else {
            None
        }
    }

    /// The URL sqlx connects with.
    pub fn url(&self, kind: Kind) -> Result<String, String> {
        let bad = |e: url::ParseError| format!("bad connection info '{}': {e}", self.info);
        match kind {
            Kind::Sqlite => {
                if !self.info.starts_with('/') {
                    return Err(format!(
                        "the SQLite database must be given as a full path: '{}'",
                        self.info
                    ));
                }
                let mut u = url::Url::parse("sqlite:///").map_err(bad)?;
                u.set_path(&self.info);
                u.query_pairs_mut().append_pair("mode", "rw");
                Ok(u.to_string())
            }
            Kind::Postgres | Kind::Mysql => {
                let (db, host) = match self.info.split_once('@') {
                    Some((db, host)) => (db, host),
                    None => (self.info.as_str(), "localhost"),
                };
                let (host, port) = match host.rsplit_once(':') {
                    Some((h, p)) if !h.is_empty() => {
                        let port = p
                            .parse::<u16>()
                            .map_err(|_| format!("bad port '{p}' in '{}'", self.info))?;
                        (h, Some(port))
                    }
                    _ => (host, None),
                };
                if db.is_empty() || host.is_empty() {
                    return Err(format!("bad connection info '{}'", self.info));
                }
                let scheme = if kind == Kind::Postgres {
                    "postgres"
                } else {
                    "mysql"
                };
                let mut u = url::Url::parse(&format!("{scheme}://localhost/")).map_err(bad)?;
                u.set_host(Some(host)).map_err(bad)?;
                u.set_port(port)
                    .map_err(|_| format!("bad port in '{}'", self.info))?;
                if !self.user.is_empty() {
                    u.set_username(&self.user)
                        .map_err(|_| "bad user name".to_string())?;
                }
                if !self.password.is_empty() {
                    u.set_password(Some(&self.password))
                        .map_err(|_| "bad password".to_string())?;
                }
                u.path_segments_mut()
                    .map_err(|_| format!("bad connection info '{}'", self.info))?
                    .clear()
                    .push(db);
                {
                    let mut q = u.query_pairs_mut();
                    let pg = kind == Kind::Postgres;
                    if let Some(ca) = &self.ssl_ca {
                        q.append_pair(
                            if pg { "sslmode" } else { "ssl-mode" },
                            if pg { "verify-ca" } else { "VERIFY_CA" },
                        );
                        q.append_pair(if pg { "sslrootcert" } else { "ssl-ca" }, ca);
                    } else if self.ssl_cert.is_some() {
                        q.append_pair(
                            if pg { "sslmode" } else { "ssl-mode" },
                            if pg { "require" } else { "REQUIRED" },
                        );
                    } else if pg {
                        q.append_pair("sslmode", "prefer");
                    }
                    if let Some(c) = &self.ssl_cert {
                        q.append_pair(if pg { "sslcert" } else { "ssl-cert" }, c);
                    }
                    if let Some(k) = &self.ssl_key {
                        q.append_pair(if pg { "sslkey" } else { "ssl-key" }, k);
                    }
                }
                if u.query() == Some("") {
                    u.set_query(None);
                }
                Ok(u.to_string())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ci(args: &[&str]) -> ConnectInfo {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        ConnectInfo::parse(&args, None).unwrap()
    }

    #[test]
    fn proftpd_forms_become_urls() {
        let c = ci(&["ftp@db.example:5433", "ftpd", "p@ss word", "PERSESSION"]);
        assert_eq!(
            c.url(Kind::Postgres).unwrap(),
            "postgres://ftpd:p%40ss%20word@db.example:5433/ftp?sslmode=prefer"
        );
        let c = ci(&["ftp", "root"]);
        assert_eq!(c.url(Kind::Mysql).unwrap(), "mysql://root@localhost/ftp");
        let c = ci(&["/var/lib/ftp/users.db"]);
        assert_eq!(c.guess_kind(), Some(Kind::Sqlite));
        assert_eq!(
            c.url(Kind::Sqlite).unwrap(),
            "sqlite:///var/lib/ftp/users.db?mode=rw"
        );
        let c = ci(&["x@h", "u", "p", "30"]);
        assert_eq!(c.policy, Policy::Idle(Duration::from_secs(30)));
    }

    #[test]
    fn bad_forms_are_refused() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(ConnectInfo::parse(&args(&["db@h:port"]), Some(Kind::Postgres)).is_err());
        assert!(ConnectInfo::parse(&args(&["db", "u", "p", "SOMETIMES"]), None).is_err());
        assert!(ConnectInfo::parse(&args(&["db", "ssl-ciphers:ALL"]), None).is_err());
        assert!(ConnectInfo::parse(&args(&["rel.db"]), Some(Kind::Sqlite)).is_err());
    }
}
