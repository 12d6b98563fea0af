//! `MaxTransfersPerHost` and `MaxTransfersPerUser` (mod_xfer.c): before `RETR`, `STOR`,
//! `APPE` or `STOU`, each matching rule counts the transfers of that command running now on
//! this server from the client's address (or by the user); at the maximum the command is
//! refused with `451` and the rule's text (`%m` is the maximum).
//!
//! ProFTPD counts scoreboard entries whose command is the transfer's. Here a command that
//! passed the check holds a [`Running`] entry until its `POST_CMD`/`POST_CMD_ERR` (or the
//! session's end), in a process-wide table.
//!
//! 1.3.8's `MaxTransfersPerUser` compares the entries' command the wrong way round (it counts
//! the user's sessions *not* running the command, this one included, so `MaxTransfersPerUser
//! RETR 1` refuses every download); we count the ones running it, as the documentation says
//! (crates/oxftpd/tests/DIFFERENCES.md).

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use oxftpd_config::modules::mod_xfer::rate::TransferLimit;
use oxftpd_proto::reply::{Reply, codes};

use crate::module::CommandError;
use crate::module::hooks::{Cmd, HookFuture, Outcome};
use crate::session::{Ctx, State};

/// Whose transfers one count is of: the server, the client address or user, the command.
type Key = (usize, Whose, &'static str);

/// The client address or the user a count belongs to.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
enum Whose {
    Host(std::net::IpAddr),
    User(String),
}

/// 1.3.8's `MaxTransfersPerHost` text.
const PER_HOST: &str =
    "Sorry, the maximum number of data transfers (%m) from your host are currently being used.";

/// 1.3.8's `MaxTransfersPerUser` text.
const PER_USER: &str =
    "Sorry, the maximum number of data transfers (%m) from this user are currently being used.";

/// Transfers running now, by key.
static RUNNING: LazyLock<Mutex<HashMap<Key, u32>>> = LazyLock::new(Default::default);

fn running() -> std::sync::MutexGuard<'static, HashMap<Key, u32>> {
    match RUNNING.lock() {
        Ok(m) => m,
        Err(p) => p.into_inner(),
    }
}

/// A transfer command counted while it runs; dropping it takes it off the counts.
#[derive(Default)]
pub struct Running(Vec<Key>);

impl Drop for Running {
    fn drop(&mut self) {
        let mut counts = running();
        for key in self.0.drain(..) {
            if let Some(n) = counts.get_mut(&key) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    counts.remove(&key);
                }
            }
        }
    }
}

/// Refuses as 1.3.8 does: the rule's `451` (its own text, or ProFTPD's) is sent at once, then
/// the command fails with a second `451`, `ARG: Too many transfers`.
async fn refuse(ctx: &mut Ctx, arg: Option<&str>, rule: &TransferLimit, default: &str) -> Outcome {
    let text = rule.message.as_deref().unwrap_or(default);
    let first = Reply::new(
        codes::LOCAL_ERROR,
        text.replace("%m", &rule.max.to_string()),
    );
    if ctx.control.send(&first).await.is_err() {
        return Outcome::Refuse(CommandError::Close);
    }
    Outcome::Refuse(CommandError::refused(
        codes::LOCAL_ERROR,
        format!("{}: Too many transfers", arg.unwrap_or("")),
    ))
}

/// `PRE_CMD` of the transfer commands: refuses at a maximum, else counts this transfer.
pub fn check<'a>(ctx: &'a mut Ctx, state: &'a mut State, cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        // A command that was counted and did not reach its POST_CMD is over by now.
        ctx.ext.remove::<Running>();
        let (State::LoggedIn(user), Some(spec)) = (&*state, cmd.spec) else {
            return Outcome::Continue;
        };
        let verb = spec.name;
        let vpath = user.resolve(cmd.arg.unwrap_or(""));
        let cfg = crate::access::directories::cfg_for(ctx, user, &vpath);
        let server = ctx.server.index;
        let host = (server, Whose::Host(ctx.peer.ip()), verb);
        let login = (server, Whose::User(user.login_name.clone()), verb);
        match count_in(&cfg.xfer, verb, &host, &login) {
            Ok(running) => {
                ctx.ext.insert(running);
                Outcome::Continue
            }
            Err((rule, text)) => {
                tracing::info!(peer = %ctx.peer, user = %user.login_name, "{verb}: {} transfers at once exceeded", rule.max);
                refuse(ctx, cmd.arg, &rule, text).await
            }
        }
    })
}

/// Counts a `verb` transfer for `host` and `login`, or names the rule it would break.
fn count_in(
    xfer: &oxftpd_config::modules::mod_xfer::View,
    verb: &str,
    host: &Key,
    login: &Key,
) -> Result<Running, (TransferLimit, &'static str)> {
    let names = |r: &&TransferLimit| r.commands.iter().any(|c| c == verb);
    let mut counts = running();
    let count = |key: &Key| counts.get(key).copied().unwrap_or(0);
    if let Some(rule) = xfer
        .max_transfers_per_host
        .iter()
        .filter(names)
        .find(|r| count(host) >= r.max)
    {
        return Err((rule.clone(), PER_HOST));
    }
    if let Some(rule) = xfer
        .max_transfers_per_user
        .iter()
        .filter(names)
        .find(|r| count(login) >= r.max)
    {
        return Err((rule.clone(), PER_USER));
    }
    // Every transfer is counted, so a rule sees the ones that run under other settings.
    for key in [host, login] {
        *counts.entry(key.clone()).or_insert(0) += 1;
    }
    Ok(Running(vec![host.clone(), login.clone()]))
}

/// `POST_CMD`/`POST_CMD_ERR` of the transfer commands: the transfer no longer runs.
pub fn done<'a>(ctx: &'a mut Ctx, _state: &'a mut State, _cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        ctx.ext.remove::<Running>();
        Outcome::Continue
    })
}
