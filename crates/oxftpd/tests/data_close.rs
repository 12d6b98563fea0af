//! A client that closes the data connection in the middle of a download hears ProFTPD's words
//! for it (`pr_data_abort`): `426 Transfer aborted. Data connection closed`, and the session
//! goes on.

mod common;

use common::{cmd, file, login, server_with};
use tokio::io::AsyncReadExt;

#[tokio::test]
async fn closing_the_data_connection_mid_download_is_426_data_connection_closed() {
    let (server, alice) = server_with("");
    file(&alice, "big.bin", &vec![7u8; 32 << 20]);
    for mode in ["I", "A"] {
        let mut c = login(&server).await;
        cmd(&mut c, &format!("TYPE {mode}")).await;
        let pasv = cmd(&mut c, "PASV").await;
        let addr = oxftpd_client::parse_pasv(&pasv).expect("PASV address");
        let mut data = tokio::net::TcpStream::connect(addr).await.expect("data");
        let r = cmd(&mut c, "RETR big.bin").await;
        assert_eq!(r.code, 150, "{r:?}");
        let mut buf = [0u8; 128];
        data.read_exact(&mut buf).await.expect("first bytes");
        drop(data);
        let r = c.read_reply().await.expect("the transfer's end");
        assert_eq!(
            r.lines,
            ["426 Transfer aborted. Data connection closed"],
            "TYPE {mode}"
        );
        let r = cmd(&mut c, "NOOP").await;
        assert_eq!(r.code, 200, "{r:?}");
    }
}
