//! `<VirtualHost>`: by address and port, `Port 0`, `SocketBindTight`, `DefaultServer`, and the
//! name-based choice of RFC 7151's `HOST` through `ServerAlias`.

use std::net::SocketAddr;

use oxftpd_client::Client;
use oxftpd_testkit::replies::line;
use oxftpd_testkit::{Setup, Target, TestServer, free_port};

async fn greeting(addr: SocketAddr) -> String {
    let c = Client::connect(addr)
        .await
        .unwrap_or_else(|e| panic!("connect {addr}: {e}"));
    c.banner().first_line().to_string()
}

fn auth(d: &str) -> String {
    format!(
        "AuthOrder mod_auth_file.c\nAuthUserFile {d}/etc/passwd\nAuthGroupFile {d}/etc/group\n\
         RequireValidShell off\n"
    )
}

/// A server named `main` with `lead` config lines and two `(address, ServerName)` vhosts, the
/// first on the harness's port, the second on another free one: the server and both ports.
fn two_vhosts(
    target: &Target,
    lead: &str,
    (addr1, name1): (&str, &str),
    (addr2, name2): (&str, &str),
) -> (TestServer, u16, u16) {
    let mut setup = Setup::new(target).expect("setup");
    setup.server_name("main");
    let other_port = free_port().expect("port");
    let d = setup.dir().display().to_string();
    let port = setup.port();
    setup.config(&format!(
        "{lead}<VirtualHost {addr1}>\nServerName \"{name1}\"\nPort {port}\n{a}</VirtualHost>\n\
         <VirtualHost {addr2}>\nServerName \"{name2}\"\nPort {other_port}\n{a}</VirtualHost>\n",
        a = auth(&d)
    ));
    let server = TestServer::start(setup).unwrap_or_else(|e| panic!("start: {e}"));
    (server, port, other_port)
}

#[tokio::test]
async fn vhosts_by_address_and_port() {
    let target = oxftpd_testkit::target!();
    let (server, port, other_port) =
        two_vhosts(&target, "", ("127.0.0.2", "two"), ("127.0.0.3", "three"));
    let at = |a: [u8; 4], p: u16| SocketAddr::from((a, p));
    assert_eq!(
        greeting(at([127, 0, 0, 1], port)).await,
        "220 ProFTPD Server (main) [127.0.0.1]"
    );
    assert_eq!(
        greeting(at([127, 0, 0, 2], port)).await,
        "220 ProFTPD Server (two) [127.0.0.2]"
    );
    assert_eq!(
        greeting(at([127, 0, 0, 3], other_port)).await,
        "220 ProFTPD Server (three) [127.0.0.3]"
    );
    // SocketBindTight on: nothing listens on addresses no server names.
    assert!(Client::connect(at([127, 0, 0, 3], port)).await.is_err());
    assert!(
        Client::connect(at([127, 0, 0, 1], other_port))
            .await
            .is_err()
    );
    drop(server);
}

#[tokio::test]
async fn socket_bind_tight_off_binds_the_wildcard() {
    let target = oxftpd_testkit::target!();
    let (server, port, other_port) = two_vhosts(
        &target,
        "SocketBindTight off\n",
        ("127.0.0.2", "two"),
        ("127.0.0.3", "three"),
    );
    let at = |a: [u8; 4], p: u16| SocketAddr::from((a, p));
    assert_eq!(
        greeting(at([127, 0, 0, 2], port)).await,
        "220 ProFTPD Server (two) [127.0.0.2]"
    );
    // An address no server names reaches the first server on that port.
    assert_eq!(
        greeting(at([127, 0, 0, 5], port)).await,
        "220 ProFTPD Server (main) [127.0.0.5]"
    );
    assert_eq!(
        greeting(at([127, 0, 0, 1], other_port)).await,
        "220 ProFTPD Server (three) [127.0.0.1]"
    );
    drop(server);
}

#[tokio::test]
async fn port_zero_disables_the_main_server() {
    let target = oxftpd_testkit::target!();
    // The harness comments out its own `Port` line when the body sets one (the first `Port`
    // of a context is the one that counts).
    // The harness waits for a greeting on 127.0.0.1:port: a vhost answers there.
    let (server, port, other_port) = two_vhosts(
        &target,
        "Port 0\n",
        ("127.0.0.1", "one"),
        ("127.0.0.2", "two"),
    );
    assert_eq!(
        greeting(SocketAddr::from(([127, 0, 0, 1], port))).await,
        "220 ProFTPD Server (one) [127.0.0.1]"
    );
    assert_eq!(
        greeting(SocketAddr::from(([127, 0, 0, 2], other_port))).await,
        "220 ProFTPD Server (two) [127.0.0.2]"
    );
    drop(server);
}

#[tokio::test]
async fn default_server_takes_unmatched_addresses() {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    setup.server_name("main");
    let d = setup.dir().display().to_string();
    let port = setup.port();
    setup.config(&format!(
        "SocketBindTight off\n\
         <VirtualHost 127.0.0.2>\nServerName \"two\"\nPort {port}\nDefaultServer on\n{a}</VirtualHost>\n",
        a = auth(&d)
    ));
    let server = TestServer::start(setup).unwrap_or_else(|e| panic!("start: {e}"));
    assert_eq!(
        greeting(SocketAddr::from(([127, 0, 0, 7], port))).await,
        "220 ProFTPD Server (two) [127.0.0.7]"
    );
    assert_eq!(
        greeting(SocketAddr::from(([127, 0, 0, 1], port))).await,
        "220 ProFTPD Server (main) [127.0.0.1]"
    );
    drop(server);
}

/// Two name-based vhosts on the main server's address and port, reached with HOST.
/// A setup whose main server is called `main`, with alice, and its directory and port.
fn main_with_alice() -> (Setup, String, u16) {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    setup.server_name("main");
    setup.add_user("alice", "secret").expect("alice");
    let d = setup.dir().display().to_string();
    let port = setup.port();
    (setup, d, port)
}

fn name_based(setup: &mut Setup) {
    let d = setup.dir().display().to_string();
    let port = setup.port();
    std::fs::create_dir_all(setup.dir().join("sites/a/pub")).expect("site a");
    std::fs::create_dir_all(setup.dir().join("sites/b")).expect("site b");
    setup.config(&format!(
        "<VirtualHost 127.0.0.1>\nServerName \"site A\"\nPort {port}\n\
         ServerAlias a.example.com www.a.example.com\n{a}DefaultRoot {d}/sites/a\n</VirtualHost>\n\
         <VirtualHost 127.0.0.1>\nServerName \"site B\"\nPort {port}\n\
         ServerAlias b.example.com\n{a}DefaultRoot {d}/sites/b\n</VirtualHost>\n",
        a = auth(&d)
    ));
}

#[tokio::test]
async fn host_chooses_a_name_based_vhost() {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    setup.server_name("main");
    setup.add_user("alice", "secret").expect("alice");
    name_based(&mut setup);
    let server = TestServer::start(setup).unwrap_or_else(|e| panic!("start: {e}"));

    let mut c = server.client().await.expect("connect");
    assert_eq!(
        c.banner().first_line(),
        "220 ProFTPD Server (main) [127.0.0.1]"
    );
    let feat = c.cmd("FEAT").await.expect("FEAT");
    assert!(feat.lines.iter().any(|l| l == " HOST"), "{feat:?}");
    assert_eq!(line(&mut c, "HOST").await, "500 'HOST' not understood");
    assert_eq!(
        line(&mut c, "HOST nowhere.example.com").await,
        "504 nowhere.example.com: Unknown hostname provided"
    );
    // A server's own name is not an alias.
    assert_eq!(
        line(&mut c, "HOST main").await,
        "504 main: Unknown hostname provided"
    );
    assert_eq!(
        line(&mut c, "HOST [::1]").await,
        "501 [::1]: Invalid hostname provided"
    );
    assert_eq!(
        line(&mut c, "HOST 127.0.0.9").await,
        "504 127.0.0.9: Unknown hostname provided"
    );
    assert_eq!(
        line(&mut c, "HOST 127.0.0.1").await,
        "220 HOST command successful"
    );
    assert_eq!(
        line(&mut c, "HOST b.example.com").await,
        "220 ProFTPD Server (site B) [127.0.0.1]"
    );
    // Names compare without regard to case; a later HOST before login changes again.
    assert_eq!(
        line(&mut c, "HOST WWW.A.Example.COM").await,
        "220 ProFTPD Server (site A) [127.0.0.1]"
    );
    c.login("alice", "secret").await.expect("login on site A");
    // Site A's DefaultRoot: the jail holds pub/.
    assert_eq!(c.nlst(None).await.expect("NLST"), vec!["pub".to_string()]);
    assert_eq!(
        line(&mut c, "HOST b.example.com").await,
        "503 Bad sequence of commands"
    );

    // Without HOST the main server (DefaultRoot ~) serves the session.
    let mut m = server.login("alice", "secret").await.expect("main login");
    assert_eq!(m.nlst(None).await.expect("NLST"), Vec::<String>::new());
}

/// `MaxClients` of the vhost chosen by HOST counts the sessions that chose it, not the
/// server they first reached.
#[tokio::test]
async fn host_chosen_vhost_has_its_own_max_clients() {
    let (mut setup, d, port) = main_with_alice();
    std::fs::create_dir_all(setup.dir().join("sites/a")).expect("site a");
    setup.config(&format!(
        "MaxClients 1\n\
         <VirtualHost 127.0.0.1>\nServerName \"site A\"\nPort {port}\nMaxClients 1\n\
         ServerAlias a.example.com\n{a}DefaultRoot {d}/sites/a\n</VirtualHost>\n",
        a = auth(&d)
    ));
    let server = TestServer::start(setup).unwrap_or_else(|e| panic!("start: {e}"));
    let mut first = server.client().await.expect("connect");
    assert_eq!(
        line(&mut first, "HOST a.example.com").await,
        "220 ProFTPD Server (site A) [127.0.0.1]"
    );
    first
        .login("alice", "secret")
        .await
        .expect("first login on site A");
    // Site A's single slot is taken.
    let mut second = server.client().await.expect("connect");
    line(&mut second, "HOST a.example.com").await;
    line(&mut second, "USER alice").await;
    assert_eq!(
        line(&mut second, "PASS secret").await,
        "530 Sorry, the maximum number of allowed clients (1) are already connected."
    );
    oxftpd_testkit::deliberately_differs!(
        oxftpd_testkit::target!(),
        "ProFTPD counts every session on an address and port against each server there"
    );
    // The main server's single slot is still free.
    let mut main = server.login("alice", "secret").await.expect("main login");
    assert_eq!(line(&mut main, "NOOP").await, "200 NOOP command successful");
}

/// HOST as mod_core decides it: `ServerAlias` patterns (an exact name first), IPv6 literals
/// only in brackets under `UseIPv6 on`, `<Limit HOST>` before login, and `ServerIdent off`'s
/// `ADDRESS FTP server ready`.
#[tokio::test]
async fn host_patterns_ipv6_literals_and_limit() {
    let (mut setup, d, port) = main_with_alice();
    setup.config(&format!(
        "UseIPv6 on\n\
         <VirtualHost 127.0.0.1>\nServerName \"exact\"\nPort {port}\n\
         ServerAlias one.example.org\n{a}</VirtualHost>\n\
         <VirtualHost 127.0.0.1>\nServerName \"pattern\"\nPort {port}\n\
         ServerAlias *.example.org\nServerIdent off\n{a}</VirtualHost>\n",
        a = auth(&d)
    ));
    let server = TestServer::start(setup).unwrap_or_else(|e| panic!("start: {e}"));
    let mut c = server.client().await.expect("connect");
    assert_eq!(
        line(&mut c, "HOST one.example.org").await,
        "220 ProFTPD Server (exact) [127.0.0.1]"
    );
    assert_eq!(
        line(&mut c, "HOST two.example.org").await,
        "220 127.0.0.1 FTP server ready"
    );
    assert_eq!(
        line(&mut c, "HOST [::1]:21").await,
        "501 [::1]:21: Invalid IPv6 address provided"
    );
    // On an IPv4 connection ProFTPD compares no IPv6 literal with its address.
    for literal in ["::1", "[::ffff:127.0.0.1]", "[::2]"] {
        assert_eq!(
            line(&mut c, &format!("HOST {literal}")).await,
            "220 HOST command successful",
            "{literal}"
        );
    }
    assert_eq!(
        line(&mut c, "HOST 127.0.0.2").await,
        "504 127.0.0.2: Unknown hostname provided"
    );
}

#[tokio::test]
async fn limit_host_denies_before_login() {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    setup.add_user("alice", "secret").expect("alice");
    setup.config("<Limit HOST>\n  DenyAll\n</Limit>");
    let server = TestServer::start(setup).unwrap_or_else(|e| panic!("start: {e}"));
    let mut c = server.client().await.expect("connect");
    assert_eq!(
        line(&mut c, "HOST 127.0.0.1").await,
        "504 127.0.0.1: Permission denied"
    );
}
