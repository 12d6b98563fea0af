//! Checksums as ProFTPD's mod_digest gives them: HASH with OPTS HASH, XCRC, MD5, XMD5,
//! XSHA1, XSHA256, with ranges.

mod common;

use common::*;

const HELLO: &[u8] = b"hello world\n";

#[tokio::test]
async fn hash_with_each_algorithm() {
    let (server, alice) = server_with("");
    file(&alice, "h.txt", HELLO);
    let mut c = login(&server).await;
    assert_eq!(
        lines(&mut c, "HASH h.txt").await,
        vec![
            "213-Computing SHA-1 digest",
            "213 SHA-1 0-12 22596363b3de40b06f981fb85d82312e8c0ed511 h.txt"
        ]
    );
    assert_eq!(line(&mut c, "OPTS HASH").await, "200 SHA-1");
    assert_eq!(line(&mut c, "OPTS HASH SHA-256").await, "200 SHA-256");
    assert_eq!(
        lines(&mut c, "HASH h.txt").await[1],
        "213 SHA-256 0-12 a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447 h.txt"
    );
    assert_eq!(line(&mut c, "OPTS HASH MD5").await, "200 MD5");
    assert_eq!(
        lines(&mut c, "HASH h.txt").await[1],
        "213 MD5 0-12 6f5902ac237024bdd0c176cb93063dc4 h.txt"
    );
    assert_eq!(line(&mut c, "OPTS HASH CRC32").await, "200 CRC32");
    assert_eq!(
        lines(&mut c, "HASH h.txt").await[1],
        "213 CRC32 0-12 af083b2d h.txt"
    );
    assert_eq!(
        line(&mut c, "OPTS HASH FOO").await,
        "501 FOO: Unsupported algorithm"
    );
}

#[tokio::test]
async fn hash_failures() {
    let (server, alice) = server_with("");
    dir(&alice, "sub");
    let mut c = login(&server).await;
    assert_eq!(
        line(&mut c, "HASH").await,
        "501 Invalid number of parameters"
    );
    assert_eq!(
        line(&mut c, "HASH nonexist").await,
        "550 nonexist: No such file or directory"
    );
    assert_eq!(
        line(&mut c, "HASH sub").await,
        "553 sub: Not a regular file"
    );
}

#[tokio::test]
async fn x_commands_and_ranges() {
    let (server, alice) = server_with("");
    file(&alice, "h.txt", HELLO);
    dir(&alice, "sub");
    let mut c = login(&server).await;
    assert_eq!(
        lines(&mut c, "XCRC h.txt").await,
        vec!["250-Computing CRC32 digest", "250 AF083B2D"]
    );
    assert_eq!(
        lines(&mut c, "XMD5 h.txt").await,
        vec![
            "250-Computing MD5 digest",
            "250 6F5902AC237024BDD0C176CB93063DC4"
        ]
    );
    assert_eq!(
        lines(&mut c, "XSHA1 h.txt").await,
        vec![
            "250-Computing SHA1 digest",
            "250 22596363B3DE40B06F981FB85D82312E8C0ED511"
        ]
    );
    assert_eq!(
        lines(&mut c, "XSHA256 h.txt").await[1],
        "250 A948904F2F0F479B8F8197694B30184B0D2ED1C1CD2A1EC0FB85D299A192A447"
    );
    assert_eq!(
        lines(&mut c, "XMD5 h.txt 6 8").await[1],
        "250 E0A0862398CCF49AFA6C809D3832915C"
    );
    assert_eq!(
        lines(&mut c, "MD5 h.txt").await,
        vec![
            "251-Computing MD5 digest",
            "251 h.txt 6F5902AC237024BDD0C176CB93063DC4"
        ]
    );
    assert_eq!(
        line(&mut c, "XMD5 h.txt 6").await,
        "501 Invalid number of parameters"
    );
    assert_eq!(
        line(&mut c, "XMD5 h.txt 6 100").await,
        "501 XMD5: end exceeds file size"
    );
    assert_eq!(
        line(&mut c, "XMD5").await,
        "501 Invalid number of parameters"
    );
    assert_eq!(
        line(&mut c, "XMD5 nonexist").await,
        "550 nonexist: No such file or directory"
    );
    assert_eq!(
        line(&mut c, "XMD5 sub").await,
        "550 sub: Not a regular file"
    );
}

#[tokio::test]
async fn checksums_need_a_login() {
    let (server, _) = server_with("");
    let mut c = server.client().await.expect("connect");
    assert_eq!(
        line(&mut c, "HASH a").await,
        "530 Please login with USER and PASS"
    );
    assert_eq!(
        line(&mut c, "XMD5 a").await,
        "530 Please login with USER and PASS"
    );
}

#[tokio::test]
async fn feat_lists_the_checksum_commands_only_while_digest_engine_is_on() {
    let load = "<IfModule !mod_digest.c>\nLoadModule mod_digest.c\n</IfModule>\n";
    for (engine, listed) in [("", true), ("DigestEngine off\n", false)] {
        let (server, _) = server_with(&format!("{load}{engine}"));
        let mut c = server.client().await.expect("connect");
        let feat = lines(&mut c, "FEAT").await;
        for line in [" XCRC", " XMD5", " XSHA256"] {
            assert_eq!(
                feat.iter().any(|l| l == line),
                listed,
                "{engine:?} {line}: {feat:?}"
            );
        }
    }
}
