//! `<Limit>` evaluation as ProFTPD's dirtree.c does it: the closest context with a `<Limit>`
//! naming the command decides; within a context a raw command name beats a group, a group
//! beats `ALL`; `Order allow,deny` (default) allows unless denied.

use std::net::IpAddr;

use oxftpd_config::{Directive, Limit, Scope};

use crate::address::AddrPattern;
use crate::groups::GroupExpr;
use crate::module::CommandSpec;
use crate::session::{Ctx, LoggedIn, SessionResult};

/// Who is asking, for `<Limit>`.
pub struct Subject<'a> {
    /// The user name, once known.
    pub user: Option<&'a str>,
    /// The user's group names.
    pub groups: &'a [String],
    /// The client address.
    pub addr: IpAddr,
}

/// A `<Limit>` block's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Allowed.
    Allow,
    /// Denied.
    Deny,
    /// The block says nothing about this subject: ask the next context outward.
    Pass,
}

/// How specifically a `<Limit>` names a command.
fn rank(limit: &Limit, spec_name: &str, in_limit: impl Fn(&str) -> bool) -> Option<u8> {
    let mut best = None;
    for name in &limit.commands {
        let r = if name.eq_ignore_ascii_case(spec_name) {
            3
        } else if name.eq_ignore_ascii_case("ALL") {
            if in_limit(name) { 1 } else { continue }
        } else if in_limit(name) {
            2
        } else {
            continue;
        };
        best = best.max(Some(r));
    }
    best
}

/// Evaluates the `<Limit>`s of `scope` for command `name` (with `in_limit` telling group membership).
pub fn evaluate(
    scope: &Scope<'_>,
    name: &str,
    in_limit: impl Fn(&str) -> bool,
    subject: &Subject<'_>,
) -> Decision {
    for level in scope.limits() {
        let mut chosen: Option<(u8, &Limit)> = None;
        for limit in level.limits {
            if let Some(r) = rank(limit, name, &in_limit) {
                // Later blocks of equal rank win (ProFTPD: the last <Limit LOGIN> wins).
                if chosen.is_none_or(|(best, _)| r >= best) {
                    chosen = Some((r, limit));
                }
            }
        }
        if let Some((_, limit)) = chosen {
            match check(&limit.directives, subject) {
                Decision::Pass => continue,
                d => return d,
            }
        }
    }
    Decision::Allow
}

/// Evaluates one `<Limit>` block's directives for a subject.
pub fn check(directives: &[Directive], subject: &Subject<'_>) -> Decision {
    let deny_first = directives
        .iter()
        .rev()
        .find(|d| d.name == "Order")
        .and_then(|d| {
            d.args
                .concat()
                .split(',')
                .next()
                .map(|s| s.trim().eq_ignore_ascii_case("deny"))
        })
        .unwrap_or(false);
    let has = |n: &str| directives.iter().any(|d| d.name == n);
    let allowed = directives.iter().any(|d| matches_allow(d, subject));
    let denied = directives.iter().any(|d| matches_deny(d, subject));
    if deny_first {
        // deny,allow: denied unless explicitly allowed.
        if allowed {
            return Decision::Allow;
        }
        if denied || has("DenyAll") {
            return Decision::Deny;
        }
        if has("AllowAll") {
            return Decision::Allow;
        }
        if has("Allow") || has("AllowUser") || has("AllowGroup") || has("AllowClass") {
            return Decision::Deny;
        }
        Decision::Pass
    } else {
        if denied {
            return Decision::Deny;
        }
        if allowed || has("AllowAll") {
            return Decision::Allow;
        }
        if has("DenyAll") {
            return Decision::Deny;
        }
        Decision::Pass
    }
}

fn matches_allow(d: &Directive, s: &Subject<'_>) -> bool {
    match d.name {
        "Allow" => matches_from(d, s.addr),
        "AllowUser" => user_matches(d, s),
        "AllowGroup" => GroupExpr::new(&d.args).matches(s.groups),
        _ => false,
    }
}

fn matches_deny(d: &Directive, s: &Subject<'_>) -> bool {
    match d.name {
        "Deny" => matches_from(d, s.addr),
        "DenyUser" => user_matches(d, s),
        "DenyGroup" => GroupExpr::new(&d.args).matches(s.groups),
        _ => false,
    }
}

fn user_matches(d: &Directive, s: &Subject<'_>) -> bool {
    match s.user {
        Some(user) => GroupExpr::new(&d.args).matches(&[user]),
        None => false,
    }
}

fn matches_from(d: &Directive, addr: IpAddr) -> bool {
    d.args
        .iter()
        .skip_while(|a| a.eq_ignore_ascii_case("from"))
        .flat_map(|a| a.split(','))
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .any(|a| AddrPattern::parse(a).is_some_and(|p| p.matches(addr)))
}

/// Whether a logged-in session may run `spec` on the argument's path.
pub fn allowed(ctx: &Ctx, user: &LoggedIn, spec: &CommandSpec, arg: Option<&str>) -> bool {
    let path = arg
        .filter(|a| !a.starts_with('-'))
        .map(|a| user.real_path(&user.resolve(a)));
    let cwd_real = user.real_path(&user.cwd);
    let home = user.identity.home.to_string_lossy();
    let scope = ctx.server.config().scope(user.anon);
    let scope = scope.for_path(path.as_deref().unwrap_or(&cwd_real), Some(&home));
    let subject = Subject {
        user: Some(&user.login_name),
        groups: &user.identity.group_names,
        addr: ctx.peer.ip(),
    };
    evaluate(&scope, spec.name, |n| spec.in_limit(n), &subject) != Decision::Deny
}

/// Replies to a command `<Limit>` refused, as ProFTPD does.
pub async fn refuse(
    ctx: &mut Ctx,
    _user: &LoggedIn,
    spec: &CommandSpec,
    arg: Option<&str>,
) -> SessionResult {
    let what = arg.unwrap_or(spec.name);
    ctx.reply(550, format!("{what}: Operation not permitted"))
        .await
}
