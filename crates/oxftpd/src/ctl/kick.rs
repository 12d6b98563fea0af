//! `oxftpctl kick [--user|--host|--class] NAME`: ends the sessions of a user, an address or
//! a `<Class>` (a bare NAME is an address when it reads as one, else a user).

use anyhow::Result;
use clap::Args;
use serde_json::json;

use super::SocketArgs;

/// The arguments.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("kind").args(["user", "host", "class"])))]
pub struct KickArgs {
    /// Which daemon.
    #[command(flatten)]
    pub socket: SocketArgs,
    /// NAME is a user.
    #[arg(long)]
    pub user: bool,
    /// NAME is a host (address or name).
    #[arg(long)]
    pub host: bool,
    /// NAME is a `<Class>`.
    #[arg(long)]
    pub class: bool,
    /// The user, address or class.
    pub name: String,
    /// `{"kind": …, "name": …, "kicked": true|false, "message": …}`.
    #[arg(long)]
    pub json: bool,
}

/// Runs it.
pub fn run(args: &KickArgs) -> Result<()> {
    let kind = if args.class {
        "class"
    } else if args.host || (!args.user && args.name.parse::<std::net::IpAddr>().is_ok()) {
        "host"
    } else {
        "user"
    };
    let lines = args.socket.ask(&["kick", kind, &args.name])?;
    let message = lines.join("\n");
    let kicked = message.starts_with("kicked ");
    if args.json {
        println!(
            "{}",
            json!({"kind": kind, "name": args.name, "kicked": kicked, "message": message})
        );
    } else {
        println!("oxftpctl: {message}");
    }
    Ok(())
}
