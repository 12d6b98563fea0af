//! mod_readme (ProFTPD 1.3.8's contrib/mod_readme.c, loaded with `LoadModule` for ProFTPD):
//! `DisplayReadme` files are announced with their modification date after login and CWD.

mod wire;

use std::fs;

use oxftpd_testkit::{Setup, TestServer, TestUser};
use wire::{Raw, put};

fn server(extra: &str) -> (TestServer, TestUser) {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    let alice = setup.add_user("alice", "secret").expect("alice");
    setup.config(&format!("LoadModule mod_readme.c\n{extra}\n"));
    (TestServer::start(setup).expect("start"), alice)
}

/// The lines of a reply without their `NNN-`/`NNN ` prefixes (middle lines keep theirs).
fn texts(reply: &str) -> Vec<String> {
    reply
        .lines()
        .map(|l| match l.get(3..4) {
            Some("-" | " ") if l[..3].chars().all(|c| c.is_ascii_digit()) => l[4..].to_string(),
            _ => l.to_string(),
        })
        .collect()
}

#[test]
fn login_and_cwd_announce_the_files() {
    let (s, alice) = server("DisplayReadme README*");
    put(&alice, "README", b"read me");
    put(&alice, "README.md", b"# read me");
    put(&alice, "other.txt", b"x");
    fs::create_dir(alice.home.join("sub")).expect("dir");
    put(&alice, "sub/README", b"sub");
    let mut raw = Raw::connect(s.addr());
    assert_eq!(raw.cmd("USER alice"), "331 Password required for alice");
    let pass = texts(&raw.cmd("PASS secret"));
    assert_eq!(pass[0], "User alice logged in", "{pass:?}");
    assert_eq!(pass[1].trim(), "", "{pass:?}");
    assert_eq!(pass[2].trim(), "Please read the file README", "{pass:?}");
    assert!(
        pass[3].trim().starts_with("it was last modified on ")
            && pass[3].ends_with(" - 0 days ago"),
        "{pass:?}"
    );
    assert_eq!(pass[5].trim(), "Please read the file README.md", "{pass:?}");
    assert_eq!(pass.len(), 7, "{pass:?}");
    let cwd = texts(&raw.cmd("CWD sub"));
    assert_eq!(cwd[0], "CWD command successful", "{cwd:?}");
    assert_eq!(cwd[1].trim(), "Please read the file README", "{cwd:?}");
    assert!(cwd[2].ends_with(" - 0 days ago"), "{cwd:?}");
    assert_eq!(cwd.len(), 3, "{cwd:?}");
}

#[test]
fn an_old_file_counts_its_days_and_a_missing_one_says_nothing() {
    let (s, alice) = server("DisplayReadme NOTES\nDisplayReadme ABSENT");
    let notes = put(&alice, "NOTES", b"n");
    let ten_days = std::time::SystemTime::now() - std::time::Duration::from_secs(10 * 86_400 + 60);
    fs::File::options()
        .write(true)
        .open(&notes)
        .expect("open")
        .set_modified(ten_days)
        .expect("mtime");
    let mut raw = Raw::connect(s.addr());
    raw.cmd("USER alice");
    let pass = texts(&raw.cmd("PASS secret"));
    assert_eq!(pass.len(), 4, "{pass:?}");
    assert!(
        pass[3].ends_with(" - 10 days ago") || pass[3].ends_with(" - 11 days ago"),
        "{pass:?}"
    );
}
