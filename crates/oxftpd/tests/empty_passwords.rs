//! `AllowEmptyPasswords` (mod_auth): `off` refuses a PASS with an empty password before any
//! authentication (`501 Login incorrect.`), for real and anonymous logins; `on` (the default)
//! leaves the password to the auth chain.

mod common;

use common::{cmd, server_with};

#[tokio::test]
async fn an_empty_password_is_refused_when_not_allowed() {
    let (server, _alice) = server_with("AllowEmptyPasswords off\n");
    let mut c = server.client().await.expect("connect");
    let r = cmd(&mut c, "USER alice").await;
    assert_eq!(r.code, 331, "{r:?}");
    let r = cmd(&mut c, "PASS").await;
    assert_eq!(r.lines, ["501 Login incorrect."]);
    // The session goes on, and a real password still logs in.
    let r = cmd(&mut c, "USER alice").await;
    assert_eq!(r.code, 331, "{r:?}");
    let r = cmd(&mut c, "PASS secret").await;
    assert_eq!(r.code, 230, "{r:?}");
}

#[tokio::test]
async fn an_empty_password_reaches_the_auth_chain_by_default() {
    let (server, _alice) = server_with("");
    let mut c = server.client().await.expect("connect");
    cmd(&mut c, "USER alice").await;
    let r = cmd(&mut c, "PASS").await;
    assert_eq!(r.code, 530, "{r:?}");
}

#[tokio::test]
async fn anonymous_logins_follow_their_block() {
    use oxftpd_testkit::fixtures::{append, mkdir};
    use oxftpd_testkit::replies::line;
    let target = oxftpd_testkit::target!();
    let mut setup = oxftpd_testkit::Setup::new(&target).expect("setup");
    let anon = setup.dir().join("site");
    mkdir(&anon, 0, 0, 0o755);
    setup.config(&format!(
        "<Anonymous {}>\nUser ftp\nGroup ftpanon\nUserAlias anonymous ftp\n\
         AllowEmptyPasswords off\n</Anonymous>\n",
        anon.display()
    ));
    append(
        &setup,
        "passwd",
        &format!("ftp:*:60099:60099::{}:/bin/false", anon.display()),
    );
    append(&setup, "group", "ftpanon:x:60099:");
    let server = oxftpd_testkit::TestServer::start(setup).expect("start");
    let mut c = server.client().await.expect("connect");
    line(&mut c, "USER anonymous").await;
    assert_eq!(line(&mut c, "PASS").await, "501 Login incorrect.");
    line(&mut c, "USER anonymous").await;
    assert_eq!(
        line(&mut c, "PASS someone@example.com").await,
        "230 Anonymous access granted, restrictions apply"
    );
}
