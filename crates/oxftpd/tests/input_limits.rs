//! Limits on input: long lines, unknown commands, commands before login, MaxLoginAttempts,
//! NUL bytes. Reply texts are ProFTPD 1.3.8's (observed), differences listed in DIFFERENCES.md.

mod wire;

use wire::{Raw, server};

#[test]
fn a_line_over_command_buffer_size_gets_500_and_the_session_goes_on() {
    let (s, _) = server("");
    let mut c = Raw::login(s.addr());
    let r = c.cmd(&"X".repeat(600));
    assert!(r.starts_with("500 "), "{r}");
    assert_eq!(c.cmd("NOOP"), "200 NOOP command successful");
}

#[test]
fn a_very_long_line_is_answered() {
    oxftpd_testkit::deliberately_differs!(
        oxftpd_testkit::target!(),
        "ProFTPD ignores lines over 4100 bytes silently; oxftpd answers 500 past CommandBufferSize"
    );
    let (s, _) = server("");
    let mut c = Raw::login(s.addr());
    assert_eq!(c.cmd(&"X".repeat(5000)), "500 Command line too long");
    assert_eq!(c.cmd("NOOP"), "200 NOOP command successful");
}

#[test]
fn unknown_commands() {
    let (s, _) = server("");
    let mut c = Raw::login(s.addr());
    assert_eq!(c.cmd("FOO bar"), "500 FOO not understood");
    let mut c = Raw::connect(s.addr());
    assert_eq!(c.cmd("FOO"), "500 FOO not understood");
}

#[test]
fn commands_before_login_get_530() {
    let (s, _) = server("");
    let mut c = Raw::connect(s.addr());
    for cmd in ["PWD", "RETR x", "PASV", "STOR x", "REST 1", "ABOR"] {
        assert_eq!(c.cmd(cmd), "530 Please login with USER and PASS", "{cmd}");
    }
}

#[test]
fn max_login_attempts_closes_the_connection() {
    let (s, _) = server("MaxLoginAttempts 2");
    let mut c = Raw::connect(s.addr());
    assert_eq!(c.cmd("USER alice"), "331 Password required for alice");
    assert_eq!(c.cmd("PASS bad"), "530 Login incorrect.");
    assert_eq!(c.cmd("USER alice"), "331 Password required for alice");
    assert_eq!(c.cmd("PASS bad"), "530 Login incorrect.");
    assert_eq!(c.reply(), "<EOF>");
}

#[test]
fn a_nul_byte_in_a_path_is_refused() {
    oxftpd_testkit::deliberately_differs!(
        oxftpd_testkit::target!(),
        "ProFTPD cuts the argument at the NUL (RETR a\\0b looks for 'a'); oxftpd refuses the line"
    );
    let (s, _) = server("");
    let mut c = Raw::login(s.addr());
    c.send(b"RETR a\0b\r\n");
    let r = c.reply();
    assert!(r.starts_with("500 "), "{r}");
    assert_eq!(c.cmd("NOOP"), "200 NOOP command successful");
}

#[test]
fn non_utf8_names_do_not_break_the_session() {
    let (s, _) = server("");
    let mut c = Raw::login(s.addr());
    c.send(b"RETR \xc3\x28\r\n");
    let r = c.reply();
    assert!(r.starts_with("550 ") || r.starts_with("500 "), "{r}");
    assert_eq!(c.cmd("NOOP"), "200 NOOP command successful");
}
