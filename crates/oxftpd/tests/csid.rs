//! CSID (draft-peterson-streamlined-ftp-command-extensions) as ProFTPD 1.3.8's mod_core answers
//! it: after login only, the client's facts taken leniently, the server named unless
//! `ServerIdent off`; and in FEAT.

mod common;

use common::{cmd, login, server_with};

#[tokio::test]
async fn csid_names_the_server_after_login() {
    let (server, _alice) = server_with("");
    let mut c = server.client().await.expect("connect");
    let r = cmd(&mut c, "CSID Name=Test; Version=1;").await;
    assert_eq!(r.code, 530, "{r:?}");
    let mut c = login(&server).await;
    for arg in [
        "Name=TestSuite; Version=None; Vendor=ProFTPD;",
        "garbage",
        "Name=OnlyAName",
    ] {
        let r = cmd(&mut c, &format!("CSID {arg}")).await;
        assert_eq!(r.code, 200, "{r:?}");
        assert_eq!(
            r.lines,
            ["200 name=ProFTPD;version=1.3.8;casesensitive=1;"],
            "{arg}"
        );
    }
    let feat = cmd(&mut c, "FEAT").await;
    assert!(feat.lines.iter().any(|l| l == " CSID"), "{feat:?}");
}

#[tokio::test]
async fn csid_says_only_case_sensitivity_with_server_ident_off() {
    let (server, _alice) = server_with("ServerIdent off\n");
    let mut c = login(&server).await;
    let r = cmd(&mut c, "CSID Name=Test;").await;
    assert_eq!(r.lines, ["200 casesensitive=1;"]);
}
