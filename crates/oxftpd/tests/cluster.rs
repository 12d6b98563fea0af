//! The cluster's shared session counts (`ClusterEngine on`, `ClusterStore redis:`): several
//! nodes sharing one real Redis (Debian's `redis-server`, started by the test) keep
//! `MaxClientsPerUser` across them, exactly under concurrent logins; a killed node's sessions
//! stop counting once their lease ends; with Redis gone a login is refused clearly, and
//! service comes back with it.
//!
//! ProFTPD shares no session counts between servers, so these run against oxftpd only.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use oxftpd_testkit::redis::Redis;
use oxftpd_testkit::{Setup, TestServer};

const PER_USER_2: &str =
    "Sorry, the maximum number of clients (2) for this user are already connected.";

fn node(redis: &Redis, extra: &str) -> TestServer {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    setup.add_user("alice", "secret").expect("alice");
    setup.config(&format!(
        "RedisEngine on\nRedisServer 127.0.0.1:{}\nClusterEngine on\nClusterStore redis:\n{extra}",
        redis.port
    ));
    TestServer::start(setup).expect("node")
}

/// Logs alice in on `node`: the client and the reply's first line.
async fn login(node: &TestServer) -> (oxftpd_client::Client, String) {
    let mut c = node.client().await.expect("connect");
    c.cmd("USER alice").await.expect("USER");
    let reply = c.cmd("PASS secret").await.expect("PASS");
    (c, reply.first_line().to_string())
}

/// Logs in on `node` until it is let in, for at most `within`; how long it took.
async fn login_eventually(node: &TestServer, within: Duration) -> Duration {
    let started = Instant::now();
    loop {
        let (_c, line) = login(node).await;
        if line.starts_with("230") {
            return started.elapsed();
        }
        assert!(started.elapsed() < within, "still refused: {line}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn max_clients_per_user_holds_across_two_nodes() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "ProFTPD shares no session counts between servers");
    let Some(redis) = Redis::start() else { return };
    let a = node(&redis, "MaxClientsPerUser 2\n");
    let b = node(&redis, "MaxClientsPerUser 2\n");
    let (a1, l1) = login(&a).await;
    let (_a2, l2) = login(&b).await;
    assert!(
        l1.starts_with("230") && l2.starts_with("230"),
        "{l1} / {l2}"
    );
    // A third session on either node is refused with ProFTPD's text.
    for n in [&a, &b] {
        let (_c, line) = login(n).await;
        assert_eq!(line, format!("530 {PER_USER_2}"));
    }
    // One ends: a place is free on the other node.
    a1.quit().await.expect("QUIT");
    login_eventually(&b, Duration::from_secs(5)).await;
}

#[tokio::test]
async fn thirty_logins_over_three_nodes_admit_exactly_the_limit() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "ProFTPD shares no session counts between servers");
    let Some(redis) = Redis::start() else { return };
    let nodes: Vec<TestServer> = (0..3)
        .map(|_| node(&redis, "MaxClientsPerUser 5\nMaxInstances 100\n"))
        .collect();
    let addrs: Vec<_> = nodes.iter().map(|n| n.addr()).collect();
    let mut tasks = Vec::new();
    for i in 0..30 {
        let addr = addrs[i % 3];
        tasks.push(tokio::spawn(async move {
            let mut c = oxftpd_client::Client::connect(addr).await.expect("connect");
            c.cmd("USER alice").await.expect("USER");
            let code = c.cmd("PASS secret").await.expect("PASS").code;
            // Held until every login is decided.
            (c, code)
        }));
    }
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.expect("task"));
    }
    let admitted = results.iter().filter(|(_, code)| *code == 230).count();
    let refused = results.iter().filter(|(_, code)| *code == 530).count();
    assert_eq!((admitted, refused), (5, 25));
}

#[tokio::test]
async fn a_killed_nodes_sessions_stop_counting_after_the_lease() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "ProFTPD shares no session counts between servers");
    let Some(redis) = Redis::start() else { return };
    let extra = "MaxClientsPerUser 2\nClusterLease 2\n";
    let a = node(&redis, extra);
    let b = node(&redis, extra);
    let (_a1, _) = login(&a).await;
    let (_a2, l2) = login(&a).await;
    assert!(l2.starts_with("230"), "{l2}");
    let (_c, line) = login(&b).await;
    assert_eq!(line, format!("530 {PER_USER_2}"));
    // Node A dies without a word; its sessions count until their lease (2 s) ends.
    let pid = i32::try_from(a.pid().expect("pid")).expect("pid fits");
    oxftpd_testkit::signal(pid, oxftpd_testkit::Signal::KILL);
    let took = login_eventually(&b, Duration::from_secs(10)).await;
    assert!(took < Duration::from_secs(8), "took {took:?}");
}

#[tokio::test]
async fn without_redis_logins_are_refused_and_come_back_with_it() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "ProFTPD shares no session counts between servers");
    let Some(mut redis) = Redis::start() else {
        return;
    };
    let a = node(&redis, "MaxClientsPerUser 3\nRedisTimeouts 300 300\n");
    let (c, line) = login(&a).await;
    assert!(line.starts_with("230"), "{line}");
    drop(c);
    redis.stop();
    let (_c, line) = login(&a).await;
    assert_eq!(
        line,
        "530 Login refused: the cluster's session store is not reachable"
    );
    redis.run();
    login_eventually(&a, Duration::from_secs(15)).await;
}

#[test]
fn cluster_settings_that_cannot_work_are_config_errors() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "ProFTPD has no ClusterEngine");
    for (body, says) in [
        (
            "ClusterEngine on\n",
            "ClusterEngine on needs ClusterStore redis:",
        ),
        (
            "ClusterEngine on\nClusterStore redis:\nRedisServer 127.0.0.1:1\n",
            "needs RedisEngine on",
        ),
        (
            "RedisEngine on\nRedisSentinel 127.0.0.1:26379\n",
            "Sentinels",
        ),
        ("ClusterStore postgres://db/x\n", "PostgreSQL cluster store"),
        ("RedisServer 127.0.0.1:6379 ssl:true\n", "TLS"),
        ("RedisLogOnCommand RETR xfer\n", "does not log to Redis"),
    ] {
        let mut setup = Setup::new(&target).expect("setup");
        setup.config(body);
        let out = setup.check_config().expect("oxftpd -t");
        let err = String::from_utf8_lossy(&out.stderr).to_string()
            + &String::from_utf8_lossy(&out.stdout);
        assert!(!out.status.success(), "{body} was accepted");
        assert!(err.contains(says), "{body}: {err}");
        let conf: PathBuf = setup.conf_path();
        assert!(
            err.contains(&conf.display().to_string()),
            "{body}: no file:line in {err}"
        );
    }
}
