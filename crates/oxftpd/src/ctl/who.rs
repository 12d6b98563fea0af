//! `oxftpctl who [--json] [--vhost VHOST]`: who is connected, per vhost: user, address,
//! login time, idle time, command, directory and the transfer in progress (bytes done, of
//! how many, percent, rate). With `--cluster`, every node's sessions from the cluster's Redis
//! ([`super::cluster`]).

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use clap::Args;
use serde_json::Value;

use super::{SocketArgs, local_time, span};

/// The arguments.
#[derive(Debug, Args)]
pub struct WhoArgs {
    /// Which daemon.
    #[command(flatten)]
    pub socket: SocketArgs,
    /// Only this vhost (its ServerName, or ADDRESS[#PORT]).
    #[arg(long, value_name = "VHOST")]
    pub vhost: Option<String>,
    /// One JSON array of session objects.
    #[arg(long)]
    pub json: bool,
    /// Every node's sessions, from the cluster's Redis (needs -c, with ClusterEngine on).
    #[arg(long)]
    pub cluster: bool,
}

/// The sessions as the daemon reports them, one JSON object each; when its control socket
/// cannot be reached, as the configuration's `ScoreboardFile` shows them (without login
/// times; transfers as far as the scoreboard has them), with a note on stderr.
pub fn sessions(socket: &SocketArgs, vhost: Option<&str>) -> Result<Vec<Value>> {
    let mut words = vec!["who", "json"];
    words.extend(vhost);
    let lines = match socket.ask(&words) {
        Ok(lines) => lines,
        Err(e) => {
            let unreachable = e
                .downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() != std::io::ErrorKind::InvalidData);
            let board = socket.scoreboard().filter(|_| unreachable);
            let Some(board) = board else {
                return Err(e);
            };
            eprintln!(
                "oxftpctl: {e:#}; reading the ScoreboardFile {} instead",
                board.display()
            );
            return from_scoreboard(&board, vhost);
        }
    };
    lines
        .iter()
        .map(|l| serde_json::from_str(l).context("the daemon's answer is not JSON"))
        .collect()
}

/// The sessions in a `ScoreboardFile`, as `who json` objects.
pub fn from_scoreboard(path: &std::path::Path, vhost: Option<&str>) -> Result<Vec<Value>> {
    let (_, entries) = oxftpd_server::scoreboard::Scoreboard::read_all(path)
        .with_context(|| format!("reading the ScoreboardFile {}", path.display()))?;
    let now = oxftpd_server::shutmsg::now();
    let selector = vhost.map(oxftpd_server::admin::Vhost::parse);
    Ok(entries
        .iter()
        .filter(|e| {
            let local = e.server_addr.parse().ok();
            selector
                .as_ref()
                .is_none_or(|v| v.covers(&e.server_label, local))
        })
        .map(|e| {
            let none = |s: &str| (!s.is_empty() && s != "(none)").then(|| s.to_string());
            serde_json::json!({
                "id": null,
                "user": none(&e.user),
                "address": e.client_addr,
                "port": null,
                "client_name": none(&e.client_name),
                "vhost": e.server_label,
                "server": e.server_addr,
                "class": none(&e.class),
                "protocol": e.protocol,
                "connected": e.begin_session,
                "login": null,
                "idle": if e.cmd == "idle" { now.saturating_sub(e.begin_idle) } else { 0 },
                "command": if e.cmd.is_empty() { "idle".to_string() } else { e.cmd.clone() },
                "argument": e.cmd_arg,
                "cwd": e.cwd,
                "transfer": scoreboard_transfer(e),
            })
        })
        .collect())
}

/// A scoreboard entry's transfer, when its command moves a file (the fields ProFTPD's
/// `ftpwho -v` reads: size, bytes done, bytes and milliseconds for the rate).
fn scoreboard_transfer(e: &oxftpd_server::scoreboard::Entry) -> Value {
    let direction = match e.cmd.as_str() {
        "RETR" | "READ" | "scp download" => "download",
        "STOR" | "STOU" | "APPE" | "WRITE" | "scp upload" => "upload",
        _ => return Value::Null,
    };
    let size = u64::try_from(e.xfer_size).ok().filter(|s| *s > 0);
    let done = u64::try_from(e.xfer_done).unwrap_or(0);
    let moved = u64::try_from(e.xfer_len).unwrap_or(0);
    serde_json::json!({
        "direction": direction,
        "path": e.cmd_arg,
        "size": size,
        "done": done,
        "percent": size.map(|s| done.min(s) * 100 / s),
        "rate": (e.xfer_elapsed > 0).then(|| moved.saturating_mul(1000) / e.xfer_elapsed),
        "elapsed_ms": e.xfer_elapsed,
    })
}

/// Bytes as `512 B`, `1.5 KiB`, `3.2 MiB`, `1.1 GiB`.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut v = n as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.1} {}", UNITS[unit])
}

fn text(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// What the session is doing, with the transfer's time so far.
pub fn doing(s: &Value) -> String {
    let cmd = text(s, "command");
    if cmd == "idle" {
        return "idle".to_string();
    }
    let arg = text(s, "argument");
    let mut out = if arg.is_empty() {
        cmd
    } else {
        format!("{cmd} {arg}")
    };
    if let Some(t) = s.get("transfer").filter(|t| !t.is_null()) {
        let ms = t.get("elapsed_ms").and_then(Value::as_i64).unwrap_or(0);
        out.push_str(&format!(" ({}", text(t, "direction")));
        if let Some(done) = t.get("done").and_then(Value::as_u64) {
            out.push_str(&format!(" {}", bytes(done)));
            if let Some(size) = t.get("size").and_then(Value::as_u64) {
                out.push_str(&format!(" of {}", bytes(size)));
            }
        }
        if let Some(p) = t.get("percent").and_then(Value::as_u64) {
            out.push_str(&format!(" {p}%"));
        }
        if let Some(r) = t.get("rate").and_then(Value::as_u64) {
            out.push_str(&format!(" at {}/s", bytes(r)));
        }
        out.push_str(&format!(" for {})", span(ms / 1000)));
    }
    out
}

/// Runs it.
pub fn run(args: &WhoArgs) -> Result<()> {
    if args.cluster {
        let list = super::cluster::sessions(&args.socket, args.vhost.as_deref())?;
        if args.json {
            println!("{}", serde_json::to_string_pretty(&Value::Array(list))?);
        } else {
            super::cluster::print(&list);
        }
        return Ok(());
    }
    let list = sessions(&args.socket, args.vhost.as_deref())?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&Value::Array(list))?);
        return Ok(());
    }
    let mut by_vhost: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for s in &list {
        by_vhost.entry(text(s, "vhost")).or_default().push(s);
    }
    if by_vhost.is_empty() {
        println!("no sessions");
    }
    for (vhost, sessions) in by_vhost {
        let n = sessions.len();
        println!(
            "{vhost} ({}): {n} session{}",
            text(sessions[0], "server"),
            if n == 1 { "" } else { "s" }
        );
        println!(
            "  {:<12} {:<16} {:<19} {:>7}  {:<28} PATH",
            "USER", "ADDRESS", "LOGIN", "IDLE", "COMMAND"
        );
        for s in sessions {
            let user = s.get("user").and_then(Value::as_str).unwrap_or("(none)");
            let login = s
                .get("login")
                .and_then(Value::as_i64)
                .map_or_else(|| "-".to_string(), local_time);
            let idle = s.get("idle").and_then(Value::as_i64).unwrap_or(0);
            println!(
                "  {:<12} {:<16} {:<19} {:>7}  {:<28} {}",
                user,
                text(s, "address"),
                login,
                span(idle),
                doing(s),
                text(s, "cwd")
            );
        }
    }
    Ok(())
}
