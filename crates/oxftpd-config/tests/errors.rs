//! Parse errors carry file:line, the directive and a useful message.

mod common;
use common::*;

use std::path::Path;

use oxftpd_config::{ConfigError, ParseOptions, parse_file, parse_str};

#[test]
fn error_display_format() {
    let e = ConfigError {
        file: "/a.conf".into(),
        line: 3,
        directive: Some("Port".into()),
        message: "bad".into(),
    };
    assert_eq!(e.to_string(), "/a.conf:3: Port: bad");
}

#[test]
fn malformed_section_header() {
    assert_eq!(
        errs("ServerName x\n<Global\nUseIPv6 off\n</Global>\n"),
        vec![
            "/etc/test.conf:2: <Global: malformed section header: missing closing '>'",
            "/etc/test.conf:4: </Global>: closes a section that was never opened",
        ]
    );
}

#[test]
fn unknown_directive_with_suggestion() {
    assert_eq!(
        errs("ServerNmae x\nFrobnicate 1\n"),
        vec![
            "/etc/test.conf:1: ServerNmae: unknown configuration directive (did you mean ServerName?)",
            "/etc/test.conf:2: Frobnicate: unknown configuration directive",
        ]
    );
}

#[test]
fn unclosed_context_names_where_it_opened() {
    assert_eq!(
        errs("\n<VirtualHost 10.0.0.1>\n  <Limit LOGIN>\n  DenyAll\n"),
        vec![
            "/etc/test.conf:3: <Limit>: section opened here is never closed (expected </Limit>)",
            "/etc/test.conf:2: <VirtualHost>: section opened here is never closed (expected </VirtualHost>)",
        ]
    );
}

#[test]
fn mismatched_close_names_the_open_section() {
    assert_eq!(
        errs("<Anonymous /srv/ftp>\n<Limit WRITE>\nDenyAll\n</Anonymous>\n"),
        vec!["/etc/test.conf:4: </Anonymous>: does not match <Limit> opened at /etc/test.conf:2"]
    );
    // Recovery closed both, so nothing else is reported and nothing is left open.
    assert_eq!(
        errs("<Global>\n</Directory>\n</Global>\n"),
        vec!["/etc/test.conf:2: </Directory>: does not match <Global> opened at /etc/test.conf:1"]
    );
}

#[test]
fn directive_in_wrong_context_names_allowed_contexts() {
    assert_eq!(
        errs("<Anonymous /srv/ftp>\nPort 21\n</Anonymous>\n"),
        vec![
            "/etc/test.conf:2: Port: not allowed in <Anonymous> context (allowed in: server config, <VirtualHost>, <Global>)"
        ]
    );
    assert_eq!(
        errs("<Global>\nUseIPv6 off\n</Global>\n"),
        vec![
            "/etc/test.conf:2: UseIPv6: not allowed in <Global> context (allowed in: server config)"
        ]
    );
    assert_eq!(
        errs("DenyAll\n"),
        vec![
            "/etc/test.conf:1: DenyAll: not allowed in server config context (allowed in: <Anonymous>, <Directory>, <Limit>, .ftpaccess)"
        ]
    );
}

#[test]
fn section_in_wrong_context() {
    assert_eq!(
        errs("<Directory /a>\n<Directory /a/b>\nAllowOverwrite on\n</Directory>\n</Directory>\n"),
        vec![
            "/etc/test.conf:2: <Directory>: not allowed in <Directory> context (allowed in: server config, <VirtualHost>, <Global>, <Anonymous>, <IfUser>, <IfGroup>, <IfClass>)"
        ]
    );
    assert_eq!(
        errs("<Directory incoming>\n</Directory>\n"),
        vec![
            "/etc/test.conf:1: <Directory>: relative path 'incoming' is only allowed inside <Anonymous>"
        ]
    );
}

#[test]
fn wrong_argument_count() {
    assert_eq!(
        errs("Port\nPassivePorts 50000\nUmask 022 022 022\nAllowAll\n"),
        vec![
            "/etc/test.conf:1: Port: wrong number of parameters (expected 1, got 0)",
            "/etc/test.conf:2: PassivePorts: wrong number of parameters (expected 2, got 1)",
            "/etc/test.conf:3: Umask: wrong number of parameters (expected 1 to 2, got 3)",
            "/etc/test.conf:4: AllowAll: not allowed in server config context (allowed in: <Anonymous>, <Directory>, <Limit>, .ftpaccess)",
        ]
    );
}

#[test]
fn bad_values() {
    assert_eq!(
        errs(
            "UseIPv6 maybe\nPort 70000\nPassivePorts 60000 50000\nUmask 089\nTimeoutIdle soon\nServerType daemon\n"
        ),
        vec![
            "/etc/test.conf:1: UseIPv6: expected Boolean parameter (on/off), got 'maybe'",
            "/etc/test.conf:2: Port: 70000 is out of range (0-65535)",
            "/etc/test.conf:3: PassivePorts: minimum port 60000 is greater than maximum port 50000",
            "/etc/test.conf:4: Umask: '089' is not a valid octal umask (000-777)",
            "/etc/test.conf:5: TimeoutIdle: 'soon' is not a valid timeout (seconds, or e.g. 10m, 1h, 00:05:00)",
            "/etc/test.conf:6: ServerType: 'daemon' is not one of: standalone, inetd",
        ]
    );
}

#[test]
fn flags_accept_proftpd_spellings() {
    let c = ok("UseIPv6 yes\nDeferWelcome 1\nShowSymlinks TRUE\nTimesGMT Off\n");
    let s = &c.servers()[0];
    assert!(s.directive("UseIPv6").unwrap().flag());
    assert!(s.directive("DeferWelcome").unwrap().flag());
    assert!(s.directive("ShowSymlinks").unwrap().flag());
    assert!(!s.directive("TimesGMT").unwrap().flag());
}

#[test]
fn unknown_ifmodule_name() {
    assert_eq!(
        errs(
            "<IfModule mod_tsl.c>\nTLSEngine on\n</IfModule>\n<IfModule mod_nothing>\n</IfModule>\n"
        ),
        vec![
            "/etc/test.conf:1: <IfModule>: unknown module name 'mod_tsl.c' (did you mean mod_tls.c?)",
            "/etc/test.conf:4: <IfModule>: unknown module name 'mod_nothing'",
        ]
    );
}

#[test]
fn rejected_directive_says_why() {
    assert_eq!(
        errs("RLimitChroot on\n"),
        vec![
            "/etc/test.conf:1: RLimitChroot: RLimitChroot is not supported by oxftpd: oxftpd never chroots its own process, so there is no chroot to guard"
        ]
    );
}

#[test]
fn load_module_known_unknown_and_ours() {
    let c = ok("LoadModule mod_xfer.c\nLoadModule mod_sql.c\n");
    let w: Vec<String> = c.warnings().iter().map(|e| e.to_string()).collect();
    assert_eq!(
        w,
        vec![
            "/etc/test.conf:2: LoadModule: mod_sql.c is not available in oxftpd; ignored (its <IfModule> sections are skipped)"
        ]
    );
    assert_eq!(
        errs("LoadModule mod_tlz.c\n"),
        vec![
            "/etc/test.conf:1: LoadModule: unknown module name 'mod_tlz.c' (did you mean mod_tls.c?)"
        ]
    );
}

#[test]
fn errors_are_collected_not_stopped_at_first() {
    let e = errs("Bogus1 x\nPort x\n<Global>\nBogus2\n</Global>\n");
    assert_eq!(e.len(), 3);
    assert!(e[0].starts_with("/etc/test.conf:1: Bogus1:"));
    assert!(e[1].starts_with("/etc/test.conf:2: Port:"));
    assert!(e[2].starts_with("/etc/test.conf:4: Bogus2:"));
}

#[test]
fn ten_megabyte_line_is_an_error_with_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.conf");
    let mut text = String::from("ServerName ok\nServerName ");
    text.push_str(&"x".repeat(10 * 1024 * 1024));
    text.push_str("\nBogus z\n");
    std::fs::write(&path, &text).unwrap();
    let e = parse_file(&path, &opts()).unwrap_err();
    let shown: Vec<String> = e.0.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        shown,
        vec![
            format!("{}:2: line is longer than 65536 bytes", path.display()),
            format!(
                "{}:3: Bogus: unknown configuration directive",
                path.display()
            ),
        ]
    );
}

#[test]
fn errors_display_one_per_line() {
    let e = parse_str(
        "A 1\nB 2\n",
        Path::new("/x.conf"),
        &ParseOptions::new(&common::ALL),
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "/x.conf:1: A: unknown configuration directive\n/x.conf:2: B: unknown configuration directive"
    );
}

#[test]
fn unterminated_quote() {
    assert_eq!(
        errs("ServerName \"open\n"),
        vec!["/etc/test.conf:1: unterminated quoted string"]
    );
}

#[test]
fn missing_config_file() {
    let e = parse_file(Path::new("/nonexistent/oxftpd.conf"), &opts()).unwrap_err();
    assert_eq!(e.0.len(), 1);
    assert_eq!(e.0[0].line, 0);
    assert!(
        e.0[0]
            .message
            .starts_with("unable to open configuration file:")
    );
}
