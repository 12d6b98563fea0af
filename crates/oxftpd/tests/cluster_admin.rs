//! The cluster from one place (`oxftpctl who --cluster`, `count --cluster`, `shut --cluster`):
//! two nodes sharing one real `redis-server` (started by the test); `who` lists both nodes'
//! sessions with their node names and forgets a killed node's once their lease ends; a `shut`
//! written once refuses logins and cuts sessions on every node, and `--cancel` lifts it.
//!
//! ProFTPD shares nothing of this between servers, so these run against oxftpd only.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use oxftpd_testkit::redis::Redis;
use oxftpd_testkit::{Setup, TestServer};
use serde_json::Value;

const WHY: &str = "ProFTPD shares no sessions or shutdowns between servers";

fn node(redis: &Redis, name: &str) -> TestServer {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    setup.add_user("alice", "secret").expect("alice");
    setup.config(&format!(
        "RedisEngine on\nRedisServer 127.0.0.1:{}\nClusterEngine on\nClusterStore redis:\n\
         ClusterNodeName {name}\nClusterLease 2\n",
        redis.port
    ));
    TestServer::start(setup).expect("node")
}

fn oxftpctl(conf: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_oxftpctl"))
        .args(args)
        .arg("-c")
        .arg(conf)
        .output()
        .expect("run oxftpctl");
    assert!(
        out.status.success(),
        "oxftpctl {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `who --cluster --json`: the node of each session, sorted.
fn nodes(conf: &Path) -> Vec<String> {
    let list: Value =
        serde_json::from_str(&oxftpctl(conf, &["who", "--cluster", "--json"])).expect("JSON");
    let mut out: Vec<String> = list
        .as_array()
        .expect("array")
        .iter()
        .map(|s| {
            assert_eq!(s["user"], "alice", "{s}");
            assert_eq!(s["address"], "127.0.0.1", "{s}");
            s["node"].as_str().unwrap_or("").to_string()
        })
        .collect();
    out.sort();
    out
}

/// Waits (bounded) until `nodes` says `want`.
async fn nodes_become(conf: &Path, want: &[&str], within: Duration) {
    let started = Instant::now();
    loop {
        let got = nodes(conf);
        if got == want {
            return;
        }
        assert!(started.elapsed() < within, "still {got:?}, want {want:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn who_and_count_see_every_nodes_sessions() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, WHY);
    let Some(redis) = Redis::start() else { return };
    let a = node(&redis, "node-a");
    let b = node(&redis, "node-b");
    let conf = a.setup().conf_path();
    let a1 = a.login("alice", "secret").await.expect("login");
    let _a2 = a.login("alice", "secret").await.expect("login");
    let _b1 = b.login("alice", "secret").await.expect("login");
    assert_eq!(nodes(&conf), ["node-a", "node-a", "node-b"]);
    let table = oxftpctl(&conf, &["who", "--cluster"]);
    assert!(table.contains("3 sessions in the cluster"), "{table}");
    let counts: Value =
        serde_json::from_str(&oxftpctl(&conf, &["count", "--cluster", "--json"])).expect("JSON");
    assert_eq!(
        (counts["sessions"].as_u64(), counts["users"].as_u64()),
        (Some(3), Some(3))
    );
    // A session that ends leaves the list.
    a1.quit().await.expect("QUIT");
    nodes_become(&conf, &["node-a", "node-b"], Duration::from_secs(5)).await;
    // A node killed without a word leaves it when its sessions' leases (2 s) end.
    let pid = i32::try_from(b.pid().expect("pid")).expect("pid fits");
    oxftpd_testkit::signal(pid, oxftpd_testkit::Signal::KILL);
    nodes_become(&conf, &["node-a"], Duration::from_secs(10)).await;
}

/// The first line a new connection to `addr` gets.
fn greeting(addr: SocketAddr) -> String {
    oxftpd_testkit::first_line(addr).unwrap_or_default()
}

/// Waits (bounded) until a new connection to each of `addrs` is greeted by a line starting
/// with `want`.
async fn greeted(addrs: &[SocketAddr], want: &str) {
    let started = Instant::now();
    for addr in addrs {
        loop {
            let line = greeting(*addr);
            if line.starts_with(want) {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{addr}: still '{line}', want '{want}…'"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

#[tokio::test]
async fn a_shut_reaches_every_node_and_cancel_lifts_it() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, WHY);
    let Some(redis) = Redis::start() else { return };
    let a = node(&redis, "node-a");
    let b = node(&redis, "node-b");
    let conf = b.setup().conf_path();
    let mut on_a = a.login("alice", "secret").await.expect("login");
    let out = oxftpctl(
        &conf,
        &[
            "shut",
            "--cluster",
            "now",
            "-d",
            "0",
            "maintenance",
            "window",
        ],
    );
    assert!(out.contains("on every node of the cluster"), "{out}");
    // The running session on node A is told and closed; new connections are refused on both.
    let reply = on_a.read_reply().await.expect("told");
    assert_eq!(
        (reply.code, reply.text()),
        (421, "FTP server shutting down - maintenance window")
    );
    greeted(
        &[a.addr(), b.addr()],
        "500 FTP server shut down (maintenance window) -- please try again later",
    )
    .await;
    let out = oxftpctl(&conf, &["shut", "--cluster", "--cancel"]);
    assert!(out.contains("cancelled on every node"), "{out}");
    greeted(&[a.addr(), b.addr()], "220").await;
    a.login("alice", "secret").await.expect("logins are back");
}

#[test]
fn cluster_commands_need_a_cluster_configuration() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, WHY);
    let setup = Setup::new(&target).expect("setup");
    let conf = setup.write_config().expect("config");
    let out = Command::new(env!("CARGO_BIN_EXE_oxftpctl"))
        .args(["who", "--cluster", "-c"])
        .arg(&conf)
        .output()
        .expect("run oxftpctl");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("ClusterEngine on"), "{err}");
    let out = Command::new(env!("CARGO_BIN_EXE_oxftpctl"))
        .args(["who", "--cluster"])
        .output()
        .expect("run oxftpctl");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("-c FILE"),
        "{out:?}"
    );
}
