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

use oxftpd_config::modules::mod_wrap::{AccessFilesFor, View};
use tracing::{info, warn};

use crate::access::groups::GroupExpr;
use crate::modules::mod_wrap::hosts_access::{self, Client};

/// The reply text of a refusal.
pub const REFUSAL: &str = "Access denied";

/// The allow/deny pair that applies to a user, with the directive's kind.
fn files<'a>(
    cfg: &'a View,
    user: &str,
    groups: &[String],
) -> Option<(AccessFilesFor, &'a [String])> {
    let by_expr = |rules: &'a [Vec<String>], names: &[String]| {
        rules.iter().find(|d| {
            d.first().is_some_and(|expr| {
                let terms: Vec<String> = expr.split(',').map(str::to_string).collect();
                GroupExpr::new(&terms).matches(names)
            })
        })
    };
    by_expr(&cfg.user_access_files, &[user.to_string()])
        .map(|d| (AccessFilesFor::User, d.as_slice()))
        .or_else(|| {
            by_expr(&cfg.group_access_files, groups).map(|d| (AccessFilesFor::Group, d.as_slice()))
        })
        .or_else(|| {
            cfg.access_files
                .as_deref()
                .map(|d| (AccessFilesFor::Everyone, d))
        })
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
pub fn refused(cfg: &View, user: &str, groups: &[String], home: &str, addr: IpAddr) -> bool {
    let Some((kind, d)) = files(cfg, user, groups) else {
        return false;
    };
    let skip = usize::from(kind != AccessFilesFor::Everyone);
    let (Some(allow), Some(deny)) = (d.get(skip), d.get(skip + 1)) else {
        return false;
    };
    let service = cfg.service_name.as_str();
    let client = Client {
        addr,
        name: None,
        user: None,
    };
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
    let cfg = crate::access::conditions::user_cfg(ctx, user);
    let home = user.identity.home.to_string_lossy();
    if refused(
        &cfg.wrap,
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
