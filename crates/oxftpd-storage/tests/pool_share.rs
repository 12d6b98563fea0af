//! One session's share of the pool: calls that never end take at most its share of the
//! threads, and another session's calls still run (issue 19).

mod common;

use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use common::me;
use oxftpd_storage::FsPool;

/// A bound on every wait of this test.
const LIMIT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn a_stuck_session_leaves_threads_for_the_others() {
    let pool = FsPool::new(4).expect("pool");
    let stuck = pool.session_share();
    let other = pool.session_share();
    let (release, gate) = mpsc::channel::<()>();
    let gate = Arc::new(Mutex::new(gate));
    let (ran, started) = mpsc::channel::<()>();
    // Six calls that wait for the gate: the share (2 of 4 threads) runs two of them.
    let calls: Vec<_> = (0..6)
        .map(|_| {
            let (gate, ran) = (Arc::clone(&gate), ran.clone());
            tokio::spawn(stuck.start(&me(), move || {
                let _ = ran.send(());
                let _ = gate.lock().map(|g| g.recv());
            }))
        })
        .collect();
    for _ in 0..2 {
        started.recv_timeout(LIMIT).expect("two stuck calls run");
    }
    let answer = tokio::time::timeout(LIMIT, other.run(&me(), || 42)).await;
    assert_eq!(answer.expect("the other session waited").ok(), Some(42));
    assert!(
        started.try_recv().is_err(),
        "a third call of the stuck session ran"
    );
    for _ in 0..6 {
        release.send(()).expect("release");
    }
    for call in calls {
        let done = tokio::time::timeout(LIMIT, call).await.expect("call ended");
        assert!(done.expect("task").is_ok());
    }
}
