//! mod_wrap2 with mod_wrap2_file (ProFTPD 1.3.8's contrib/mod_wrap2, loaded with `LoadModule`
//! for ProFTPD): hosts.allow/hosts.deny tables checked before the password, per user, per
//! group or for everyone, `WrapAllowMsg`/`WrapDenyMsg`, `WrapLog`, `CheckOnConnect`.

mod wire;

use oxftpd_testkit::{Setup, Target, TestServer};
use wire::Raw;

const LOAD: &str = "LoadModule mod_wrap2.c\nLoadModule mod_wrap2_file.c\n";

/// A server with alice/secret and bob/secret, the files `files` (name, text) in its directory
/// (`DIR` in a text is the directory), and `WrapEngine on` with `extra` (`DIR` as well).
fn server(target: &Target, files: &[(&str, &str)], extra: &str) -> TestServer {
    let mut setup = Setup::new(target).expect("setup");
    setup.add_user("alice", "secret").expect("alice");
    setup.add_user("bob", "secret").expect("bob");
    let d = setup.dir().display().to_string();
    for (name, text) in files {
        let path = setup.dir().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("dir");
        }
        std::fs::write(&path, text.replace("DIR", &d)).expect("table");
    }
    let engine = if extra.contains("WrapEngine") {
        ""
    } else {
        "WrapEngine on\n"
    };
    setup.config(&format!(
        "{LOAD}<IfModule mod_wrap2.c>\n{engine}{}\n</IfModule>\n",
        extra.replace("DIR", &d)
    ));
    TestServer::start(setup).unwrap_or_else(|e| panic!("start: {e}"))
}

/// USER name, PASS password: the PASS reply and what comes after it before the close.
fn login(s: &TestServer, name: &str, password: &str) -> (String, String) {
    let mut raw = Raw::connect(s.addr());
    assert_eq!(
        raw.cmd(&format!("USER {name}")),
        format!("331 Password required for {name}")
    );
    let pass = raw.cmd(&format!("PASS {password}"));
    let after = if pass.starts_with("230") {
        raw.cmd("NOOP")
    } else {
        raw.reply()
    };
    (pass, after)
}

#[test]
fn the_deny_table_refuses_before_the_password_and_closes() {
    let target = oxftpd_testkit::target!();
    let s = server(
        &target,
        &[("allow", ""), ("deny", "ALL: ALL\n")],
        "WrapTables file:DIR/allow file:DIR/deny",
    );
    // Refused whatever the password: mod_wrap2 judges before PASS is checked.
    for pw in ["secret", "wrong"] {
        assert_eq!(
            login(&s, "alice", pw),
            ("530 Access denied".to_string(), "<EOF>".to_string())
        );
    }
}

#[test]
fn the_allow_table_wins_over_the_deny_table() {
    let target = oxftpd_testkit::target!();
    let s = server(
        &target,
        &[
            (
                "allow",
                "sshd: ALL\nproftpd: 192.168.127.5, 192.168.127.6\\\n 127.0.0.1\n",
            ),
            ("deny", "ALL: ALL\n"),
        ],
        "WrapTables file:DIR/allow file:DIR/deny",
    );
    assert_eq!(
        login(&s, "alice", "secret"),
        (
            "230 User alice logged in".to_string(),
            "200 NOOP command successful".to_string()
        )
    );
}

#[test]
fn messages_name_the_user() {
    let target = oxftpd_testkit::target!();
    let s = server(
        &target,
        &[("allow", "ALL: 127.0.0.\n"), ("deny", "ALL: ALL\n")],
        "WrapTables file:DIR/allow file:DIR/deny\n\
         WrapAllowMsg \"User %u allowed by access rules\"\n\
         WrapDenyMsg \"User %u rejected by access rules\"",
    );
    let (pass, _) = login(&s, "alice", "secret");
    assert_eq!(
        pass,
        "230-User alice allowed by access rules\n230 User alice logged in"
    );
    let s = server(
        &target,
        &[("allow", ""), ("deny", "proftpd: ALL\n")],
        "WrapTables file:DIR/allow file:DIR/deny\n\
         WrapDenyMsg \"User %u rejected by access rules\"",
    );
    assert_eq!(
        login(&s, "bob", "secret").0,
        "530 User bob rejected by access rules"
    );
}

#[test]
fn user_tables_then_group_tables_then_the_server_tables() {
    let target = oxftpd_testkit::target!();
    // alice has her own tables (deny all); everyone else the server's (allow all).
    let s = server(
        &target,
        &[("none", ""), ("all", "ALL: ALL\n")],
        "WrapUserTables alice file:DIR/none file:DIR/all\n\
         WrapTables file:DIR/all file:DIR/none",
    );
    assert_eq!(login(&s, "alice", "secret").0, "530 Access denied");
    assert_eq!(login(&s, "bob", "secret").0, "230 User bob logged in");
    // `!alice`: every user but alice; groups: the testkit's users are in ftpusers.
    let s = server(
        &target,
        &[("none", ""), ("all", "ALL: ALL\n")],
        "WrapUserTables !alice file:DIR/none file:DIR/all",
    );
    assert_eq!(login(&s, "alice", "secret").0, "230 User alice logged in");
    assert_eq!(login(&s, "bob", "secret").0, "530 Access denied");
    let s = server(
        &target,
        &[("none", ""), ("all", "ALL: ALL\n")],
        "WrapGroupTables ftpusers file:DIR/none file:DIR/all",
    );
    assert_eq!(login(&s, "bob", "secret").0, "530 Access denied");
    let s = server(
        &target,
        &[("none", ""), ("all", "ALL: ALL\n")],
        "WrapGroupTables ftpusers,!ftpusers file:DIR/none file:DIR/all",
    );
    assert_eq!(login(&s, "bob", "secret").0, "230 User bob logged in");
}

#[test]
fn paths_with_the_home_directory_and_the_user_name() {
    let target = oxftpd_testkit::target!();
    // alice's own home holds a deny-all table; bob's has none (an empty table).
    let s = server(
        &target,
        &[
            ("home/alice/wrap.deny", "ALL: ALL\n"),
            ("acl/bob.deny", "ALL: ALL\n"),
        ],
        "WrapTables file:~/wrap.allow file:~/wrap.deny",
    );
    assert_eq!(login(&s, "alice", "secret").0, "530 Access denied");
    assert_eq!(login(&s, "bob", "secret").0, "230 User bob logged in");
    let s = server(
        &target,
        &[("acl/bob.deny", "ALL: ALL\n")],
        "WrapTables file:DIR/acl/%U.allow file:DIR/acl/%U.deny",
    );
    assert_eq!(login(&s, "alice", "secret").0, "230 User alice logged in");
    assert_eq!(login(&s, "bob", "secret").0, "530 Access denied");
}

#[test]
fn user_at_host_patterns_and_include_files() {
    let target = oxftpd_testkit::target!();
    let s = server(
        &target,
        &[
            ("allow", "proftpd: alice@127.0.0.1 DIR/hosts\n"),
            ("hosts", "10.0.0.1\n192.0.2.7\n"),
            ("deny", "ALL: ALL\n"),
        ],
        "WrapTables file:DIR/allow file:DIR/deny",
    );
    assert_eq!(login(&s, "alice", "secret").0, "230 User alice logged in");
    assert_eq!(login(&s, "bob", "secret").0, "530 Access denied");
    let s = server(
        &target,
        &[
            ("allow", "proftpd: DIR/hosts\n"),
            ("hosts", "foo bar\r\n127.0.0.1\n"),
            ("deny", "ALL: ALL\n"),
        ],
        "WrapTables file:DIR/allow file:DIR/deny",
    );
    assert_eq!(login(&s, "bob", "secret").0, "230 User bob logged in");
}

#[test]
fn service_name_and_engine_off() {
    let target = oxftpd_testkit::target!();
    let s = server(
        &target,
        &[("allow", "proftpd: ALL\n"), ("deny", "ftpd: ALL\n")],
        "WrapTables file:DIR/allow file:DIR/deny\nWrapServiceName ftpd",
    );
    assert_eq!(login(&s, "alice", "secret").0, "530 Access denied");
    let s = server(
        &target,
        &[("deny", "ALL: ALL\n")],
        "WrapEngine off\nWrapTables file:DIR/allow file:DIR/deny",
    );
    assert_eq!(login(&s, "alice", "secret").0, "230 User alice logged in");
}

#[test]
fn builtin_all_and_the_deny_option() {
    let target = oxftpd_testkit::target!();
    let s = server(&target, &[], "WrapTables file:DIR/allow builtin:all");
    assert_eq!(login(&s, "alice", "secret").0, "530 Access denied");
    // Debian's mod_wrap2 is built without --enable-wrapper-options: it lets the client in on
    // any match of the allow table. oxftpd carries out ALLOW/DENY as hosts_access(5) and
    // mod_wrap2's own documentation describe (DIFFERENCES.md).
    oxftpd_testkit::only_oxftpd!(target, "Debian's mod_wrap2 ignores the DENY option");
    let s = server(
        &target,
        &[("allow", "proftpd: ALL: DENY\n")],
        "WrapTables file:DIR/allow file:DIR/deny",
    );
    assert_eq!(login(&s, "alice", "secret").0, "530 Access denied");
}

#[test]
fn check_on_connect_refuses_before_the_banner_and_logs() {
    let target = oxftpd_testkit::target!();
    let s = server(
        &target,
        &[],
        "WrapTables file:DIR/allow file:DIR/deny\nWrapOptions CheckOnConnect\nWrapLog DIR/wrap.log",
    );
    // The tables are read for each connection: the deny table appears after the start.
    std::fs::write(s.dir().join("deny"), "ALL: ALL\n").expect("deny");
    let first = oxftpd_testkit::first_line(s.addr());
    assert_eq!(first.as_deref(), Some("530 Access denied"));
    let log = std::fs::read_to_string(s.dir().join("wrap.log")).expect("WrapLog");
    assert!(
        log.lines()
            .any(|l| l.contains("mod_wrap2/") && l.ends_with("refused connection from @127.0.0.1")),
        "{log}"
    );
}

#[test]
fn table_sources_other_than_file_and_builtin_are_config_errors() {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    setup.config(&format!(
        "{LOAD}WrapEngine on\nWrapTables sql:/allow sql:/deny\n"
    ));
    let out = setup.check_config().expect("-t");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unsupported table source type: 'sql'"),
        "{err}"
    );
}
