//! The Redis connections, one per `RedisServer` line (shared by every server naming it), made
//! on first use and remade by the `redis` crate's connection manager when they break (unless
//! `RedisOptions NoReconnect`).

use std::collections::HashMap;
use std::sync::LazyLock;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::Mutex;

use crate::directives::{Address, ServerLine};

/// Why Redis could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Connecting or a command failed.
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
    /// The connection broke earlier and `RedisOptions NoReconnect` forbids another.
    #[error("redis: the connection broke and RedisOptions NoReconnect is set")]
    Broken,
    /// No answer within the `RedisTimeouts`.
    #[error("redis: no answer within {0} ms")]
    Timeout(u64),
}

/// Runs `op` on `target`'s connection within its `RedisTimeouts` (connect plus I/O): a Redis
/// that is down or hangs costs a login that long at most.
pub async fn within<T, F, Fut>(target: &Target, op: F) -> Result<T, StoreError>
where
    F: FnOnce(ConnectionManager) -> Fut,
    Fut: std::future::Future<Output = Result<T, redis::RedisError>>,
{
    let limit = target.timeouts_ms.0 + target.timeouts_ms.1;
    let run = async {
        let conn = connection(target).await?;
        Ok::<T, StoreError>(op(conn).await?)
    };
    let result = match tokio::time::timeout(Duration::from_millis(limit), run).await {
        Ok(r) => r,
        Err(_) => Err(StoreError::Timeout(limit)),
    };
    if result.is_err() {
        failed(target).await;
    }
    result
}

/// How to reach one Redis server.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Target {
    /// The `RedisServer` line.
    pub server: ServerLine,
    /// `RedisTimeouts`, milliseconds.
    pub timeouts_ms: (u64, u64),
    /// `RedisOptions NoReconnect`.
    pub no_reconnect: bool,
}

enum Slot {
    Up(ConnectionManager),
    Broken,
}

static CONNECTIONS: LazyLock<Mutex<HashMap<Target, Slot>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// The connection to `target`, made now if there is none yet.
pub async fn connection(target: &Target) -> Result<ConnectionManager, StoreError> {
    let mut slots = CONNECTIONS.lock().await;
    match slots.get(target) {
        Some(Slot::Up(c)) => return Ok(c.clone()),
        Some(Slot::Broken) => return Err(StoreError::Broken),
        None => {}
    }
    let client = redis::Client::open(url(&target.server))?;
    let (connect, io) = target.timeouts_ms;
    let mut config = ConnectionManagerConfig::new()
        .set_connection_timeout(Duration::from_millis(connect))
        .set_response_timeout(Duration::from_millis(io));
    if target.no_reconnect {
        config = config.set_number_of_retries(0);
    }
    let manager = ConnectionManager::new_with_config(client, config).await?;
    slots.insert(target.clone(), Slot::Up(manager.clone()));
    Ok(manager)
}

/// Notes that a command on `target`'s connection failed: with `NoReconnect` it is not used
/// again.
async fn failed(target: &Target) {
    if target.no_reconnect {
        CONNECTIONS
            .lock()
            .await
            .insert(target.clone(), Slot::Broken);
    }
}

/// The connection URL of a `RedisServer` line.
fn url(s: &ServerLine) -> String {
    let auth = match (&s.username, &s.password) {
        (Some(u), Some(p)) => format!("{}:{}@", encode(u), encode(p)),
        (None, Some(p)) => format!(":{}@", encode(p)),
        (Some(u), None) => format!("{}@", encode(u)),
        (None, None) => String::new(),
    };
    match &s.address {
        Address::Tcp(host, port) if host.contains(':') => {
            format!("redis://{auth}[{host}]:{port}/{}", s.db)
        }
        Address::Tcp(host, port) => format!("redis://{auth}{host}:{port}/{}", s.db),
        Address::Unix(path) => {
            let mut q = format!("db={}", s.db);
            if let Some(u) = &s.username {
                q.push_str(&format!("&user={}", encode(u)));
            }
            if let Some(p) = &s.password {
                q.push_str(&format!("&pass={}", encode(p)));
            }
            format!("redis+unix://{path}?{q}")
        }
    }
}

/// Percent-encodes everything but unreserved characters (RFC 3986 section 2.3).
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let line = |address, username: Option<&str>, password: Option<&str>, db| ServerLine {
            address,
            username: username.map(String::from),
            password: password.map(String::from),
            db,
        };
        assert_eq!(
            url(&line(Address::Tcp("127.0.0.1".into(), 6379), None, None, 0)),
            "redis://127.0.0.1:6379/0"
        );
        assert_eq!(
            url(&line(
                Address::Tcp("::1".into(), 7000),
                Some("u"),
                Some("p@ss/w"),
                2
            )),
            "redis://u:p%40ss%2Fw@[::1]:7000/2"
        );
        assert_eq!(
            url(&line(
                Address::Unix("/run/r.sock".into()),
                None,
                Some("x"),
                1
            )),
            "redis+unix:///run/r.sock?db=1&pass=x"
        );
    }
}
