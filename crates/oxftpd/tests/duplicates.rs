//! A single-valued directive written twice in one context: ProFTPD 1.3.8 keeps the first
//! occurrence for most directives (its modules look records up first-to-last), the last for
//! those whose handler sets a server value (ServerName, MaxInstances, …), and the last inside
//! `<IfUser>`/`<IfGroup>`/`<IfClass>`. Both daemons must agree.

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use oxftpd_client::{Client, Error};
use oxftpd_testkit::{Setup, TestServer, TestUser};

fn server(body: &str) -> (TestServer, TestUser) {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    let alice = setup.add_user("alice", "secret").expect("alice");
    if target.is_proftpd() && body.contains("<IfUser") {
        setup.config("LoadModule mod_ifsession.c");
    }
    setup.config(body);
    (
        TestServer::start(setup).unwrap_or_else(|e| panic!("start: {e}")),
        alice,
    )
}

async fn login_reply(s: &TestServer) -> String {
    let mut c = s.client().await.expect("connect");
    c.cmd("USER alice").await.expect("USER");
    c.cmd("PASS secret").await.expect("PASS").text().to_string()
}

/// The reply to a STOR, whatever its code.
async fn stor(c: &mut Client, path: &str) -> String {
    match c.stor(path, b"data\n").await {
        Ok(r) => r.first_line().to_string(),
        Err(Error::Unexpected { reply, .. }) => reply.first_line().to_string(),
        Err(e) => panic!("STOR {path}: {e}"),
    }
}

#[tokio::test]
async fn server_name_twice_the_last_is_in_the_banner() {
    let (s, _) = server("ServerName \"Alpha\"\nServerName \"Beta\"");
    let c = s.client().await.expect("connect");
    assert_eq!(
        c.banner().first_line(),
        "220 ProFTPD Server (Beta) [127.0.0.1]"
    );
}

#[tokio::test]
async fn allow_overwrite_on_then_off_the_first_applies() {
    let (s, _) = server("AllowOverwrite on\nAllowOverwrite off");
    let mut c = s.login("alice", "secret").await.expect("login");
    assert_eq!(stor(&mut c, "f").await, "226 Transfer complete");
    assert_eq!(stor(&mut c, "f").await, "226 Transfer complete");
}

#[tokio::test]
async fn allow_overwrite_off_then_on_the_first_applies() {
    let (s, _) = server("AllowOverwrite off\nAllowOverwrite on");
    let mut c = s.login("alice", "secret").await.expect("login");
    assert_eq!(stor(&mut c, "f").await, "226 Transfer complete");
    assert_eq!(
        stor(&mut c, "f").await,
        "550 f: Overwrite permission denied"
    );
}

#[tokio::test]
async fn timeout_idle_twice_the_first_applies() {
    let (s, _) = server("TimeoutIdle 1\nTimeoutIdle 30");
    let mut c = s.login("alice", "secret").await.expect("login");
    c.set_timeout(Duration::from_secs(10));
    let t = Instant::now();
    let r = c.read_reply().await.expect("421");
    assert_eq!(
        r.first_line(),
        "421 Idle timeout (1 seconds): closing control connection"
    );
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
}

#[tokio::test]
async fn timeout_idle_long_then_short_the_session_survives() {
    let (s, _) = server("TimeoutIdle 30\nTimeoutIdle 1");
    let mut c = s.login("alice", "secret").await.expect("login");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        c.noop().await.expect("NOOP").first_line(),
        "200 NOOP command successful"
    );
}

#[tokio::test]
async fn umask_twice_the_first_applies() {
    let (s, alice) = server("Umask 022\nUmask 077");
    let mut c = s.login("alice", "secret").await.expect("login");
    assert_eq!(stor(&mut c, "f").await, "226 Transfer complete");
    let mode = std::fs::metadata(alice.home.join("f"))
        .expect("stat")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o644);
}

#[tokio::test]
async fn access_grant_msg_twice_the_first_is_sent() {
    let (s, _) = server("AccessGrantMsg \"grant A\"\nAccessGrantMsg \"grant B\"");
    assert_eq!(login_reply(&s).await, "grant A");
}

#[tokio::test]
async fn inside_if_user_the_last_applies() {
    let (s, _) = server("<IfUser alice>\n  AllowOverwrite off\n  AllowOverwrite on\n</IfUser>");
    let mut c = s.login("alice", "secret").await.expect("login");
    assert_eq!(stor(&mut c, "f").await, "226 Transfer complete");
    assert_eq!(stor(&mut c, "f").await, "226 Transfer complete");
}

#[tokio::test]
async fn max_clients_one_then_ten_the_first_applies() {
    let (s, _) = server("MaxClients 1\nMaxClients 10");
    let _first = s.login("alice", "secret").await.expect("first login");
    let mut c = s.client().await.expect("connect");
    c.cmd("USER alice").await.expect("USER");
    let r = c.cmd("PASS secret").await.expect("PASS");
    assert_eq!(
        r.first_line(),
        "530 Sorry, the maximum number of allowed clients (1) are already connected."
    );
}
