//! <Class> with From/Satisfy, and mod_ifsession's <IfUser>/<IfGroup>/<IfClass> after login.

use oxftpd_client::Client;
use oxftpd_testkit::{Setup, TestServer, TestUser};

fn server(body: &str) -> (TestServer, TestUser) {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    let alice = setup.add_user("alice", "secret").expect("alice");
    setup.add_user("bob", "secret").expect("bob");
    if target.is_proftpd() {
        setup.config("LoadModule mod_ifsession.c");
    }
    setup.config(body);
    (TestServer::start(setup).expect("start"), alice)
}

async fn line(c: &mut Client, cmd: &str) -> String {
    c.cmd(cmd).await.expect("reply").first_line().to_string()
}

#[tokio::test]
async fn if_user_turns_allow_overwrite_on_for_one_user() {
    let (s, _) = server("AllowOverwrite off\n<IfUser alice>\n  AllowOverwrite on\n</IfUser>");
    let mut a = s.login("alice", "secret").await.expect("alice");
    a.stor("f", b"1").await.expect("create");
    a.stor("f", b"2").await.expect("alice may overwrite");
    let mut b = s.login("bob", "secret").await.expect("bob");
    b.stor("f", b"1").await.expect("create");
    let err = b.stor("f", b"2").await.expect_err("bob may not");
    assert!(
        err.to_string()
            .contains("550 f: Overwrite permission denied"),
        "{err}"
    );
}

#[tokio::test]
async fn if_group_and_regex_forms() {
    let (s, _) = server(
        "<IfGroup ftpusers>\n  DenyFilter ^x\n</IfGroup>\n<IfUser regex ^b>\n  DenyFilter ^y\n</IfUser>",
    );
    let mut a = s.login("alice", "secret").await.expect("alice");
    // Both users are in ftpusers; only bob matches ^b, and his block comes later.
    assert_eq!(
        line(&mut a, "CWD xdir").await,
        "550 xdir: Forbidden command argument"
    );
    assert_eq!(
        line(&mut a, "CWD ydir").await,
        "550 ydir: No such file or directory"
    );
    // bob matches both; <IfGroup> is applied after <IfUser>, so its DenyFilter wins.
    let mut b = s.login("bob", "secret").await.expect("bob");
    assert_eq!(
        line(&mut b, "CWD xdir").await,
        "550 xdir: Forbidden command argument"
    );
    assert_eq!(
        line(&mut b, "CWD ydir").await,
        "550 ydir: No such file or directory"
    );
    // Without a competing <IfGroup>, bob's <IfUser regex> block applies.
    let (s, _) = server("<IfUser regex ^b>\n  DenyFilter ^y\n</IfUser>");
    let mut b = s.login("bob", "secret").await.expect("bob");
    assert_eq!(
        line(&mut b, "CWD ydir").await,
        "550 ydir: Forbidden command argument"
    );
}

#[tokio::test]
async fn if_user_and_form_needs_every_name() {
    let (s, _) = server("<IfUser AND alice,bob>\n  DenyFilter ^x\n</IfUser>");
    let mut a = s.login("alice", "secret").await.expect("alice");
    assert_eq!(
        line(&mut a, "CWD xdir").await,
        "550 xdir: No such file or directory"
    );
}

#[tokio::test]
async fn class_from_address_drives_if_class_and_display_variables() {
    let (s, _) = server(
        "<Class loopback>\n  From 127.0.0.0/8\n</Class>\n<Class other>\n  From !127.0.0.1\n</Class>\n\
         <IfClass loopback>\n  MaxStoreFileSize 10 B\n</IfClass>",
    );
    let mut a = s.login("alice", "secret").await.expect("alice");
    a.type_i().await.expect("TYPE I");
    a.stor("small", b"123").await.expect("small");
    let err = a.stor("big", &[0u8; 100]).await.expect_err("class limit");
    assert!(err.to_string().contains("552"), "{err}");
}

#[tokio::test]
async fn satisfy_all_with_a_negation_excludes_the_client() {
    let (s, _) = server(
        "<Class near>\n  From 127.0.0.0/8\n  From !127.0.0.1\n  Satisfy all\n</Class>\n\
         <IfClass near>\n  DenyFilter ^x\n</IfClass>",
    );
    let mut a = s.login("alice", "secret").await.expect("alice");
    assert_eq!(
        line(&mut a, "CWD xdir").await,
        "550 xdir: No such file or directory"
    );
}

#[tokio::test]
async fn a_limit_inside_if_user_applies_to_that_user_only() {
    let (s, _) = server("<IfUser alice>\n  <Limit MKD XMKD>\n    DenyAll\n  </Limit>\n</IfUser>");
    let mut a = s.login("alice", "secret").await.expect("alice");
    assert_eq!(line(&mut a, "MKD d").await, "550 d: Permission denied");
    let mut b = s.login("bob", "secret").await.expect("bob");
    assert_eq!(
        line(&mut b, "MKD d").await,
        "257 \"/d\" - Directory successfully created"
    );
}

#[tokio::test]
async fn access_grant_msg_inside_if_user_greets_that_user() {
    let (s, _) = server("<IfUser alice>\n  AccessGrantMsg \"welcome back, %u\"\n</IfUser>");
    let mut a = s.client().await.expect("connect");
    assert_eq!(
        line(&mut a, "USER alice").await,
        "331 Password required for alice"
    );
    assert_eq!(line(&mut a, "PASS secret").await, "230 welcome back, alice");
    let mut b = s.client().await.expect("connect");
    assert_eq!(
        line(&mut b, "USER bob").await,
        "331 Password required for bob"
    );
    assert_eq!(line(&mut b, "PASS secret").await, "230 User bob logged in");
}
