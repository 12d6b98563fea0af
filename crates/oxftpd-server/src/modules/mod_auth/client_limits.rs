//! `MaxConnectionsPerHost` (checked at connect, before the banner) and `MaxClients`,
//! `MaxClientsPerClass`, `MaxClientsPerHost`, `MaxClientsPerUser`, `MaxHostsPerUser`
//! (checked once the password is accepted), with ProFTPD's default messages and `%m`.
//!
//! ProFTPD counts only logged-in sessions for the `MaxClients*` family and every connection
//! for `MaxConnectionsPerHost`; a refusal answers 530 and closes the connection.

use crate::module::events::Limit;
use oxftpd_config::Effective;
use oxftpd_config::modules::{mod_auth, mod_core};

use crate::counters::{LoginCounts, LoginGuard};
use crate::module::Admission;
use crate::session::Ctx;
use crate::session::LoggedIn;

/// A limit's number and optional message, from `Name N ["message"]`.
fn limit_of(args: &[String], first: usize) -> Option<(usize, Option<&str>)> {
    let n = args.get(first)?;
    if n.eq_ignore_ascii_case("none") {
        return None;
    }
    let n = n.parse().ok()?;
    Some((n, args.get(first + 1).map(String::as_str)))
}

/// Replaces `%m` (the configured maximum) in a limit message.
fn message(custom: Option<&str>, default: &str, max: usize) -> String {
    custom.unwrap_or(default).replace("%m", &max.to_string())
}

/// The refusal for a new connection from a host that already has `before` connections.
pub fn connect_refusal(cfg: &mod_core::View, before: usize) -> Option<String> {
    let d = cfg.max_connections_per_host.as_ref()?;
    let (max, custom) = limit_of(d, 0)?;
    (before >= max).then(|| {
        message(
            custom,
            "Sorry, the maximum number of connections (%m) for your host are already connected.",
            max,
        )
    })
}

/// The refusal for a login that would join `counts`, if a limit forbids it.
pub fn login_refusal(
    cfg: &mod_auth::View,
    counts: &LoginCounts,
    class: Option<&str>,
) -> Option<(Option<Limit>, String)> {
    let check = |limit: &Option<Vec<String>>, count: usize, default: &str| -> Option<String> {
        let d = limit.as_ref()?;
        let (max, custom) = limit_of(d, 0)?;
        (count >= max).then(|| message(custom, default, max))
    };
    if let Some(refusal) = check(
        &cfg.max_clients,
        counts.clients,
        "Sorry, the maximum number of allowed clients (%m) are already connected.",
    ) {
        return Some((None, refusal));
    }
    if let Some(class) = class {
        for d in &cfg.max_clients_per_class {
            if d.first().map(String::as_str) != Some(class) {
                continue;
            }
            if let Some((max, custom)) = limit_of(d, 1)
                && counts.class >= max
            {
                return Some((
                    Some(Limit::MaxClientsPerClass),
                    message(
                        custom,
                        "Sorry, the maximum number of clients (%m) from your class are already connected.",
                        max,
                    ),
                ));
            }
            break;
        }
    }
    let tag = |limit| move |text| (Some(limit), text);
    check(
        &cfg.max_clients_per_host,
        counts.host,
        "Sorry, the maximum number of clients (%m) from your host are already connected.",
    )
    .map(tag(Limit::MaxClientsPerHost))
    .or_else(|| {
        check(
            &cfg.max_clients_per_user,
            counts.user,
            "Sorry, the maximum number of clients (%m) for this user are already connected.",
        )
        .map(tag(Limit::MaxClientsPerUser))
    })
    .or_else(|| {
        check(
            &cfg.max_hosts_per_user,
            counts.other_hosts,
            "Sorry, the maximum number of hosts (%m) for this user are already connected.",
        )
        .map(tag(Limit::MaxHostsPerUser))
    })
}

/// The numbers of the login limits in force (`None`: no limit), for a store that checks them
/// itself (the cluster's shared counts); its counts then go to [`login_refusal`] for the text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoginLimits {
    /// `MaxClients`.
    pub clients: Option<usize>,
    /// `MaxClientsPerUser`.
    pub user: Option<usize>,
    /// `MaxClientsPerHost`.
    pub host: Option<usize>,
    /// `MaxHostsPerUser`.
    pub other_hosts: Option<usize>,
    /// `MaxClientsPerClass` for the session's class.
    pub class: Option<usize>,
}

/// The login limits `cfg` sets for a session of `class`.
pub fn login_limits(cfg: &mod_auth::View, class: Option<&str>) -> LoginLimits {
    let n = |d: &Option<Vec<String>>| d.as_ref().and_then(|a| limit_of(a, 0)).map(|l| l.0);
    let class = class.and_then(|c| {
        cfg.max_clients_per_class
            .iter()
            .find(|d| d.first().map(String::as_str) == Some(c))
            .and_then(|d| limit_of(d, 1))
            .map(|l| l.0)
    });
    LoginLimits {
        clients: n(&cfg.max_clients),
        user: n(&cfg.max_clients_per_user),
        host: n(&cfg.max_clients_per_host),
        other_hosts: n(&cfg.max_hosts_per_user),
        class,
    }
}

/// Checks the login limits for `user` and counts the session in when none refuses.
pub fn admit(
    ctx: &Ctx,
    cfg: &Effective,
    user: &str,
) -> Result<LoginGuard, (Option<Limit>, String)> {
    let server = ctx.server.index;
    let addr = ctx.peer.ip();
    let class = ctx.class.as_deref();
    let counts = ctx.shared.counters.login_counts(server, user, addr, class);
    if let Some(refusal) = login_refusal(&cfg.auth, &counts, class) {
        return Err(refusal);
    }
    Ok(ctx.shared.counters.login(server, user, addr, class))
}

/// mod_auth's login check ([`crate::module::AdmitFn`]): the `MaxClients*` and
/// `MaxHostsPerUser` limits; an admitted login is counted until the session ends.
pub fn admit_login(ctx: &mut Ctx, user: &mut LoggedIn) -> Admission {
    let result = {
        let cfg = crate::access::conditions::user_cfg(ctx, user);
        admit(ctx, &cfg, &user.login_name)
    };
    match result {
        Ok(guard) => {
            user.counted = Some(guard);
            Admission::Admit
        }
        Err((limit, text)) => {
            // The login path announces the limit after the refusal (mod_ban counts it).
            if let Some(limit) = limit {
                ctx.ext.insert(limit);
            }
            Admission::Refuse(text)
        }
    }
}

/// The connect phase, once the connection is counted: `MaxConnectionsPerHost`.
pub fn on_connect(ctx: &mut Ctx) -> crate::module::connect::ConnectFuture<'_> {
    Box::pin(async move {
        let refusal = connect_refusal(
            &crate::access::conditions::connect_cfg(ctx).core,
            ctx.host_connections,
        );
        let Some(text) = refusal else {
            return crate::module::Connected::Continue;
        };
        tracing::info!(peer = %ctx.peer, "MaxConnectionsPerHost: connection refused");
        let event = crate::module::events::Event::LimitReached {
            limit: Limit::MaxConnectionsPerHost,
            user: None,
        };
        crate::module::events::emit(ctx, &event).await;
        // A module that ends the session on the event (mod_ban) answers instead.
        if crate::module::events::disconnect(ctx).is_none() {
            let _ = ctx
                .reply(oxftpd_proto::reply::codes::NOT_LOGGED_IN, text)
                .await;
        }
        crate::module::Connected::Close
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_m_is_the_maximum() {
        assert_eq!(message(Some("Only %m, %m!"), "x", 3), "Only 3, 3!");
        assert_eq!(
            message(None, "Sorry (%m) %u", 2),
            "Sorry (2) %u",
            "only %m is expanded"
        );
    }
}
