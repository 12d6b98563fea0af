//! What every [`CounterStore`] backend must do, as checks its tests run (they panic on a
//! difference): the memory store's unit tests here, the SQL backends' in `oxftpd-mod-sql`.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::CounterStore;

fn s(v: &str) -> String {
    v.to_string()
}

/// Counters add up, windows restart them, records expire and are listed per space.
pub async fn behaves(store: &dyn CounterStore) {
    let add = |key: &'static str, deltas: Vec<(String, i64)>, window| {
        store.add(s("check"), s(key), deltas, window)
    };
    assert_eq!(
        add(
            "alice",
            vec![(s("files_in"), 1), (s("bytes_in"), 100)],
            None
        )
        .await
        .expect("add"),
        [1, 100]
    );
    assert_eq!(
        add("alice", vec![(s("bytes_in"), 50), (s("files_in"), 1)], None)
            .await
            .expect("add"),
        [150, 2]
    );
    assert_eq!(
        store
            .counters(s("check"), s("alice"))
            .await
            .expect("counters"),
        [(s("bytes_in"), 150), (s("files_in"), 2)]
    );
    // Another key and another space are other counters.
    assert_eq!(
        add("bob", vec![(s("files_in"), 5)], None)
            .await
            .expect("add"),
        [5]
    );
    assert!(
        store
            .counters(s("other"), s("alice"))
            .await
            .expect("counters")
            .is_empty()
    );
    store.clear(s("check"), s("alice")).await.expect("clear");
    assert!(
        store
            .counters(s("check"), s("alice"))
            .await
            .expect("counters")
            .is_empty()
    );
    // A window: counts within it, starts again after it.
    let w = Some(Duration::from_millis(300));
    assert_eq!(add("carol", vec![(s("n"), 1)], w).await.expect("add"), [1]);
    assert_eq!(add("carol", vec![(s("n"), 1)], w).await.expect("add"), [2]);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(add("carol", vec![(s("n"), 1)], w).await.expect("add"), [1]);

    // Records.
    let soon = SystemTime::now() + Duration::from_millis(300);
    store
        .put(
            s("check"),
            s("10.0.0.1"),
            s("banned\tfor a while"),
            Some(soon),
        )
        .await
        .expect("put");
    store
        .put(s("check"), s("10.0.0.2"), s("for ever"), None)
        .await
        .expect("put");
    store
        .put(s("other"), s("10.0.0.3"), s("elsewhere"), None)
        .await
        .expect("put");
    assert_eq!(
        store
            .get(s("check"), s("10.0.0.1"))
            .await
            .expect("get")
            .as_deref(),
        Some("banned\tfor a while")
    );
    let listed = store.records(s("check")).await.expect("records");
    assert_eq!(
        listed.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(),
        ["10.0.0.1", "10.0.0.2"]
    );
    assert!(listed[0].expires.is_some() && listed[1].expires.is_none());
    // Replacing a record.
    store
        .put(s("check"), s("10.0.0.2"), s("again"), None)
        .await
        .expect("put");
    assert_eq!(
        store
            .get(s("check"), s("10.0.0.2"))
            .await
            .expect("get")
            .as_deref(),
        Some("again")
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        store.get(s("check"), s("10.0.0.1")).await.expect("get"),
        None
    );
    assert!(
        !store
            .remove(s("check"), s("10.0.0.1"))
            .await
            .expect("remove")
    );
    assert!(
        store
            .remove(s("check"), s("10.0.0.2"))
            .await
            .expect("remove")
    );
    assert!(store.records(s("check")).await.expect("records").is_empty());
    assert!(
        store
            .remove(s("other"), s("10.0.0.3"))
            .await
            .expect("remove")
    );
}

/// Many tasks adding to one counter at once: the total is exact.
pub async fn concurrent_adds(store: Arc<dyn CounterStore>) {
    const TASKS: i64 = 30;
    const EACH: i64 = 10;
    let mut tasks = Vec::new();
    for _ in 0..TASKS {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..EACH {
                store
                    .add(
                        s("check.concurrent"),
                        s("alice"),
                        vec![(s("bytes"), 7), (s("files"), 1)],
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
    let got = store
        .counters(s("check.concurrent"), s("alice"))
        .await
        .expect("counters");
    assert_eq!(
        got,
        [(s("bytes"), 7 * TASKS * EACH), (s("files"), TASKS * EACH)]
    );
    store
        .clear(s("check.concurrent"), s("alice"))
        .await
        .expect("clear");
}
