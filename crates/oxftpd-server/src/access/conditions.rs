//! mod_ifsession: which `<IfUser>`, `<IfGroup>` and `<IfClass>` blocks apply to a session,
//! and the session's effective configuration scope with them applied.
//!
//! `<IfClass>` blocks apply from connect; `<IfUser>`/`<IfGroup>` only after login.
//! Expressions: names separated by commas or blanks, `!` negation, an optional leading
//! `AND`/`OR` (`<IfGroup>` defaults to AND, the others to OR), or `regex PATTERN`.

use oxftpd_config::{ConditionKind, Conditional, Scope};

use crate::session::{Ctx, LoggedIn};

/// What the conditions are tested against.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    /// The logged-in user name (`None` before login).
    pub user: Option<&'a str>,
    /// The user's group names (empty before login).
    pub groups: &'a [String],
    /// The session's class.
    pub class: Option<&'a str>,
}

/// Whether a conditional block applies to a session with these facts.
pub fn matches(cond: &Conditional, facts: &Facts<'_>) -> bool {
    let candidates: Vec<&str> = match cond.kind {
        ConditionKind::User => match facts.user {
            Some(u) => vec![u],
            None => return false,
        },
        ConditionKind::Group => {
            if facts.user.is_none() {
                return false;
            }
            facts.groups.iter().map(String::as_str).collect()
        }
        ConditionKind::Class => match facts.class {
            Some(c) => vec![c],
            None => return false,
        },
    };
    let mut args: &[String] = &cond.args;
    let mut all = cond.kind == ConditionKind::Group;
    if let Some(first) = args.first() {
        if first.eq_ignore_ascii_case("regex") {
            let Some(pattern) = args.get(1) else {
                return false;
            };
            return match regex::Regex::new(pattern) {
                Ok(re) => candidates.iter().any(|c| re.is_match(c)),
                Err(e) => {
                    tracing::warn!("<If{:?} regex {pattern}>: bad regex: {e}", cond.kind);
                    false
                }
            };
        }
        if first.eq_ignore_ascii_case("AND") {
            all = true;
            args = &args[1..];
        } else if first.eq_ignore_ascii_case("OR") {
            all = false;
            args = &args[1..];
        }
    }
    let terms: Vec<&str> = args
        .iter()
        .flat_map(|a| a.split(','))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect();
    if terms.is_empty() {
        return false;
    }
    let term_true = |t: &str| match t.strip_prefix('!') {
        Some(name) => !candidates.contains(&name),
        None => candidates.contains(&t),
    };
    if all {
        terms.iter().all(|t| term_true(t))
    } else {
        terms.iter().any(|t| term_true(t))
    }
}

/// The scope of a logged-in session, with its matching conditionals applied.
pub fn user_scope<'a>(ctx: &'a Ctx, user: &LoggedIn) -> Scope<'a> {
    let facts = Facts {
        user: Some(&user.login_name),
        groups: &user.identity.group_names,
        class: ctx.class.as_deref(),
    };
    ctx.server
        .config()
        .scope(user.anon)
        .with_session(&|c| matches(c, &facts))
}

/// The scope of a session before login (only `<IfClass>` can apply).
pub fn connect_scope(ctx: &Ctx) -> Scope<'_> {
    let facts = Facts {
        user: None,
        groups: &[],
        class: ctx.class.as_deref(),
    };
    ctx.server
        .config()
        .scope(None)
        .with_session(&|c| matches(c, &facts))
}

/// The typed settings of a session before login (only `<IfClass>` can apply): the server's
/// own when no conditional block is in force.
pub fn connect_cfg(ctx: &Ctx) -> std::sync::Arc<oxftpd_config::Effective> {
    let scope = connect_scope(ctx);
    if scope.matched_conditionals().is_empty() {
        return ctx.server.cfg.clone();
    }
    std::sync::Arc::new(oxftpd_config::Effective::of(&scope))
}

/// The typed settings of a logged-in session with its conditionals, for no particular path.
pub fn user_cfg(ctx: &Ctx, user: &LoggedIn) -> oxftpd_config::Effective {
    oxftpd_config::Effective::of(&user_scope(ctx, user))
}

/// The scope of a logged-in session narrowed to a virtual path.
pub fn path_scope<'a>(ctx: &'a Ctx, user: &'a LoggedIn, vpath: &str) -> Scope<'a> {
    crate::access::directories::scope_for(ctx, user, &user.real_path(vpath))
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use oxftpd_config::Block;

    use super::*;

    fn cond(kind: ConditionKind, args: &[&str]) -> Conditional {
        Conditional {
            kind,
            args: args.iter().map(|s| s.to_string()).collect(),
            block: Block::default(),
            directories: Vec::new(),
            file: Arc::from(Path::new("t.conf")),
            line: 1,
        }
    }

    fn facts<'a>(user: &'a str, groups: &'a [String], class: Option<&'a str>) -> Facts<'a> {
        Facts {
            user: Some(user),
            groups,
            class,
        }
    }

    #[test]
    fn users_or_by_default_with_negation() {
        let g: Vec<String> = vec![];
        let f = facts("alice", &g, None);
        assert!(matches(&cond(ConditionKind::User, &["alice"]), &f));
        assert!(matches(&cond(ConditionKind::User, &["bob,", "alice"]), &f));
        assert!(!matches(&cond(ConditionKind::User, &["bob"]), &f));
        assert!(matches(&cond(ConditionKind::User, &["!bob"]), &f));
        assert!(!matches(
            &cond(ConditionKind::User, &["AND", "alice,bob"]),
            &f
        ));
        assert!(matches(&cond(ConditionKind::User, &["regex", "^al"]), &f));
        assert!(!matches(&cond(ConditionKind::User, &["regex", "^b"]), &f));
    }

    #[test]
    fn groups_and_by_default() {
        let g: Vec<String> = vec!["staff".into(), "ftp".into()];
        let f = facts("alice", &g, None);
        assert!(matches(&cond(ConditionKind::Group, &["staff,ftp"]), &f));
        assert!(!matches(&cond(ConditionKind::Group, &["staff,admin"]), &f));
        assert!(matches(
            &cond(ConditionKind::Group, &["OR", "staff,admin"]),
            &f
        ));
        assert!(!matches(&cond(ConditionKind::Group, &["staff,!ftp"]), &f));
    }

    #[test]
    fn classes_need_a_class() {
        let g: Vec<String> = vec![];
        assert!(matches(
            &cond(ConditionKind::Class, &["local,", "friends"]),
            &facts("a", &g, Some("friends"))
        ));
        assert!(!matches(
            &cond(ConditionKind::Class, &["local"]),
            &facts("a", &g, None)
        ));
        assert!(matches(
            &cond(ConditionKind::Class, &["!local"]),
            &facts("a", &g, Some("other"))
        ));
    }
}
