//! oxftpd-client's FTPS (RFC 4217) against the daemon: `AUTH TLS`, `PBSZ 0`, `PROT P`, and
//! protected LIST/RETR/STOR whose data connections resume the control connection's TLS
//! session (mod_tls's default check); passive and active data connections, TLS 1.3 and 1.2,
//! certificate checks, implicit FTPS. Certificates are made here with rcgen.

use oxftpd_client::{Client, DataMode, Error, TlsConfig, TlsVersions};
use oxftpd_testkit::tls::{Certs, implicit_tls_server, tls_server};
use oxftpd_testkit::{TestServer, TestUser};

/// Bytes that survive only a binary transfer.
fn payload() -> Vec<u8> {
    (0..700 * 1024).map(|i| (i * 31 % 253) as u8).collect()
}

/// A server with alice/secret, `fetch.bin`, uploads allowed, and mod_tls.
fn start(extra: &str) -> (TestServer, TestUser, Certs) {
    tls_server(&oxftpd_testkit::target!(), extra, &payload())
}

/// Connects, `AUTH TLS`, logs in, `PBSZ 0` + `PROT P`; checks the replies on the way.
async fn protected_login(server: &TestServer, tls: &TlsConfig) -> Client {
    let mut c = server.client().await.expect("connect");
    let auth = c.auth_tls(tls).await.expect("AUTH TLS");
    assert_eq!(auth.first_line(), "234 AUTH TLS successful");
    assert!(c.is_tls());
    c.login("alice", "secret").await.expect("login over TLS");
    let prot = c.prot_p().await.expect("PBSZ and PROT P");
    assert_eq!(prot.first_line(), "200 Protection set to Private");
    assert!(c.data_protected());
    c.type_i().await.expect("TYPE I");
    c
}

#[tokio::test]
async fn tls13_list_and_retr_over_protected_data_connections() {
    let (server, _alice, certs) = start("");
    let tls = TlsConfig::with_ca_file(&certs.ca, TlsVersions::Any).expect("CA file");
    let mut c = protected_login(&server, &tls).await;
    let names = c.nlst(None).await.expect("NLST over TLS");
    assert_eq!(names, ["fetch.bin"]);
    let got = c.retr("fetch.bin").await.expect("RETR over TLS");
    assert!(
        got == payload(),
        "RETR over TLS differs ({} bytes)",
        got.len()
    );
    assert_eq!(c.quit().await.expect("QUIT").code, 221);
}

/// A TLS 1.3 client uses each session ticket once (rustls does): the control connection's
/// tickets last two transfers, so downloads must hand out a fresh one each.
#[tokio::test]
async fn tls13_many_downloads_each_resume_with_a_fresh_ticket() {
    let (server, _alice, certs) = start("");
    let tls = TlsConfig::with_ca_file(&certs.ca, TlsVersions::Any).expect("CA file");
    let mut c = protected_login(&server, &tls).await;
    for round in 0..6 {
        let got = c
            .retr("fetch.bin")
            .await
            .unwrap_or_else(|e| panic!("RETR {round} over TLS 1.3: {e}"));
        assert!(
            got == payload(),
            "RETR {round} differs ({} bytes)",
            got.len()
        );
        let names = c.nlst(None).await.expect("NLST over TLS 1.3");
        assert_eq!(names, ["fetch.bin"]);
    }
    assert_eq!(c.quit().await.expect("QUIT").code, 221);
}

#[tokio::test]
async fn tls12_stor_retr_list_many_transfers_resume_one_session() {
    let (server, alice, certs) = start("");
    let tls = TlsConfig::with_ca_file(&certs.ca, TlsVersions::Tls12Only).expect("CA file");
    let mut c = protected_login(&server, &tls).await;
    let up: Vec<u8> = payload().into_iter().rev().collect();
    let done = c.stor("up.bin", &up).await.expect("STOR over TLS");
    assert_eq!(done.code, 226);
    assert!(
        std::fs::read(alice.home.join("up.bin")).expect("uploaded file") == up,
        "the server stored other bytes"
    );
    let back = c.retr("up.bin").await.expect("RETR of the upload");
    assert!(back == up, "read-back differs");
    let listing = c.list(None).await.expect("LIST over TLS");
    let mut files: Vec<&str> = listing
        .lines()
        .filter_map(|l| l.split_whitespace().last())
        .collect();
    files.sort_unstable();
    assert_eq!(files, ["fetch.bin", "up.bin"]);
    assert!(
        listing.contains(&format!(" {} ", payload().len())),
        "{listing}"
    );
    for _ in 0..3 {
        assert!(c.retr("fetch.bin").await.expect("RETR again") == payload());
    }
    assert_eq!(c.size("up.bin").await.expect("SIZE"), up.len() as u64);
}

#[tokio::test]
async fn active_mode_data_connections_run_tls_too() {
    let (server, alice, certs) = start("AllowForeignAddress on");
    let tls = TlsConfig::with_ca_file(&certs.ca, TlsVersions::Tls12Only).expect("CA file");
    let mut c = protected_login(&server, &tls).await;
    c.set_data_mode(DataMode::ExtendedActive);
    assert!(c.retr("fetch.bin").await.expect("RETR over EPRT") == payload());
    c.set_data_mode(DataMode::Active);
    c.stor("active.bin", b"over PORT and TLS")
        .await
        .expect("STOR over PORT");
    assert_eq!(
        std::fs::read(alice.home.join("active.bin")).expect("upload"),
        b"over PORT and TLS"
    );
}

#[tokio::test]
async fn a_wrong_name_fails_verification_unless_insecure() {
    let (server, _alice, certs) = start("");
    let strict = TlsConfig::with_ca_file(&certs.ca, TlsVersions::Any)
        .and_then(|t| t.with_server_name("ftp.example.org"))
        .expect("CA file");
    let mut c = server.client().await.expect("connect");
    match c.auth_tls(&strict).await {
        Err(Error::Io(e)) => assert!(
            e.to_string()
                .contains("certificate not valid for name \"ftp.example.org\""),
            "{e}"
        ),
        other => panic!("expected a name mismatch, got {other:?}"),
    }
    let any = TlsConfig::insecure_accept_any_certificate(TlsVersions::Any)
        .and_then(|t| t.with_server_name("ftp.example.org"))
        .expect("insecure config");
    let mut c = protected_login(&server, &any).await;
    assert!(c.retr("fetch.bin").await.expect("RETR") == payload());
}

#[tokio::test]
async fn prot_p_needs_auth_tls_first() {
    let (server, _alice, _certs) = start("");
    let mut c = server.login("alice", "secret").await.expect("plain login");
    match c.prot_p().await {
        Err(Error::Tls(why)) => assert_eq!(why, "PROT P before AUTH TLS"),
        other => panic!("expected a local refusal, got {other:?}"),
    }
    assert!(!c.data_protected());
    c.type_i().await.expect("TYPE I");
    assert!(c.retr("fetch.bin").await.expect("plain RETR") == payload());
}

#[tokio::test]
async fn implicit_tls_on_its_own_port() {
    let (_server, port, certs) = implicit_tls_server(&oxftpd_testkit::target!(), &payload());
    let config = TlsConfig::with_ca_file(&certs.ca, TlsVersions::Any).expect("CA file");
    let addr = format!("127.0.0.1:{port}").parse().expect("address");
    let mut c = Client::connect_implicit_tls(addr, &config)
        .await
        .expect("implicit TLS");
    assert_eq!(c.banner().code, 220);
    assert!(c.is_tls());
    c.login("alice", "secret").await.expect("login");
    c.prot_p().await.expect("PROT P");
    c.type_i().await.expect("TYPE I");
    assert!(c.retr("fetch.bin").await.expect("RETR") == payload());
}
