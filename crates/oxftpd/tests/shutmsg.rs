//! The shutdown message file as `ftpshut` writes it: new connections are refused with
//! ProFTPD's 500 reply and the file's message; removing the file lets them in again.
//! (Its own test binary: the path comes from the environment, shared by a binary's tests.)

use std::time::Duration;

use oxftpd_client::Client;
use oxftpd_testkit::{Setup, TestServer};

#[tokio::test]
async fn shutmsg_refuses_new_connections_until_removed() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(
        target,
        "ProFTPD reads the compiled-in /etc/shutmsg, which the test must not touch"
    );
    let mut setup = Setup::new(&target).expect("setup");
    setup.add_user("alice", "secret").expect("alice");
    let shutmsg = setup.dir().join("shutmsg");
    // SAFETY: the only test of this binary; no other thread reads the environment yet.
    unsafe { std::env::set_var("OXFTPD_SHUTMSG", &shutmsg) };
    let server = TestServer::start(setup).expect("start");
    let mut open = server.login("alice", "secret").await.expect("login before");
    // Shut down "now" (a time in the past), deny and disconnect offsets as ftpshut writes them.
    std::fs::write(
        &shutmsg,
        "2001 2 3 4 5 6 0010 0005\nmaintenance on %V until noon\n",
    )
    .expect("write shutmsg");
    let mut s = tokio::net::TcpStream::connect(server.addr())
        .await
        .expect("connect");
    let mut text = String::new();
    tokio::time::timeout(
        Duration::from_secs(5),
        tokio::io::AsyncReadExt::read_to_string(&mut s, &mut text),
    )
    .await
    .expect("reply in time")
    .expect("read");
    assert_eq!(
        text,
        "500 FTP server shut down (maintenance on testkit until noon) -- please try again later\r\n"
    );
    assert_eq!(
        open.noop().await.expect("NOOP").code,
        200,
        "running sessions go on"
    );
    std::fs::remove_file(&shutmsg).expect("remove");
    let mut c = Client::connect(server.addr()).await.expect("connect after");
    c.login("alice", "secret").await.expect("login after");
}
