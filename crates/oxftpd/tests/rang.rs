//! RANG (draft-bryan-ftp-range) as ProFTPD 1.3.8's mod_xfer answers it: inclusive byte ranges
//! for the next RETR or STOR, `RANG 1 0` to reset, refusals in ASCII mode and for APPE/STOU,
//! an upload that must carry exactly the range.

mod common;

use common::{cmd, file, login, server_with};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn data(c: &mut oxftpd_client::Client) -> tokio::net::TcpStream {
    let pasv = cmd(c, "PASV").await;
    let addr = oxftpd_client::parse_pasv(&pasv).expect("PASV address");
    tokio::net::TcpStream::connect(addr).await.expect("data")
}

#[tokio::test]
async fn rang_replies_as_proftpd() {
    let (server, _alice) = server_with("");
    let mut c = server.client().await.expect("connect");
    assert_eq!(cmd(&mut c, "RANG 0 1").await.code, 530);
    let mut c = login(&server).await;
    let r = cmd(&mut c, "RANG 0 2").await;
    assert_eq!(
        r.lines,
        ["551 RANG: Transfer ranges not allowed in ASCII mode"]
    );
    cmd(&mut c, "TYPE I").await;
    let r = cmd(&mut c, "RANG 0 2").await;
    assert_eq!(
        r.lines,
        ["350 Transferring byte range of 3 bytes starting from 0"]
    );
    let r = cmd(&mut c, "RANG 4 4").await;
    assert_eq!(
        r.lines,
        ["350 Transferring byte range of 1 byte starting from 4"]
    );
    assert_eq!(
        cmd(&mut c, "RANG 1 0").await.lines,
        ["350 Reset byte transfer range"]
    );
    for bad in ["a b", "0 b", "-1 1", "1 -1"] {
        assert_eq!(
            cmd(&mut c, &format!("RANG {bad}")).await.lines,
            ["501 RANG requires a value greater than or equal to 0"],
            "RANG {bad}"
        );
    }
    assert_eq!(
        cmd(&mut c, "RANG 5 3").await.lines,
        ["501 RANG start must be less than end"]
    );
    let feat = cmd(&mut c, "FEAT").await;
    assert!(feat.lines.iter().any(|l| l == " RANG STREAM"), "{feat:?}");
}

#[tokio::test]
async fn retr_sends_the_range() {
    for sendfile in ["on", "off"] {
        let (server, alice) = server_with(&format!("UseSendfile {sendfile}\n"));
        file(&alice, "test.dat", b"Hello, World!\n");
        let mut c = login(&server).await;
        cmd(&mut c, "TYPE I").await;
        cmd(&mut c, "RANG 1 3").await;
        let mut d = data(&mut c).await;
        let r = cmd(&mut c, "RETR test.dat").await;
        assert_eq!(r.code, 150, "{r:?}");
        let mut got = Vec::new();
        d.read_to_end(&mut got).await.expect("read");
        drop(d);
        assert_eq!(got, b"ell", "UseSendfile {sendfile}");
        assert_eq!(c.read_reply().await.expect("226").code, 226);
        // Used once: the next RETR sends the whole file.
        assert_eq!(c.retr("test.dat").await.expect("RETR"), b"Hello, World!\n");
        // A range from 0 past the end sends the whole file; one starting past it is refused.
        cmd(&mut c, "RANG 0 200").await;
        assert_eq!(c.retr("test.dat").await.expect("RETR"), b"Hello, World!\n");
        cmd(&mut c, "RANG 200 400").await;
        let r = cmd(&mut c, "RETR test.dat").await;
        assert_eq!(r.lines, ["554 RANG: invalid test.dat argument"]);
    }
}

#[tokio::test]
async fn stor_writes_the_range_in_place() {
    let (server, alice) = server_with("AllowStoreRestart on\nAllowOverwrite on\n");
    file(&alice, "test.dat", b"hello, World!\n");
    let mut c = login(&server).await;
    cmd(&mut c, "TYPE I").await;
    cmd(&mut c, "RANG 0 0").await;
    let mut d = data(&mut c).await;
    assert_eq!(cmd(&mut c, "STOR test.dat").await.code, 150);
    d.write_all(b"H").await.expect("write");
    drop(d);
    assert_eq!(c.read_reply().await.expect("226").code, 226);
    let on_disk = std::fs::read(alice.home.join("test.dat")).expect("read back");
    assert_eq!(on_disk, b"Hello, World!\n");
    // Too few bytes, then too many: 426.
    for sent in [&b"hel"[..], &b"hello, there!"[..]] {
        cmd(&mut c, "RANG 0 5").await;
        let mut d = data(&mut c).await;
        assert_eq!(cmd(&mut c, "STOR test.dat").await.code, 150);
        let _ = d.write_all(sent).await;
        drop(d);
        let r = c.read_reply().await.expect("426");
        assert_eq!(r.code, 426, "{r:?}");
        assert!(r.lines[0].starts_with("426 Transfer aborted"), "{r:?}");
    }
    cmd(&mut c, "RANG 0 2").await;
    let r = cmd(&mut c, "APPE test.dat").await;
    assert_eq!(r.lines, ["550 APPE incompatible with RANG"]);
    cmd(&mut c, "RANG 0 2").await;
    let r = cmd(&mut c, "STOU").await;
    assert_eq!(r.lines, ["550 STOU incompatible with RANG"]);
}

#[tokio::test]
async fn rang_can_be_limited() {
    let (server, _alice) = server_with("<Limit RANG>\n  DenyAll\n</Limit>\n");
    let mut c = login(&server).await;
    cmd(&mut c, "TYPE I").await;
    let r = cmd(&mut c, "RANG 0 2").await;
    assert_eq!(r.lines, ["552 RANG: Operation not permitted"]);
}
