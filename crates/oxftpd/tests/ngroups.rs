//! The FAQ's NGROUPS_MAX case: a user listed in more groups than the kernel allows
//! (70,000 in the AuthGroupFile; Linux allows 65,536) still logs in and works, and the log
//! names the user and the limit.

mod wire;

use std::fmt::Write as _;

use oxftpd_testkit::{Setup, TestServer};
use wire::{Raw, put};

#[test]
fn a_user_in_too_many_groups_works_with_the_groups_that_fit() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::deliberately_differs!(
        target,
        "ProFTPD 1.3.8 did not answer PASS within the test's 10 s for a user in 70,000 \
         AuthGroupFile groups (observed)"
    );
    let mut setup = Setup::new(&target).expect("setup");
    let alice = setup.add_user("alice", "secret").expect("alice");
    let group_file = setup.dir().join("etc/group");
    let mut text = std::fs::read_to_string(&group_file).expect("group file");
    for i in 0..70_000u32 {
        let _ = writeln!(text, "many{i}:x:{}:alice", 200_000 + i);
    }
    std::fs::write(&group_file, text).expect("write group file");
    let s = TestServer::start(setup).expect("start");
    put(&alice, "mine.txt", b"still mine");
    let mut c = Raw::login(s.addr());
    assert_eq!(c.cmd("TYPE I"), "200 Type set to I");
    assert_eq!(c.cmd("SIZE mine.txt"), "213 10");
    let (_, bytes, done) = c.download("RETR mine.txt");
    assert_eq!(bytes, b"still mine");
    assert_eq!(done, "226 Transfer complete");
    let log = s.log();
    assert!(
        log.lines()
            .any(|l| l.contains("user alice: member of 70001 groups")
                && l.contains("NGROUPS_MAX (65536)")),
        "{log}"
    );
}
