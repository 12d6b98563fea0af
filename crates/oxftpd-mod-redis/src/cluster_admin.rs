//! The cluster seen and steered from one place: `oxftpctl who --cluster` and `count
//! --cluster` read every node's sessions from Redis ([`sessions`]); `oxftpctl shut --cluster`
//! writes a shutdown (ftpshut's times, one vhost or all) into Redis ([`set_shut`],
//! [`cancel_shut`]), and every node with `ClusterEngine on` applies it to itself within about
//! a second ([`apply_shuts`]), exactly as a local `oxftpctl shut` would (refused logins from
//! the deny time, sessions cut at the disconnect time).

use std::collections::{HashMap, HashSet};
use std::sync::{LazyLock, Mutex};

use oxftpd_server::admin::{self, Vhost};
use oxftpd_server::shutmsg::Shutdown;
use redis::Script;

use crate::store::{self, StoreError, Target};

/// The hash of cluster-wide shutdowns: vhost (or `all`) to `at TAB deny TAB disconnect TAB
/// message`.
const SHUTS: &str = "oxftpd:cluster:shut";

/// One session somewhere in the cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterSession {
    /// The server's `ServerName`.
    pub server: String,
    /// The node it is on (`ClusterNodeName`).
    pub node: String,
    /// The user.
    pub user: String,
    /// The client's address.
    pub host: String,
    /// Its `<Class>`, if any.
    pub class: Option<String>,
    /// When it logged in (unix seconds).
    pub login: i64,
}

/// KEYS: clients, info. The live members' descriptions (member, description pairs); drops the
/// descriptions of sessions whose lease has ended (a dead node's).
static SESSIONS: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local live = {}
for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')) do
  live[m] = true
end
local out = {}
local all = redis.call('HGETALL', KEYS[2])
for i = 1, #all, 2 do
  if live[all[i]] then
    out[#out + 1] = all[i]
    out[#out + 1] = all[i + 1]
  else
    redis.call('HDEL', KEYS[2], all[i])
  end
end
return out
",
    )
});

/// The live sessions of `servers` (their `ServerName`s) in the cluster's Redis.
pub async fn sessions(
    target: &Target,
    servers: &[String],
) -> Result<Vec<ClusterSession>, StoreError> {
    let mut out = Vec::new();
    for server in servers {
        let mut call = SESSIONS.prepare_invoke();
        call.key(format!("oxftpd:{{{server}}}:clients"))
            .key(super::cluster::info_key(server));
        let flat: Vec<String> = store::within(target, |mut conn| async move {
            call.invoke_async(&mut conn).await
        })
        .await?;
        for pair in flat.chunks_exact(2) {
            let f: Vec<&str> = pair[1].split('\t').collect();
            let field = |i: usize| f.get(i).copied().unwrap_or("").to_string();
            out.push(ClusterSession {
                server: server.clone(),
                node: field(0),
                user: field(1),
                host: field(2),
                class: Some(field(3)).filter(|c| c != "-" && !c.is_empty()),
                login: field(4).parse().unwrap_or(0),
            });
        }
    }
    out.sort_by(|a, b| (&a.server, &a.node, a.login).cmp(&(&b.server, &b.node, b.login)));
    Ok(out)
}

fn field(vhost: Option<&str>) -> String {
    vhost.unwrap_or("all").to_string()
}

/// Sets the cluster-wide shutdown of `vhost` (all when `None`), replacing one there.
pub async fn set_shut(
    target: &Target,
    vhost: Option<&str>,
    s: &Shutdown,
) -> Result<(), StoreError> {
    let value = format!("{}\t{}\t{}\t{}", s.at, s.deny, s.disconnect, s.message);
    let f = field(vhost);
    store::within(target, |mut conn| async move {
        redis::cmd("HSET")
            .arg(SHUTS)
            .arg(&f)
            .arg(&value)
            .query_async::<i64>(&mut conn)
            .await
    })
    .await?;
    Ok(())
}

/// Lifts the cluster-wide shutdown of `vhost` (all when `None`); whether there was one.
pub async fn cancel_shut(target: &Target, vhost: Option<&str>) -> Result<bool, StoreError> {
    let f = field(vhost);
    let n: i64 = store::within(target, |mut conn| async move {
        redis::cmd("HDEL")
            .arg(SHUTS)
            .arg(&f)
            .query_async(&mut conn)
            .await
    })
    .await?;
    Ok(n > 0)
}

/// The cluster-wide shutdowns: (vhost, `None` for all; schedule).
pub async fn shuts(target: &Target) -> Result<Vec<(Option<String>, Shutdown)>, StoreError> {
    let all: Vec<(String, String)> = store::within(target, |mut conn| async move {
        redis::cmd("HGETALL")
            .arg(SHUTS)
            .query_async(&mut conn)
            .await
    })
    .await?;
    let mut out: Vec<(Option<String>, Shutdown)> = all
        .into_iter()
        .filter_map(|(vhost, value)| {
            let mut f = value.splitn(4, '\t');
            let mut num = || f.next().and_then(|v| v.parse::<i64>().ok());
            let (at, deny, disconnect) = (num()?, num()?, num()?);
            let message = f.next().unwrap_or("").to_string();
            let vhost = (vhost != "all").then_some(vhost);
            Some((
                vhost,
                Shutdown {
                    at,
                    deny,
                    disconnect,
                    message,
                },
            ))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// The Redis servers this node's cluster servers use (set per loaded configuration).
static FOLLOWED: Mutex<Vec<Target>> = Mutex::new(Vec::new());

/// The cluster-wide shutdowns this node has applied, by vhost.
static APPLIED: LazyLock<Mutex<HashMap<Option<String>, Shutdown>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// Follows the shutdowns in `targets` (this node's `ClusterEngine on` servers' Redis).
pub fn follow(targets: Vec<Target>) {
    let mut unique: Vec<Target> = Vec::new();
    for t in targets {
        if !unique.contains(&t) {
            unique.push(t);
        }
    }
    *FOLLOWED.lock().unwrap_or_else(|p| p.into_inner()) = unique;
}

/// Applies the cluster-wide shutdowns to this node: new or changed ones are set, lifted ones
/// cancelled; local shutdowns of other vhosts are left alone. A Redis that does not answer
/// changes nothing.
pub async fn apply_shuts() {
    let targets = FOLLOWED.lock().unwrap_or_else(|p| p.into_inner()).clone();
    if targets.is_empty() {
        return;
    }
    let mut wanted: HashMap<Option<String>, Shutdown> = HashMap::new();
    for t in &targets {
        match shuts(t).await {
            Ok(list) => wanted.extend(list),
            Err(_) => return,
        }
    }
    let mut applied = APPLIED.lock().unwrap_or_else(|p| p.into_inner());
    for (vhost, s) in &wanted {
        if applied.get(vhost) != Some(s) {
            let text = format!(
                "cluster: {} shuts down at {} (from the cluster's Redis)",
                field(vhost.as_deref()),
                s.at
            );
            crate::log(&text);
            tracing::info!("{text}");
            admin::shut(vhost.as_deref().map(Vhost::parse), s.clone());
            applied.insert(vhost.clone(), s.clone());
        }
    }
    let gone: HashSet<Option<String>> = applied
        .keys()
        .filter(|v| !wanted.contains_key(*v))
        .cloned()
        .collect();
    for vhost in gone {
        let v = vhost.as_deref().map(Vhost::parse);
        admin::cancel(v.as_ref());
        crate::log(&format!(
            "cluster: shutdown of {} cancelled",
            field(vhost.as_deref())
        ));
        applied.remove(&vhost);
    }
}
