//! The shutdown message file with its times a few seconds ahead: until the deny time new
//! connections are welcome and running sessions go on; at the shutdown time (deny and
//! disconnect offsets 0000) running sessions get ProFTPD's `421 FTP server shutting down - …`
//! and new connections its 500. ProFTPD 1.3.8 itself only disconnects when its master first
//! sees the file with the disconnect time already passed (observed; see DIFFERENCES.md).
//! (Its own test binary: the path comes from the environment, shared by a binary's tests.)

mod shutdown_file;

use std::time::{Duration, Instant};

use oxftpd_client::Client;
use oxftpd_testkit::{Setup, TestServer};

use shutdown_file::{first_reply, shutmsg_time};

#[tokio::test]
async fn running_sessions_are_disconnected_at_the_shutdown_time() {
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
    open.cwd("/").await.expect("CWD");

    let written = Instant::now();
    std::fs::write(
        &shutmsg,
        format!("{} 0000 0000\ndown for %U\n", shutmsg_time(4)),
    )
    .expect("write shutmsg");
    // Before the deny time: new logins work, running sessions go on.
    let mut late = Client::connect(server.addr()).await.expect("connect");
    late.login("alice", "secret")
        .await
        .expect("login before the deny time");
    assert_eq!(open.noop().await.expect("NOOP").code, 200);

    let reply = tokio::time::timeout(Duration::from_secs(12), open.read_reply())
        .await
        .expect("421 within 12 seconds")
        .expect("reply");
    assert!(
        written.elapsed() >= Duration::from_secs(2),
        "disconnected too early: {:?}",
        written.elapsed()
    );
    assert_eq!(reply.code, 421);
    assert_eq!(reply.text(), "FTP server shutting down - down for alice");
    let reply = tokio::time::timeout(Duration::from_secs(5), late.read_reply())
        .await
        .expect("421 for the other session too")
        .expect("reply");
    assert_eq!(reply.text(), "FTP server shutting down - down for alice");
    assert_eq!(
        first_reply(server.addr()).await,
        "500 FTP server shut down (down for NONE) -- please try again later\r\n"
    );
    std::fs::remove_file(&shutmsg).expect("remove");
}
