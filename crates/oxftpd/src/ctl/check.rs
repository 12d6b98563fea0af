//! `oxftpctl check [-c FILE] [--json]`: reads the configuration as `oxftpd -t` does and
//! says whether the daemon would start with it, listing its vhosts. With `--user`, `--command`
//! and `--path` it answers "may alice STOR in /incoming?" from it ([`super::may`]).

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use serde_json::json;

/// The arguments.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The configuration (default /etc/oxftpd/oxftpd.conf).
    #[arg(short = 'c', long = "config", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// `{"ok": …, "errors": […], "warnings": […], "vhosts": […]}` (with `--user`: the answer).
    #[arg(long)]
    pub json: bool,
    /// Ask whether this user may run `--command` on `--path` (exit status 0: yes, 1: no).
    #[arg(long, value_name = "NAME", requires_all = ["command", "path"])]
    pub user: Option<String>,
    /// The FTP command to ask about (STOR, RETR, MKD, DELE, SITE_CHMOD, …).
    #[arg(long, value_name = "VERB", requires = "user")]
    pub command: Option<String>,
    /// The path, as the client names it after login.
    #[arg(long, value_name = "PATH", requires = "user")]
    pub path: Option<String>,
    /// The vhost (its ServerName, or ADDRESS[#PORT]; default: the main server).
    #[arg(long, value_name = "VHOST", requires = "user")]
    pub vhost: Option<String>,
    /// The client's address, for `<Limit>` and `<Class>` rules.
    #[arg(
        long,
        value_name = "ADDR",
        default_value = "127.0.0.1",
        requires = "user"
    )]
    pub from: std::net::IpAddr,
}

/// Runs it; false when the configuration has errors.
pub fn run(args: &CheckArgs) -> Result<bool> {
    let path = args
        .config
        .clone()
        .unwrap_or_else(|| PathBuf::from("/etc/oxftpd/oxftpd.conf"));
    let loaded = oxftpd_server::parse_config(&path, &[])
        .map_err(oxftpd_server::StartError::from)
        .and_then(|c| oxftpd_server::Generation::new(c, Some(&path)));
    match loaded {
        Ok(g) if args.user.is_some() => {
            let q = super::may::Question {
                vhost: args.vhost.clone(),
                user: args.user.clone().unwrap_or_default(),
                command: args.command.clone().unwrap_or_default(),
                path: args.path.clone().unwrap_or_default(),
                from: args.from,
            };
            let answer = super::may::ask(&g, &q)?;
            if args.json {
                println!("{answer}");
            } else {
                print!("{}", super::may::text(&answer));
            }
            Ok(answer["allowed"] == true)
        }
        Ok(g) => {
            let warnings: Vec<String> = g
                .config
                .warnings()
                .iter()
                .map(ToString::to_string)
                .collect();
            let vhosts: Vec<_> = g
                .servers
                .iter()
                .map(|s| {
                    json!({
                        "name": s.settings.name,
                        "addresses": s.settings.addresses.iter().map(ToString::to_string).collect::<Vec<_>>(),
                        "port": s.settings.port,
                    })
                })
                .collect();
            if args.json {
                println!(
                    "{}",
                    json!({"ok": true, "file": path, "errors": [], "warnings": warnings, "vhosts": vhosts})
                );
            } else {
                for w in &warnings {
                    eprintln!("warning: {w}");
                }
                println!("{}: Syntax OK", path.display());
                for s in &g.servers {
                    let addrs: Vec<String> = s
                        .settings
                        .addresses
                        .iter()
                        .map(ToString::to_string)
                        .collect();
                    println!(
                        "  vhost \"{}\" on {} port {}",
                        s.settings.name,
                        if addrs.is_empty() {
                            "*".to_string()
                        } else {
                            addrs.join(", ")
                        },
                        s.settings.port
                    );
                }
            }
            Ok(true)
        }
        Err(e) => {
            let errors: Vec<String> = e.to_string().lines().map(String::from).collect();
            if args.json {
                println!(
                    "{}",
                    json!({"ok": false, "file": path, "errors": errors, "warnings": [], "vhosts": []})
                );
            } else {
                eprintln!("{e}");
                eprintln!("Syntax check failed");
            }
            Ok(false)
        }
    }
}
