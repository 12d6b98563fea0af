//! The Redis counter store against a real `redis-server` started by the test: it behaves as
//! every counter store must (`oxftpd_server::store::check`), and two stores on one Redis (two
//! nodes) see each other's counters and records, with no lost update under concurrency.

use std::sync::Arc;
use std::time::Duration;

use oxftpd_config::modules::mod_core::CounterStoreChoice;
use oxftpd_server::store::{CounterStore, check};
use oxftpd_testkit::redis::Redis;

fn store(redis: &Redis) -> Arc<dyn CounterStore> {
    let text = format!(
        "RedisEngine on\nRedisServer 127.0.0.1:{}\nCounterStore redis\n",
        redis.port
    );
    let specs = [
        &oxftpd_config::modules::mod_core::MODULE,
        &oxftpd_mod_redis::directives::SPEC,
    ];
    let config = oxftpd_config::parse_str(
        &text,
        std::path::Path::new("/t.conf"),
        &oxftpd_config::ParseOptions::new(&specs),
    )
    .expect("config");
    oxftpd_mod_redis::counters::offer(&config, &CounterStoreChoice::Redis)
        .expect("offer")
        .expect("a Redis store")
}

#[tokio::test]
async fn the_redis_store_behaves_as_a_store() {
    let Some(redis) = Redis::start() else { return };
    check::behaves(store(&redis).as_ref()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_adds_on_two_nodes_lose_nothing() {
    let Some(redis) = Redis::start() else { return };
    let (a, b) = (store(&redis), store(&redis));
    let mut tasks = Vec::new();
    for i in 0..30 {
        let s = if i % 2 == 0 { a.clone() } else { b.clone() };
        tasks.push(tokio::spawn(async move {
            for _ in 0..10 {
                s.add(
                    "quota".into(),
                    "alice".into(),
                    vec![("bytes_in".into(), 7), ("files_in".into(), 1)],
                    None,
                )
                .await
                .expect("add");
            }
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    assert_eq!(
        b.counters("quota".into(), "alice".into())
            .await
            .expect("counters"),
        [
            ("bytes_in".to_string(), 7 * 300),
            ("files_in".to_string(), 300)
        ]
    );
    // A record put through one node is read, listed and removed through the other.
    a.put("ban".into(), "10.0.0.9".into(), "why".into(), None)
        .await
        .expect("put");
    assert_eq!(
        b.get("ban".into(), "10.0.0.9".into())
            .await
            .expect("get")
            .as_deref(),
        Some("why")
    );
    assert!(
        b.remove("ban".into(), "10.0.0.9".into())
            .await
            .expect("remove")
    );
    assert_eq!(
        a.get("ban".into(), "10.0.0.9".into()).await.expect("get"),
        None
    );
    check::concurrent_adds(a).await;
}

#[tokio::test]
async fn a_stopped_redis_is_an_error_not_a_hang() {
    let Some(mut redis) = Redis::start() else {
        return;
    };
    let s = store(&redis);
    s.add("x".into(), "y".into(), vec![("n".into(), 1)], None)
        .await
        .expect("add");
    redis.stop();
    let started = std::time::Instant::now();
    let r = s
        .add("x".into(), "y".into(), vec![("n".into(), 1)], None)
        .await;
    assert!(r.is_err(), "{r:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
}
