//! A deleted file another user owns: its bytes go back to its owner's tally (the user's limit,
//! else the owning group's), as 1.3.8 does since bug #3161; without either, to the session's.

use super::source::{Lookup, Tables};
use super::table::{Delta, Kind};
use super::{limited, log};
use crate::session::Ctx;

/// Takes `d` from the tally of the user or group owning the file (`uid`, `gid`); `false` when
/// neither has a limit and a tally, so the session's own tally takes it.
pub async fn credit(ctx: &Ctx, (uid, gid): (u32, u32), d: Delta) -> bool {
    let Some((limits, tallies)) = ctx
        .generation
        .modules
        .get::<Tables>()
        .and_then(|t| t.servers.get(&ctx.server.index))
        .cloned()
    else {
        return false;
    };
    let server = ctx.server.clone();
    let names = ctx
        .shared
        .pool
        .run(&ctx.shared.daemon_cred, move || {
            (server.auth.user_name(uid), server.auth.group_name(gid))
        })
        .await;
    let Ok((user, group)) = names else {
        return false;
    };
    let mut lookup = Lookup::new(limits);
    for (name, kind) in [(user, Kind::User), (group, Kind::Group)] {
        let Some(name) = name else { continue };
        let Ok(Some(limit)) = lookup.find(ctx, &name, kind).await else {
            continue;
        };
        if limit.per_session {
            return false;
        }
        log(
            ctx,
            &format!(
                "DELE: the file belongs to {} '{name}': crediting its tally",
                kind.word()
            ),
        );
        return match tallies
            .add(ctx, &name, kind, limited(d, &limit.avail))
            .await
        {
            Ok(_) => true,
            Err(e) => {
                log(ctx, &format!("error updating QuotaTallyTable: {e}"));
                true
            }
        };
    }
    false
}
