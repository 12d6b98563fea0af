//! `oxftpctl count [--json] [--cluster]`: sessions and logged-in users per vhost and per
//! `<Class>`, of one daemon or (`--cluster`) of every node.

use anyhow::{Context, Result};
use clap::Args;
use serde_json::Value;

use super::SocketArgs;

/// The arguments.
#[derive(Debug, Args)]
pub struct CountArgs {
    /// Which daemon.
    #[command(flatten)]
    pub socket: SocketArgs,
    /// One JSON object: `sessions`, `users`, `vhosts` (each `sessions`, `users`), `classes`.
    #[arg(long)]
    pub json: bool,
    /// Count every node's sessions, from the cluster's Redis (needs -c, with ClusterEngine on).
    #[arg(long)]
    pub cluster: bool,
}

/// The counts as the daemon reports them; from the `ScoreboardFile` when its control socket
/// cannot be reached (see [`super::who::sessions`]).
pub fn counts(socket: &SocketArgs) -> Result<Value> {
    match socket.ask(&["count", "json"]) {
        Ok(lines) => {
            let line = lines.first().context("the daemon sent no counts")?;
            serde_json::from_str(line).context("the daemon's answer is not JSON")
        }
        Err(e) if e.downcast_ref::<std::io::Error>().is_some() => {
            let list = super::who::sessions(socket, None).map_err(|_| e)?;
            Ok(tally(&list))
        }
        Err(e) => Err(e),
    }
}

/// Counts `who json` objects per vhost and per class.
pub fn tally(list: &[Value]) -> Value {
    use std::collections::BTreeMap;
    let mut vhosts: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut classes: BTreeMap<String, u64> = BTreeMap::new();
    for s in list {
        let e = vhosts
            .entry(s["vhost"].as_str().unwrap_or_default().to_string())
            .or_default();
        e.0 += 1;
        e.1 += u64::from(s["user"].is_string());
        *classes
            .entry(s["class"].as_str().unwrap_or("(none)").to_string())
            .or_default() += 1;
    }
    let vhosts: serde_json::Map<String, Value> = vhosts
        .into_iter()
        .map(|(k, (s, u))| (k, serde_json::json!({"sessions": s, "users": u})))
        .collect();
    serde_json::json!({
        "sessions": list.len(),
        "users": list.iter().filter(|s| s["user"].is_string()).count(),
        "vhosts": vhosts,
        "classes": classes,
    })
}

/// Runs it.
pub fn run(args: &CountArgs) -> Result<()> {
    let v = if args.cluster {
        tally(&super::cluster::sessions(&args.socket, None)?)
    } else {
        counts(&args.socket)?
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    let num = |v: &Value, k: &str| v.get(k).and_then(Value::as_u64).unwrap_or(0);
    if let Some(vhosts) = v.get("vhosts").and_then(Value::as_object) {
        for (name, c) in vhosts {
            println!(
                "vhost {name:<24} {:>5} sessions {:>5} logged in",
                num(c, "sessions"),
                num(c, "users")
            );
        }
    }
    if let Some(classes) = v.get("classes").and_then(Value::as_object) {
        for (name, n) in classes {
            println!("class {name:<24} {:>5} sessions", n.as_u64().unwrap_or(0));
        }
    }
    println!(
        "total {:<24} {:>5} sessions {:>5} logged in",
        "",
        num(&v, "sessions"),
        num(&v, "users")
    );
    Ok(())
}
