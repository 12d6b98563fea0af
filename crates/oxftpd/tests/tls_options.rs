//! `TLSOptions` that act (`iPAddressRequired`, `dNSNameRequired`, `CommonNameRequired`,
//! `EnableDiags`), the option names ProFTPD 1.3.8 accepts or refuses, and `SSCN` (this server
//! as the TLS client on data connections, for site-to-site transfers). Certificates are made
//! here with rcgen; replies and `TLSLog` lines as observed on ProFTPD 1.3.8.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

use oxftpd_testkit::tls::{Pki, load_tls, python_session, tls_block, tls_log};
use oxftpd_testkit::tools::{have, run_ok};
use oxftpd_testkit::{Setup, TestServer};

/// Certificate parameters for subject `cn` with DNS and IP subjectAltNames.
fn params(cn: &str, dns: &[&str], ips: &[&str]) -> rcgen::CertificateParams {
    use rcgen::{CertificateParams, DnType, SanType};
    let mut p = CertificateParams::new(Vec::<String>::new()).expect("params");
    p.distinguished_name.push(DnType::CommonName, cn);
    for d in dns {
        p.subject_alt_names
            .push(SanType::DnsName((*d).try_into().expect("ia5")));
    }
    for i in ips {
        let ip: IpAddr = i.parse().expect("ip");
        p.subject_alt_names.push(SanType::IpAddress(ip));
    }
    p
}

/// Writes `NAME.pem`/`NAME.key` signed by `pki` (see [`params`]); returns the path without
/// extension.
fn issue(pki: &Pki, name: &str, cn: &str, dns: &[&str], ips: &[&str]) -> PathBuf {
    let (cert, _key) = pki.sign(name, params(cn, dns, ips));
    cert.with_extension("")
}

/// A server with alice/secret and `fetch.txt`, its certificate signed by the test CA, and
/// `extra` (`@CA@` stands for the CA file).
fn start(extra: &str) -> (TestServer, Pki) {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    let alice = setup.add_user("alice", "secret").expect("alice");
    std::fs::write(
        alice.home.join("fetch.txt"),
        "over TLS, the other way round\n",
    )
    .expect("fetch.txt");
    let pki = Pki::new(setup.dir(), "options CA");
    let (cert, key) = pki.sign(
        "server",
        params("localhost", &["localhost"], &["127.0.0.1"]),
    );
    let extra = extra.replace("@CA@", &pki.ca.display().to_string());
    let body = format!(
        "{}{}",
        load_tls(&setup),
        tls_block(&setup, &cert, &key, &extra)
    );
    setup.config(&body);
    let server = TestServer::start(setup).unwrap_or_else(|e| panic!("start: {e}"));
    (server, pki)
}

/// python3 (after `tls::PY_PRELUDE`): `port cert|- commands…`; `TLS` runs the handshake (with the client certificate
/// `cert.pem`/`cert.key` unless `-`); `SSCN-RETR name data-cert` fetches a file over a data
/// connection where this script is the TLS server. Prints `COMMAND -> reply`.
const PY: &str = r#"
port, cert = int(sys.argv[1]), sys.argv[2]
if cert != "-":
    ctx.load_cert_chain(cert + ".pem", cert + ".key")
s = socket.create_connection(("127.0.0.1", port), timeout=20)
reply(s)
args = sys.argv[3:]
i = 0
while i < len(args):
    c = args[i]
    i += 1
    if c == "TLS":
        try:
            s = ctx.wrap_socket(s)
        except (ssl.SSLError, OSError):
            print("TLS -> refused")
            break
        continue
    if c == "SSCN-RETR":
        name, data_cert = args[i], args[i + 1]
        i += 2
        lsock = socket.socket()
        lsock.bind(("127.0.0.1", 0))
        lsock.listen(1)
        lsock.settimeout(20)
        p = lsock.getsockname()[1]
        print("PORT -> " + send(s, "PORT 127,0,0,1,%d,%d" % (p >> 8, p & 255)))
        print("RETR -> " + send(s, "RETR " + name))
        conn, _ = lsock.accept()
        sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        sctx.load_cert_chain(data_cert + ".pem", data_cert + ".key")
        try:
            t = sctx.wrap_socket(conn, server_side=True)
            body = b""
            while True:
                chunk = t.recv(65536)
                if not chunk:
                    break
                body += chunk
            print("DATA -> " + body.decode().strip())
            t.close()
        except (ssl.SSLError, OSError) as e:
            print("DATA -> refused")
        print("RETR -> " + reply(s))
        continue
    try:
        r = send(s, c)
    except OSError:
        r = "<closed>"
    print(c + " -> " + r)
    if r.endswith("<closed>"):
        break
"#;

fn talk(server: &TestServer, cert: &str, commands: &[&str]) -> Vec<String> {
    let port = server.port().to_string();
    python_session(PY, &[&[port.as_str(), cert], commands].concat())
}

/// Logs in with `cert` after the handshake; the outcome lines.
fn login_with(server: &TestServer, cert: &Path) -> Vec<String> {
    let c = cert.display().to_string();
    talk(server, &c, &["AUTH TLS", "TLS", "USER alice"])
}

const ACCEPTED: [&str; 2] = [
    "AUTH TLS -> 234 AUTH TLS successful",
    "USER alice -> 331 Password required for alice",
];

/// A refused certificate: the handshake completes on the client's side, then the server closes.
fn refused(lines: &[String]) -> bool {
    lines.first().map(String::as_str) == Some(ACCEPTED[0])
        && lines.len() == 2
        && (lines[1] == "USER alice -> <closed>" || lines[1] == "TLS -> refused")
}

#[test]
fn ip_address_required_compares_the_client_address_with_the_san() {
    if !have("python3") {
        return;
    }
    let (server, pki) =
        start("TLSVerifyClient on\nTLSCACertificateFile @CA@\nTLSOptions iPAddressRequired");
    let good = issue(&pki, "good", "alice", &[], &["127.0.0.1"]);
    let bad = issue(&pki, "bad", "alice", &["localhost"], &["10.9.9.9"]);
    assert_eq!(login_with(&server, &good), ACCEPTED);
    let got = login_with(&server, &bad);
    assert!(refused(&got), "{got:?}");
    let log = tls_log(&server);
    // With `TLSVerifyClient optional` the checks do not run.
    let (optional, pki) =
        start("TLSVerifyClient optional\nTLSCACertificateFile @CA@\nTLSOptions iPAddressRequired");
    let bad = issue(&pki, "bad", "alice", &["localhost"], &["10.9.9.9"]);
    assert_eq!(login_with(&optional, &bad), ACCEPTED);
    for line in [
        "client cert iPAddress SAN matches client IP '127.0.0.1'",
        "client cert iPAddress SANs do not match client IP '127.0.0.1'",
        "TLS/TLS-C negotiation failed on control channel",
    ] {
        assert!(log.iter().any(|l| l == line), "{line} not in {log:?}");
    }
}

#[test]
fn dns_name_and_common_name_need_reverse_dns_and_compare_the_client_name() {
    if !have("python3") {
        return;
    }
    let resolved = Command::new("getent")
        .args(["hosts", "127.0.0.1"])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("localhost"));
    if !resolved {
        return;
    }
    for option in ["dNSNameRequired", "CommonNameRequired"] {
        // Without UseReverseDNS (the test preamble's setting) the check is disabled.
        let (server, pki) = start(&format!(
            "TLSVerifyClient on\nTLSCACertificateFile @CA@\nTLSOptions {option}"
        ));
        let other = issue(&pki, "other", "elsewhere", &["elsewhere.example"], &[]);
        assert_eq!(login_with(&server, &other), ACCEPTED, "{option}");
        let log = tls_log(&server);
        let line = format!("reverse DNS off, disabling TLSOption {option}");
        assert!(log.contains(&line), "{line} not in {log:?}");
        drop(server);

        let (server, pki) = start(&format!(
            "UseReverseDNS on\nTLSVerifyClient on\nTLSCACertificateFile @CA@\nTLSOptions {option}"
        ));
        let good = issue(&pki, "good", "localhost", &["localhost"], &[]);
        let other = issue(&pki, "other", "elsewhere", &["elsewhere.example"], &[]);
        assert_eq!(login_with(&server, &good), ACCEPTED, "{option}");
        let got = login_with(&server, &other);
        assert!(refused(&got), "{option}: {got:?}");
        let log = tls_log(&server);
        let (yes, no) = if option == "dNSNameRequired" {
            (
                "client cert dNSName SAN matches remote name 'localhost'",
                "client cert dNSName SANs do not match remote name 'localhost'",
            )
        } else {
            (
                "client cert CommonName matches client FQDN 'localhost'",
                "client cert CommonName does not match client FQDN 'localhost'",
            )
        };
        for line in [yes, no] {
            assert!(log.iter().any(|l| l == line), "{line} not in {log:?}");
        }
    }
}

#[test]
fn enable_diags_describes_each_handshake() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "OpenSSL's state trace has other lines");
    if !have("python3") {
        return;
    }
    let (server, _pki) = start("TLSOptions EnableDiags");
    let got = talk(&server, "-", &["AUTH TLS", "TLS", "NOOP"]);
    assert_eq!(got[1], "NOOP -> 200 NOOP command successful");
    let log = tls_log(&server);
    let handshake = log
        .iter()
        .find(|l| l.contains("[diag] control handshake full: protocol TLSv1_3"))
        .unwrap_or_else(|| panic!("no handshake line in {log:?}"));
    assert!(handshake.contains("cipher TLS13_"), "{handshake}");
    assert!(
        log.iter()
            .any(|l| l.ends_with("[diag] control peer certificate: (none)")),
        "{log:?}"
    );
    // Without the option, none of these lines.
    let (server, _pki) = start("");
    talk(&server, "-", &["AUTH TLS", "TLS", "NOOP"]);
    assert!(!tls_log(&server).iter().any(|l| l.contains("[diag]")));
}

#[test]
fn option_names_are_those_of_1_3_8() {
    let target = oxftpd_testkit::target!();
    let check = |option: &str| {
        let mut setup = Setup::new(&target).expect("setup");
        let body = format!("{}TLSOptions {option}\n", load_tls(&setup));
        setup.config(&body);
        let out = setup.check_config().expect("run");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    for ok in [
        "AllowDotLogin",
        "AllowPerUser",
        "AllowWeakDH",
        "CommonNameRequired",
        "dNSNameRequired",
        "EnableDiags",
        "iPAddressRequired",
        "NoAutoECDH",
        "NoEmptyFragments",
        "NoSessionReuseRequired",
        "StdEnvVars",
    ] {
        let (success, err) = check(ok);
        assert!(success, "{ok}: {err}");
    }
    for bad in ["NoCertRequest", "enablediags", "Bogus"] {
        let (success, err) = check(bad);
        assert!(!success, "{bad} accepted");
        assert!(err.contains(&format!("unknown TLSOption '{bad}'")), "{err}");
    }
}

#[test]
fn sscn_reports_and_switches_the_mode() {
    if !have("python3") {
        return;
    }
    let (server, _pki) = start("");
    let got = talk(
        &server,
        "-",
        &[
            "FEAT",
            "SSCN",
            "AUTH TLS",
            "TLS",
            "USER alice",
            "PASS secret",
            "SSCN",
            "SSCN ON",
            "SSCN",
            "SSCN OFF",
            "SSCN on",
            "SSCN ON OFF",
            "HELP SSCN",
        ],
    );
    assert!(got[0].contains("| SSCN|"), "{}", got[0]);
    assert_eq!(
        got[1..],
        [
            "SSCN -> 530 Please login with USER and PASS",
            "AUTH TLS -> 234 AUTH TLS successful",
            "USER alice -> 331 Password required for alice",
            "PASS secret -> 230 User alice logged in",
            "SSCN -> 200 SSCN:SERVER METHOD",
            "SSCN ON -> 200 SSCN:CLIENT METHOD",
            "SSCN -> 200 SSCN:CLIENT METHOD",
            "SSCN OFF -> 200 SSCN:SERVER METHOD",
            "SSCN on -> 501 SSCN: Invalid argument",
            "SSCN ON OFF -> 504 SSCN: Invalid argument",
            "HELP SSCN -> 502 Unknown command 'SSCN'",
        ]
    );
    let log = tls_log(&server);
    for line in [
        "denying unsupported SSCN command: 'SSCN on'",
        "denying malformed SSCN command: 'SSCN ON OFF'",
    ] {
        assert!(log.iter().any(|l| l == line), "{line} not in {log:?}");
    }
    // Without TLS on the control connection, the command is unknown.
    let got = talk(&server, "-", &["USER alice", "PASS secret", "SSCN"]);
    assert_eq!(got[2], "SSCN -> 500 SSCN not understood");
}

/// Logs in over TLS with `PROT P` and `SSCN ON`, sends `before`, then fetches `fetch.txt`
/// with the script as the TLS server of the data connection (certificate `data_cert`, without
/// extension); all the lines.
fn sscn_retr(server: &TestServer, before: &[&str], data_cert: &Path) -> Vec<String> {
    let d = data_cert.display().to_string();
    let login = [
        "AUTH TLS",
        "TLS",
        "USER alice",
        "PASS secret",
        "PBSZ 0",
        "PROT P",
        "SSCN ON",
    ];
    talk(
        server,
        "-",
        &[&login[..], before, &["SSCN-RETR", "fetch.txt", &d]].concat(),
    )
}

#[test]
fn sscn_on_makes_the_server_the_tls_client_of_the_data_connection() {
    if !have("python3") {
        return;
    }
    // The script's data-side certificate is signed by the test CA for 127.0.0.1, so
    // TLSVerifyServer (on by default) accepts it; `off` accepts any certificate.
    for verify in ["", "TLSVerifyServer off\n"] {
        let (server, pki) = start(&format!("{verify}TLSCACertificateFile @CA@"));
        let data = issue(&pki, "data", "127.0.0.1", &[], &["127.0.0.1"]);
        let got = sscn_retr(&server, &["TYPE I"], &data);
        assert_eq!(
            got[6..],
            [
                "TYPE I -> 200 Type set to I",
                "PORT -> 200 PORT command successful",
                "RETR -> 150 Opening BINARY mode data connection for fetch.txt (30 bytes)",
                "DATA -> over TLS, the other way round",
                "RETR -> 226 Transfer complete",
            ],
            "{verify}"
        );
    }
    // A certificate from another CA is refused when verifying.
    let (server, _pki) = start("TLSCACertificateFile @CA@");
    let target = oxftpd_testkit::target!();
    let stranger_dir = server.dir().join("stranger");
    std::fs::create_dir(&stranger_dir).expect("dir");
    let stranger = issue(
        &Pki::new(&stranger_dir, "options CA"),
        "data",
        "127.0.0.1",
        &[],
        &["127.0.0.1"],
    );
    let got = sscn_retr(&server, &[], &stranger);
    if target.is_proftpd() {
        // ProFTPD sends nothing and ends the whole session (see DIFFERENCES.md).
        assert_eq!(got[8..], ["DATA -> ", "RETR -> <closed>"], "{got:?}");
    } else {
        assert_eq!(
            got[8..],
            [
                "DATA -> refused",
                "RETR -> 425 Unable to build data connection: Operation not permitted"
            ],
            "{got:?}"
        );
    }
}

/// python3: `portA portB`: secure FXP of `fetch.txt` from A (`SSCN ON`, the TLS client,
/// active) to B (`PASV`, the TLS server) as `copy.txt`; prints each reply.
const FXP: &str = r#"
import socket, ssl, sys, re
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
def reply(s):
    data = b""
    while True:
        c = s.recv(1)
        if not c:
            return data.decode().strip() + " <closed>"
        data += c
        if data.endswith(b"\r\n"):
            last = data[:-2].split(b"\r\n")[-1]
            if len(last) > 3 and last[3:4] == b" ":
                return data.decode().strip().replace("\r\n", "|")
def send(s, c):
    s.sendall((c + "\r\n").encode())
    return reply(s)
def session(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    reply(s)
    send(s, "AUTH TLS")
    s = ctx.wrap_socket(s)
    for c in ("USER alice", "PASS secret", "PBSZ 0", "PROT P", "TYPE I"):
        send(s, c)
    return s
a, b = session(int(sys.argv[1])), session(int(sys.argv[2]))
print("A SSCN ON -> " + send(a, "SSCN ON"))
pasv = send(b, "PASV")
print("B PASV -> " + pasv[:3])
nums = re.search(r"\((\d+,\d+,\d+,\d+,\d+,\d+)\)", pasv).group(1)
print("A PORT -> " + send(a, "PORT " + nums))
# B answers STOR once the data connection is there: send both, then read.
b.sendall(b"STOR copy.txt\r\n")
a.sendall(b"RETR fetch.txt\r\n")
print("A RETR -> " + reply(a))
print("B STOR -> " + reply(b))
print("A RETR -> " + reply(a))
print("B STOR -> " + reply(b))
"#;

#[test]
fn secure_fxp_between_two_servers_with_sscn() {
    if !have("python3") {
        return;
    }
    // A, the TLS client, cannot know B's CA here; B cannot expect its own session resumed.
    let (a, _pki_a) = start("TLSVerifyServer off");
    let (b, _pki_b) = start("TLSOptions NoSessionReuseRequired");
    let out = run_ok(Command::new("python3").args([
        "-c",
        FXP,
        &a.port().to_string(),
        &b.port().to_string(),
    ]));
    let got: Vec<String> = String::from_utf8(out.stdout)
        .expect("text")
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(
        got,
        [
            "A SSCN ON -> 200 SSCN:CLIENT METHOD",
            "B PASV -> 227",
            "A PORT -> 200 PORT command successful",
            "A RETR -> 150 Opening BINARY mode data connection for fetch.txt (30 bytes)",
            "B STOR -> 150 Opening BINARY mode data connection for copy.txt",
            "A RETR -> 226 Transfer complete",
            "B STOR -> 226 Transfer complete",
        ]
    );
    let b_home = b.setup().users()[0].home.clone();
    assert_eq!(
        std::fs::read_to_string(b_home.join("copy.txt")).expect("copy.txt"),
        "over TLS, the other way round\n"
    );
}
