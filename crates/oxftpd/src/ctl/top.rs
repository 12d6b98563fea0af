//! `oxftpctl top`: a live view of the sessions, like ProFTPD's `ftptop`: one line per session
//! (user, vhost, address, login, idle, what it does), and under a transfer a progress bar with
//! its bytes, percent and rate; sorted, refreshed every `--interval` seconds until `q` or an
//! interrupt. On a terminal it is interactive, as ftptop: `u` `v` `i` `t` `l` choose the order,
//! `+`/`-` the interval, space refreshes, `q` quits. `--once` prints one frame (for scripts and
//! logs); `--json` prints each frame as one JSON line.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use anyhow::Result;
use clap::{Args, ValueEnum};
use serde_json::{Value, json};

use super::who::{bytes, doing, sessions};
use super::{SocketArgs, local_time, span};

/// How the sessions are ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum SortBy {
    /// By user name.
    User,
    /// By vhost, then user.
    #[default]
    Vhost,
    /// Longest idle first.
    Idle,
    /// Transfers first, the longest running first.
    Transfer,
    /// Earliest login first.
    Login,
}

/// The arguments.
#[derive(Debug, Args)]
pub struct TopArgs {
    /// Which daemon.
    #[command(flatten)]
    pub socket: SocketArgs,
    /// Seconds between refreshes.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..))]
    pub interval: u64,
    /// The order.
    #[arg(long, value_enum, default_value_t = SortBy::Vhost)]
    pub sort: SortBy,
    /// Print one frame and exit.
    #[arg(long)]
    pub once: bool,
    /// Each frame as one JSON line: `{"time": …, "sessions": […]}`.
    #[arg(long)]
    pub json: bool,
}

fn text(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn transfer_ms(v: &Value) -> i64 {
    v.get("transfer")
        .and_then(|t| t.get("elapsed_ms"))
        .and_then(Value::as_i64)
        .unwrap_or(-1)
}

/// Orders the sessions.
pub fn sort(list: &mut [Value], by: SortBy) {
    let num = |v: &Value, k: &str| v.get(k).and_then(Value::as_i64).unwrap_or(i64::MAX);
    match by {
        SortBy::User => list.sort_by_key(|v| text(v, "user")),
        SortBy::Vhost => list.sort_by_key(|v| (text(v, "vhost"), text(v, "user"))),
        SortBy::Idle => list.sort_by_key(|v| std::cmp::Reverse(num(v, "idle"))),
        SortBy::Transfer => list.sort_by_key(|v| std::cmp::Reverse(transfer_ms(v))),
        SortBy::Login => list.sort_by_key(|v| num(v, "login")),
    }
}

/// Width of a progress bar, between its brackets.
const BAR: usize = 30;

/// A transfer's progress line: `[#####.....]  42%  1.2 MiB of 3.0 MiB  256.0 KiB/s`; an upload
/// (whose size is unknown) shows its bytes and rate only.
pub fn progress_line(t: &Value) -> String {
    let done = t.get("done").and_then(Value::as_u64).unwrap_or(0);
    let rate = t.get("rate").and_then(Value::as_u64);
    let mut out = match (
        t.get("percent").and_then(Value::as_u64),
        t.get("size").and_then(Value::as_u64),
    ) {
        (Some(p), Some(size)) => {
            let filled = usize::try_from(p.min(100)).unwrap_or(0) * BAR / 100;
            format!(
                "[{}{}] {p:>3}%  {} of {}",
                "#".repeat(filled),
                ".".repeat(BAR - filled),
                bytes(done),
                bytes(size)
            )
        }
        _ => format!("[{}]  {}", "?".repeat(BAR), bytes(done)),
    };
    if let Some(r) = rate {
        out.push_str(&format!("  {}/s", bytes(r)));
    }
    out
}

/// One frame for people.
pub fn frame(list: &[Value], now: i64) -> String {
    let users = list.iter().filter(|v| v["user"].is_string()).count();
    let transfers = list.iter().filter(|v| transfer_ms(v) >= 0).count();
    let mut out = format!(
        "oxftpd top - {} - {} sessions, {users} logged in, {transfers} transferring\n\n",
        local_time(now),
        list.len()
    );
    out.push_str(&format!(
        "{:<12} {:<16} {:<16} {:>8} {:>7}  WHAT\n",
        "USER", "VHOST", "ADDRESS", "LOGIN", "IDLE"
    ));
    for v in list {
        let login = v
            .get("login")
            .and_then(Value::as_i64)
            .map_or_else(|| "-".to_string(), |l| span(now - l));
        let idle = v.get("idle").and_then(Value::as_i64).unwrap_or(0);
        out.push_str(&format!(
            "{:<12} {:<16} {:<16} {:>8} {:>7}  {}\n",
            v.get("user").and_then(Value::as_str).unwrap_or("(none)"),
            text(v, "vhost"),
            text(v, "address"),
            login,
            span(idle),
            doing(v)
        ));
        if let Some(t) = v
            .get("transfer")
            .filter(|t| !t.is_null() && t.get("done").is_some())
        {
            out.push_str(&format!("    {}\n", progress_line(t)));
        }
    }
    out
}

/// What a key asks for.
#[derive(Debug, PartialEq, Eq)]
enum Key {
    Quit,
    Sort(SortBy),
    Faster,
    Slower,
    Refresh,
    Other,
}

fn key(b: u8) -> Key {
    match b {
        b'q' | b'Q' | 3 | 4 => Key::Quit,
        b'u' => Key::Sort(SortBy::User),
        b'v' => Key::Sort(SortBy::Vhost),
        b'i' => Key::Sort(SortBy::Idle),
        b't' => Key::Sort(SortBy::Transfer),
        b'l' => Key::Sort(SortBy::Login),
        b'+' => Key::Slower,
        b'-' => Key::Faster,
        b' ' | b'\n' | b'\r' => Key::Refresh,
        _ => Key::Other,
    }
}

/// The terminal in single-key mode (no line buffering, no echo) while it lives; restored
/// when dropped, also on an error.
struct KeyMode {
    saved: rustix::termios::Termios,
}

impl KeyMode {
    fn enter() -> Option<KeyMode> {
        let stdin = std::io::stdin();
        let saved = rustix::termios::tcgetattr(&stdin).ok()?;
        let mut raw = saved.clone();
        raw.local_modes -= rustix::termios::LocalModes::ICANON | rustix::termios::LocalModes::ECHO;
        rustix::termios::tcsetattr(&stdin, rustix::termios::OptionalActions::Now, &raw).ok()?;
        Some(KeyMode { saved })
    }

    /// Waits up to `limit` for a key.
    fn next(&self, limit: Duration) -> Option<u8> {
        let stdin = std::io::stdin();
        let mut fds = [rustix::event::PollFd::new(
            &stdin,
            rustix::event::PollFlags::IN,
        )];
        let timeout = rustix::event::Timespec::try_from(limit).ok()?;
        match rustix::event::poll(&mut fds, Some(&timeout)) {
            Ok(n) if n > 0 => {
                let mut b = [0u8; 1];
                match rustix::io::read(&stdin, &mut b) {
                    Ok(1) => Some(b[0]),
                    // End of input: as `q`.
                    _ => Some(b'q'),
                }
            }
            _ => None,
        }
    }
}

impl Drop for KeyMode {
    fn drop(&mut self) {
        let _ = rustix::termios::tcsetattr(
            std::io::stdin(),
            rustix::termios::OptionalActions::Now,
            &self.saved,
        );
    }
}

/// Runs it.
pub fn run(args: &TopArgs) -> Result<()> {
    let mut out = std::io::stdout();
    let interactive =
        !args.once && !args.json && out.is_terminal() && std::io::stdin().is_terminal();
    let keys = if interactive { KeyMode::enter() } else { None };
    let (mut order, mut interval) = (args.sort, args.interval);
    loop {
        let mut list = sessions(&args.socket, None)?;
        sort(&mut list, order);
        let now = oxftpd_server::shutmsg::now();
        if args.json {
            writeln!(out, "{}", json!({"time": now, "sessions": list}))?;
        } else {
            if !args.once {
                // Clear the screen and go home, as top does.
                write!(out, "\x1b[H\x1b[2J")?;
            }
            write!(out, "{}", frame(&list, now))?;
            if keys.is_some() {
                write!(
                    out,
                    "\nsorted by {order:?}, every {interval}s - keys: u v i t l sort, + - interval, space refresh, q quit\n"
                )?;
            }
        }
        out.flush()?;
        if args.once {
            return Ok(());
        }
        let Some(keys) = &keys else {
            std::thread::sleep(Duration::from_secs(interval));
            continue;
        };
        let until = Instant::now() + Duration::from_secs(interval);
        while let Some(left) = until.checked_duration_since(Instant::now()) {
            let Some(b) = keys.next(left) else {
                break;
            };
            match key(b) {
                Key::Quit => return Ok(()),
                Key::Sort(by) => {
                    order = by;
                    break;
                }
                Key::Slower => {
                    interval = (interval + 1).min(3600);
                    break;
                }
                Key::Faster => {
                    interval = interval.saturating_sub(1).max(1);
                    break;
                }
                Key::Refresh => break,
                Key::Other => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_list_and_sort_the_sessions() {
        let mut list = vec![
            json!({"user": "bob", "vhost": "b", "address": "10.0.0.2", "login": 100, "idle": 5,
                   "command": "idle", "transfer": null}),
            json!({"user": "alice", "vhost": "b", "address": "10.0.0.1", "login": 90, "idle": 0,
                   "command": "RETR", "argument": "big.iso",
                   "transfer": {"direction": "download", "elapsed_ms": 65000}}),
            json!({"user": null, "vhost": "a", "address": "10.0.0.3", "login": null, "idle": 1,
                   "command": "idle", "transfer": null}),
        ];
        sort(&mut list, SortBy::Vhost);
        let users: Vec<String> = list.iter().map(|v| text(v, "user")).collect();
        assert_eq!(users, ["", "alice", "bob"]);
        sort(&mut list, SortBy::Transfer);
        assert_eq!(text(&list[0], "user"), "alice");
        let f = frame(&list, 160);
        assert!(f.contains("3 sessions, 2 logged in, 1 transferring"), "{f}");
        assert!(f.contains("RETR big.iso (download for 1m5s)"), "{f}");
        assert!(f.contains("(none)"), "{f}");
    }

    #[test]
    fn a_transfer_gets_a_progress_bar() {
        let t = json!({"direction": "download", "size": 4u64 << 20, "done": 1u64 << 20,
                       "percent": 25, "rate": 262_144, "elapsed_ms": 4000});
        assert_eq!(
            progress_line(&t),
            format!(
                "[{}{}]  25%  1.0 MiB of 4.0 MiB  256.0 KiB/s",
                "#".repeat(7),
                ".".repeat(23)
            )
        );
        let up = json!({"direction": "upload", "size": null, "done": 2048, "percent": null,
                        "rate": null});
        assert_eq!(progress_line(&up), format!("[{}]  2.0 KiB", "?".repeat(30)));
        let list = vec![
            json!({"user": "alice", "vhost": "a", "address": "10.0.0.1", "login": 1,
                               "idle": 0, "command": "RETR", "argument": "big", "transfer": t}),
        ];
        let f = frame(&list, 10);
        assert!(f.contains("    [#######"), "{f}");
    }

    #[test]
    fn keys_choose_the_order_and_the_interval() {
        assert_eq!(key(b'q'), Key::Quit);
        assert_eq!(key(b'u'), Key::Sort(SortBy::User));
        assert_eq!(key(b't'), Key::Sort(SortBy::Transfer));
        assert_eq!(key(b'+'), Key::Slower);
        assert_eq!(key(b'x'), Key::Other);
    }
}
