//! `BanOnEvent`: an event counted per source (address, user or class) within the rule's
//! window; at the rule's count a ban of the source is added for the rule's duration, and the
//! session that caused it ends (with `BanMessage`, as 1.3.8 sends it then).

use std::time::{Duration, SystemTime};

use oxftpd_config::modules::mod_ban::{BanKind, EVENTS};

use super::store::Ban;
use crate::session::Ctx;

/// The `'static` spelling of an event's name (`name` as `EVENTS` has it, else `name` unknown).
pub fn event_name(name: &str) -> &'static str {
    EVENTS
        .iter()
        .find(|(n, _)| *n == name)
        .map_or("", |(n, _)| n)
}

/// Local time as mod_ban writes it in a ban's reason (`Wed May 19 14:59:25 2004`).
fn ctime() -> String {
    crate::localtime::strftime_now("%a %b %d %H:%M:%S %Y")
}

/// Counts `event` for `source`; `Some` (with the message for the client, if any) when a ban
/// was added and the session is to end.
pub async fn happened(ctx: &Ctx, event: &'static str, source: String) -> Option<Option<String>> {
    let store = super::book(ctx).await?;
    let state = super::engaged(ctx)?;
    let cfg = &ctx.server.cfg.ban;
    let server = ctx.server.index;
    let mut ended = None;
    for rule in cfg.rules.iter().filter(|r| r.event == event) {
        let key = (event, server, source.clone());
        let count = store.occurred(key, Duration::from_secs(rule.window)).await;
        if count < rule.count {
            continue;
        }
        let scope = (!cfg.match_any_server).then_some(server);
        if store
            .find(rule.kind, source.clone(), scope.unwrap_or(server))
            .await
            .is_some()
        {
            super::log(
                state,
                &format!(
                    "updated count for {event} event entry: {count} curr, {} max",
                    rule.count
                ),
            );
            continue;
        }
        store
            .add(Ban {
                kind: rule.kind,
                name: source.clone(),
                server: scope,
                reason: format!("{event} autoban at {}", ctime()),
                expires: Some(SystemTime::now() + Duration::from_secs(rule.expires)),
                message: rule.message.clone(),
            })
            .await;
        super::log(
            state,
            &format!(
                "added {event}-triggered autoban for {} '{source}'",
                rule.kind.name()
            ),
        );
        // The other sessions the ban reaches end too (this one ends below).
        let others = super::kick::reach(rule.kind, &source);
        if others > 0 {
            super::log(
                state,
                &format!(
                    "disconnected {others} session(s) of {} '{source}'",
                    rule.kind.name()
                ),
            );
        }
        super::log(
            state,
            &format!("{event} autoban threshold reached, ending session"),
        );
        tracing::info!(peer = %ctx.peer, "mod_ban/0.8: {event} autoban for {} '{source}'", rule.kind.name());
        let user = match rule.kind {
            BanKind::User => source.clone(),
            BanKind::UserHost => source.split('@').next().unwrap_or("").to_string(),
            BanKind::Host | BanKind::Class => "(none)".to_string(),
        };
        ended = Some(super::message(ctx, &user, None));
    }
    ended
}
