//! The control socket (mod_ctrls, mod_ctrls_admin) as Debian's unchanged `ftpdctl` (package
//! proftpd-core) and our `oxftpctl` use it, against both daemons where both can: three
//! sessions on two vhosts seen by `ftpwho`, `ftpcount`, `oxftpctl who` and `count`;
//! `ftpdctl kick user bob`; `oxftpctl shut` of one vhost and `--cancel`; `status`/`down`/`up`;
//! the ACLs.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use oxftpd_client::Error;
use oxftpd_testkit::{Setup, TestServer, free_port};
use serde_json::Value;

/// Whether Debian's `ftpdctl` is here (required under `OXFTPD_REQUIRE_CLIENTS`).
fn have_ftpdctl() -> bool {
    let present = Command::new("ftpdctl").arg("-h").output().is_ok();
    assert!(
        present || std::env::var_os("OXFTPD_REQUIRE_CLIENTS").is_none(),
        "ftpdctl (proftpd-core) is required"
    );
    if !present {
        eprintln!("note: skipped, ftpdctl (proftpd-core) is not installed");
    }
    present
}

fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

/// A server with the control socket on (everyone allowed every action) and a second vhost
/// named `second` on its own port; returns the setup, the socket and that port.
fn setup_with_controls(extra: &str) -> (Setup, PathBuf, u16) {
    let mut setup = Setup::new(&oxftpd_testkit::target!()).expect("setup");
    for u in ["alice", "bob", "carol"] {
        setup.add_user(u, "secret").expect("user");
    }
    let d = setup.dir().display().to_string();
    let sock = setup.dir().join("run/ctrls.sock");
    let port2 = free_port().expect("port");
    setup.config(&format!(
        "<IfModule mod_dso.c>\n  LoadModule mod_ctrls_admin.c\n</IfModule>\n\
         ControlsEngine on\n\
         ControlsSocket {sock}\n\
         ControlsInterval 1\n\
         ControlsLog {d}/run/ctrls.log\n\
         ControlsACLs all allow user *\n\
         AdminControlsACLs all allow user *\n\
         {extra}\n\
         <VirtualHost 127.0.0.1>\n\
           Port {port2}\n\
           ServerName \"second\"\n\
           AuthOrder mod_auth_file.c\n\
           AuthUserFile {d}/etc/passwd\n\
           AuthGroupFile {d}/etc/group\n\
           DefaultRoot ~\n\
           RequireValidShell off\n\
           WtmpLog off\n\
         </VirtualHost>\n",
        sock = sock.display()
    ));
    (setup, sock, port2)
}

/// `ftpdctl -s SOCK ARGS…`: its stdout lines (without the `ftpdctl: ` prefix).
fn ftpdctl(sock: &Path, args: &[&str]) -> Vec<String> {
    ftpdctl_as(sock, args, None)
}

fn ftpdctl_as(sock: &Path, args: &[&str], uid: Option<u32>) -> Vec<String> {
    let mut cmd = Command::new("ftpdctl");
    cmd.arg("-s").arg(sock).args(args);
    if let Some(uid) = uid {
        use std::os::unix::process::CommandExt;
        cmd.uid(uid).gid(uid).current_dir("/");
    }
    let out = cmd.output().expect("run ftpdctl");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.strip_prefix("ftpdctl: ").unwrap_or(l).to_string())
        .collect()
}

fn oxftpctl(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_oxftpctl"))
        .args(args)
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

fn tool(name: &str, args: &[&str]) -> String {
    let out = Command::new(name).args(args).output().expect("run tool");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

async fn login_at(port: u16, user: &str) -> oxftpd_client::Client {
    let mut c = oxftpd_client::Client::connect(std::net::SocketAddr::from(([127, 0, 0, 1], port)))
        .await
        .expect("connect");
    c.login(user, "secret").await.expect("login");
    c
}

#[tokio::test]
async fn ftpdctl_lsctrl_lists_mod_ctrls_actions() {
    if !have_ftpdctl() {
        return;
    }
    let (setup, sock, _) = setup_with_controls("");
    let _s = TestServer::start(setup).expect("start");
    let lines = ftpdctl(&sock, &["lsctrl"]);
    let ours: Vec<&str> = lines
        .iter()
        .filter(|l| l.ends_with("(mod_ctrls.c)"))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(ours, ["help", "insctrl", "lsctrl", "rmctrl"], "{lines:?}");
    assert!(
        lines.iter().any(|l| l == "kick (mod_ctrls_admin.c)"),
        "{lines:?}"
    );
    let help = ftpdctl(&sock, &["help"]);
    assert!(
        help.iter()
            .any(|l| l == "kick: disconnect a class, host, or user"),
        "{help:?}"
    );
    assert_eq!(
        ftpdctl(&sock, &["no-such-action"]),
        ["unsupported action requested"]
    );
}

#[tokio::test]
async fn ftpdctl_kick_user_closes_bobs_session() {
    if !have_ftpdctl() {
        return;
    }
    let (setup, sock, port2) = setup_with_controls("");
    let s = TestServer::start(setup).expect("start");
    let mut alice = s.login("alice", "secret").await.expect("alice");
    let mut bob = login_at(port2, "bob").await;
    assert_eq!(
        ftpdctl(&sock, &["kick", "user", "bob"]),
        ["kicked user 'bob'"]
    );
    // Bob hears nothing more: the connection closes (ProFTPD's SIGTERM to his process).
    match bob.read_reply().await {
        Err(Error::Closed | Error::Io(_)) => {}
        other => panic!("bob's session should have been closed: {other:?}"),
    }
    alice.noop().await.expect("alice's session goes on");
    assert_eq!(
        ftpdctl(&sock, &["kick", "user", "bob"]),
        ["user 'bob' not connected"]
    );
    assert_eq!(
        ftpdctl(&sock, &["kick", "user"]),
        ["kick user: missing required user name(s)"]
    );
    assert_eq!(
        ftpdctl(&sock, &["kick", "nobody"]),
        ["unknown kick type requested: 'nobody'"]
    );
}

#[tokio::test]
async fn three_sessions_on_two_vhosts_are_seen_by_ftpwho_ftpcount_and_oxftpctl() {
    if !have_ftpdctl() {
        return;
    }
    let (setup, sock, port2) = setup_with_controls("");
    let board = setup.dir().join("run/oxftpd.scoreboard");
    let s = TestServer::start(setup).expect("start");
    let board = board.to_string_lossy().into_owned();
    let _alice = s.login("alice", "secret").await.expect("alice");
    let _bob = login_at(port2, "bob").await;
    let _carol = login_at(port2, "carol").await;

    let who = tool("ftpwho", &["-v", "-f", &board]);
    // Each entry: a line `PID USER …`, then its indented `server: ADDR (NAME)` line.
    let mut entries: Vec<(&str, &str)> = Vec::new();
    let mut user = None;
    for line in who.lines() {
        let mut words = line.split_whitespace();
        if words.next().is_some_and(|w| w.parse::<u32>().is_ok()) {
            user = words.next();
        } else if let (Some(u), Some(server)) = (user, line.trim_start().strip_prefix("server:")) {
            entries.push((u, server.trim()));
            user = None;
        }
    }
    let mut users: Vec<&str> = entries.iter().map(|(u, _)| *u).collect();
    users.sort_unstable();
    assert_eq!(users, ["alice", "bob", "carol"], "{who}");
    for (user, server) in &entries {
        let vhost = if *user == "alice" {
            "(testkit)"
        } else {
            "(second)"
        };
        assert!(server.ends_with(vhost), "{user}: {server}\n{who}");
    }
    let count = tool("ftpcount", &["-f", &board]);
    assert!(count.lines().any(|l| l.ends_with("-   3 users")), "{count}");
    if s.target().is_proftpd() {
        return;
    }
    let sock = sock.display().to_string();
    let json: Value =
        serde_json::from_str(&oxftpctl(&["who", "-s", &sock, "--json"])).expect("JSON");
    let mut seen: Vec<(String, String)> = json
        .as_array()
        .expect("an array")
        .iter()
        .map(|v| {
            (
                v["user"].as_str().unwrap_or("").to_string(),
                v["vhost"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            ("alice".to_string(), "testkit".to_string()),
            ("bob".to_string(), "second".to_string()),
            ("carol".to_string(), "second".to_string())
        ]
    );
    for v in json.as_array().expect("array") {
        assert_eq!(v["address"], "127.0.0.1");
        assert_eq!(v["command"], "idle");
        assert!(v["login"].as_i64().is_some(), "{v}");
        assert!(v["cwd"].as_str().is_some_and(|c| c.starts_with('/')), "{v}");
    }
    let count: Value =
        serde_json::from_str(&oxftpctl(&["count", "-s", &sock, "--json"])).expect("JSON");
    assert_eq!(count["sessions"], 3, "{count}");
    assert_eq!(count["users"], 3, "{count}");
    assert_eq!(count["vhosts"]["testkit"]["sessions"], 1, "{count}");
    assert_eq!(count["vhosts"]["second"]["sessions"], 2, "{count}");
    let text = oxftpctl(&["who", "-s", &sock]);
    assert!(text.contains("second (127.0.0.1:"), "{text}");
    assert!(text.contains("  carol "), "{text}");
}

#[tokio::test]
async fn shut_of_one_vhost_refuses_there_until_cancelled() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(
        target,
        "ProFTPD cannot shut one vhost down (FAQ: \"Is it possible to shutdown a single VirtualHost? No.\")"
    );
    let (setup, sock, port2) = setup_with_controls("");
    let s = TestServer::start(setup).expect("start");
    let sock = sock.display().to_string();
    let mut bob = login_at(port2, "bob").await;
    let out = oxftpctl(&[
        "shut",
        "-s",
        &sock,
        "--vhost",
        "second",
        "+0",
        "closed",
        "for",
        "maintenance",
    ]);
    assert!(out.contains("second shuts down"), "{out}");
    let greeting = oxftpd_testkit::first_line(std::net::SocketAddr::from(([127, 0, 0, 1], port2)))
        .unwrap_or_default();
    assert_eq!(
        greeting,
        "500 FTP server shut down (closed for maintenance) -- please try again later"
    );
    // The other vhost and the session already running go on.
    s.login("alice", "secret")
        .await
        .expect("the main server takes logins");
    bob.noop().await.expect("bob's session goes on");
    let list: Value =
        serde_json::from_str(&oxftpctl(&["shut", "-s", &sock, "--list", "--json"])).expect("JSON");
    assert_eq!(list[0]["vhost"], "second", "{list}");
    assert_eq!(list[0]["disconnect"], Value::Null, "{list}");
    oxftpctl(&["shut", "-s", &sock, "--vhost", "second", "--cancel"]);
    login_at(port2, "carol").await;
}

#[tokio::test]
async fn shut_with_a_disconnect_time_closes_running_sessions_with_421() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "ProFTPD cannot shut one vhost down");
    let (setup, sock, port2) = setup_with_controls("");
    let s = TestServer::start(setup).expect("start");
    let sock = sock.display().to_string();
    let mut alice = s.login("alice", "secret").await.expect("alice");
    let mut bob = login_at(port2, "bob").await;
    oxftpctl(&[
        "shut", "-s", &sock, "--vhost", "second", "now", "-d", "0", "bye",
    ]);
    let reply = bob.read_reply().await.expect("bob is told");
    assert_eq!(reply.code, 421);
    assert_eq!(reply.text(), "FTP server shutting down - bye");
    alice.noop().await.expect("alice's vhost is not shut");
}

#[tokio::test]
async fn ftpdctl_status_and_down_of_one_address() {
    if !have_ftpdctl() {
        return;
    }
    let (setup, sock, port2) = setup_with_controls("");
    let s = TestServer::start(setup).expect("start");
    let (p1, p2) = (s.port(), port2);
    let mut status = ftpdctl(&sock, &["status", "all"]);
    status.sort();
    let mut want = vec![
        format!("status: 127.0.0.1#{p1} UP"),
        format!("status: 127.0.0.1#{p2} UP"),
    ];
    want.sort();
    assert_eq!(status, want);
    let addr = format!("127.0.0.1#{p2}");
    assert_eq!(
        ftpdctl(&sock, &["down", &addr]),
        [format!("down: {addr} disabled")]
    );
    assert_eq!(
        ftpdctl(&sock, &["status", &addr]),
        [format!("status: {addr} DOWN")]
    );
    // No greeting on the downed address; the other one still greets.
    assert!(
        !oxftpd_testkit::first_line(std::net::SocketAddr::from(([127, 0, 0, 1], p2)))
            .is_some_and(|l| l.starts_with("220"))
    );
    assert!(oxftpd_testkit::first_line(s.addr()).is_some_and(|l| l.starts_with("220")));
    if s.target().is_proftpd() {
        // ProFTPD 1.3.8's `up` says "enabled" but its listener stays closed: not compared.
        return;
    }
    assert_eq!(
        ftpdctl(&sock, &["up", &addr]),
        [format!("up: {addr} enabled")]
    );
    assert!(
        oxftpd_testkit::first_line(std::net::SocketAddr::from(([127, 0, 0, 1], p2)))
            .is_some_and(|l| l.starts_with("220"))
    );
}

#[tokio::test]
async fn action_acls_decide_who_runs_what() {
    if !have_ftpdctl() || !is_root() {
        return;
    }
    let mut setup = Setup::new(&oxftpd_testkit::target!()).expect("setup");
    let sock = setup.dir().join("run/ctrls.sock");
    setup.config(&format!(
        "<IfModule mod_dso.c>\n  LoadModule mod_ctrls_admin.c\n</IfModule>\n\
         ControlsEngine on\nControlsSocket {}\nControlsInterval 1\n\
         ControlsSocketACL allow user *\n\
         AdminControlsACLs status allow user root\n",
        sock.display()
    ));
    let _s = TestServer::start(setup).expect("start");
    // nobody may connect (ControlsSocketACL) but may not run `status` or `lsctrl`.
    assert_eq!(
        ftpdctl_as(&sock, &["status", "all"], Some(65534)),
        ["access denied"]
    );
    assert_eq!(
        ftpdctl_as(&sock, &["lsctrl"], Some(65534)),
        ["access denied"]
    );
    let root = ftpdctl(&sock, &["status", "all"]);
    assert!(root.iter().all(|l| l.ends_with(" UP")), "{root:?}");
    assert_eq!(ftpdctl(&sock, &["kick", "user", "x"]), ["access denied"]);
}

#[tokio::test]
async fn the_socket_is_its_owners_only_by_default() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::deliberately_differs!(
        target,
        "ProFTPD makes its control socket 0777 and relies on the ACLs alone"
    );
    let (setup, sock, _) = setup_with_controls("");
    let mut s = TestServer::start(setup).expect("start");
    let meta = std::fs::symlink_metadata(&sock).expect("the socket exists");
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    assert_eq!(meta.uid(), rustix::process::geteuid().as_raw());
    s.stop();
    assert!(!sock.exists(), "the socket is removed at exit");
}

#[tokio::test]
async fn oxftpctl_top_shows_one_frame_of_the_sessions() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "oxftpctl talks to oxftpd's own actions");
    let (setup, sock, port2) = setup_with_controls("");
    let s = TestServer::start(setup).expect("start");
    let sock = sock.display().to_string();
    let _alice = s.login("alice", "secret").await.expect("alice");
    let _bob = login_at(port2, "bob").await;
    let text = oxftpctl(&["top", "-s", &sock, "--once", "--sort", "user"]);
    assert!(
        text.contains("2 sessions, 2 logged in, 0 transferring"),
        "{text}"
    );
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("alice") || l.starts_with("bob"))
        .collect();
    assert_eq!(rows.len(), 2, "{text}");
    assert!(
        rows[0].starts_with("alice") && rows[0].contains("testkit"),
        "{text}"
    );
    assert!(
        rows[1].starts_with("bob") && rows[1].contains("second"),
        "{text}"
    );
    let json: Value =
        serde_json::from_str(oxftpctl(&["top", "-s", &sock, "--once", "--json"]).trim())
            .expect("one JSON line");
    assert_eq!(json["sessions"].as_array().map(Vec::len), Some(2), "{json}");
}

#[tokio::test]
async fn without_the_control_socket_who_and_count_read_the_scoreboard() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "oxftpctl reads the scoreboard of oxftpd's tests");
    let mut setup = Setup::new(&target).expect("setup");
    setup.add_user("alice", "secret").expect("alice");
    setup.config("ControlsEngine off");
    let conf = setup.conf_path().display().to_string();
    let s = TestServer::start(setup).expect("start");
    let _alice = s.login("alice", "secret").await.expect("alice");
    let out = Command::new(env!("CARGO_BIN_EXE_oxftpctl"))
        .args(["who", "-c", &conf, "--json"])
        .output()
        .expect("oxftpctl who");
    assert!(out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("reading the ScoreboardFile"),
        "{out:?}"
    );
    let json: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(json[0]["user"], "alice", "{json}");
    assert_eq!(json[0]["vhost"], "testkit", "{json}");
    let count: Value =
        serde_json::from_str(&oxftpctl(&["count", "-c", &conf, "--json"])).expect("JSON");
    assert_eq!(count["users"], 1, "{count}");
}

/// The `(NN%)` and `KB/s: X` of the RETR entry in `ftpwho -v`'s output, once it has both.
fn ftpwho_progress(who: &str) -> Option<(u32, f64)> {
    let mut lines = who.lines().skip_while(|l| !l.contains("RETR big.bin"));
    let entry = lines.next()?;
    let percent = entry
        .split_once('(')?
        .1
        .split_once("%)")?
        .0
        .trim()
        .parse()
        .ok()?;
    let rate = lines
        .next()?
        .trim()
        .strip_prefix("KB/s:")?
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|r| r.is_finite() && *r > 0.0)?;
    (percent > 0).then_some((percent, rate))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_download_shows_its_bytes_and_rate_in_ftpwho_and_oxftpctl() {
    if !have_ftpdctl() {
        return;
    }
    let (setup, sock, _) = setup_with_controls("TransferRate RETR 256");
    let alice = setup.users()[0].clone();
    let big = alice.home.join("big.bin");
    std::fs::write(&big, oxftpd_testkit::fixtures::random_bytes(3 << 20, 14)).expect("file");
    std::os::unix::fs::chown(&big, Some(alice.uid), Some(alice.gid)).expect("chown");
    let board = setup.dir().join("run/oxftpd.scoreboard");
    let s = TestServer::start(setup).expect("start");
    let board = board.to_string_lossy().into_owned();
    let mut client = s.login("alice", "secret").await.expect("alice");
    let proftpd = s.target().is_proftpd();
    let sock = sock.display().to_string();
    let watch = tokio::task::spawn_blocking(move || {
        // ftpwho sees the percent done and a rate while the paced download runs (3 MiB at
        // 256 KB/s: about 12 s; progress is written about once a second).
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let (percent, rate) = loop {
            let who = tool("ftpwho", &["-v", "-f", &board]);
            if let Some(p) = ftpwho_progress(&who) {
                break p;
            }
            assert!(std::time::Instant::now() < deadline, "no progress: {who}");
            std::thread::sleep(std::time::Duration::from_millis(100));
        };
        assert!(percent < 100, "{percent}");
        assert!((100.0..400.0).contains(&rate), "paced to 256 KB/s: {rate}");
        if proftpd {
            return;
        }
        let json: Value =
            serde_json::from_str(&oxftpctl(&["who", "-s", &sock, "--json"])).expect("JSON");
        let t = &json[0]["transfer"];
        assert_eq!(t["direction"], "download", "{json}");
        assert_eq!(t["size"], 3 << 20, "{json}");
        let done = t["done"].as_u64().expect("done");
        assert!(done > 0 && done < 3 << 20, "{json}");
        let rate = t["rate"].as_u64().expect("rate");
        assert!((100_000..400_000).contains(&rate), "{json}");
        let top = oxftpctl(&["top", "-s", &sock, "--once"]);
        assert!(top.contains("1 transferring"), "{top}");
        assert!(top.contains("    [#") && top.contains("% "), "{top}");
        assert!(top.contains(" of 3.0 MiB"), "{top}");
    });
    tokio::select! {
        r = client.retr("big.bin") => panic!("the download ended before it was seen: {:?}", r.map(|d| d.len())),
        seen = watch => if let Err(e) = seen {
            std::panic::resume_unwind(e.into_panic());
        },
    }
}
