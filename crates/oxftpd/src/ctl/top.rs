//! `oxftpctl top`: a live view of the sessions, like ProFTPD's `ftptop`: one line per session
//! (user, vhost, address, login, idle, what it does, the transfer it runs and for how long),
//! sorted, refreshed every `--interval` seconds until interrupted. `--once` prints one frame
//! (for scripts and logs); `--json` prints each frame as one JSON line.

use std::io::Write;
use std::time::Duration;

use anyhow::Result;
use clap::{Args, ValueEnum};
use serde_json::{Value, json};

use super::who::{doing, sessions};
use super::{SocketArgs, local_time, span};

/// How the sessions are ordered.
#[derive(Debug, Clone, Copy, Default, ValueEnum)]
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
    }
    out
}

/// Runs it.
pub fn run(args: &TopArgs) -> Result<()> {
    let mut out = std::io::stdout();
    loop {
        let mut list = sessions(&args.socket, None)?;
        sort(&mut list, args.sort);
        let now = oxftpd_server::shutmsg::now();
        if args.json {
            writeln!(out, "{}", json!({"time": now, "sessions": list}))?;
        } else {
            if !args.once {
                // Clear the screen and go home, as top does.
                write!(out, "\x1b[H\x1b[2J")?;
            }
            write!(out, "{}", frame(&list, now))?;
        }
        out.flush()?;
        if args.once {
            return Ok(());
        }
        std::thread::sleep(Duration::from_secs(args.interval));
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
}
