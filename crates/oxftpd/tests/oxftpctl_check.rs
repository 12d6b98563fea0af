//! `oxftpctl check --user … --command … --path …`: "may alice STOR in /incoming?" answered from
//! the configuration, and the running daemon doing what the answer said.

use std::process::{Command, Output};

use oxftpd_testkit::{Setup, TestServer};
use serde_json::Value;

fn check(conf: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_oxftpctl"))
        .args(["check", "-c", conf])
        .args(args)
        .output()
        .expect("run oxftpctl check")
}

fn answer(conf: &str, user: &str, command: &str, path: &str) -> (bool, Value) {
    let out = check(
        conf,
        &[
            "--json",
            "--user",
            user,
            "--command",
            command,
            "--path",
            path,
        ],
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"));
    (out.status.success(), v)
}

#[tokio::test]
async fn check_answers_who_may_store_where_as_the_daemon_decides() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "oxftpctl reads oxftpd's configuration");
    let mut setup = Setup::new(&target).expect("setup");
    let alice = setup.add_user("alice", "secret").expect("alice");
    let bob = setup.add_user("bob", "secret").expect("bob");
    for u in [&alice, &bob] {
        let dir = u.home.join("incoming");
        std::fs::create_dir(&dir).expect("incoming");
        std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o777))
            .expect("mode");
    }
    setup.config(
        "Umask 027\n\
         <Directory ~/incoming>\n\
         \x20 Umask 002\n\
         \x20 <Limit WRITE>\n\
         \x20   AllowUser alice\n\
         \x20   DenyAll\n\
         \x20 </Limit>\n\
         </Directory>\n",
    );
    let conf = setup.write_config().expect("config");
    let conf = conf.display().to_string();
    let limit_line = std::fs::read_to_string(&conf)
        .expect("read")
        .lines()
        .position(|l| l.trim() == "<Limit WRITE>")
        .expect("the <Limit WRITE> line")
        + 1;

    let (ok, a) = answer(&conf, "alice", "STOR", "/incoming/up.txt");
    assert!(ok, "{a}");
    assert_eq!(a["allowed"], true, "{a}");
    assert_eq!(a["limit"], "allowed", "{a}");
    assert_eq!(a["group"], "WRITE", "{a}");
    assert_eq!(a["decided_by"]["at"], format!("{conf}:{limit_line}"), "{a}");
    assert_eq!(a["root"], alice.home.display().to_string(), "{a}");
    let umask: Vec<&Value> = a["settings"]
        .as_array()
        .expect("settings")
        .iter()
        .filter(|d| d["directive"] == "Umask")
        .collect();
    assert_eq!(umask.len(), 1, "{a}");
    assert_eq!(
        umask[0]["args"][0], "002",
        "the <Directory>'s, not the server's: {a}"
    );

    let (ok, b) = answer(&conf, "bob", "STOR", "/incoming/up.txt");
    assert!(!ok, "{b}");
    assert_eq!(b["allowed"], false, "{b}");
    assert_eq!(b["limit"], "denied", "{b}");
    let (ok, b_read) = answer(&conf, "bob", "RETR", "/incoming/up.txt");
    assert!(ok, "{b_read}");
    assert_eq!(b_read["decided_by"], Value::Null, "{b_read}");

    let text = check(
        &conf,
        &[
            "--user",
            "bob",
            "--command",
            "STOR",
            "--path",
            "/incoming/up.txt",
        ],
    );
    let text = String::from_utf8_lossy(&text.stdout).into_owned();
    assert!(
        text.contains("may bob STOR in /incoming/up.txt? no"),
        "{text}"
    );
    assert!(text.contains("denied by <Limit WRITE> at "), "{text}");

    let unknown = check(
        &conf,
        &["--user", "nobody-here", "--command", "STOR", "--path", "/"],
    );
    assert!(!unknown.status.success(), "{unknown:?}");

    // The daemon does what the answers said.
    let s = TestServer::start(setup).expect("start");
    let mut a = s.login("alice", "secret").await.expect("alice");
    let r = a.stor("/incoming/up.txt", b"hi").await.expect("alice STOR");
    assert_eq!(r.code, 226, "{r:?}");
    let mut b = s.login("bob", "secret").await.expect("bob");
    let refused = b.stor("/incoming/up.txt", b"hi").await;
    assert!(refused.is_err(), "bob's STOR: {refused:?}");
}
