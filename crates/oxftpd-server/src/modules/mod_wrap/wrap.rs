//! mod_wrap: `TCPAccessFiles`, `TCPGroupAccessFiles`, `TCPUserAccessFiles`, `TCPServiceName`.
//!
//! Checked once the password is accepted: the user's own files first, then the first
//! group rule that matches, then the general pair. A client is allowed when the allow file
//! matches it, refused when the deny file does, allowed otherwise (hosts_access(5)).
//! Debian's ProFTPD ships mod_wrap2 instead; its refusal (`530 Access denied`, then the
//! connection closes) is the one given here.

use crate::module::Admission;
use crate::session::{Ctx, LoggedIn};
use std::net::IpAddr;

use oxftpd_config::{Directive, Scope};
use tracing::{info, warn};

use crate::access::groups::GroupExpr;
use crate::modules::mod_wrap::hosts_access::{self, Client};

/// The reply text of a refusal.
pub const REFUSAL: &str = "Access denied";

/// The allow/deny pair that applies to a user.
fn files<'a>(scope: &Scope<'a>, user: &str, groups: &[String]) -> Option<&'a Directive> {
    let by_expr = |name: &str, names: &[String]| {
        scope.directives(name).find(|d| {
            d.arg(0).is_some_and(|expr| {
                let terms: Vec<String> = expr.split(',').map(str::to_string).collect();
                GroupExpr::new(&terms).matches(names)
            })
        })
    };
    by_expr("TCPUserAccessFiles", &[user.to_string()])
        .or_else(|| by_expr("TCPGroupAccessFiles", groups))
        .or_else(|| scope.directive("TCPAccessFiles"))
}

fn read_rules(path: &str, home: &str) -> Vec<hosts_access::Rule> {
    let path = match path.strip_prefix("~/") {
        Some(rest) => format!("{}/{rest}", home.trim_end_matches('/')),
        None => path.to_string(),
    };
    match std::fs::read(&path) {
        Ok(bytes) => hosts_access::parse(&String::from_utf8_lossy(&bytes)),
        Err(e) => {
            warn!("mod_wrap: cannot read {path}: {e}");
            Vec::new()
        }
    }
}

/// Whether tcp-wrappers rules refuse `user` (with `groups`, home `home`) from `addr`.
pub fn refused(scope: &Scope<'_>, user: &str, groups: &[String], home: &str, addr: IpAddr) -> bool {
    let Some(d) = files(scope, user, groups) else {
        return false;
    };
    let skip = usize::from(d.name != "TCPAccessFiles");
    let (Some(allow), Some(deny)) = (d.arg(skip), d.arg(skip + 1)) else {
        return false;
    };
    let service = scope
        .directive("TCPServiceName")
        .and_then(|d| d.arg(0))
        .unwrap_or("proftpd");
    let client = Client { addr, name: None };
    if hosts_access::matches(&read_rules(allow, home), service, &client) {
        return false;
    }
    let denied = hosts_access::matches(&read_rules(deny, home), service, &client);
    if denied {
        info!(%addr, user, "refused connection from {addr} (tcp-wrappers: {deny})");
    }
    denied
}

/// mod_wrap's login check ([`crate::module::AdmitFn`]): the access files for this user.
pub fn admit_login(ctx: &mut Ctx, user: &mut LoggedIn) -> Admission {
    let scope = crate::modules::mod_ifsession::ifsession::user_scope(ctx, user);
    let home = user.identity.home.to_string_lossy();
    if refused(
        &scope,
        &user.login_name,
        &user.identity.group_names,
        &home,
        ctx.peer.ip(),
    ) {
        Admission::Refuse(REFUSAL.to_string())
    } else {
        Admission::Admit
    }
}
