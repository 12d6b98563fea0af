//! mod_wrap2's table sources and its verdict: the allow table first (a match allows, unless
//! its `DENY` option says otherwise), then the deny table (a match refuses, unless `ALLOW`),
//! else allowed. A table that cannot be opened counts as empty. `file:` tables
//! (mod_wrap2_file.c) are read with mod_wrap's hosts_access parser; `~/` in a path is the
//! user's home, `%U` the USER name; a relative path is refused.

use std::path::Path;

use oxftpd_config::modules::mod_wrap2::Table;

use crate::modules::mod_wrap::hosts_access::{self, Client, Rule};

/// What a path of a table may be expanded with.
#[derive(Debug, Clone, Copy, Default)]
pub struct Who<'a> {
    /// The name the client sent with USER (`%U`), unknown at connect.
    pub user: Option<&'a str>,
    /// The user's home directory (`~/`), unknown at connect.
    pub home: Option<&'a Path>,
}

/// A table's rules, read now.
enum Loaded {
    Rules(Vec<Rule>),
    All,
}

/// The path a `file:` table names for `who`, or why it cannot be opened.
pub fn path_of(path: &str, who: Who<'_>) -> Result<String, String> {
    let mut path = path.to_string();
    if let Some(rest) = path.strip_prefix("~/") {
        let Some(home) = who.home else {
            return Err(format!("cannot resolve '~' in '{path}' before login"));
        };
        path = format!("{}/{rest}", home.to_string_lossy().trim_end_matches('/'));
    }
    if let Some(user) = who.user {
        path = path.replace("%U", user);
    }
    if !path.starts_with('/') {
        return Err(format!("table relative paths are forbidden: '{path}'"));
    }
    Ok(path)
}

fn load(table: &Table, who: Who<'_>) -> Result<Loaded, String> {
    match table {
        Table::All => Ok(Loaded::All),
        Table::File(p) => {
            let path = path_of(p, who)?;
            let bytes = std::fs::read(&path).map_err(|e| format!("'{path}': {e}"))?;
            Ok(Loaded::Rules(hosts_access::parse(
                &String::from_utf8_lossy(&bytes),
            )))
        }
    }
}

/// `Some(true)` when the table allows explicitly, `Some(false)` when it denies, `None` when
/// no rule of it matched; `dflt` is what a rule without ALLOW/DENY means in this table.
fn judge(
    table: &Table,
    which: &str,
    service: &str,
    client: &Client<'_>,
    who: Who<'_>,
    log: &mut Vec<String>,
) -> Option<hosts_access::Verdict> {
    match load(table, who) {
        Err(e) => {
            log.push(format!("error opening {which} table: {e}"));
            None
        }
        Ok(Loaded::All) => Some(hosts_access::Verdict {
            option: None,
            unsupported: Vec::new(),
        }),
        Ok(Loaded::Rules(rules)) => {
            log.push(format!("checking {which} table rules"));
            let v = hosts_access::verdict(&rules, service, client)?;
            for opt in &v.unsupported {
                log.push(format!("unsupported access option '{opt}' ignored"));
            }
            Some(v)
        }
    }
}

/// Whether the pair of tables lets `client` in for `service`; what it did goes to `log`.
pub fn allowed(
    allow: &Table,
    deny: &Table,
    service: &str,
    client: &Client<'_>,
    who: Who<'_>,
    log: &mut Vec<String>,
) -> bool {
    if let Some(v) = judge(allow, "allow", service, client, who, log) {
        return v.option != Some(false);
    }
    match judge(deny, "deny", service, client, who, log) {
        Some(v) => v.option == Some(true),
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_expand_home_and_user() {
        let who = Who {
            user: Some("alice"),
            home: Some(Path::new("/home/alice/")),
        };
        assert_eq!(
            path_of("~/my.allow", who).as_deref(),
            Ok("/home/alice/my.allow")
        );
        assert_eq!(
            path_of("/etc/acl/%U.deny", who).as_deref(),
            Ok("/etc/acl/alice.deny")
        );
        assert!(path_of("~/x", Who::default()).is_err());
        assert!(path_of("rel/x", who).is_err());
    }

    #[test]
    fn allow_first_then_deny() {
        let client = Client {
            addr: "127.0.0.1".parse().unwrap(),
            name: None,
            user: None,
        };
        let mut log = Vec::new();
        let none = Table::File("/nonexistent/allow".into());
        assert!(!allowed(
            &none,
            &Table::All,
            "proftpd",
            &client,
            Who::default(),
            &mut log
        ));
        assert!(allowed(
            &Table::All,
            &Table::All,
            "proftpd",
            &client,
            Who::default(),
            &mut log
        ));
        assert!(allowed(
            &none,
            &none,
            "proftpd",
            &client,
            Who::default(),
            &mut log
        ));
    }
}
