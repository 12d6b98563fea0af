//! `<Anonymous>` rules applied at PASS: `AnonRejectPasswords`, `UserPassword`, and the
//! `AnonymousGroup` extension (FAQ 5.13's per-user anonymous sites).

use oxftpd_config::modules::mod_auth::View;

use crate::access::groups::GroupExpr;

/// Whether `AnonRejectPasswords` (`cfg`: an `<Anonymous>` login's settings) refuses `password`.
///
/// A pattern that does not compile refuses nothing (the config check reports it).
pub fn password_rejected(cfg: &View, password: &str) -> bool {
    let Some(d) = &cfg.anon_reject_passwords else {
        return false;
    };
    let Some(pattern) = d.first() else {
        return false;
    };
    let (negated, pattern) = match pattern.strip_prefix('!') {
        Some(p) => (true, p),
        None => (false, pattern.as_str()),
    };
    let nocase = d.get(1).is_some_and(|f| f.eq_ignore_ascii_case("[NC]"));
    match regex::RegexBuilder::new(pattern)
        .case_insensitive(nocase)
        .build()
    {
        Ok(re) => re.is_match(password) != negated,
        Err(_) => false,
    }
}

/// The `UserPassword` hash for `user` in force for this login (`cfg`: its settings, the
/// `<Anonymous>` block's first).
pub fn user_password(cfg: &View, user: &str) -> Option<String> {
    cfg.user_password
        .iter()
        .find(|d| d.first().map(String::as_str) == Some(user))
        .and_then(|d| d.get(1))
        .cloned()
}

/// Whether `AnonymousGroup` makes a real user with these groups an anonymous login.
pub fn anonymous_group(cfg: &View, groups: &[String]) -> bool {
    cfg.anonymous_group.iter().any(|d| {
        let expr: Vec<String> = d
            .iter()
            .flat_map(|a| a.split(','))
            .map(str::to_string)
            .collect();
        !expr.is_empty() && GroupExpr::new(&expr).matches(groups)
    })
}
