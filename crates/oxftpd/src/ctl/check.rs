//! `oxftpctl check [-c FILE] [--json]`: reads the configuration as `oxftpd -t` does and
//! says whether the daemon would start with it, listing its vhosts.

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
    /// `{"ok": …, "errors": […], "warnings": […], "vhosts": […]}`.
    #[arg(long)]
    pub json: bool,
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
