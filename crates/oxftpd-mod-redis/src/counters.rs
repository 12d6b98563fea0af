//! The counter store ([`oxftpd_server::store`]) in Redis: `CounterStore redis` (or
//! `BanCache redis:`), so mod_ban's bans and event counts and mod_quotatab's `store:` tallies
//! are shared by every node that names the same `RedisServer`.
//!
//! Layout, under `oxftpd:store:` (space and key length-prefixed, so no two pairs share a key):
//! - counters of `space`/`key`: a hash of values `c:…` and a hash of window ends `ce:…`
//!   (milliseconds, 0 for none); both expire with the last window, and live for ever when a
//!   counter has none;
//! - records of `space`: a hash of values `r:…` and a hash of expiries `re:…`.
//!
//! Every change is one Lua script, run atomically by Redis on its own clock, so concurrent
//! sessions on any number of nodes never lose an update and windows do not depend on the
//! nodes' clocks.

use std::sync::LazyLock;
use std::time::{Duration, SystemTime};

use oxftpd_config::Config;
use oxftpd_config::Merged;
use oxftpd_config::modules::mod_core::CounterStoreChoice;
use oxftpd_server::StartError;
use oxftpd_server::store::{CounterStore, Record, StoreError, StoreFuture, from_millis, millis};
use redis::Script;

use crate::directives::View;
use crate::store::{self, Target};

const NOW: &str = "local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
";

/// KEYS: values, window ends. ARGV: window ms (0: none), then name, delta pairs. Returns the
/// new values in order.
static ADD: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        "{NOW}
local w = tonumber(ARGV[1])
local out = {{}}
for i = 2, #ARGV, 2 do
  local name = ARGV[i]
  local e = tonumber(redis.call('HGET', KEYS[2], name) or '-1')
  if e < 0 or (e > 0 and e <= now) then
    redis.call('HSET', KEYS[1], name, 0)
    local ends = 0
    if w > 0 then ends = now + w end
    redis.call('HSET', KEYS[2], name, ends)
  end
  out[#out + 1] = redis.call('HINCRBY', KEYS[1], name, ARGV[i + 1])
end
local last = 0
for _, v in ipairs(redis.call('HVALS', KEYS[2])) do
  local n = tonumber(v)
  if n == 0 then last = -1 break end
  if n > last then last = n end
end
for i = 1, 2 do
  if last > 0 then redis.call('PEXPIREAT', KEYS[i], last) else redis.call('PERSIST', KEYS[i]) end
end
return out
"
    ))
});

/// KEYS: values, window ends. Returns name, value pairs of the live counters.
static COUNTERS: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        "{NOW}
local out = {{}}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local e = tonumber(redis.call('HGET', KEYS[2], all[i]) or '0')
  if e == 0 or e > now then
    out[#out + 1] = all[i]
    out[#out + 1] = all[i + 1]
  end
end
return out
"
    ))
});

/// KEYS: values, expiries; ARGV: key. The live value, or nil (an expired one is dropped).
static GET: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        "{NOW}
local e = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if e > 0 and e <= now then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
  return false
end
return redis.call('HGET', KEYS[1], ARGV[1])
"
    ))
});

/// KEYS: values, expiries; ARGV: key. Removes it; 1 when it was live.
static REMOVE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        "{NOW}
local e = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
local had = redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
if had == 1 and (e == 0 or e > now) then return 1 end
return 0
"
    ))
});

/// KEYS: values, expiries. Drops the expired records and returns key, value, expiry triples.
static RECORDS: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        "{NOW}
local out = {{}}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local e = tonumber(redis.call('HGET', KEYS[2], all[i]) or '0')
  if e > 0 and e <= now then
    redis.call('HDEL', KEYS[1], all[i])
    redis.call('HDEL', KEYS[2], all[i])
  else
    out[#out + 1] = all[i]
    out[#out + 1] = all[i + 1]
    out[#out + 1] = tostring(e)
  end
end
return out
"
    ))
});

/// The counter store in Redis.
pub struct RedisStore {
    target: Target,
    what: String,
}

/// mod_redis's counter-store backend (`Module::store`): `CounterStore redis`, through the
/// main server's `RedisEngine`/`RedisServer`.
pub fn offer(
    config: &Config,
    choice: &CounterStoreChoice,
) -> Result<Option<std::sync::Arc<dyn CounterStore>>, StartError> {
    if *choice != CounterStoreChoice::Redis {
        return Ok(None);
    }
    let merged = Merged::of(&config.main_server().scope(None));
    let view = View::read(&merged);
    let fail = |message: &str| {
        let at = merged
            .one("CounterStore")
            .or_else(|| merged.one("BanCache"))
            .cloned();
        match at {
            Some(d) => StartError::at(&d, message.to_string()),
            None => StartError::Message(message.to_string()),
        }
    };
    if !view.engine {
        return Err(fail(
            "a Redis counter store needs RedisEngine on in the main server",
        ));
    }
    let Some(server) = view.server else {
        return Err(fail(
            "a Redis counter store needs a RedisServer in the main server",
        ));
    };
    let what = format!("redis {}", describe(&server));
    Ok(Some(std::sync::Arc::new(RedisStore {
        target: Target {
            server,
            timeouts_ms: view.timeouts_ms,
            no_reconnect: view.no_reconnect,
        },
        what,
    })))
}

fn describe(s: &crate::directives::ServerLine) -> String {
    match &s.address {
        crate::directives::Address::Tcp(h, p) => format!("{h}:{p}/{}", s.db),
        crate::directives::Address::Unix(p) => format!("{p}/{}", s.db),
    }
}

/// A length-prefixed name part.
fn part(s: &str) -> String {
    format!("{}:{s}", s.len())
}

fn counter_keys(space: &str, key: &str) -> [String; 2] {
    let id = format!("{}:{}", part(space), part(key));
    [
        format!("oxftpd:store:c:{id}"),
        format!("oxftpd:store:ce:{id}"),
    ]
}

fn record_keys(space: &str) -> [String; 2] {
    let id = part(space);
    [
        format!("oxftpd:store:r:{id}"),
        format!("oxftpd:store:re:{id}"),
    ]
}

fn failed(e: store::StoreError) -> StoreError {
    StoreError::Backend(e.to_string())
}

impl RedisStore {
    async fn run<T: redis::FromRedisValue + Send + 'static>(
        &self,
        script: &Script,
        keys: &[String],
        args: &[String],
    ) -> Result<T, StoreError> {
        let mut call = script.prepare_invoke();
        for k in keys {
            call.key(k);
        }
        for a in args {
            call.arg(a);
        }
        store::within(&self.target, |mut conn| async move {
            call.invoke_async(&mut conn).await
        })
        .await
        .map_err(failed)
    }
}

fn window_ms(window: Option<Duration>) -> i64 {
    window.map_or(0, |w| {
        i64::try_from(w.as_millis()).unwrap_or(i64::MAX).max(1)
    })
}

fn expiry_ms(t: Option<SystemTime>) -> i64 {
    t.map_or(0, |t| millis(t).max(1))
}

impl CounterStore for RedisStore {
    fn describe(&self) -> String {
        self.what.clone()
    }

    fn add(
        &self,
        space: String,
        key: String,
        deltas: Vec<(String, i64)>,
        window: Option<Duration>,
    ) -> StoreFuture<'_, Vec<i64>> {
        Box::pin(async move {
            if deltas.is_empty() {
                return Ok(Vec::new());
            }
            let mut args = vec![window_ms(window).to_string()];
            for (name, delta) in deltas {
                args.push(name);
                args.push(delta.to_string());
            }
            self.run(&ADD, &counter_keys(&space, &key), &args).await
        })
    }

    fn counters(&self, space: String, key: String) -> StoreFuture<'_, Vec<(String, i64)>> {
        Box::pin(async move {
            let flat: Vec<String> = self
                .run(&COUNTERS, &counter_keys(&space, &key), &[])
                .await?;
            let mut all: Vec<(String, i64)> = flat
                .chunks_exact(2)
                .map(|p| (p[0].clone(), p[1].parse().unwrap_or(0)))
                .collect();
            all.sort();
            Ok(all)
        })
    }

    fn clear(&self, space: String, key: String) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            let keys = counter_keys(&space, &key);
            store::within(&self.target, |mut conn| async move {
                redis::cmd("DEL")
                    .arg(&keys[0])
                    .arg(&keys[1])
                    .query_async::<i64>(&mut conn)
                    .await
            })
            .await
            .map_err(failed)?;
            Ok(())
        })
    }

    fn put(
        &self,
        space: String,
        key: String,
        value: String,
        expires: Option<SystemTime>,
    ) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            let [values, ends] = record_keys(&space);
            let expires = expiry_ms(expires);
            store::within(&self.target, |mut conn| async move {
                redis::pipe()
                    .atomic()
                    .hset(&values, &key, &value)
                    .ignore()
                    .hset(&ends, &key, expires)
                    .ignore()
                    .query_async::<()>(&mut conn)
                    .await
            })
            .await
            .map_err(failed)
        })
    }

    fn get(&self, space: String, key: String) -> StoreFuture<'_, Option<String>> {
        Box::pin(async move { self.run(&GET, &record_keys(&space), &[key]).await })
    }

    fn remove(&self, space: String, key: String) -> StoreFuture<'_, bool> {
        Box::pin(async move {
            let n: i64 = self.run(&REMOVE, &record_keys(&space), &[key]).await?;
            Ok(n == 1)
        })
    }

    fn records(&self, space: String) -> StoreFuture<'_, Vec<Record>> {
        Box::pin(async move {
            let flat: Vec<String> = self.run(&RECORDS, &record_keys(&space), &[]).await?;
            let mut all: Vec<Record> = flat
                .chunks_exact(3)
                .map(|r| Record {
                    key: r[0].clone(),
                    value: r[1].clone(),
                    expires: match r[2].parse::<i64>().unwrap_or(0) {
                        0 => None,
                        ms => Some(from_millis(ms)),
                    },
                })
                .collect();
            all.sort_by(|a, b| a.key.cmp(&b.key));
            Ok(all)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_different_pairs_differ() {
        assert_ne!(counter_keys("a:b", "c"), counter_keys("a", "b:c"));
        assert_eq!(
            counter_keys("ban", "1.2.3.4")[0],
            "oxftpd:store:c:3:ban:7:1.2.3.4"
        );
        assert_eq!(record_keys("ban")[1], "oxftpd:store:re:3:ban");
    }
}
