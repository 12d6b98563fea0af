//! `DelayEngine` (ProFTPD's mod_delay): USER and PASS answers paced so that their timing
//! does not tell existing users from unknown ones, or a right password from a wrong one.
//!
//! As mod_delay 1.3.8 does: each server keeps, per command (USER, PASS) and protocol (ftp,
//! ftps), the last 256 handling times; a session contributes at most 16 of each. When a
//! command was handled faster than the median of the recorded times (the current one
//! included), the reply waits the difference plus a random extra of up to half of it.
//! `DelayTable none` turns this learning off. `DelayOnEvent USER|PASS|FailedLogin ms` sets a
//! minimum time for the USER reply, the PASS reply, and a failed PASS reply; what learning
//! already waited counts toward it. Waits are timers: no other session is held up.
//! ProFTPD keeps its table in the `DelayTable` file; oxftpd keeps it in memory (one process).

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::module::hooks::{Cmd, HookFuture, Outcome};
use crate::session::{Ctx, State};

/// Times kept per command and protocol (mod_delay's DELAY_NVALUES).
const VALUES: usize = 256;

/// Times one session may add per command (DELAY_NVALUES / DELAY_SESS_NVALUES).
const PER_SESSION: u32 = 16;

/// Longest handling time recorded (mod_delay bounds the connect-to-USER interval so).
const MAX_INTERVAL: Duration = Duration::from_secs(60);

/// The command whose reply is paced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// `USER`.
    User,
    /// `PASS` (or a login `USER` completed itself), and whether it failed.
    Pass {
        /// The login was refused.
        failed: bool,
    },
}

/// One server's recorded handling times.
#[derive(Debug, Default)]
pub struct Table {
    /// Indexed by [`row`].
    rows: Mutex<[VecDeque<Duration>; 4]>,
}

/// What one session added to its server's table.
#[derive(Debug, Default)]
pub struct SessionDelay {
    user: u32,
    pass: u32,
}

fn row(step: Step, tls: bool) -> usize {
    let cmd = match step {
        Step::User => 0,
        Step::Pass { .. } => 2,
    };
    cmd + usize::from(tls)
}

impl Table {
    /// Records `took` (when `record`) and returns the median of the row with it included.
    fn median_with(&self, row: usize, took: Duration, record: bool) -> Duration {
        let mut rows = self.rows.lock().unwrap_or_else(|p| p.into_inner());
        let values = &mut rows[row];
        let mut sorted: Vec<Duration> = values.iter().copied().collect();
        sorted.push(took);
        sorted.sort_unstable();
        let median = sorted[sorted.len() / 2];
        if record {
            if values.len() == VALUES {
                values.pop_front();
            }
            values.push_back(took);
        }
        median
    }
}

/// Parses a `DelayOnEvent` time: `mm:ss.mmm`, `Nms`, `Ns`, or a number of milliseconds.
pub fn parse_millis(text: &str) -> Option<u64> {
    let lower = text.to_ascii_lowercase();
    if let Some((mins, rest)) = lower.split_once(':') {
        let (secs, ms) = rest.split_once('.')?;
        let (m, s, ms): (u64, u64, u64) =
            (mins.parse().ok()?, secs.parse().ok()?, ms.parse().ok()?);
        return Some(m * 60_000 + s * 1000 + ms);
    }
    if let Some(n) = lower.strip_suffix("ms") {
        return n.trim().parse().ok();
    }
    if let Some(n) = lower
        .strip_suffix("sec")
        .or_else(|| lower.strip_suffix("s"))
    {
        return n.trim().parse::<u64>().ok()?.checked_mul(1000);
    }
    lower.parse().ok()
}

/// The `DelayOnEvent` minimum for `event` (`USER`, `PASS`, `FailedLogin`), if configured.
fn minimum(ctx: &Ctx, event: &str) -> Duration {
    ctx.server
        .cfg
        .delay
        .on_event
        .iter()
        .rev()
        .filter(|d| d.first().map(String::as_str) == Some(event))
        .find_map(|d| d.get(1).and_then(|t| parse_millis(t)))
        .map(Duration::from_millis)
        .unwrap_or_default()
}

/// Whether `DelayTable` lets the server learn handling times (any path; not `none`).
fn learning(ctx: &Ctx) -> bool {
    !ctx.server
        .cfg
        .delay
        .table
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("none"))
}

/// A random extra of up to half of `d` (mod_delay's jitter).
fn jitter(d: Duration) -> Duration {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(Instant::now().elapsed().as_nanos());
    let fraction = (h.finish() % 1001) as u32;
    d / 2 * fraction / 1000
}

/// Gives each server of a loaded configuration its timing table.
pub fn per_server(
    _config: &oxftpd_config::Config,
    servers: &mut [crate::type_map::TypeMap],
) -> Result<(), crate::StartError> {
    for state in servers {
        state.insert(Table::default());
    }
    Ok(())
}

/// Waits before the reply to `step`, whose handling began at `started`.
pub async fn pace(ctx: &mut Ctx, step: Step, started: Instant) {
    if !crate::access::conditions::connect_cfg(ctx).delay.engine {
        return;
    }
    let took = started.elapsed().min(MAX_INTERVAL);
    let mut waited = Duration::ZERO;
    if learning(ctx) {
        let added = match step {
            Step::User => &mut ctx.ext.get_or_default::<SessionDelay>().user,
            Step::Pass { .. } => &mut ctx.ext.get_or_default::<SessionDelay>().pass,
        };
        let record = *added < PER_SESSION;
        if record {
            *added += 1;
        }
        let slot = row(step, crate::modules::mod_tls::tls_state(ctx).control);
        let median = ctx
            .server
            .modules
            .get::<Table>()
            .map_or(Duration::ZERO, |t| t.median_with(slot, took, record));
        if took < median {
            let gap = median - took;
            waited = gap + jitter(gap);
            tokio::time::sleep(waited).await;
        }
    }
    let floor = match step {
        Step::User => minimum(ctx, "USER"),
        Step::Pass { failed: false } => minimum(ctx, "PASS"),
        Step::Pass { failed: true } => minimum(ctx, "PASS").max(minimum(ctx, "FailedLogin")),
    };
    // As mod_delay: the minimum is waited on top of the handling time, less what the
    // learned delay already waited.
    if waited < floor {
        tokio::time::sleep(floor - waited).await;
    }
}

/// When the USER or PASS being answered began to be handled.
struct Began(Instant);

/// mod_delay's `PRE_CMD` hook on USER and PASS: notes when handling began.
pub fn pre_cmd<'a>(ctx: &'a mut Ctx, _state: &'a mut State, _cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        ctx.ext.insert(Began(Instant::now()));
        Outcome::Continue
    })
}

/// mod_delay's `POST_CMD`/`POST_CMD_ERR` hook on USER and PASS: holds the reply back (it is
/// written when the command ends) as [`pace`] says. `USER` answered `331` is paced as USER;
/// a login decided (`230`/`232`, or `530`) as PASS; other answers (`501`, `503`) are not.
pub fn post_cmd<'a>(ctx: &'a mut Ctx, _state: &'a mut State, cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        let step = match (cmd.verb, cmd.code) {
            ("USER", 331) => Step::User,
            (_, 230 | 232) => Step::Pass { failed: false },
            (_, 530) => Step::Pass { failed: true },
            _ => return Outcome::Continue,
        };
        if let Some(Began(started)) = ctx.ext.remove::<Began>() {
            pace(ctx, step, started).await;
        }
        Outcome::Continue
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_as_mod_delay_reads_them() {
        assert_eq!(parse_millis("200"), Some(200));
        assert_eq!(parse_millis("200ms"), Some(200));
        assert_eq!(parse_millis("2s"), Some(2000));
        assert_eq!(parse_millis("5sec"), Some(5000));
        assert_eq!(parse_millis("01:02.300"), Some(62_300));
        assert_eq!(parse_millis("soon"), None);
    }

    #[test]
    fn the_median_includes_the_current_time_and_rows_stay_bounded() {
        let t = Table::default();
        let ms = Duration::from_millis;
        assert_eq!(t.median_with(0, ms(10), true), ms(10));
        assert_eq!(t.median_with(0, ms(30), true), ms(30));
        assert_eq!(t.median_with(0, ms(1), true), ms(10));
        for _ in 0..1000 {
            t.median_with(0, ms(5), true);
        }
        assert_eq!(t.rows.lock().unwrap()[0].len(), VALUES);
        assert_eq!(t.median_with(0, ms(100), false), ms(5));
        // Other rows are untouched.
        assert_eq!(t.median_with(2, ms(7), false), ms(7));
    }

    #[test]
    fn jitter_is_at_most_half() {
        for _ in 0..100 {
            assert!(jitter(Duration::from_millis(100)) <= Duration::from_millis(50));
        }
    }
}
