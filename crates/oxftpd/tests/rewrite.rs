//! mod_rewrite (ProFTPD 1.3.8's contrib/mod_rewrite.c, loaded with `LoadModule` for ProFTPD):
//! rules rewrite command arguments after their conditions held, with maps (txt:, int:),
//! variables and back-references; the results are checked on disk and in replies.

mod wire;

use std::fs;

use oxftpd_testkit::{Setup, TestServer, TestUser};
use wire::{Raw, put};

/// A server with alice/secret and `RewriteEngine on` plus `rules` (`DIR` is the test directory).
fn server(rules: &str) -> (TestServer, TestUser) {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    let alice = setup.add_user("alice", "secret").expect("alice");
    let d = setup.dir().display().to_string();
    setup.config(&format!(
        "LoadModule mod_rewrite.c\nAllowOverwrite on\n<IfModule mod_rewrite.c>\nRewriteEngine on\n{}\n</IfModule>\n",
        rules.replace("DIR", &d)
    ));
    (TestServer::start(setup).expect("start"), alice)
}

fn login(s: &TestServer) -> Raw {
    let mut raw = Raw::login(s.addr());
    assert_eq!(raw.cmd("TYPE I"), "200 Type set to I");
    raw
}

#[test]
fn uploads_get_upper_case_names_through_an_int_map() {
    let (s, alice) = server(
        "RewriteMap uppercase int:toupper\nRewriteCondition %m STOR\nRewriteRule ^(.*) ${uppercase:$1}",
    );
    let mut raw = login(&s);
    let (_, last) = raw.upload("STOR report.txt", b"data");
    assert!(last.starts_with("226"), "{last}");
    assert_eq!(
        fs::read(alice.home.join("REPORT.TXT")).expect("upper"),
        b"data"
    );
    assert!(!alice.home.join("report.txt").exists());
    // RETR is not rewritten: the condition names STOR only.
    assert!(raw.cmd("SIZE report.txt").starts_with("550"));
    assert_eq!(raw.cmd("SIZE REPORT.TXT"), "213 4");
}

#[test]
fn replaceall_turns_spaces_into_underscores() {
    let (s, alice) = server(
        "RewriteMap replace int:replaceall\nRewriteCondition %m STOR\nRewriteRule ^(.*) \"${replace:/$1/ /_}\"",
    );
    let mut raw = login(&s);
    let (_, last) = raw.upload("STOR my file name.txt", b"x");
    assert!(last.starts_with("226"), "{last}");
    assert!(alice.home.join("my_file_name.txt").exists());
}

#[test]
fn txt_maps_with_a_default_and_conditions_with_or_and_nocase() {
    let (s, alice) = server(
        "RewriteLog DIR/rewrite.log\nRewriteMap names txt:/names.map\n\
         RewriteCondition %m ^retr$ [NC,OR]\n\
         RewriteCondition %m ^SIZE$\n\
         RewriteRule ^(.+)$ ${names:$1|missing.txt}",
    );
    // Under DefaultRoot the map's path is inside the session's root (ProFTPD reads it after
    // its chroot).
    put(
        &alice,
        "names.map",
        b"# alias  real\nlatest   release-2.txt  # the newest\nold release-1.txt\n",
    );
    put(&alice, "release-2.txt", b"two!");
    put(&alice, "missing.txt", b"nothing");
    let mut raw = login(&s);
    assert_eq!(raw.cmd("SIZE latest"), "213 4");
    assert_eq!(raw.cmd("SIZE whatever"), "213 7");
    let (_, bytes, _) = raw.download("RETR latest");
    let log = fs::read_to_string(s.dir().join("rewrite.log")).unwrap_or_default();
    assert_eq!(String::from_utf8_lossy(&bytes), "two!", "{log}");
    // MDTM matches neither condition: no rewrite.
    assert!(raw.cmd("MDTM latest").starts_with("550"));
}

#[test]
fn negated_rules_last_flag_and_file_tests() {
    // A download of a file that does not exist gets the placeholder; [L] stops the next rule.
    let (s, alice) = server(
        "RewriteCondition %m RETR\nRewriteCondition %f !-f\nRewriteRule ^ placeholder.txt [L]\n\
         RewriteCondition %m RETR\nRewriteRule ^placeholder\\.txt$ never.txt\n\
         RewriteCondition %m DELE\nRewriteRule !\\.keep$ %f.keep",
    );
    put(&alice, "placeholder.txt", b"placeholder");
    put(&alice, "real.txt", b"real");
    put(&alice, "a.keep", b"k");
    let mut raw = login(&s);
    let (_, bytes, _) = raw.download("RETR nothing-here.txt");
    assert_eq!(bytes, b"placeholder");
    let (_, bytes, _) = raw.download("RETR real.txt");
    assert_eq!(bytes, b"real");
    // DELE a → a.keep (a negated pattern has no groups: the name comes from %f).
    assert!(raw.cmd("DELE a").starts_with("250"));
    assert!(!alice.home.join("a.keep").exists());
}

#[test]
fn the_rewrite_log_records_the_new_argument() {
    let (s, alice) = server(
        "RewriteLog DIR/rewrite.log\nRewriteMap lower int:tolower\nRewriteCondition %m SIZE\nRewriteRule (.*) ${lower:$1}",
    );
    put(&alice, "small.txt", b"12");
    let mut raw = login(&s);
    assert_eq!(raw.cmd("SIZE SMALL.TXT"), "213 2");
    let log = fs::read_to_string(s.dir().join("rewrite.log")).expect("RewriteLog");
    assert!(
        log.lines().any(|l| l.contains("mod_rewrite/1.1[")
            && l.ends_with("rewrite_fixup(): SIZE arg now 'small.txt'")),
        "{log}"
    );
}

#[test]
fn bad_patterns_and_unsupported_maps_are_config_errors() {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    setup.config("LoadModule mod_rewrite.c\nRewriteEngine on\nRewriteRule ( x\n");
    let out = setup.check_config().expect("-t");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unable to compile '(' regex"), "{err}");
    oxftpd_testkit::only_oxftpd!(target, "ProFTPD has fifo maps");
    let mut setup = Setup::new(&target).expect("setup");
    setup.config("RewriteEngine on\nRewriteMap f fifo:/tmp/rewrite.fifo\n");
    let out = setup.check_config().expect("-t");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("fifo: maps are not supported"), "{err}");
}
