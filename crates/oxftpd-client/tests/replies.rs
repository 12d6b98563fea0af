//! The client against a scripted server: multi-line replies, timeouts, a closed connection.

use std::net::SocketAddr;
use std::time::Duration;

use oxftpd_client::{Client, Error};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// Serves one connection: sends `banner`, then answers each command line with the next
/// scripted reply; `None` means stay silent, and the end of the script closes.
async fn scripted(banner: &'static str, replies: Vec<Option<&'static str>>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let (stream, _) = listener.accept().await.expect("accept");
        let (r, mut w) = stream.into_split();
        let mut lines = BufReader::new(r).lines();
        w.write_all(banner.as_bytes()).await.expect("banner");
        for reply in replies {
            if lines.next_line().await.ok().flatten().is_none() {
                return;
            }
            match reply {
                Some(text) => w.write_all(text.as_bytes()).await.expect("reply"),
                None => tokio::time::sleep(Duration::from_secs(5)).await,
            }
        }
    });
    addr
}

#[tokio::test]
async fn multi_line_replies_are_read_whole() {
    let addr = scripted(
        "220-Welcome\r\n220-to the\r\n220 test\r\n",
        vec![
            Some("211-Features:\r\n EPSV\r\n 211 not the end\r\n211 End\r\n"),
            Some("200 ok\r\n"),
        ],
    )
    .await;
    let mut c = Client::connect(addr).await.expect("connect");
    assert_eq!(c.banner().code, 220);
    assert_eq!(
        c.banner().lines,
        vec!["220-Welcome", "220-to the", "220 test"]
    );
    let feat = c.cmd("FEAT").await.expect("FEAT");
    assert_eq!(feat.code, 211);
    assert_eq!(
        feat.lines,
        vec!["211-Features:", " EPSV", " 211 not the end", "211 End"]
    );
    assert_eq!(c.cmd("NOOP").await.expect("NOOP").first_line(), "200 ok");
}

#[tokio::test]
async fn a_silent_server_times_out() {
    let addr = scripted("220 hi\r\n", vec![None]).await;
    let mut c = Client::connect(addr).await.expect("connect");
    c.set_timeout(Duration::from_millis(100));
    let err = c.cmd("NOOP").await.expect_err("no reply");
    assert!(
        matches!(
            err,
            Error::Timeout {
                during: "reading a reply",
                ..
            }
        ),
        "{err}"
    );
}

#[tokio::test]
async fn a_closed_connection_is_reported() {
    let addr = scripted("220 hi\r\n", vec![]).await;
    let mut c = Client::connect(addr).await.expect("connect");
    let err = c.cmd("NOOP").await.expect_err("closed");
    assert!(matches!(err, Error::Closed | Error::Io(_)), "{err}");
}

#[tokio::test]
async fn a_malformed_reply_is_an_error() {
    let addr = scripted("hello there\r\n", vec![]).await;
    let err = Client::connect(addr).await.err().expect("malformed banner");
    assert!(
        matches!(err, Error::Malformed(ref l) if l == "hello there"),
        "{err}"
    );
}

#[tokio::test]
async fn login_stops_at_an_unexpected_reply() {
    let addr = scripted(
        "220 hi\r\n",
        vec![Some("331 need pass\r\n"), Some("530 Login incorrect.\r\n")],
    )
    .await;
    let mut c = Client::connect(addr).await.expect("connect");
    match c.login("alice", "wrong").await {
        Err(Error::Unexpected { reply, .. }) => {
            assert_eq!(reply.first_line(), "530 Login incorrect.")
        }
        other => panic!("expected 530, got {other:?}"),
    }
}
