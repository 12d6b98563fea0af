//! mod_case (the third-party github.com/Castaglia/proftpd-mod_case; Debian does not ship it,
//! so these run against oxftpd only): with `CaseEngine on` and `CaseIgnore`, a path that names
//! nothing is matched case-insensitively, component by component; an exact name always wins.

mod wire;

use std::fs;

use wire::{Raw, put, server_for};

fn case_server(extra: &str) -> (oxftpd_testkit::TestServer, oxftpd_testkit::TestUser) {
    let target = oxftpd_testkit::target!();
    server_for(
        &target,
        &format!("<IfModule mod_case.c>\nCaseEngine on\n{extra}\n</IfModule>"),
    )
}

#[test]
fn downloads_sizes_and_directories_ignore_case() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "Debian's ProFTPD has no mod_case");
    let log = std::env::temp_dir().join(format!("oxftpd-case-{}.log", std::process::id()));
    let (s, alice) = case_server(&format!("CaseIgnore on\nCaseLog {}", log.display()));
    put(&alice, "Report.TXT", b"quarterly");
    fs::create_dir(alice.home.join("Docs")).expect("dir");
    put(&alice, "Docs/Notes.md", b"notes!");
    let mut raw = Raw::login(s.addr());
    assert_eq!(raw.cmd("TYPE I"), "200 Type set to I");
    assert_eq!(raw.cmd("SIZE report.txt"), "213 9");
    let (first, bytes, last) = raw.download("RETR REPORT.txt");
    assert!(first.starts_with("150"), "{first}");
    assert_eq!(bytes, b"quarterly");
    assert!(last.starts_with("226"), "{last}");
    assert_eq!(raw.cmd("SIZE docs/NOTES.MD"), "213 6");
    assert!(raw.cmd("CWD DOCS").starts_with("250"));
    assert_eq!(raw.cmd("PWD"), "257 \"/Docs\" is the current directory");
    assert_eq!(raw.cmd("SIZE notes.md"), "213 6");
    // A name with no match at all stays as it was.
    assert!(raw.cmd("SIZE nothing.md").starts_with("550 nothing.md"));
    let text = fs::read_to_string(&log).expect("CaseLog");
    let _ = fs::remove_file(&log);
    assert!(
        text.contains("mod_case/0.8[")
            && text.contains("found case-insensitive match 'Report.TXT' for 'report.txt'"),
        "{text}"
    );
}

#[test]
fn an_exact_name_wins_and_uploads_land_in_the_matched_directory() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "Debian's ProFTPD has no mod_case");
    let (s, alice) = case_server("CaseIgnore on");
    put(&alice, "a.txt", b"lower");
    put(&alice, "A.TXT", b"UPPER!");
    fs::create_dir(alice.home.join("Inbox")).expect("dir");
    std::os::unix::fs::chown(alice.home.join("Inbox"), Some(alice.uid), Some(alice.gid))
        .expect("chown");
    let mut raw = Raw::login(s.addr());
    assert_eq!(raw.cmd("TYPE I"), "200 Type set to I");
    assert_eq!(raw.cmd("SIZE a.txt"), "213 5");
    assert_eq!(raw.cmd("SIZE A.TXT"), "213 6");
    let (_, last) = raw.upload("STOR inbox/new.bin", b"12345678");
    assert!(last.starts_with("226"), "{last}");
    assert_eq!(
        fs::read(alice.home.join("Inbox/new.bin")).expect("uploaded"),
        b"12345678"
    );
    assert!(!alice.home.join("inbox").exists());
    assert!(raw.cmd("SITE CHMOD 600 INBOX/NEW.BIN").starts_with("200"));
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(alice.home.join("Inbox/new.bin"))
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let (first, bytes, _) = raw.download("NLST -a INBOX");
    assert!(first.starts_with("150"), "{first}");
    assert!(String::from_utf8_lossy(&bytes).contains("new.bin"));
}

#[test]
fn case_ignore_names_the_commands() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "Debian's ProFTPD has no mod_case");
    let (s, alice) = case_server("CaseIgnore RETR");
    put(&alice, "Data.csv", b"1,2,3");
    let mut raw = Raw::login(s.addr());
    assert_eq!(raw.cmd("TYPE I"), "200 Type set to I");
    assert!(raw.cmd("SIZE data.csv").starts_with("550"));
    let (_, bytes, _) = raw.download("RETR data.csv");
    assert_eq!(bytes, b"1,2,3");
    let (s, alice) = case_server("CaseIgnore !RETR");
    put(&alice, "Data.csv", b"1,2,3");
    let mut raw = Raw::login(s.addr());
    assert_eq!(raw.cmd("TYPE I"), "200 Type set to I");
    assert_eq!(raw.cmd("SIZE data.csv"), "213 5");
    assert!(raw.cmd("RETR data.csv").starts_with("550") || raw.reply().starts_with("550"));
    // CaseEngine off: nothing is matched.
    let target = oxftpd_testkit::target!();
    let (s, alice) = server_for(&target, "CaseEngine off\nCaseIgnore on");
    put(&alice, "Data.csv", b"1,2,3");
    let mut raw = Raw::login(s.addr());
    assert_eq!(raw.cmd("TYPE I"), "200 Type set to I");
    assert!(raw.cmd("SIZE data.csv").starts_with("550"));
}

#[test]
fn unknown_commands_in_case_ignore_are_config_errors() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "Debian's ProFTPD has no mod_case");
    let mut setup = oxftpd_testkit::Setup::new(&target).expect("setup");
    setup.config("CaseEngine on\nCaseIgnore RETR,FROB\n");
    let out = setup.check_config().expect("-t");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("'FROB' is not a command mod_case handles"),
        "{err}"
    );
}
