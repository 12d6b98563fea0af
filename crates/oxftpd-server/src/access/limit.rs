//! `<Limit>` evaluation as ProFTPD's dirtree.c does it.
//!
//! A command is checked in three passes: its raw name, then its group (`DIRS`, `READ`,
//! `WRITE`, …), then `ALL` (which excludes PORT, PASV, EPRT, EPSV, PROT, OPTS). Each pass walks
//! the contexts from the closest `<Directory>` outward to the server; in one context the
//! `<Limit>` blocks naming the pass's name are tried in file order and the first explicit answer
//! ends the whole check. An explicit allow in an earlier pass also ends it (a raw `AllowAll`
//! beats a `<Limit WRITE> DenyAll`).
//!
//! One block answers as ProFTPD's `check_limit`: with `Order allow,deny` (default) an allow
//! match allows, else a deny match denies, else nothing is decided; with `Order deny,allow` a
//! deny match denies, else an allow match allows, else the block denies.

use std::net::IpAddr;

use oxftpd_config::modules::mod_core::LimitRules;
use oxftpd_config::{Limit, Scope, Server};

use crate::access::address::{AddrPattern, HostPattern};
use crate::module::{CommandGroup, CommandSpec, LimitRule, PathArg};
use crate::session::{Ctx, LoggedIn};

/// Who is asking, for `<Limit>`.
#[derive(Clone, Copy, Debug)]
pub struct Subject<'a> {
    /// The user name, once known.
    pub user: Option<&'a str>,
    /// The user's group names (primary first), once known.
    pub groups: Option<&'a [String]>,
    /// The session's `<Class>`, if any matched.
    pub class: Option<&'a str>,
    /// The client address.
    pub addr: IpAddr,
    /// The client's name from reverse DNS (only with `UseReverseDNS on`).
    pub host: Option<&'a str>,
    /// The command's argument, for `AllowFilter`/`DenyFilter` inside a `<Limit>`.
    pub arg: Option<&'a str>,
}

/// What one `<Limit>` block says about a subject (ProFTPD's `check_limit`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// An allow rule matched.
    Allow,
    /// Nothing matched and the order lets it pass (`allow,deny`).
    Pass,
    /// Nothing matched and the order denies (`deny,allow`).
    ImplicitDeny,
    /// A deny rule matched.
    Deny,
}

pub use crate::module::limit::Outcome;

/// The `<Limit>` group of a command, or of a SITE subcommand named `SITE_X`, as its row gives
/// it.
pub fn group_of(name: &str) -> Option<&'static str> {
    let up = name.to_ascii_uppercase();
    let group = match up.strip_prefix("SITE_") {
        Some(sub) => crate::module::registry::registry()
            .site_command(sub)
            .and_then(|s| s.group),
        None => crate::module::registry::registry()
            .command(&up)
            .and_then(|c| c.group),
    };
    group.map(CommandGroup::name)
}

/// Whether `ALL` covers a command (its row's [`LimitRule::Checked`]; ProFTPD leaves out the
/// data-channel setup commands and OPTS). Names without a row (`SITE_CHMOD`) are covered.
pub fn in_all(command: &str) -> bool {
    let up = command.to_ascii_uppercase();
    // `OPTS_UTF8` and the other options are OPTS itself, which ALL leaves out.
    if up.starts_with("OPTS_") {
        return false;
    }
    crate::module::registry::registry()
        .command(&up)
        .is_none_or(|c| c.limit == LimitRule::Checked)
}

/// The name a `<Limit>` block matches for a command: an alias counts as the verb it names
/// (`XMKD` as `MKD`).
fn canonical(name: &str) -> String {
    let up = name.to_ascii_uppercase();
    match crate::module::registry::registry().command(&up) {
        Some(c) => c.canonical().to_string(),
        None => up,
    }
}

fn names(limit: &Limit, name: &str) -> bool {
    let want = canonical(name);
    limit.commands.iter().any(|c| canonical(c) == want)
}

/// Checks a command against a scope: raw name, then group, then `ALL`.
pub fn decide(
    scope: &Scope<'_>,
    command: &str,
    group: Option<&str>,
    subject: &Subject<'_>,
    hidden: bool,
) -> Outcome {
    decide_why(scope, command, group, subject, hidden).0
}

/// [`decide`], with the `<Limit>` block that decided (none when no block answered and the
/// command is allowed by default): what `oxftpctl check` shows.
pub fn decide_why<'a>(
    scope: &Scope<'a>,
    command: &str,
    group: Option<&str>,
    subject: &Subject<'_>,
    hidden: bool,
) -> (Outcome, Option<&'a Limit>) {
    let levels: Vec<&'a [Limit]> = scope.limits().map(|l| l.limits).collect();
    let mut passes: Vec<&str> = vec![command];
    if let Some(g) = group {
        passes.push(g);
    }
    if in_all(command) {
        passes.push("ALL");
    }
    for name in passes {
        // ProFTPD remembers an explicit `IgnoreHidden off` only within one pass.
        let mut ignore_hidden: Option<bool> = None;
        for limits in &levels {
            for limit in limits.iter().filter(|l| names(l, name)) {
                if hidden
                    && ignore_hidden.is_none()
                    && let Some(on) = limit.rules.ignore_hidden
                {
                    ignore_hidden = Some(on);
                    if on {
                        return (Outcome::Hidden, Some(limit));
                    }
                }
                match check(&limit.rules, subject) {
                    Verdict::Allow => return (Outcome::Allowed, Some(limit)),
                    Verdict::Deny | Verdict::ImplicitDeny => return (Outcome::Denied, Some(limit)),
                    Verdict::Pass => {}
                }
            }
        }
    }
    (Outcome::Allowed, None)
}

/// Evaluates one `<Limit>` block's rules for a subject.
pub fn check(rules: &LimitRules, subject: &Subject<'_>) -> Verdict {
    if rules.deny_first {
        if denies(rules, subject) {
            return Verdict::Deny;
        }
        if allows(rules, subject) {
            return Verdict::Allow;
        }
        return Verdict::ImplicitDeny;
    }
    if allows(rules, subject) {
        return Verdict::Allow;
    }
    if denies(rules, subject) {
        return Verdict::Deny;
    }
    Verdict::Pass
}

fn allows(r: &LimitRules, s: &Subject<'_>) -> bool {
    // Before USER, the mere presence of AllowUser/AllowGroup counts (ProFTPD checks again later).
    let user_ok = match s.user {
        None => !r.allow_user.is_empty(),
        Some(u) => r.allow_user.iter().any(|a| names_match(a, &[u], Eval::Or)),
    };
    let group_ok = match s.groups {
        None => !r.allow_group.is_empty(),
        Some(g) => r.allow_group.iter().any(|a| names_match(a, g, Eval::And)),
    };
    let class_ok = s
        .class
        .is_some_and(|c| r.allow_class.iter().any(|a| names_match(a, &[c], Eval::Or)));
    user_ok
        || group_ok
        || class_ok
        || ip_access(&r.allow, s)
        || filter_matches(&r.allow_filter, s)
        || r.allow_all
}

/// Whether the command's argument matches any of a `<Limit>`'s `AllowFilter` or `DenyFilter`
/// patterns (ProFTPD's `check_filter_access`; a pattern that does not compile matches
/// nothing, and was refused at load).
fn filter_matches(filters: &[Vec<String>], s: &Subject<'_>) -> bool {
    let Some(arg) = s.arg else {
        return false;
    };
    filters.iter().any(|f| {
        let Some(pattern) = f.first() else {
            return false;
        };
        let nocase = f.get(1).is_some_and(|fl| {
            fl.eq_ignore_ascii_case("[NC]") || fl.eq_ignore_ascii_case("[nocase]")
        });
        regex::RegexBuilder::new(pattern)
            .case_insensitive(nocase)
            .build()
            .is_ok_and(|re| re.is_match(arg))
    })
}

fn denies(r: &LimitRules, s: &Subject<'_>) -> bool {
    r.deny_all
        || s.user
            .is_some_and(|u| r.deny_user.iter().any(|a| names_match(a, &[u], Eval::Or)))
        || s.groups
            .is_some_and(|g| r.deny_group.iter().any(|a| names_match(a, g, Eval::And)))
        || s.class
            .is_some_and(|c| r.deny_class.iter().any(|a| names_match(a, &[c], Eval::Or)))
        || ip_access(&r.deny, s)
        || filter_matches(&r.deny_filter, s)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Eval {
    And,
    Or,
}

/// ProFTPD's name expressions: `a,!b` terms; the first argument may be `AND`, `OR` or `regex`.
fn names_match<S: AsRef<str>>(args: &[String], have: &[S], default: Eval) -> bool {
    let (eval, rest) = match args.first().map(String::as_str) {
        Some(m) if args.len() > 1 && m.eq_ignore_ascii_case("AND") => (Eval::And, &args[1..]),
        Some(m) if args.len() > 1 && m.eq_ignore_ascii_case("OR") => (Eval::Or, &args[1..]),
        Some(m) if args.len() > 1 && m.eq_ignore_ascii_case("regex") => {
            return regex::Regex::new(&args[1])
                .is_ok_and(|re| have.iter().any(|h| re.is_match(h.as_ref())));
        }
        _ => (default, args),
    };
    let terms: Vec<(bool, &str)> = rest
        .iter()
        .flat_map(|a| a.split(','))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| match t.strip_prefix('!') {
            Some(n) => (true, n),
            None => (false, t),
        })
        .collect();
    let term = |(neg, name): &(bool, &str)| have.iter().any(|h| h.as_ref() == *name) != *neg;
    match eval {
        Eval::And => !terms.is_empty() && terms.iter().all(term),
        Eval::Or => terms.iter().any(term),
    }
}

/// ProFTPD's `check_ip_access`: per directive every `!` term must hold and one plain term
/// must match (`none` matches nothing); several directives are OR-ed, but one failing
/// negation refuses outright.
fn ip_access(lists: &[Vec<String>], s: &Subject<'_>) -> bool {
    let mut res = false;
    for args in lists {
        let terms: Vec<&str> = args
            .iter()
            .skip_while(|a| a.eq_ignore_ascii_case("from"))
            .flat_map(|a| a.split(','))
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .collect();
        for t in terms.iter().filter_map(|t| t.strip_prefix('!')) {
            if term_matches(t, s) {
                return false;
            }
        }
        for t in terms.iter().filter(|t| !t.starts_with('!')) {
            if t.eq_ignore_ascii_case("none") {
                break;
            }
            if term_matches(t, s) {
                res = true;
                break;
            }
        }
    }
    res
}

fn term_matches(term: &str, s: &Subject<'_>) -> bool {
    match AddrPattern::parse(term) {
        Some(p) => p.matches(s.addr),
        None => s.host.is_some_and(|h| HostPattern(term).matches(h)),
    }
}

/// `<Limit LOGIN>` at one level: ProFTPD's `login_check_limits` with AND semantics —
/// `(allowed, found)` where `found` counts blocks that gave an explicit answer.
fn login_level(limits: &[Limit], subject: &Subject<'_>) -> (bool, usize) {
    let mut found = 0;
    for limit in limits.iter().filter(|l| names(l, "LOGIN")) {
        match check(&limit.rules, subject) {
            Verdict::Allow => found += 1,
            Verdict::Deny | Verdict::ImplicitDeny => return (false, found + 1),
            Verdict::Pass => {}
        }
    }
    (true, found)
}

/// Whether `<Limit LOGIN>` lets this user in: the `<Anonymous>` block's own limits decide for
/// anonymous logins (the server's only when the block has none); the server's otherwise.
pub fn login_allowed(server: &Server, anon: Option<usize>, subject: &Subject<'_>) -> bool {
    let server_limits: Vec<Limit> = server
        .block()
        .limits
        .iter()
        .chain(server.global().limits.iter())
        .cloned()
        .collect();
    let (server_ok, _) = login_level(&server_limits, subject);
    match anon.and_then(|i| server.anonymous().get(i)) {
        Some(a) => {
            let (anon_ok, found) = login_level(&a.block().limits, subject);
            anon_ok && (server_ok || found > 0)
        }
        None => server_ok,
    }
}

/// Whether any login could be allowed for a connecting client (checked before the banner):
/// some `<Limit LOGIN>` of the server or an `<Anonymous>` block allows it explicitly, or none
/// says anything.
pub fn connect_allowed(server: &Server, subject: &Subject<'_>) -> bool {
    let or_level = |limits: &mut dyn Iterator<Item = &Limit>| -> (bool, usize) {
        let mut found = 0;
        let mut res = false;
        for limit in limits.filter(|l| names(l, "LOGIN")) {
            match check(&limit.rules, subject) {
                Verdict::Allow => {
                    res = true;
                    found += 1;
                }
                Verdict::Deny | Verdict::ImplicitDeny => found += 1,
                Verdict::Pass => {}
            }
        }
        (res, found)
    };
    let (mut res, mut found) = or_level(
        &mut server
            .block()
            .limits
            .iter()
            .chain(server.global().limits.iter()),
    );
    if !res && found > 0 {
        for a in server.anonymous() {
            let (r, f) = or_level(&mut a.block().limits.iter());
            if f > 0 {
                res = res || r;
            }
            found += f;
            if res {
                break;
            }
        }
    }
    found == 0 || res
}

/// The subject of a logged-in session.
pub fn subject_of<'a>(ctx: &'a Ctx, user: &'a LoggedIn) -> Subject<'a> {
    Subject {
        user: Some(&user.identity.name),
        groups: Some(&user.identity.group_names),
        class: crate::access::class::class_of(ctx),
        addr: ctx.peer.ip(),
        host: ctx.remote_name.as_deref(),
        arg: None,
    }
}

/// The subject of a session before login.
pub fn anonymous_subject(ctx: &Ctx) -> Subject<'_> {
    Subject {
        user: None,
        groups: None,
        class: crate::access::class::class_of(ctx),
        addr: ctx.peer.ip(),
        host: ctx.remote_name.as_deref(),
        arg: None,
    }
}

/// Checks `command` (with `group`) for a session on the real path `real` (the `<Directory>`
/// chain of that path applies).
pub fn check_path(
    ctx: &Ctx,
    user: &LoggedIn,
    command: &str,
    group: Option<&str>,
    real: &str,
    hidden: bool,
    arg: Option<&str>,
) -> Outcome {
    let scope = crate::access::directories::scope_for(ctx, user, real);
    let subject = Subject {
        arg,
        ..subject_of(ctx, user)
    };
    decide(&scope, command, group, &subject, hidden)
}

/// The path a command's argument names, as a virtual path (its row's [`PathArg`]); the cwd
/// for commands without one (PWD, PASV, …) and for LIST/NLST/STAT without a path.
pub fn target_vpath(user: &LoggedIn, spec: &CommandSpec, arg: Option<&str>) -> String {
    if spec.path == PathArg::Parent {
        return user.resolve("..");
    }
    match spec.path.pick(arg) {
        Some(p) => user.resolve(p),
        None => user.cwd.clone(),
    }
}

/// Whether a logged-in session may run `spec` on the argument's path.
pub async fn allowed(ctx: &Ctx, user: &LoggedIn, spec: &CommandSpec, arg: Option<&str>) -> Outcome {
    let vpath = target_vpath(user, spec, arg);
    allowed_as(ctx, user, &[(spec.name, spec.group)], &vpath, arg).await
}

/// Checks one `<Limit>` name (and its group) on a virtual path, and says whether a block
/// naming it decided (rather than its group, `ALL` or the default): mod_sftp's READDIR
/// lets a `<Limit READDIR>` that allows it override `LIST`/`NLST`.
pub async fn decided_as(
    ctx: &Ctx,
    user: &LoggedIn,
    name: &str,
    group: Option<CommandGroup>,
    vpath: &str,
) -> (Outcome, bool) {
    let real = user.real_path(vpath);
    let hidden = crate::access::hiding::target_hidden(ctx, user, vpath).await;
    let scope = crate::access::directories::scope_for(ctx, user, &real);
    let subject = subject_of(ctx, user);
    let (outcome, by) = decide_why(
        &scope,
        name,
        group.map(CommandGroup::name),
        &subject,
        hidden,
    );
    (outcome, by.is_some_and(|l| names(l, name)))
}

/// Checks `<Limit>` names (each with its group) in turn on one virtual path; the first that
/// does not allow decides (`SITE_CHMOD`, then `SITE`).
pub async fn allowed_as(
    ctx: &Ctx,
    user: &LoggedIn,
    checks: &[(&str, Option<CommandGroup>)],
    vpath: &str,
    arg: Option<&str>,
) -> Outcome {
    let real = user.real_path(vpath);
    let hidden = crate::access::hiding::target_hidden(ctx, user, vpath).await;
    for (name, group) in checks {
        let outcome = check_path(
            ctx,
            user,
            name,
            group.map(CommandGroup::name),
            &real,
            hidden,
            arg,
        );
        if outcome != Outcome::Allowed {
            return outcome;
        }
    }
    Outcome::Allowed
}

/// Whether a `<Limit NAME>` (with `NAME`'s group) refuses a command where the session stands:
/// its current directory once logged in, the server before. For the commands whose handler
/// checks its own `<Limit>` as mod_core does (HELP, HOST, the `OPTS_X` subcommands).
pub fn refused_here(ctx: &Ctx, user: Option<&LoggedIn>, name: &str) -> bool {
    let group = group_of(name);
    let outcome = match user {
        Some(user) => check_path(
            ctx,
            user,
            name,
            group,
            &user.real_path(&user.cwd),
            false,
            None,
        ),
        None => decide(
            &ctx.server.config().scope(None),
            name,
            group,
            &anonymous_subject(ctx),
            false,
        ),
    };
    outcome == Outcome::Denied
}

/// Commands ProFTPD never refuses through `<Limit>` (their rows' [`LimitRule::Exempt`]).
pub fn exempt(command: &str) -> bool {
    crate::module::registry::registry()
        .command(command)
        .is_some_and(|c| c.limit == LimitRule::Exempt)
}

#[cfg(test)]
mod tests;
