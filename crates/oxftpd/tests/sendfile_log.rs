//! `UseSendfile` and `DebugLevel 10`: each download says in the SystemLog whether it uses
//! sendfile(2), and why not, in mod_xfer's words (what the FAQ's sendfile answers ask to look for).

mod common;

use std::time::Duration;

use common::*;

#[tokio::test]
async fn downloads_log_their_sendfile_choice() {
    let target = oxftpd_testkit::target!();
    let mut setup = oxftpd_testkit::Setup::new(&target).expect("setup");
    let alice = setup.add_user("alice", "secret").expect("alice");
    if target.is_proftpd() {
        setup.config(LOAD_MODULES);
    }
    let log = setup.dir().join("system.log");
    setup.config(&format!(
        "SystemLog {}\nDebugLevel 10\n<Directory ~/plain>\nUseSendfile off\n</Directory>\n",
        log.display()
    ));
    let server = oxftpd_testkit::TestServer::start(setup).expect("start");
    file(&alice, "a.bin", &[7u8; 4096]);
    dir(&alice, "plain");
    file(&alice, "plain/b.bin", &[8u8; 4096]);
    // ProFTPD run in the foreground (-n, as the testkit runs it) logs to stderr instead.
    let stderr = server.dir().join("stderr.log");
    let saw = |text: &str| {
        let text = text.to_string();
        let files = [log.clone(), stderr.clone()];
        oxftpd_testkit::wait_until(Duration::from_secs(10), move || {
            files
                .iter()
                .any(|f| std::fs::read_to_string(f).is_ok_and(|l| l.contains(&text)))
        })
    };

    // One session per download: mod_xfer says why it declines once per session.
    let mut c = login(&server).await;
    c.type_i().await.expect("TYPE I");
    assert_eq!(c.retr("a.bin").await.expect("RETR").len(), 4096);
    assert!(saw("using sendfile capability for transmitting data"));

    let mut c = login(&server).await;
    c.type_a().await.expect("TYPE A");
    assert_eq!(c.retr("a.bin").await.expect("RETR").len(), 4096);
    assert!(saw("declining use of sendfile for ASCII data"));

    let mut c = login(&server).await;
    c.type_i().await.expect("TYPE I");
    assert_eq!(c.retr("plain/b.bin").await.expect("RETR").len(), 4096);
    assert!(saw(
        "declining use of sendfile due to UseSendfile configuration setting"
    ));
}
