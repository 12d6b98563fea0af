//! The counter store in Redis (`CounterStore redis`, or `BanCache redis:` as ProFTPD's
//! mod_ban writes it): two or three nodes sharing one real `redis-server` (started by the
//! test) share mod_ban's event counts and bans, and mod_quotatab's `QuotaTallyTable store:`
//! tallies, exactly under concurrent sessions.
//!
//! ProFTPD shares bans through Redis but not quota tallies, and its own Redis ban cache is
//! not this store, so these run against oxftpd only.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use oxftpd_testkit::redis::Redis;
use oxftpd_testkit::{Setup, TestServer};

const WHY: &str = "ProFTPD keeps no counter store in Redis";

fn node(redis: &Redis, extra: &str) -> TestServer {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    setup.add_user("alice", "secret").expect("alice");
    setup.config(&format!(
        "RedisEngine on\nRedisServer 127.0.0.1:{}\n{extra}\n",
        redis.port
    ));
    TestServer::start(setup).unwrap_or_else(|e| panic!("start: {e}"))
}

/// Every line a connection receives until the server closes it, after sending `lines`.
fn conversation(addr: SocketAddr, lines: &[&str]) -> Vec<String> {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut got = Vec::new();
    let mut first = String::new();
    let _ = reader.read_line(&mut first);
    got.push(first.trim_end().to_string());
    if first.starts_with("220") {
        for line in lines {
            if stream.write_all(format!("{line}\r\n").as_bytes()).is_err() {
                break;
            }
            let mut reply = String::new();
            if reader.read_line(&mut reply).unwrap_or(0) == 0 {
                break;
            }
            got.push(reply.trim_end().to_string());
        }
    }
    loop {
        let mut more = String::new();
        match reader.read_line(&mut more) {
            Ok(n) if n > 0 => got.push(more.trim_end().to_string()),
            _ => break,
        }
    }
    got
}

#[test]
fn a_ban_earned_across_two_nodes_holds_on_both() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, WHY);
    let Some(redis) = Redis::start() else { return };
    let conf = "BanEngine on\nBanCache redis:\nMaxLoginAttempts 1\n\
                BanMessage \"Host %a has been banned\"\n\
                BanOnEvent MaxLoginAttempts 2/00:10:00 00:10:00";
    let (a, b) = (node(&redis, conf), node(&redis, conf));
    let bad = ["USER alice", "PASS wrong"];
    // One failed login on each node: the second reaches the rule's count of 2 on node B.
    let first = conversation(a.addr(), &bad);
    assert_eq!(
        first[1..],
        ["331 Password required for alice", "530 Login incorrect."]
    );
    let second = conversation(b.addr(), &bad);
    assert_eq!(
        second[1..],
        [
            "331 Password required for alice",
            "530 Login incorrect.",
            "530 Host 127.0.0.1 has been banned"
        ]
    );
    // Node A, which saw only one event, refuses the address too.
    for n in [&a, &b] {
        assert_eq!(
            conversation(n.addr(), &[]),
            ["530 Host 127.0.0.1 has been banned"]
        );
    }
}

/// Runs `ftpquota` with `args` on the table `path`.
fn ftpquota(path: &Path, args: &[&str]) {
    let out = Command::new("ftpquota")
        .args(args)
        .arg(format!("--table-path={}", path.display()))
        .output()
        .expect("ftpquota (Debian's proftpd-core)");
    assert!(out.status.success(), "ftpquota {args:?}: {out:?}");
}

/// A limit table giving alice `limit`, in a temp dir.
fn limits(dir: &Path, limit: &[&str]) -> PathBuf {
    let path = dir.join("limit.tab");
    ftpquota(&path, &["--create-table", "--type=limit"]);
    let mut add = vec![
        "--add-record",
        "--type=limit",
        "--name=alice",
        "--quota-type=user",
        "--units=B",
    ];
    add.extend_from_slice(limit);
    ftpquota(&path, &add);
    path
}

fn quota_conf(table: &Path, extra: &str) -> String {
    format!(
        "CounterStore redis\nQuotaEngine on\nQuotaLimitTable file:{}\nQuotaTallyTable store:\nAllowOverwrite on\n{extra}",
        table.display()
    )
}

/// The `Uploaded bytes` line of `SITE QUOTA`.
async fn uploaded(c: &mut oxftpd_client::Client) -> String {
    let r = c.cmd("SITE QUOTA").await.expect("SITE QUOTA");
    r.lines
        .iter()
        .find(|l| l.contains("Uploaded bytes"))
        .cloned()
        .unwrap_or_else(|| panic!("{r:?}"))
}

#[tokio::test]
async fn a_quota_tally_is_shared_by_two_nodes() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, WHY);
    let Some(redis) = Redis::start() else { return };
    let dir = tempfile::tempdir().expect("dir");
    let table = limits(dir.path(), &["--bytes-upload=1024", "--limit-type=hard"]);
    let conf = quota_conf(&table, "");
    let (a, b) = (node(&redis, &conf), node(&redis, &conf));
    let mut on_a = a.login("alice", "secret").await.expect("login A");
    on_a.type_i().await.expect("TYPE");
    let r = on_a.stor("a.bin", &[b'a'; 600]).await.expect("STOR a");
    assert_eq!(r.code, 226, "{r:?}");
    // Node B sees the 600 bytes, and stops an upload that would pass the limit.
    let mut on_b = b.login("alice", "secret").await.expect("login B");
    on_b.type_i().await.expect("TYPE");
    assert_eq!(
        uploaded(&mut on_b).await,
        "   Uploaded bytes:\t600.00/1024.00"
    );
    let r = on_b
        .transfer_out("STOR b.bin", &mut &[b'b'; 600][..])
        .await
        .expect("STOR b")
        .completion;
    assert_eq!(r.code, 552, "{r:?}");
    assert!(!b.dir().join("home/alice/b.bin").exists());
    let r = on_b.stor("c.bin", &[b'c'; 424]).await.expect("STOR c");
    assert_eq!(r.code, 226, "{r:?}");
    // Now A refuses before the transfer.
    let r = on_a.cmd("STOR d.bin").await.expect("STOR d");
    assert_eq!(
        (r.code, r.text()),
        (
            552,
            "STOR denied: quota exceeded: used 1024.00 of 1024.00 upload bytes"
        )
    );
    // DELE on A gives bytes back for both.
    on_a.dele("a.bin").await.expect("DELE");
    assert_eq!(
        uploaded(&mut on_b).await,
        "   Uploaded bytes:\t424.00/1024.00"
    );
}

#[tokio::test]
async fn thirty_sessions_over_three_nodes_keep_an_exact_tally() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, WHY);
    let Some(redis) = Redis::start() else { return };
    let dir = tempfile::tempdir().expect("dir");
    let table = limits(dir.path(), &["--bytes-upload=100000000"]);
    let conf = quota_conf(&table, "MaxClientsPerUser 40");
    let nodes: Vec<TestServer> = (0..3).map(|_| node(&redis, &conf)).collect();
    let addrs: Vec<SocketAddr> = nodes.iter().map(|n| n.addr()).collect();
    let local = tokio::task::LocalSet::new();
    local
        .run_until(async {
            let mut tasks = Vec::new();
            for i in 0..30 {
                let addr = addrs[i % 3];
                tasks.push(tokio::task::spawn_local(async move {
                    let mut c = oxftpd_client::Client::connect(addr).await.expect("connect");
                    c.login("alice", "secret").await.expect("login");
                    c.type_i().await.expect("TYPE");
                    for j in 0..2 {
                        let r = c
                            .stor(&format!("f{i}-{j}.bin"), &[b'x'; 1000])
                            .await
                            .expect("STOR");
                        assert_eq!(r.code, 226, "{r:?}");
                    }
                    c.quit().await.expect("QUIT");
                }));
            }
            for t in tasks {
                t.await.expect("session");
            }
        })
        .await;
    let mut c = nodes[1].login("alice", "secret").await.expect("login");
    assert_eq!(
        uploaded(&mut c).await,
        "   Uploaded bytes:\t60000.00/100000000.00"
    );
}

#[test]
fn bad_store_settings_are_config_errors() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, WHY);
    for (body, says) in [
        ("CounterStore redis\n", "needs RedisEngine on"),
        (
            "RedisEngine on\nCounterStore redis\n",
            "needs a RedisServer",
        ),
        ("BanEngine on\nBanCache memcache:\n", "memcache"),
        (
            "RedisEngine on\nRedisServer 127.0.0.1:1\nBanCache redis:\nCounterStore memory\n",
            "conflicts with CounterStore",
        ),
        ("CounterStore bogus\n", "'redis'"),
    ] {
        let mut setup = Setup::new(&target).expect("setup");
        setup.config(body);
        let out = setup.check_config().expect("oxftpd -t");
        let err = String::from_utf8_lossy(&out.stderr).to_string()
            + &String::from_utf8_lossy(&out.stdout);
        assert!(!out.status.success(), "{body} was accepted");
        assert!(err.contains(says), "{body}: {err}");
        assert!(
            err.contains(&setup.conf_path().display().to_string()),
            "{body}: no file:line in {err}"
        );
    }
}
