//! `<Anonymous>` rules applied at PASS: `AnonRejectPasswords`, `UserPassword`, and the
//! `AnonymousGroup` extension (FAQ 5.13's per-user anonymous sites).

use oxftpd_config::Server;

use crate::access::groups::GroupExpr;

/// Whether `AnonRejectPasswords` in `<Anonymous>` block `anon` refuses `password`.
///
/// A pattern that does not compile refuses nothing (the config check reports it).
pub fn password_rejected(server: &Server, anon: usize, password: &str) -> bool {
    let Some(d) = server.scope(Some(anon)).directive("AnonRejectPasswords") else {
        return false;
    };
    let Some(pattern) = d.arg(0) else {
        return false;
    };
    let (negated, pattern) = match pattern.strip_prefix('!') {
        Some(p) => (true, p),
        None => (false, pattern),
    };
    let nocase = d.arg(1).is_some_and(|f| f.eq_ignore_ascii_case("[NC]"));
    match regex::RegexBuilder::new(pattern)
        .case_insensitive(nocase)
        .build()
    {
        Ok(re) => re.is_match(password) != negated,
        Err(_) => false,
    }
}

/// The `UserPassword` hash for `user` in force for this login (the `<Anonymous>` block first).
pub fn user_password(server: &Server, anon: Option<usize>, user: &str) -> Option<String> {
    server
        .scope(anon)
        .directives("UserPassword")
        .find(|d| d.arg(0) == Some(user))
        .and_then(|d| d.arg(1))
        .map(str::to_string)
}

/// Whether `AnonymousGroup` makes a real user with these groups an anonymous login.
pub fn anonymous_group(server: &Server, groups: &[String]) -> bool {
    server.directives("AnonymousGroup").any(|d| {
        let expr: Vec<String> = d
            .args
            .iter()
            .flat_map(|a| a.split(','))
            .map(str::to_string)
            .collect();
        !expr.is_empty() && GroupExpr::new(&expr).matches(groups)
    })
}
