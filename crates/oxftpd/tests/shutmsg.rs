//! The shutdown message file as `ftpshut` writes it, with its times in the past: new
//! connections are refused with ProFTPD's 500 reply from the deny time on, running sessions
//! get ProFTPD's `421 FTP server shutting down - …` at the disconnect time (texts observed
//! from ProFTPD 1.3.8 with /etc/shutmsg in a private mount namespace), and removing the file
//! lets clients in again. (Its own test binary: the path comes from the environment, shared
//! by a binary's tests.)

mod shutdown_file;

use std::time::Duration;

use oxftpd_client::Client;
use oxftpd_testkit::{Setup, TestServer};

use shutdown_file::{first_reply, shutmsg_time};

#[tokio::test]
async fn shutmsg_refuses_then_disconnects_until_removed() {
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

    // Deny time passed (two hours before a shutdown two hours away), disconnect time not yet.
    let at = shutmsg_time(2 * 3600);
    std::fs::write(&shutmsg, format!("{at} 0200 0000\nmaintenance on %V\n")).expect("write");
    assert_eq!(
        first_reply(server.addr()).await,
        "500 FTP server shut down (maintenance on testkit) -- please try again later\r\n"
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        open.noop().await.expect("NOOP").code,
        200,
        "running sessions go on until the disconnect time"
    );

    // Shut down "now" (a time in the past): the running session is told and closed.
    std::fs::write(
        &shutmsg,
        "2001 2 3 4 5 6 0010 0005\nbye %U in %C on %V at %s\n",
    )
    .expect("write shutmsg");
    let reply = tokio::time::timeout(Duration::from_secs(5), open.read_reply())
        .await
        .expect("421 within 5 seconds")
        .expect("reply");
    assert_eq!(reply.code, 421);
    assert_eq!(
        reply.text(),
        "FTP server shutting down - bye alice in / on testkit at Sat Feb 03 04:05:06 2001"
    );
    assert_eq!(
        first_reply(server.addr()).await,
        "500 FTP server shut down (bye NONE in (none) on testkit at Sat Feb 03 04:05:06 2001) \
         -- please try again later\r\n"
    );

    std::fs::remove_file(&shutmsg).expect("remove");
    let mut c = Client::connect(server.addr()).await.expect("connect after");
    c.login("alice", "secret").await.expect("login after");
    assert_eq!(c.noop().await.expect("NOOP").code, 200, "not disconnected");
}
