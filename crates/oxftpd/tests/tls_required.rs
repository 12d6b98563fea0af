//! `TLSRequired` in every form ProFTPD 1.3.8 accepts (`on`, `off`, `ctrl`, `data`, `!data`,
//! `both`, `ctrl+data`, `ctrl+!data`, `auth`, `auth+data`, `auth+!data`), the forms it refuses,
//! and `TLSOptions AllowPerUser` (the requirement taken from `<IfUser>`/`<Anonymous>` after
//! `PASS`). Replies and `TLSLog` lines as observed on ProFTPD 1.3.8 with mod_tls.

use std::process::{Command, Stdio};

use oxftpd_testkit::tls::{load_tls, make_certs, python_session, tls_block, tls_log};
use oxftpd_testkit::tools::have;
use oxftpd_testkit::{Setup, TestServer};

/// The config body: mod_tls (and mod_ifsession for ProFTPD) with `extra`.
fn body(setup: &Setup, extra: &str) -> String {
    let certs = make_certs(setup.dir());
    let ifsession = if setup.target().is_proftpd() {
        "<IfModule !mod_ifsession.c>\nLoadModule mod_ifsession.c\n</IfModule>\n"
    } else {
        ""
    };
    format!(
        "{}{ifsession}{}",
        load_tls(setup),
        tls_block(setup, &certs.cert, &certs.key, extra)
    )
}

/// A server with alice and bob (password `secret`) and `extra` mod_tls lines.
fn start(extra: &str, anonymous: bool) -> TestServer {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    setup.add_user("alice", "secret").expect("alice");
    setup.add_user("bob", "secret").expect("bob");
    if anonymous {
        setup.anonymous().expect("anonymous");
    }
    let b = body(&setup, extra);
    setup.config(&b);
    TestServer::start(setup).unwrap_or_else(|e| panic!("start: {e}"))
}

/// python3 (after `tls::PY_PRELUDE`): sends each argument as a command (`TLS` runs the handshake) and prints
/// `COMMAND -> reply` (multi-line replies joined with `|`; `<closed>` when the server hung up).
const PY: &str = r#"
port = int(sys.argv[1])
s = socket.create_connection(("127.0.0.1", port), timeout=20)
reply(s)
for c in sys.argv[2:]:
    if c == "TLS":
        s = ctx.wrap_socket(s)
        continue
    try:
        s.sendall((c + "\r\n").encode())
    except OSError:
        print(c + " -> <closed>")
        break
    r = reply(s)
    print(c + " -> " + r)
    if r.endswith("<closed>"):
        break
"#;

fn talk(server: &TestServer, commands: &[&str]) -> Vec<String> {
    let port = server.port().to_string();
    python_session(PY, &[&[port.as_str()], commands].concat())
}

/// Logs in as alice over TLS (`AUTH TLS`, the handshake, `USER`, `PASS`), then sends
/// `commands`; all the lines.
fn talk_tls(server: &TestServer, commands: &[&str]) -> Vec<String> {
    talk(
        server,
        &[&["AUTH TLS", "TLS", "USER alice", "PASS secret"], commands].concat(),
    )
}

const CTRL: &str = "550 SSL/TLS required on the control channel";
const DATA: &str = "522 SSL/TLS required on the data channel";
const UNWILLING: &str = "534 Unwilling to accept security parameters";

#[test]
fn ctrl_refuses_every_command_but_the_exempt_ones_until_auth() {
    if !have("python3") {
        return;
    }
    let server = start("TLSRequired ctrl", false);
    let got = talk(
        &server,
        &[
            "SYST",
            "NOOP",
            "FOO",
            "PBSZ 0",
            "USER alice",
            "AUTH TLS",
            "TLS",
            "USER alice",
            "PASS secret",
            "PROT C",
            "CCC",
            "QUIT",
        ],
    );
    assert_eq!(
        got,
        [
            "SYST -> 215 UNIX Type: L8".to_string(),
            format!("NOOP -> {CTRL}"),
            format!("FOO -> {CTRL}"),
            format!("PBSZ 0 -> {CTRL}"),
            format!("USER alice -> {CTRL}"),
            "AUTH TLS -> 234 AUTH TLS successful".to_string(),
            "USER alice -> 331 Password required for alice".to_string(),
            "PASS secret -> 230 User alice logged in".to_string(),
            "PROT C -> 200 Protection set to Clear".to_string(),
            format!("CCC -> {UNWILLING}"),
            "QUIT -> 221 Goodbye.".to_string(),
        ]
    );
    let log = tls_log(&server);
    for line in [
        "SSL/TLS required but absent on control channel, denying NOOP command",
        "SSL/TLS required but absent on control channel, denying FOO command",
        "SSL/TLS required but absent for authentication, denying USER command",
        "CCC: unwilling to accept security parameters: TLSRequired setting does not allow for unprotected control channel",
    ] {
        assert!(log.iter().any(|l| l == line), "{line} not in {log:?}");
    }
}

#[test]
fn auth_protects_only_the_login_and_allows_ccc() {
    if !have("python3") {
        return;
    }
    let server = start("TLSRequired auth", false);
    let got = talk(
        &server,
        &[
            "NOOP",
            "USER alice",
            "AUTH TLS",
            "TLS",
            "USER alice",
            "PASS secret",
            "PROT C",
            "PROT P",
            "CCC",
        ],
    );
    assert_eq!(
        got,
        [
            "NOOP -> 200 NOOP command successful".to_string(),
            format!("USER alice -> {CTRL}"),
            "AUTH TLS -> 234 AUTH TLS successful".to_string(),
            "USER alice -> 331 Password required for alice".to_string(),
            "PASS secret -> 230 User alice logged in".to_string(),
            "PROT C -> 200 Protection set to Clear".to_string(),
            "PROT P -> 200 Protection set to Private".to_string(),
            "CCC -> 200 Clearing control channel protection".to_string(),
        ]
    );
}

#[test]
fn data_forms_require_protection_and_refuse_clear() {
    if !have("python3") {
        return;
    }
    for form in ["data", "auth+data", "on", "both", "ctrl+data"] {
        let server = start(&format!("TLSRequired {form}"), false);
        let got = talk_tls(&server, &["LIST", "PBSZ 0", "PROT C", "PROT P"]);
        assert_eq!(
            got[3..],
            [
                format!("LIST -> {DATA}"),
                "PBSZ 0 -> 200 PBSZ 0 successful".to_string(),
                format!("PROT C -> {UNWILLING}"),
                "PROT P -> 200 Protection set to Private".to_string(),
            ],
            "TLSRequired {form}"
        );
        let log = tls_log(&server);
        for line in [
            "SSL/TLS required but absent on data channel, denying LIST command",
            "PROT: TLSRequired requires protection for data transfers",
            "PROT: unwilling to accept security parameter (C)",
        ] {
            assert!(
                log.iter().any(|l| l == line),
                "{form}: {line} not in {log:?}"
            );
        }
    }
}

#[test]
fn not_data_forms_refuse_prot_p() {
    if !have("python3") {
        return;
    }
    // (form, is USER refused before AUTH?)
    for (form, user_refused) in [("!data", false), ("ctrl+!data", true), ("auth+!data", true)] {
        let server = start(&format!("TLSRequired {form}"), false);
        let got = talk(
            &server,
            &[
                "USER alice",
                "AUTH TLS",
                "TLS",
                "USER alice",
                "PASS secret",
                "PROT P",
                "PROT C",
            ],
        );
        let first = if user_refused {
            format!("USER alice -> {CTRL}")
        } else {
            "USER alice -> 331 Password required for alice".to_string()
        };
        assert_eq!(
            got,
            [
                first,
                "AUTH TLS -> 234 AUTH TLS successful".to_string(),
                "USER alice -> 331 Password required for alice".to_string(),
                "PASS secret -> 230 User alice logged in".to_string(),
                format!("PROT P -> {UNWILLING}"),
                "PROT C -> 200 Protection set to Clear".to_string(),
            ],
            "TLSRequired {form}"
        );
        let log = tls_log(&server);
        let line = "PROT: TLSRequired does not allow protection for data transfers";
        assert!(log.iter().any(|l| l == line), "{form}: {log:?}");
    }
}

#[test]
fn unknown_forms_are_refused_at_startup() {
    let target = oxftpd_testkit::target!();
    for form in ["!ctrl", "ctrl+data+auth", "Ctrl", "maybe"] {
        let mut setup = Setup::new(&target).expect("setup");
        let b = body(&setup, &format!("TLSRequired {form}"));
        setup.config(&b);
        let out = setup.check_config().expect("run");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{form}: {err}");
        assert!(
            err.contains("TLSRequired") && err.contains("bad parameter"),
            "{form}: {err}"
        );
    }
}

#[test]
fn allow_per_user_takes_the_requirement_from_if_user_after_pass() {
    if !have("python3") {
        return;
    }
    let server = start(
        "TLSOptions AllowPerUser\n<IfUser alice>\nTLSRequired on\n</IfUser>\n\
         <IfUser bob>\nTLSRequired data\n</IfUser>",
        false,
    );
    // alice may send her name and password in the clear, then is shown the door.
    let got = talk(&server, &["NOOP", "USER alice", "PASS secret", "PWD"]);
    assert_eq!(
        got,
        [
            "NOOP -> 200 NOOP command successful",
            "USER alice -> 331 Password required for alice",
            "PASS secret -> 530 Login incorrect.",
            "PWD -> <closed>",
        ]
    );
    let log = tls_log(&server);
    let line = "SSL/TLS required but absent on control channel, disconnecting";
    assert!(log.iter().any(|l| l == line), "{log:?}");
    // With TLS she is in, and her data must be protected.
    let got = talk_tls(&server, &["PROT C", "LIST"]);
    assert_eq!(
        got[2..],
        [
            "PASS secret -> 230 User alice logged in".to_string(),
            format!("PROT C -> {UNWILLING}"),
            format!("LIST -> {DATA}"),
        ]
    );
    // bob needs protection for his data only.
    let got = talk(&server, &["USER bob", "PASS secret", "LIST"]);
    assert_eq!(
        got,
        [
            "USER bob -> 331 Password required for bob".to_string(),
            "PASS secret -> 230 User bob logged in".to_string(),
            format!("LIST -> {DATA}"),
        ]
    );
}

#[test]
fn allow_per_user_reads_anonymous_and_without_it_anonymous_guards_data_only() {
    if !have("python3") {
        return;
    }
    for per_user in [true, false] {
        let opt = if per_user {
            "TLSOptions AllowPerUser\n"
        } else {
            ""
        };
        let target = oxftpd_testkit::target!();
        let mut setup = Setup::new(&target).expect("setup");
        // The testkit's own <Anonymous> brings the `ftp` account; a second one, reached as
        // `guest`, carries the requirement.
        setup.anonymous().expect("anonymous");
        let guest = setup.dir().join("guest");
        std::fs::create_dir(&guest).expect("guest dir");
        std::fs::set_permissions(&guest, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .expect("chmod");
        let b = body(
            &setup,
            &format!(
                "{opt}<Anonymous {}>\nUser ftp\nGroup ftpanon\nUserAlias guest ftp\n\
                 RequireValidShell off\nTLSRequired on\n</Anonymous>",
                guest.display()
            ),
        );
        setup.config(&b);
        let server = TestServer::start(setup).unwrap_or_else(|e| panic!("start: {e}"));
        let got = talk(&server, &["USER guest", "PASS a@b", "NOOP", "LIST"]);
        let expect: Vec<String> = if per_user {
            vec![
                "USER guest -> 331 Anonymous login ok, send your complete email address as your password".into(),
                "PASS a@b -> 530 Login incorrect.".into(),
                "NOOP -> <closed>".into(),
            ]
        } else {
            vec![
                "USER guest -> 331 Anonymous login ok, send your complete email address as your password".into(),
                "PASS a@b -> 230 Anonymous access granted, restrictions apply".into(),
                "NOOP -> 200 NOOP command successful".into(),
                format!("LIST -> {DATA}"),
            ]
        };
        assert_eq!(got, expect, "AllowPerUser {per_user}");
        if !per_user {
            let line = format!(
                "LIST command denied by TLSRequired in directory '{}/'",
                server.dir().join("guest").display()
            );
            let log = tls_log(&server);
            assert!(log.contains(&line), "{line} not in {log:?}");
        }
    }
}

#[test]
fn allow_per_user_with_a_server_wide_auth_requirement_does_not_start() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::deliberately_differs!(
        target,
        "with mod_ifsession loaded ProFTPD starts and lets USER/PASS through in clear text"
    );
    let mut setup = Setup::new(&target).expect("setup");
    let b = body(&setup, "TLSRequired on\nTLSOptions AllowPerUser");
    setup.config(&b);
    let conf = setup.write_config().expect("config");
    // `timeout`: should the daemon start after all, the test fails instead of hanging.
    let out = Command::new("timeout")
        .arg("20")
        .arg(&target.bin)
        .arg("-n")
        .arg("-c")
        .arg(conf)
        .stdin(Stdio::null())
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(
            "cannot enforce both 'TLSRequired auth' and 'TLSOptions AllowPerUser' at the same time"
        ),
        "{err}"
    );
}

#[test]
fn auth_after_login_is_refused_without_allow_per_user() {
    if !have("python3") {
        return;
    }
    let server = start("", false);
    let got = talk(&server, &["USER alice", "PASS secret", "AUTH TLS"]);
    assert_eq!(got[2], format!("AUTH TLS -> {UNWILLING}"));
    let server = start("TLSOptions AllowPerUser", false);
    let got = talk(
        &server,
        &["USER alice", "PASS secret", "AUTH TLS", "TLS", "PWD"],
    );
    assert_eq!(got[2], "AUTH TLS -> 234 AUTH TLS successful");
    assert!(got[3].starts_with("PWD -> 257 \""), "{got:?}");
}

#[test]
fn a_directory_requirement_is_logged_with_the_directory_pattern() {
    if !have("python3") {
        return;
    }
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    let alice = setup.add_user("alice", "secret").expect("alice");
    let sub = alice.home.join("sec/sub");
    std::fs::create_dir_all(&sub).expect("mkdir");
    for d in [alice.home.join("sec"), sub] {
        std::os::unix::fs::chown(&d, Some(alice.uid), Some(alice.gid)).expect("chown");
    }
    let pattern = format!("{}/*/sec", alice.home.parent().expect("parent").display());
    let b = body(
        &setup,
        &format!("<Directory {pattern}>\nTLSRequired on\n</Directory>"),
    );
    setup.config(&b);
    let server = TestServer::start(setup).unwrap_or_else(|e| panic!("start: {e}"));
    let got = talk(
        &server,
        &["USER alice", "PASS secret", "LIST", "CWD sec/sub", "LIST"],
    );
    // Outside the directory nothing is demanded (425: no PORT or PASV was given).
    assert!(got[2].starts_with("LIST -> 425 "), "{got:?}");
    assert_eq!(got[4], format!("LIST -> {DATA}"));
    let log = tls_log(&server);
    let line = format!("LIST command denied by TLSRequired in directory '{pattern}'");
    assert!(log.contains(&line), "{line} not in {log:?}");
}

#[test]
fn if_user_without_allow_per_user_guards_that_users_data_only() {
    if !have("python3") {
        return;
    }
    let server = start("<IfUser alice>\nTLSRequired on\n</IfUser>", false);
    let got = talk(&server, &["USER alice", "PASS secret", "LIST", "AUTH TLS"]);
    assert_eq!(
        got,
        [
            "USER alice -> 331 Password required for alice".to_string(),
            "PASS secret -> 230 User alice logged in".to_string(),
            format!("LIST -> {DATA}"),
            format!("AUTH TLS -> {UNWILLING}"),
        ]
    );
    let got = talk(&server, &["USER bob", "PASS secret", "LIST"]);
    assert!(got[2].starts_with("LIST -> 425 "), "{got:?}");
    let log = tls_log(&server);
    let name = server.setup().config_text();
    let name = name
        .lines()
        .find_map(|l| l.strip_prefix("ServerName \""))
        .and_then(|n| n.strip_suffix('"'))
        .expect("ServerName");
    let line = format!("LIST command denied by TLSRequired in directory '{name}'");
    assert!(log.contains(&line), "{line} not in {log:?}");
}
