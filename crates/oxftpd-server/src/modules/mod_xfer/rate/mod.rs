//! Bandwidth: ProFTPD's `TransferRate` (mod_xfer.c, src/throttle.c) and oxftpd's aggregate
//! caps `TransferRateVirtualHost`, `TransferRateUser` and `TransferRateClass`.
//!
//! When a transfer starts, [`pace_for`] picks the `TransferRate` rule ProFTPD would (the
//! matching rule of highest context precedence, the first of equals) and joins the pool of
//! every cap over the session; the transfer's stream is then [`Paced`] (or its `sendfile(2)`
//! calls are cut to the grant). A transfer with neither pays nothing: no pace is made.

pub mod pace;
pub mod paced;
pub mod pools;

pub use pace::{Pace, SessionRate};
pub use paced::Paced;

use oxftpd_config::modules::mod_xfer::rate::{CapScope, Who};

use crate::access::groups::GroupExpr;
use crate::session::{Ctx, LoggedIn};

/// Whether one name satisfies an OR list (`a,!b`: is a, or is not b), as ProFTPD's
/// `pr_expr_eval_user_or`/`pr_expr_eval_class_or`.
fn any_of(terms: &[String], name: Option<&str>) -> bool {
    terms.iter().any(|t| match t.strip_prefix('!') {
        Some(not) => name != Some(not),
        None => name == Some(t.as_str()),
    })
}

/// Whether a rule qualified by `who` applies to this session.
fn applies(who: Option<&Who>, ctx: &Ctx, user: &LoggedIn) -> bool {
    match who {
        None => true,
        Some(Who::User(terms)) => any_of(terms, Some(&user.login_name)),
        Some(Who::Group(terms)) => GroupExpr::new(terms).matches(&user.identity.group_names),
        Some(Who::Class(terms)) => any_of(terms, ctx.class.as_deref()),
    }
}

/// The pace of a `verb` transfer of `vpath` for this session, `None` when nothing limits it.
pub fn pace_for(ctx: &Ctx, user: &LoggedIn, vpath: &str, verb: &str) -> Option<Pace> {
    let cfg = crate::access::directories::cfg_for(ctx, user, vpath);
    let names = |cmds: &[String]| cmds.iter().any(|c| c == verb);
    let mut best: Option<&oxftpd_config::modules::mod_xfer::rate::Rate> = None;
    for rule in &cfg.xfer.transfer_rates {
        if names(&rule.commands)
            && applies(rule.who.as_ref(), ctx, user)
            && best.is_none_or(|b| rule.precedence > b.precedence)
        {
            best = Some(rule);
        }
    }
    let rate = best.map(|r| SessionRate {
        bytes_per_sec: r.bytes_per_sec as f64,
        free_bytes: r.free_bytes,
    });
    let shares = cfg
        .xfer
        .rate_caps
        .iter()
        .filter(|cap| names(&cap.commands) && cap.bytes_per_sec > 0)
        .filter_map(|cap| {
            let whose = match &cap.scope {
                CapScope::VirtualHost => format!("server {}", ctx.server.index),
                CapScope::User if applies(cap.who.as_ref(), ctx, user) => {
                    format!("user {}", user.login_name)
                }
                CapScope::User => return None,
                CapScope::Class(name) if ctx.class.as_deref() == Some(name.as_str()) => {
                    format!("class {name}")
                }
                CapScope::Class(_) => return None,
            };
            // The rate is part of the key: a reload that changes it starts a new pool.
            Some(pools::Member::join(
                (format!("{} {}", cap.at, cap.bytes_per_sec), whose),
                cap.bytes_per_sec,
            ))
        })
        .collect();
    Pace::new(rate, shares)
}
