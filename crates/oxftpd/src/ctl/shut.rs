//! `oxftpctl shut`: ftpshut for one vhost or all, kept in the running daemon.
//!
//! `shut [--vhost VHOST] [-l MIN] [-d MIN] TIME [MESSAGE…]` with TIME `now`, `+MIN` or
//! `HHMM` (ftpshut's): from MIN minutes before TIME (`-l`, 10 by default) new connections are
//! refused with the message (`%s` shutdown time, `%r` refusal time, `%d` disconnect time);
//! with `-d MIN`, running sessions are disconnected MIN minutes before TIME; without it they
//! go on to their end. `shut --cancel [--vhost VHOST]` lifts it; `shut --list` shows them.
//! With `--cluster` (and `-c`), the shutdown is written to the cluster's Redis and every node
//! with `ClusterEngine on` applies it within about a second.

use anyhow::{Result, bail};
use clap::Args;
use serde_json::{Value, json};

use super::{SocketArgs, local_time};

/// The arguments.
#[derive(Debug, Args)]
pub struct ShutArgs {
    /// Which daemon.
    #[command(flatten)]
    pub socket: SocketArgs,
    /// Only this vhost (its ServerName, or ADDRESS[#PORT]); all when absent.
    #[arg(long, value_name = "VHOST")]
    pub vhost: Option<String>,
    /// Minutes before TIME from which new connections are refused (ftpshut's -l).
    #[arg(short = 'l', value_name = "MIN", default_value_t = 10)]
    pub deny: u32,
    /// Minutes before TIME at which running sessions are disconnected (ftpshut's -d);
    /// without it they are let finish.
    #[arg(short = 'd', value_name = "MIN")]
    pub disconnect: Option<u32>,
    /// Lift the shutdown instead.
    #[arg(long, conflicts_with_all = ["time", "list"])]
    pub cancel: bool,
    /// Show the shutdowns set.
    #[arg(long, conflicts_with = "time")]
    pub list: bool,
    /// `now`, `+MINUTES` or `HHMM`.
    #[arg(required_unless_present_any = ["cancel", "list"], allow_hyphen_values = true)]
    pub time: Option<String>,
    /// The message (default `going down at %s`).
    pub message: Vec<String>,
    /// Answer in JSON.
    #[arg(long)]
    pub json: bool,
    /// On every node of the cluster, through its Redis (needs -c, with ClusterEngine on);
    /// each node applies it within about a second.
    #[arg(long, conflicts_with = "list")]
    pub cluster: bool,
}

/// When TIME is, as unix seconds, from `now` (ftpshut's rules: `HHMM` already past today
/// means tomorrow).
pub fn parse_time(text: &str, now: i64, utc_offset: i64) -> Result<i64> {
    if text.eq_ignore_ascii_case("now") {
        return Ok(now);
    }
    if let Some(m) = text.strip_prefix('+') {
        let m: i64 = m.trim().parse().map_err(|_| bad_time())?;
        return Ok(now + 60 * m);
    }
    if !(text.len() == 4 || text.len() == 2) || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad_time());
    }
    let hour: i64 = text[..2].parse().map_err(|_| bad_time())?;
    let minute: i64 = if text.len() == 4 {
        text[2..].parse().map_err(|_| bad_time())?
    } else {
        0
    };
    if hour > 23 || minute > 59 {
        return Err(bad_time());
    }
    let local = now + utc_offset;
    let midnight = local - local.rem_euclid(86400);
    let mut at = midnight + hour * 3600 + minute * 60;
    if at <= local {
        at += 86400;
    }
    Ok(at - utc_offset)
}

fn bad_time() -> anyhow::Error {
    anyhow::anyhow!("Invalid time interval specified (now, +MINUTES or HHMM).")
}

fn target(vhost: &Option<String>) -> &str {
    vhost.as_deref().unwrap_or("all")
}

/// Runs it.
pub fn run(args: &ShutArgs) -> Result<()> {
    if args.list {
        let lines = args.socket.ask(&["shut", "list", "json"])?;
        let list: Vec<Value> = lines
            .iter()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();
        if args.json {
            println!("{}", serde_json::to_string_pretty(&Value::Array(list))?);
        } else if list.is_empty() {
            println!("oxftpctl: no shutdown set");
        } else {
            for s in list {
                let t = |k: &str| {
                    s.get(k)
                        .and_then(Value::as_i64)
                        .map_or_else(|| "never".to_string(), local_time)
                };
                println!(
                    "{}: down at {}, logins refused from {}, sessions cut at {}: {}",
                    s.get("vhost").and_then(Value::as_str).unwrap_or("all"),
                    t("at"),
                    t("deny"),
                    t("disconnect"),
                    s.get("message").and_then(Value::as_str).unwrap_or("")
                );
            }
        }
        return Ok(());
    }
    if args.cancel {
        if args.cluster {
            let line = super::cluster::shut(&args.socket, args.vhost.as_deref(), None)?;
            report(args, &[line], None);
            return Ok(());
        }
        let lines = args.socket.ask(&["shut", "cancel", target(&args.vhost)])?;
        report(args, &lines, None);
        return Ok(());
    }
    let Some(time) = &args.time else {
        bail!("missing TIME (now, +MINUTES or HHMM)");
    };
    let now = oxftpd_server::shutmsg::now();
    let offset = i64::from(oxftpd_server::localtime::utc_offset(now));
    let at = parse_time(time, now, offset)?;
    let deny = at - 60 * i64::from(args.deny);
    let disconnect = args.disconnect.map_or_else(
        || "never".to_string(),
        |d| (at - 60 * i64::from(d)).to_string(),
    );
    if args.cluster {
        let message = if args.message.is_empty() {
            "going down at %s".to_string()
        } else {
            args.message.join(" ")
        };
        let schedule = oxftpd_server::shutmsg::Shutdown {
            at,
            deny,
            disconnect: args.disconnect.map_or(i64::MAX, |d| at - 60 * i64::from(d)),
            message: message.clone(),
        };
        let line = super::cluster::shut(&args.socket, args.vhost.as_deref(), Some(schedule))?;
        report(
            args,
            &[line],
            Some(json!({
                "vhost": args.vhost,
                "at": at,
                "deny": deny,
                "disconnect": args.disconnect.map(|d| at - 60 * i64::from(d)),
                "message": message,
                "cluster": true,
            })),
        );
        return Ok(());
    }
    let (at_s, deny_s) = (at.to_string(), deny.to_string());
    let mut words = vec![
        "shut",
        "set",
        target(&args.vhost),
        &at_s,
        &deny_s,
        &disconnect,
    ];
    let message: Vec<&str> = args
        .message
        .iter()
        .flat_map(|m| m.split_whitespace())
        .collect();
    words.extend(message);
    let lines = args.socket.ask(&words)?;
    report(
        args,
        &lines,
        Some(json!({
            "vhost": args.vhost,
            "at": at,
            "deny": deny,
            "disconnect": disconnect.parse::<i64>().ok(),
            "message": if args.message.is_empty() { "going down at %s".to_string() } else { args.message.join(" ") },
        })),
    );
    Ok(())
}

fn report(args: &ShutArgs, lines: &[String], set: Option<Value>) {
    if args.json {
        let mut v = set.unwrap_or_else(|| json!({"vhost": args.vhost, "cancelled": true}));
        if let Some(o) = v.as_object_mut() {
            o.insert("message_from_daemon".into(), json!(lines.join("\n")));
        }
        println!("{v}");
    } else {
        for l in lines {
            println!("oxftpctl: {l}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_read_as_ftpshut_reads_them() {
        // 2026-01-01 10:30:00 UTC, in UTC.
        let now = 1_767_263_400;
        assert_eq!(parse_time("now", now, 0).unwrap(), now);
        assert_eq!(parse_time("+0", now, 0).unwrap(), now);
        assert_eq!(parse_time("+5", now, 0).unwrap(), now + 300);
        assert_eq!(parse_time("1100", now, 0).unwrap(), now + 1800);
        assert_eq!(parse_time("1000", now, 0).unwrap(), now + 86400 - 1800);
        assert_eq!(parse_time("11", now, 0).unwrap(), now + 1800);
        assert!(parse_time("2500", now, 0).is_err());
        assert!(parse_time("abc", now, 0).is_err());
        // One hour east of UTC: 11:30 local now, 12:00 local is 30 minutes away.
        assert_eq!(parse_time("1200", now, 3600).unwrap(), now + 1800);
    }
}
