//! `--cluster` for `oxftpctl who`, `count` and `shut`: instead of one daemon's control socket,
//! the cluster's Redis named by the configuration (`-c`, its `ClusterEngine on` servers'
//! `RedisServer`): every node's sessions, and a shutdown every node applies within a second.

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use super::SocketArgs;

#[cfg(feature = "mod_redis")]
fn cluster(socket: &SocketArgs) -> Result<(oxftpd_mod_redis::store::Target, Vec<String>)> {
    let Some(conf) = &socket.config else {
        bail!("--cluster needs the configuration (-c FILE) that names the cluster's Redis");
    };
    let config = oxftpd_server::parse_config(conf, &[])
        .map_err(|e| anyhow::anyhow!("{}: {e}", conf.display()))?;
    oxftpd_mod_redis::cluster_of(&config).map_err(|e| anyhow::anyhow!("{}: {e}", conf.display()))
}

#[cfg(feature = "mod_redis")]
fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the runtime")
}

/// Every node's sessions, as `who json` objects with the node's name (`node`).
#[cfg(feature = "mod_redis")]
pub fn sessions(socket: &SocketArgs, vhost: Option<&str>) -> Result<Vec<Value>> {
    let (target, servers) = cluster(socket)?;
    let servers: Vec<String> = servers
        .into_iter()
        .filter(|s| vhost.is_none_or(|v| v == s))
        .collect();
    let list = runtime()?
        .block_on(oxftpd_mod_redis::cluster_admin::sessions(&target, &servers))
        .context("reading the cluster's sessions from Redis")?;
    Ok(list
        .into_iter()
        .map(|s| {
            json!({
                "node": s.node,
                "user": s.user,
                "address": s.host,
                "vhost": s.server,
                "class": s.class,
                "login": s.login,
            })
        })
        .collect())
}

/// Sets (`Some`) or lifts (`None`) the cluster-wide shutdown of `vhost` (all when `None`);
/// what to tell the user.
#[cfg(feature = "mod_redis")]
pub fn shut(
    socket: &SocketArgs,
    vhost: Option<&str>,
    schedule: Option<oxftpd_server::shutmsg::Shutdown>,
) -> Result<String> {
    let (target, servers) = cluster(socket)?;
    if let Some(v) = vhost
        && !servers.iter().any(|s| s == v)
    {
        bail!("shut: no ClusterEngine server named {v}");
    }
    let rt = runtime()?;
    let what = vhost.unwrap_or("all");
    match schedule {
        Some(s) => {
            rt.block_on(oxftpd_mod_redis::cluster_admin::set_shut(
                &target, vhost, &s,
            ))
            .context("writing the shutdown to the cluster's Redis")?;
            Ok(format!(
                "shut: {what} shuts down at {} on every node of the cluster",
                s.at
            ))
        }
        None => {
            let had = rt
                .block_on(oxftpd_mod_redis::cluster_admin::cancel_shut(&target, vhost))
                .context("lifting the shutdown in the cluster's Redis")?;
            Ok(if had {
                format!("shut: shutdown of {what} cancelled on every node of the cluster")
            } else {
                format!("shut: no cluster-wide shutdown of {what} to cancel")
            })
        }
    }
}

/// Without mod_redis there is no cluster to ask.
#[cfg(not(feature = "mod_redis"))]
pub fn sessions(_socket: &SocketArgs, _vhost: Option<&str>) -> Result<Vec<Value>> {
    bail!("--cluster: this build has no mod_redis")
}

/// Without mod_redis there is no cluster to ask.
#[cfg(not(feature = "mod_redis"))]
pub fn shut(
    _socket: &SocketArgs,
    _vhost: Option<&str>,
    _schedule: Option<oxftpd_server::shutmsg::Shutdown>,
) -> Result<String> {
    bail!("--cluster: this build has no mod_redis")
}

/// Prints `who --cluster`'s table: per vhost, one line per session with its node.
pub fn print(list: &[Value]) {
    let text = |v: &Value, k: &str| match v.get(k) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => "-".to_string(),
    };
    if list.is_empty() {
        println!("no sessions in the cluster");
        return;
    }
    let mut last = None;
    for s in list {
        let vhost = text(s, "vhost");
        if last.as_ref() != Some(&vhost) {
            let n = list.iter().filter(|o| text(o, "vhost") == vhost).count();
            println!(
                "{vhost}: {n} session{} in the cluster",
                if n == 1 { "" } else { "s" }
            );
            println!(
                "  {:<20} {:<12} {:<16} {:<19} CLASS",
                "NODE", "USER", "ADDRESS", "LOGIN"
            );
            last = Some(vhost);
        }
        let login = s
            .get("login")
            .and_then(Value::as_i64)
            .map_or_else(|| "-".to_string(), super::local_time);
        println!(
            "  {:<20} {:<12} {:<16} {:<19} {}",
            text(s, "node"),
            text(s, "user"),
            text(s, "address"),
            login,
            text(s, "class")
        );
    }
}
