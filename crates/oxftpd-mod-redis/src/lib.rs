//! mod_redis.c for oxftpd: the Redis server a configuration names (`RedisEngine`,
//! `RedisServer`, `RedisTimeouts`, `RedisOptions`, `RedisLog`), and what oxftpd keeps there
//! past ProFTPD: the cluster's shared session counts ([`cluster`], `ClusterEngine on` with
//! `ClusterStore redis:`), so the `MaxClients*` limits hold across every node behind a load
//! balancer, and the counter store ([`counters`], `CounterStore redis` or `BanCache redis:`),
//! so mod_ban's bans and mod_quotatab's `store:` tallies are shared by those nodes.
//!
//! A crate of its own because it brings the `redis` client (its tokio connection manager and
//! Lua scripting). Not yet here: Redis JSON logging (`RedisLogOnCommand`, `RedisLogOnEvent`,
//! `RedisLogFormatExtra` are refused with that reason), Sentinel discovery, TLS to Redis, and
//! the Redis-backed TLS session and wrap2 tables.

pub mod cluster;
pub mod cluster_admin;
pub mod counters;
pub mod directives;
pub mod store;

use std::fs::File;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use oxftpd_config::{Config, Merged};
use oxftpd_server::StartError;
use oxftpd_server::module::state::ModuleState;
use oxftpd_server::module::{AdmitFn, Module};
use oxftpd_server::type_map::TypeMap;

use crate::cluster::Cluster;
use crate::directives::View;
use crate::store::Target;

/// The name and version this module puts in front of its log lines.
pub const VERSION: &str = "mod_redis/0.3";

/// mod_redis.c.
pub static MODULE: Module = Module {
    spec: &directives::SPEC,
    admit: Some(AdmitFn::Later(cluster::admit)),
    open: Some(open),
    server: Some(servers),
    start: Some(start),
    store: Some(counters::offer),
    ..Module::DEFAULT
};

/// The `RedisLog` file, when one is open.
static LOG: Mutex<Option<File>> = Mutex::new(None);

/// Writes one line to the `RedisLog` (and the daemon's log at debug level).
pub fn log(message: &str) {
    tracing::debug!(target: "mod_redis", "{message}");
    let log = LOG.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(file) = log.as_ref() {
        let _ = oxftpd_server::module::log::write(file, VERSION, message);
    }
}

/// Opens the main server's `RedisLog` (as root, per loaded configuration).
fn open(config: &Config, _state: &mut ModuleState) -> Result<(), StartError> {
    let view = View::read(&Merged::of(&config.main_server().scope(None)));
    let mut log = LOG.lock().unwrap_or_else(|p| p.into_inner());
    *log = None;
    if let Some(path) = view.log.as_deref().filter(|_| view.engine) {
        match oxftpd_server::module::log::open(Path::new(path)) {
            Ok(f) => *log = Some(f),
            Err(e) => tracing::warn!("{VERSION}: notice: unable to open RedisLog '{path}': {e}"),
        }
    }
    Ok(())
}

/// Each server's cluster settings, checked when the configuration is read.
fn servers(config: &Config, maps: &mut [TypeMap]) -> Result<(), StartError> {
    check_counter_store(config)?;
    for (server, map) in config.servers().iter().zip(maps.iter_mut()) {
        let merged = Merged::of(&server.scope(None));
        let view = View::read(&merged);
        if !view.cluster {
            continue;
        }
        let at = |name: &'static str| merged.one(name).cloned();
        let fail = |message: &str| match at("ClusterEngine") {
            Some(d) => StartError::at(&d, message.to_string()),
            None => StartError::Message(message.to_string()),
        };
        if !view.store_redis {
            return Err(fail("ClusterEngine on needs ClusterStore redis:"));
        }
        if !view.engine {
            return Err(fail("ClusterStore redis: needs RedisEngine on"));
        }
        let Some(line) = view.server.clone() else {
            return Err(fail("ClusterStore redis: needs a RedisServer"));
        };
        let node = view.node.clone().unwrap_or_else(default_node);
        map.insert(Cluster {
            target: Target {
                server: line,
                timeouts_ms: view.timeouts_ms,
                no_reconnect: view.no_reconnect,
            },
            node,
            lease: Duration::from_secs(view.lease_secs.max(1)),
        });
    }
    Ok(())
}

/// `CounterStore redis` needs the main server's Redis; `BanCache redis:` keeps mod_ban's bans
/// in the counter store, which must then be Redis.
fn check_counter_store(config: &Config) -> Result<(), StartError> {
    let store = oxftpd_config::modules::mod_core::Daemon::of(config).counter_store;
    if store == oxftpd_config::modules::mod_core::CounterStoreChoice::Redis {
        counters::offer(config, &store)?;
    }
    let merged = Merged::of(&config.main_server().scope(None));
    let Some(line) = merged.one("BanCache") else {
        return Ok(());
    };
    if store != oxftpd_config::modules::mod_core::CounterStoreChoice::Redis {
        return Err(StartError::at(
            line,
            format!(
                "BanCache redis: conflicts with CounterStore {store:?}: oxftpd keeps mod_ban's bans in the counter store (leave CounterStore out, or set it to redis)"
            ),
        ));
    }
    Ok(())
}

/// The host name and process id.
fn default_node() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "node".to_string());
    format!("{host}:{}", std::process::id())
}

fn start(
    generation: &std::sync::Arc<oxftpd_server::context::Generation>,
    _shared: &std::sync::Arc<oxftpd_server::context::Shared>,
) {
    cluster_admin::follow(
        generation
            .servers
            .iter()
            .filter_map(|s| s.modules.get::<Cluster>().map(|c| c.target.clone()))
            .collect(),
    );
    cluster::start_renewing();
}

/// The Redis and the cluster servers' names of a configuration with `ClusterEngine on`
/// (for `oxftpctl who --cluster`, `count --cluster`, `shut --cluster`).
pub fn cluster_of(config: &Config) -> Result<(Target, Vec<String>), StartError> {
    let mut maps: Vec<TypeMap> = config
        .servers()
        .iter()
        .map(|_| TypeMap::default())
        .collect();
    servers(config, &mut maps)?;
    let mut target = None;
    let mut names = Vec::new();
    for (server, map) in config.servers().iter().zip(&maps) {
        if let Some(c) = map.get::<Cluster>() {
            target.get_or_insert_with(|| c.target.clone());
            let merged = Merged::of(&server.scope(None));
            names.push(
                merged
                    .arg("ServerName", 0)
                    .unwrap_or_else(|| "ProFTPD".to_string()),
            );
        }
    }
    match target {
        Some(t) => Ok((t, names)),
        None => Err(StartError::Message(
            "no server of this configuration has ClusterEngine on".into(),
        )),
    }
}
