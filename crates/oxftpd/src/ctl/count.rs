//! `oxftpctl count [--json]`: sessions and logged-in users per vhost and per `<Class>`.

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
}

/// The counts as the daemon reports them.
pub fn counts(socket: &SocketArgs) -> Result<Value> {
    let lines = socket.ask(&["count", "json"])?;
    let line = lines.first().context("the daemon sent no counts")?;
    serde_json::from_str(line).context("the daemon's answer is not JSON")
}

/// Runs it.
pub fn run(args: &CountArgs) -> Result<()> {
    let v = counts(&args.socket)?;
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
