//! mod_ratio (ProFTPD 1.3.8's contrib module, loaded with `LoadModule` for ProFTPD): the FAQ's
//! four numbers (`UserRatio * 5 5 5 100`: 1:5 files with 5 files of credit, 1:5 bytes with
//! 100 KB), the login summary, RETR refused with 550 when the file credit is spent, an upload
//! earning more, `SITE RATIO`; and past ProFTPD, the tallies holding across a restart.

use std::os::unix::fs::MetadataExt;

use oxftpd_testkit::{Setup, TestServer};

const FILE: usize = 2048;

#[tokio::test]
async fn the_faqs_ratio_allows_and_refuses_as_the_arithmetic_says_and_persists() {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    let alice = setup.add_user("alice", "secret").expect("alice");
    for i in 0..7 {
        let p = alice.home.join(format!("f{i}.bin"));
        std::fs::write(&p, vec![b'f'; FILE]).expect("file");
        let uid = std::fs::metadata(&alice.home).expect("home").uid();
        std::os::unix::fs::chown(&p, Some(uid), None).expect("chown");
    }
    let load = if target.is_proftpd() {
        "LoadModule mod_ratio.c\n"
    } else {
        ""
    };
    setup.config(&format!(
        "{load}Ratios on\nUserRatio * 5 5 5 100\nFileRatioErrMsg \"Upload first, please\"\nAllowOverwrite on\n"
    ));
    let mut s = TestServer::start(setup).unwrap_or_else(|e| panic!("start: {e}"));

    let mut c = s.client().await.expect("connect");
    c.cmd_expect("USER alice", 331).await.expect("USER");
    let r = c.cmd("PASS secret").await.expect("PASS");
    assert_eq!(
        r.lines.first().map(String::as_str),
        Some("230-Down: 0 Files (0mb)  Up: 0 Files (0mb)   1:5F CR: 5   1:5B CR: 0"),
        "{r:?}"
    );
    c.type_i().await.expect("TYPE");
    // Five files of credit: five downloads, then 550 with the configured text and the figures.
    for i in 0..5 {
        c.retr(&format!("f{i}.bin"))
            .await
            .expect("RETR within credit");
    }
    let r = c.cmd("RETR f5.bin").await.expect("RETR past credit");
    assert_eq!(
        r.lines,
        [
            "550-Upload first, please",
            "550 f5.bin: FILE RATIO: 1:5F  Down: 5  Up: only 0!"
        ],
        "{r:?}"
    );
    let r = c.cmd("SITE RATIO").await.expect("SITE RATIO");
    // (ProFTPD's figures: files, then KB / 1024.)
    assert_eq!(
        r.lines,
        [
            "214-Current Ratio: ( -5/0 +0/0 (5 5 5 100) = 0/0 [NO F] [LO B] )",
            " Files: 1:5F  Down: 5  Up: 0  CR: 0 files",
            "214 Bytes: 1:5B  Down: 0mb  Up: 0mb  CR: 0 Mbytes"
        ],
        "{r:?}"
    );
    c.quit().await.expect("QUIT");

    if target.is_oxftpd() {
        // Past ProFTPD (whose ratios end with the session): the tally outlives a restart.
        s.restart().expect("restart");
        let mut c = s.login("alice", "secret").await.expect("login");
        let r = c.cmd("RETR f5.bin").await.expect("RETR after restart");
        assert_eq!(r.code, 550, "{r:?}");
        c.type_i().await.expect("TYPE");
        // One upload earns five files: 5*1 + 5 - 5 = 5.
        let r = c.stor("up.bin", &[b'u'; FILE]).await.expect("STOR");
        assert_eq!(
            r.lines.last().map(String::as_str),
            Some("226 Down: 5 Files (0mb)  Up: 1 Files (0mb)   1:5F CR: 5   1:5B CR: 0"),
            "{r:?}"
        );
        c.retr("f5.bin").await.expect("RETR earned by the upload");
        c.quit().await.expect("QUIT");
    }
}

#[test]
fn ratio_rules_need_four_numbers() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "oxftpd's configuration errors");
    let mut setup = Setup::new(&target).expect("setup");
    setup.config("Ratios on\nUserRatio * 5 five 5 100\n");
    let out = setup.check_config().expect("-t");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("UserRatio") && err.contains("'five'"), "{err}");
}
