//! The cluster's shared session counts (oxftpd's `ClusterEngine`): every node of a cluster
//! counts its logged-in sessions in the same Redis, so `MaxClients`, `MaxClientsPerUser`,
//! `MaxClientsPerHost`, `MaxClientsPerClass` and `MaxHostsPerUser` hold across the nodes.
//!
//! Each count is a sorted set of session members scored by when their lease ends (Redis's own
//! clock, so the nodes' clocks do not matter). A login runs one script that drops expired
//! members, counts, compares with the limits and adds the session only when none is reached:
//! atomic, so thirty logins at once over three nodes admit exactly as many as the limit. A
//! node renews its sessions' leases every third of `ClusterLease`; when a node dies its
//! sessions stop counting once their leases end. A session that ends takes itself out at once.
//! When Redis cannot be reached a login is refused with a clear message, and logins work again
//! as soon as it is back.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

use oxftpd_server::counters::LoginCounts;
use oxftpd_server::module::events::Limit;
use oxftpd_server::module::{Admission, AdmitFuture};
use oxftpd_server::modules::mod_auth::client_limits::{LoginLimits, login_limits, login_refusal};
use oxftpd_server::session::{Ctx, LoggedIn};
use redis::Script;

use crate::store::{self, StoreError, Target};

/// The refusal when the shared counts cannot be read.
pub const UNAVAILABLE: &str = "Login refused: the cluster's session store is not reachable";

/// A server's cluster settings (kept in `ServerCtx::modules`).
#[derive(Debug, Clone)]
pub struct Cluster {
    /// The Redis holding the counts.
    pub target: Target,
    /// This node's name in the counts.
    pub node: String,
    /// `ClusterLease`.
    pub lease: Duration,
}

/// Drops expired members, counts, checks the limits, and adds the session when none is
/// reached. KEYS: clients, user, host, class (or a placeholder), the user's hosts.
/// ARGV: lease ms, member, host, then the limits (clients, user, host, class, other hosts;
/// -1 for none). Returns {admitted, clients, user, host, class, other hosts}.
static ADMIT: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease, member, host = tonumber(ARGV[1]), ARGV[2], ARGV[3]
local counts = {}
for i = 1, 4 do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now)
  counts[i] = redis.call('ZCARD', KEYS[i])
end
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now)
local seen, others = {}, 0
for _, m in ipairs(redis.call('ZRANGE', KEYS[5], 0, -1)) do
  local h = string.match(m, '^(.-)|')
  if h and h ~= host and not seen[h] then
    seen[h] = true
    others = others + 1
  end
end
local over = false
for i = 1, 4 do
  local max = tonumber(ARGV[3 + i])
  if max >= 0 and counts[i] >= max then over = true end
end
local max_hosts = tonumber(ARGV[8])
if max_hosts >= 0 and others >= max_hosts then over = true end
if over then
  return {0, counts[1], counts[2], counts[3], counts[4], others}
end
for i = 1, 4 do
  redis.call('ZADD', KEYS[i], now + lease, member)
  redis.call('PEXPIRE', KEYS[i], lease * 2)
end
redis.call('ZADD', KEYS[5], now + lease, host .. '|' .. member)
redis.call('PEXPIRE', KEYS[5], lease * 2)
return {1, counts[1], counts[2], counts[3], counts[4], others}
",
    )
});

/// Renews a session's leases. KEYS: its keys; ARGV: lease ms, then one member per key.
static RENEW: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, 'XX', now + lease, ARGV[i + 1])
  redis.call('PEXPIRE', key, lease * 2)
end
return 1
",
    )
});

/// One session's place in the shared counts: the keys and the member in each.
#[derive(Debug, Clone)]
struct Entry {
    cluster: Cluster,
    keys: Vec<(String, String)>,
    /// The server's hash of session descriptions (`oxftpctl who --cluster`).
    info: String,
    renewed: Instant,
}

/// The sessions this node holds in the counts, by member.
static LIVE: LazyLock<Mutex<HashMap<String, Entry>>> = LazyLock::new(|| Mutex::new(HashMap::new()));

fn live() -> std::sync::MutexGuard<'static, HashMap<String, Entry>> {
    LIVE.lock().unwrap_or_else(|p| p.into_inner())
}

/// Holds a session in the shared counts; dropping it (the session ends) takes it out.
pub struct Lease {
    member: String,
}

impl Drop for Lease {
    fn drop(&mut self) {
        let Some(entry) = live().remove(&self.member) else {
            return;
        };
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            let member = self.member.clone();
            handle.spawn(async move {
                let mut pipe = redis::pipe();
                for (key, member) in &entry.keys {
                    pipe.cmd("ZREM").arg(key).arg(member).ignore();
                }
                pipe.cmd("HDEL").arg(&entry.info).arg(&member).ignore();
                let removed = store::within(&entry.cluster.target, |mut conn| async move {
                    pipe.query_async::<()>(&mut conn).await
                });
                // Not removed now: its lease ends it.
                let _ = removed.await;
            });
        }
    }
}

/// The hash of a server's session descriptions, by member: `node TAB user TAB host TAB class
/// TAB login time` (`oxftpctl who --cluster`).
pub(crate) fn info_key(server: &str) -> String {
    format!("oxftpd:{{{server}}}:info")
}

/// A session's key names: `oxftpd:{server}:{what}`, braces keeping a cluster's keys of one
/// server in one Redis Cluster slot.
fn keys(server: &str, user: &str, host: &str, class: Option<&str>) -> [String; 5] {
    let k = |what: String| format!("oxftpd:{{{server}}}:{what}");
    [
        k("clients".into()),
        k(format!("user:{user}")),
        k(format!("host:{host}")),
        k(format!("class:{}", class.unwrap_or("-"))),
        k(format!("userhosts:{user}")),
    ]
}

/// The client's address as the counts name it (IPv4-mapped addresses as IPv4).
fn host_of(ip: IpAddr) -> String {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(|v4| v4.to_string())
            .unwrap_or_else(|| v6.to_string()),
        v4 => v4.to_string(),
    }
}

fn limit_arg(n: Option<usize>) -> i64 {
    n.and_then(|n| i64::try_from(n).ok()).unwrap_or(-1)
}

/// What the shared counts said about a login.
enum Verdict {
    Admitted,
    Refused(LoginCounts),
}

async fn run_admit(
    cluster: &Cluster,
    keys: &[String; 5],
    member: &str,
    host: &str,
    limits: LoginLimits,
) -> Result<Verdict, StoreError> {
    let mut call = ADMIT.prepare_invoke();
    for k in keys {
        call.key(k);
    }
    call.arg(cluster.lease.as_millis() as u64)
        .arg(member)
        .arg(host)
        .arg(limit_arg(limits.clients))
        .arg(limit_arg(limits.user))
        .arg(limit_arg(limits.host))
        .arg(limit_arg(limits.class))
        .arg(limit_arg(limits.other_hosts));
    let r: Vec<u64> = store::within(&cluster.target, |mut conn| async move {
        call.invoke_async(&mut conn).await
    })
    .await?;
    let n = |i: usize| r.get(i).map(|&v| v as usize).unwrap_or(0);
    if n(0) == 1 {
        return Ok(Verdict::Admitted);
    }
    Ok(Verdict::Refused(LoginCounts {
        clients: n(1),
        user: n(2),
        host: n(3),
        class: n(4),
        other_hosts: n(5),
    }))
}

static NEXT: AtomicU64 = AtomicU64::new(0);

/// mod_redis's login check ([`oxftpd_server::module::AdmitFn::Later`]): with `ClusterEngine
/// on`, the login limits against every node's sessions.
pub fn admit<'a>(ctx: &'a mut Ctx, user: &'a mut LoggedIn) -> AdmitFuture<'a> {
    Box::pin(async move {
        let Some(cluster) = ctx.server.modules.get::<Cluster>().cloned() else {
            return Admission::Admit;
        };
        let cfg = oxftpd_server::access::conditions::user_cfg(ctx, user);
        let class = ctx.class.clone();
        let limits = login_limits(&cfg.auth, class.as_deref());
        let host = host_of(ctx.peer.ip());
        let keys = keys(
            &ctx.server.settings.name,
            &user.login_name,
            &host,
            class.as_deref(),
        );
        let member = format!("{}:{}", cluster.node, NEXT.fetch_add(1, Ordering::Relaxed));
        match run_admit(&cluster, &keys, &member, &host, limits).await {
            Ok(Verdict::Admitted) => {
                let mut entries: Vec<(String, String)> = keys[..4]
                    .iter()
                    .map(|k| (k.clone(), member.clone()))
                    .collect();
                entries.push((keys[4].clone(), format!("{host}|{member}")));
                let info = info_key(&ctx.server.settings.name);
                let description = [
                    cluster.node.as_str(),
                    &user.login_name,
                    &host,
                    class.as_deref().unwrap_or("-"),
                    &oxftpd_server::shutmsg::now().to_string(),
                ]
                .join("\t");
                let (target, at, m) = (cluster.target.clone(), info.clone(), member.clone());
                // Only for `who --cluster`: a failure here does not refuse the login.
                let _ = store::within(&target, |mut conn| async move {
                    redis::cmd("HSET")
                        .arg(&at)
                        .arg(&m)
                        .arg(&description)
                        .query_async::<i64>(&mut conn)
                        .await
                })
                .await;
                live().insert(
                    member.clone(),
                    Entry {
                        cluster,
                        keys: entries,
                        info,
                        renewed: Instant::now(),
                    },
                );
                ctx.ext.insert(Lease { member });
                Admission::Admit
            }
            Ok(Verdict::Refused(counts)) => {
                match login_refusal(&cfg.auth, &counts, class.as_deref()) {
                    Some((limit, text)) => {
                        if let Some(limit) = limit {
                            ctx.ext.insert::<Limit>(limit);
                        }
                        crate::log(&format!(
                            "cluster: login of {} from {host} refused: {text}",
                            user.login_name
                        ));
                        Admission::Refuse(text)
                    }
                    None => Admission::Refuse(
                        "Sorry, the maximum number of allowed clients are already connected."
                            .to_string(),
                    ),
                }
            }
            Err(e) => {
                tracing::warn!(peer = %ctx.peer, user = %user.login_name, "cluster store: {e}");
                crate::log(&format!("cluster: {e}"));
                Admission::Refuse(UNAVAILABLE.to_string())
            }
        }
    })
}

/// Renews the leases of this node's sessions, a third of a lease before they would end, and
/// every second applies the cluster-wide shutdowns ([`crate::cluster_admin::apply_shuts`]);
/// runs once per process.
pub fn start_renewing() {
    static STARTED: AtomicBool = AtomicBool::new(false);
    if STARTED.swap(true, Ordering::SeqCst) {
        return;
    }
    let Ok(handle) = tokio::runtime::Handle::try_current() else {
        STARTED.store(false, Ordering::SeqCst);
        return;
    };
    handle.spawn(async {
        let mut tick = tokio::time::interval(Duration::from_millis(500));
        let mut ticks: u64 = 0;
        loop {
            tick.tick().await;
            ticks += 1;
            if ticks.is_multiple_of(2) {
                crate::cluster_admin::apply_shuts().await;
            }
            let due: Vec<(String, Entry)> = {
                let now = Instant::now();
                live()
                    .iter()
                    .filter(|(_, e)| now.duration_since(e.renewed) >= e.cluster.lease / 3)
                    .map(|(m, e)| (m.clone(), e.clone()))
                    .collect()
            };
            for (member, entry) in due {
                if renew(&entry).await.is_ok()
                    && let Some(e) = live().get_mut(&member)
                {
                    e.renewed = Instant::now();
                }
            }
        }
    });
}

async fn renew(entry: &Entry) -> Result<(), StoreError> {
    let mut call = RENEW.prepare_invoke();
    for (key, _) in &entry.keys {
        call.key(key);
    }
    call.arg(entry.cluster.lease.as_millis() as u64);
    for (_, member) in &entry.keys {
        call.arg(member);
    }
    store::within(&entry.cluster.target, |mut conn| async move {
        call.invoke_async::<i64>(&mut conn).await
    })
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_hosts() {
        let k = keys("main", "alice", "10.0.0.1", None);
        assert_eq!(k[0], "oxftpd:{main}:clients");
        assert_eq!(k[1], "oxftpd:{main}:user:alice");
        assert_eq!(k[3], "oxftpd:{main}:class:-");
        let mapped: IpAddr = "::ffff:10.0.0.1"
            .parse()
            .unwrap_or(IpAddr::from([0, 0, 0, 0]));
        assert_eq!(host_of(mapped), "10.0.0.1");
        assert_eq!(limit_arg(None), -1);
        assert_eq!(limit_arg(Some(3)), 3);
    }
}
