//! `MaxCommandRate count [interval]` (mod_core.c): past `count` commands in the interval, each
//! further command waits `interval × 1000 / count` milliseconds for every command over, as
//! 1.3.8's `core_exceeded_cmd_rate` computes; the count starts again once more than
//! `interval` seconds passed since it began. The wait is a timer on the session's task.

use tokio::time::{Duration, Instant};

use crate::module::hooks::{Cmd, HookFuture, Outcome};
use crate::session::{Ctx, State};

/// One session's command count.
#[derive(Default)]
struct Counted {
    commands: u64,
    since: Option<Instant>,
}

/// The delay for the next command, given `(count, interval)`; counts it.
fn next_delay(c: &mut Counted, (max, interval): (u64, u64), now: Instant) -> Duration {
    if max == 0 {
        return Duration::ZERO;
    }
    c.commands += 1;
    let over = c.commands.saturating_sub(max);
    let delay = Duration::from_millis((interval * 1000 / max) * over);
    match c.since {
        // 1.3.8 compares whole seconds: more than `interval` of them.
        Some(t) if now.saturating_duration_since(t).as_secs() > interval => {
            c.commands = 0;
            c.since = Some(now);
        }
        Some(_) => {}
        None => c.since = Some(now),
    }
    delay
}

/// `PRE_CMD` on every line: waits when the session is over its `MaxCommandRate`.
/// 1.3.8 counts from the first command after the login (observed: neither the commands
/// before it nor USER and PASS count).
pub fn pre_any<'a>(ctx: &'a mut Ctx, state: &'a mut State, _cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        let Some(rate) = ctx.server.cfg.core.max_command_rate else {
            return Outcome::Continue;
        };
        if !matches!(state, State::LoggedIn(_)) {
            return Outcome::Continue;
        }
        let delay = next_delay(ctx.ext.get_or_default::<Counted>(), rate, Instant::now());
        if !delay.is_zero() {
            tracing::info!(
                peer = %ctx.peer,
                "MaxCommandRate ({} cmds/{} {}) exceeded, injecting processing delay of {} ms",
                rate.0,
                rate.1,
                if rate.1 == 1 { "sec" } else { "secs" },
                delay.as_millis()
            );
            // As 1.3.8's core.max-command-rate event: before the delay.
            let event = crate::module::events::Event::LimitReached {
                limit: crate::module::events::Limit::MaxCommandRate,
                user: None,
            };
            crate::module::events::emit(ctx, &event).await;
            if let Some(end) = crate::module::events::disconnect(ctx) {
                return Outcome::Refuse(end);
            }
            tokio::time::sleep(delay).await;
        }
        Outcome::Continue
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_past_the_count_wait_more_each() {
        let mut c = Counted::default();
        let now = Instant::now();
        let delays: Vec<u128> = (0..5)
            .map(|_| next_delay(&mut c, (3, 1), now).as_millis())
            .collect();
        assert_eq!(delays, [0, 0, 0, 333, 666]);
        // Past the interval the count starts again.
        let later = now + Duration::from_secs(2);
        next_delay(&mut c, (3, 1), later);
        assert_eq!(next_delay(&mut c, (3, 1), later), Duration::ZERO);
    }
}
