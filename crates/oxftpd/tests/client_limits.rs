//! MaxClients, MaxClientsPerUser, MaxClientsPerHost, MaxHostsPerUser, MaxConnectionsPerHost:
//! ProFTPD counts logged-in sessions (checked after the password) and, for
//! MaxConnectionsPerHost, connections (checked before the greeting); refusals are 530 and close.

use std::net::SocketAddr;

use oxftpd_client::Client;
use oxftpd_testkit::{Setup, TestServer};

fn server(body: &str) -> TestServer {
    let mut setup = Setup::new(&oxftpd_testkit::target!()).expect("setup");
    setup.add_user("alice", "secret").expect("alice");
    setup.add_user("bob", "secret").expect("bob");
    setup.config(body);
    TestServer::start(setup).unwrap_or_else(|e| panic!("start: {e}"))
}

async fn login_line(c: &mut Client, user: &str, pass: &str) -> String {
    let r = c.cmd(&format!("USER {user}")).await.expect("USER");
    assert_eq!(r.code, 331);
    c.cmd(&format!("PASS {pass}"))
        .await
        .expect("PASS")
        .first_line()
        .to_string()
}

/// After a refusal the server closes the control connection.
async fn assert_closed(c: &mut Client) {
    assert!(c.cmd("NOOP").await.is_err(), "connection still open");
}

/// Connects from another loopback source address (127.0.0.2).
async fn client_from(addr: SocketAddr, source: [u8; 4]) -> Client {
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket
        .bind(SocketAddr::from((source, 0)))
        .expect("bind source");
    let stream = socket.connect(addr).await.expect("connect");
    let local = stream.local_addr().expect("local");
    Client::from_stream(Box::new(stream), local, addr)
        .await
        .expect("banner")
}

#[tokio::test]
async fn max_clients_per_user_refuses_the_next_session_with_its_message() {
    let s = server("MaxClientsPerUser 2 \"Only %m sessions per user\"");
    let mut a = s.login("alice", "secret").await.expect("first");
    let mut b = s.login("alice", "secret").await.expect("second");
    let mut c = s.client().await.expect("third connects");
    assert_eq!(
        login_line(&mut c, "alice", "secret").await,
        "530 Only 2 sessions per user"
    );
    assert_closed(&mut c).await;
    // Another user is not counted against alice.
    let mut d = s.client().await.expect("bob connects");
    assert_eq!(
        login_line(&mut d, "bob", "secret").await,
        "230 User bob logged in"
    );
    a.noop().await.expect("first still works");
    b.noop().await.expect("second still works");
}

#[tokio::test]
async fn max_clients_per_user_default_message_and_release() {
    let s = server("MaxClientsPerUser 1");
    let a = s.login("alice", "secret").await.expect("first");
    let mut c = s.client().await.expect("connect");
    assert_eq!(
        login_line(&mut c, "alice", "secret").await,
        "530 Sorry, the maximum number of clients (1) for this user are already connected."
    );
    a.quit().await.expect("quit");
    // The slot is free once the server has ended the first session: retry, bounded.
    let mut last = String::new();
    for _ in 0..100 {
        let mut again = s.client().await.expect("connect");
        last = login_line(&mut again, "alice", "secret").await;
        if last.starts_with("230") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(last, "230 User alice logged in");
}

#[tokio::test]
async fn wrong_password_is_not_a_limit_refusal() {
    let s = server("MaxClientsPerUser 1");
    let _a = s.login("alice", "secret").await.expect("first");
    let mut c = s.client().await.expect("connect");
    assert_eq!(
        login_line(&mut c, "alice", "wrong").await,
        "530 Login incorrect."
    );
}

#[tokio::test]
async fn max_clients_counts_logged_in_sessions_only() {
    let s = server("MaxClients 1 \"Clients %m\"");
    let _idle = s.client().await.expect("unauthenticated connection");
    let _a = s.login("alice", "secret").await.expect("first login");
    let mut c = s.client().await.expect("connect");
    assert_eq!(login_line(&mut c, "bob", "secret").await, "530 Clients 1");
    assert_closed(&mut c).await;
}

#[tokio::test]
async fn max_clients_default_message() {
    let s = server("MaxClients 1");
    let _a = s.login("alice", "secret").await.expect("first login");
    let mut c = s.client().await.expect("connect");
    assert_eq!(
        login_line(&mut c, "bob", "secret").await,
        "530 Sorry, the maximum number of allowed clients (1) are already connected."
    );
}

#[tokio::test]
async fn max_clients_per_host() {
    let s = server("MaxClientsPerHost 1");
    let _a = s.login("alice", "secret").await.expect("first");
    let mut c = s.client().await.expect("connect");
    assert_eq!(
        login_line(&mut c, "bob", "secret").await,
        "530 Sorry, the maximum number of clients (1) from your host are already connected."
    );
    assert_closed(&mut c).await;
}

#[tokio::test]
async fn max_hosts_per_user_counts_distinct_addresses() {
    let s = server("MaxHostsPerUser 1 \"Hosts %m\"");
    let _a = s.login("alice", "secret").await.expect("first");
    // A second session from the same address is fine.
    let _b = s.login("alice", "secret").await.expect("same host");
    let mut c = client_from(s.addr(), [127, 0, 0, 2]).await;
    assert_eq!(login_line(&mut c, "alice", "secret").await, "530 Hosts 1");
    assert_closed(&mut c).await;
}

#[tokio::test]
async fn max_connections_per_host_refuses_before_the_greeting() {
    let s = server("MaxConnectionsPerHost 1");
    // The harness's readiness probe may still be counted for a moment after it hung up:
    // wait (bounded) until a first connection is greeted.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let _a = loop {
        let c = s.client().await.expect("first connection");
        if c.banner().code == 220 {
            break c;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never greeted: {:?}",
            c.banner().lines
        );
        drop(c);
        tokio::task::yield_now().await;
    };
    let c = s.client().await.expect("second connection gets a reply");
    assert_eq!(
        c.banner().lines,
        vec![
            "530 Sorry, the maximum number of connections (1) for your host are already connected."
        ]
    );
}
