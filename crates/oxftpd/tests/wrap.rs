//! mod_wrap's TCPAccessFiles: hosts.allow/hosts.deny checked once the password is accepted.

use oxftpd_testkit::{Setup, TestServer};

async fn pass_reply(allow: &str, deny: &str, extra: &str) -> String {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    setup.add_user("alice", "secret").expect("alice");
    let (a, d) = (setup.dir().join("etc/allow"), setup.dir().join("etc/deny"));
    std::fs::write(&a, allow).expect("allow");
    std::fs::write(&d, deny).expect("deny");
    setup.config(&format!(
        "TCPAccessFiles {} {}\n{extra}",
        a.display(),
        d.display()
    ));
    let s = TestServer::start(setup).expect("start");
    let mut c = s.client().await.expect("connect");
    c.cmd("USER alice").await.expect("USER");
    c.cmd("PASS secret")
        .await
        .expect("PASS")
        .first_line()
        .to_string()
}

#[tokio::test]
async fn deny_all_refuses_unless_allowed() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "Debian's ProFTPD has mod_wrap2, not mod_wrap");
    assert_eq!(pass_reply("", "ALL: ALL\n", "").await, "530 Access denied");
    assert_eq!(
        pass_reply("proftpd: 127.0.0.1\n", "ALL: ALL\n", "").await,
        "230 User alice logged in"
    );
    assert_eq!(
        pass_reply("ftpd: 127.0.0.1\n", "ALL EXCEPT ftpd: 10.0.0.0/8\n", "").await,
        "230 User alice logged in"
    );
    assert_eq!(
        pass_reply("ftpd: 127.0.0.1\n", "ALL: ALL\n", "TCPServiceName ftpd").await,
        "230 User alice logged in"
    );
}
