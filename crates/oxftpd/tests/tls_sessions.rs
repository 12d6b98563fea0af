//! FTPS beyond the basics (mod_tls): logins vouched for by the client certificate
//! (`TLSUserName`, `TLSOptions AllowDotLogin`), SNI choosing a name-based `<VirtualHost>`,
//! `TLSRequired` inside `<Directory>`, `CCC`, and `ABOR` during a protected transfer.
//! Certificates are made here with rcgen; against ProFTPD, mod_tls is loaded by the config.

use std::path::PathBuf;
use std::process::Command;

use oxftpd_testkit::tls::{Pki, load_tls, tls_block};
use oxftpd_testkit::tools::{have, path_arg as p, run_ok};
use oxftpd_testkit::{Setup, TestServer, TestUser};

/// Which identities a client certificate carries.
#[derive(Default)]
struct Subject<'a> {
    cn: &'a str,
    email: Option<&'a str>,
    /// A custom extension 1.2.3.4.5 whose raw value is this text.
    oid_value: Option<&'a str>,
    dns: Vec<&'a str>,
}

/// Writes `NAME.pem` and `NAME.key` signed by `pki` for `s`; returns their paths.
fn issue(pki: &Pki, name: &str, s: Subject<'_>) -> (PathBuf, PathBuf) {
    use rcgen::{CertificateParams, CustomExtension, DnType, SanType};
    let dns: Vec<String> = s.dns.iter().map(|d| d.to_string()).collect();
    let mut p = CertificateParams::new(dns).expect("params");
    p.distinguished_name.push(DnType::CommonName, s.cn);
    if let Some(e) = s.email {
        p.subject_alt_names
            .push(SanType::Rfc822Name(e.try_into().expect("ia5")));
    }
    if let Some(v) = s.oid_value {
        p.custom_extensions.push(CustomExtension::from_oid_content(
            &[1, 2, 3, 4, 5],
            v.as_bytes().to_vec(),
        ));
    }
    pki.sign(name, p)
}

/// A server with users alice and bob (password `secret`), a server certificate and `extra`.
fn start(extra: &str) -> (TestServer, TestUser, Pki) {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("test setup");
    let alice = setup.add_user("alice", "secret").expect("add alice");
    setup.add_user("bob", "secret").expect("add bob");
    let pki = Pki::new(setup.dir(), "test CA");
    let (cert, key) = issue(
        &pki,
        "server",
        Subject {
            cn: "localhost",
            dns: vec!["localhost", "127.0.0.1"],
            ..Default::default()
        },
    );
    let extra = extra.replace("@CA@", &pki.ca.display().to_string());
    let body = format!(
        "AllowOverwrite on\n{}{}",
        load_tls(&setup),
        tls_block(&setup, &cert, &key, &extra)
    );
    setup.config(&body);
    std::fs::write(alice.home.join("fetch.bin"), payload(300 * 1024)).expect("fetch.bin");
    let server = TestServer::start(setup).unwrap_or_else(|e| panic!("start the daemon: {e}"));
    (server, alice, pki)
}

fn payload(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

/// python3 client steps: `mode port [args…]`; prints one line per step.
const PY: &str = r#"
import ftplib, socket, ssl, sys, time
mode, port = sys.argv[1], int(sys.argv[2])
def context(cert=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if cert:
        ctx.load_cert_chain(cert + ".pem", cert + ".key")
    return ctx
class Reusing(ftplib.FTP_TLS):
    """Resumes the control connection's TLS session on data connections (as FileZilla)."""
    sni = None
    def ntransfercmd(self, cmd, rest=None):
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        if self._prot_p:
            conn = self.context.wrap_socket(conn, server_hostname=self.sni, session=self.sock.session)
        return conn, size
    def auth(self):
        resp = self.auth_reply = self.voidcmd('AUTH TLS')
        self.sock = self.context.wrap_socket(self.sock, server_hostname=self.sni)
        self.file = self.sock.makefile(mode='r', encoding=self.encoding)
        return resp
def reply(s):
    data = b""
    while True:
        chunk = s.recv(1)
        if not chunk:
            break
        data += chunk
        if data.endswith(b"\r\n"):
            last = data[:-2].split(b"\r\n")[-1]
            if len(last) > 3 and last[3:4] == b" ":
                break
    return data.decode().strip().replace("\r\n", "|")
def raw(s, line):
    s.sendall((line + "\r\n").encode())
    return reply(s)
if mode == "certlogin":
    cert, commands = sys.argv[3], sys.argv[4:]
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    reply(s)
    print("AUTH " + raw(s, "AUTH TLS"))
    t = context(None if cert == "-" else cert).wrap_socket(s)
    for c in commands:
        print(c.split(" ")[0] + " " + (raw(t, c) or "closed"))
elif mode == "sni":
    name, expect_cert = sys.argv[3], sys.argv[4]
    f = Reusing(context=context(), timeout=20)
    f.sni = None if name == "-" else name
    f.connect("127.0.0.1", port)
    try:
        print("AUTH " + f.auth())
    except (ssl.SSLError, OSError):
        print("AUTH " + f.auth_reply)
        print("HANDSHAKE refused")
        sys.exit(0)
    der = f.sock.getpeercert(binary_form=True)
    want = ssl.PEM_cert_to_DER_cert(open(expect_cert).read())
    print("CERT " + ("expected" if der == want else "other"))
    print("LOGIN " + f.login("alice", "secret"))
    print("PROT " + f.prot_p())
    print("NLST " + ",".join(sorted(f.nlst())))
elif mode == "ccc":
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    reply(s)
    print("AUTH " + raw(s, "AUTH TLS"))
    t = context().wrap_socket(s)
    print("CCC " + raw(t, "CCC"))
    raw(t, "USER alice")
    print("PASS " + raw(t, "PASS secret"))
    print("CCC " + raw(t, "CCC"))
    plain = t.unwrap()
    print("NOOP " + raw(plain, "NOOP"))
    print("PWD " + raw(plain, "PWD"))
elif mode == "abor":
    f = Reusing(context=context(), timeout=20)
    f.connect("127.0.0.1", port)
    f.auth()
    f.login("alice", "secret")
    f.prot_p()
    f.voidcmd("TYPE I")
    conn = f.transfercmd("RETR big.bin")
    got = len(conn.recv(65536))
    time.sleep(0.3)
    # ftplib's abort() sends urgent data, which an SSL socket cannot: plain ABOR, in TLS.
    f.sock.sendall(b"ABOR\r\n")
    print("ABOR " + f.getmultiline())
    print("ABOR " + f.getmultiline())
    try:
        conn.close()
    except OSError:
        pass
    print("NOOP " + f.voidcmd("NOOP"))
elif mode == "dirs":
    f = Reusing(context=context(), timeout=20)
    f.connect("127.0.0.1", port)
    f.auth()
    f.login("alice", "secret")
    f.voidcmd("TYPE I")
    def retr(name):
        try:
            return f.retrbinary("RETR " + name, lambda b: None)
        except ftplib.all_errors as e:
            return str(e).strip()
    print("CLEAR open " + retr("open/f.txt"))
    print("CLEAR secret-from-home " + retr("secret/f.txt"))
    f.cwd("secret")
    print("CLEAR in-secret " + retr("f.txt"))
    print("CLEAR in-secret-other " + retr("../open/f.txt"))
    print("PROT " + f.prot_p())
    print("PRIVATE in-secret " + retr("f.txt"))
"#;

fn py(args: &[&str]) -> Vec<String> {
    let out = run_ok(Command::new("python3").args(["-c", PY]).args(args));
    String::from_utf8(out.stdout)
        .expect("script output is text")
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn tls_user_name_common_name_logs_in_without_password() {
    if !have("python3") {
        return;
    }
    let (server, _alice, pki) =
        start("TLSVerifyClient on\nTLSCACertificateFile @CA@\nTLSUserName CommonName");
    issue(
        &pki,
        "alice-cert",
        Subject {
            cn: "alice",
            ..Default::default()
        },
    );
    let port = server.port().to_string();
    let cert = pki.dir().join("alice-cert");
    assert_eq!(
        py(&["certlogin", &port, p(&cert), "USER alice", "PASS x", "PWD"]),
        [
            "AUTH 234 AUTH TLS successful",
            "USER 232 User alice logged in",
            "PASS 503 You are already logged in",
            "PWD 257 \"/\" is the current directory",
        ]
    );
    // Another user's name needs that user's password.
    assert_eq!(
        py(&["certlogin", &port, p(&cert), "USER bob", "PASS secret"]),
        [
            "AUTH 234 AUTH TLS successful",
            "USER 331 Password required for bob",
            "PASS 230 User bob logged in",
        ]
    );
}

#[test]
fn tls_user_name_email_and_custom_oid() {
    if !have("python3") {
        return;
    }
    let (server, _alice, pki) =
        start("TLSVerifyClient on\nTLSCACertificateFile @CA@\nTLSUserName EmailSubjAltName");
    issue(
        &pki,
        "mail",
        Subject {
            cn: "alice",
            email: Some("bob"),
            ..Default::default()
        },
    );
    let port = server.port().to_string();
    let cert = pki.dir().join("mail");
    assert_eq!(
        py(&["certlogin", &port, p(&cert), "USER bob"]),
        [
            "AUTH 234 AUTH TLS successful",
            "USER 232 User bob logged in"
        ]
    );
    // The CN does not count with EmailSubjAltName.
    assert_eq!(
        py(&["certlogin", &port, p(&cert), "USER alice"]),
        [
            "AUTH 234 AUTH TLS successful",
            "USER 331 Password required for alice"
        ]
    );
    drop(server);

    let (server, _alice, pki) =
        start("TLSVerifyClient on\nTLSCACertificateFile @CA@\nTLSUserName 1.2.3.4.5");
    issue(
        &pki,
        "oid",
        Subject {
            cn: "zed",
            oid_value: Some("alice"),
            ..Default::default()
        },
    );
    let port = server.port().to_string();
    let cert = pki.dir().join("oid");
    assert_eq!(
        py(&["certlogin", &port, p(&cert), "USER alice", "USER bob"]),
        [
            "AUTH 234 AUTH TLS successful",
            "USER 232 User alice logged in",
            "USER 501 Reauthentication not supported",
        ]
    );
}

#[test]
fn tls_user_name_without_a_certificate_asks_for_the_password() {
    if !have("python3") {
        return;
    }
    let (server, _alice, _pki) =
        start("TLSVerifyClient optional\nTLSCACertificateFile @CA@\nTLSUserName CommonName");
    // `optional`: a client without a certificate is let through, and must give a password.
    let port = server.port().to_string();
    assert_eq!(
        py(&["certlogin", &port, "-", "USER alice", "PASS secret"]),
        [
            "AUTH 234 AUTH TLS successful",
            "USER 331 Password required for alice",
            "PASS 230 User alice logged in",
        ]
    );
}

#[test]
fn allow_dot_login_accepts_a_listed_certificate() {
    if !have("python3") {
        return;
    }
    let (server, alice, pki) =
        start("TLSVerifyClient on\nTLSCACertificateFile @CA@\nTLSOptions AllowDotLogin");
    let (listed, _) = issue(
        &pki,
        "listed",
        Subject {
            cn: "whoever",
            ..Default::default()
        },
    );
    issue(
        &pki,
        "unlisted",
        Subject {
            cn: "alice",
            ..Default::default()
        },
    );
    let dot = alice.home.join(".tlslogin");
    std::fs::copy(&listed, &dot).expect("write .tlslogin");
    let port = server.port().to_string();
    assert_eq!(
        py(&[
            "certlogin",
            &port,
            p(&pki.dir().join("listed")),
            "USER alice"
        ]),
        [
            "AUTH 234 AUTH TLS successful",
            "USER 232 User alice logged in"
        ]
    );
    assert_eq!(
        py(&[
            "certlogin",
            &port,
            p(&pki.dir().join("unlisted")),
            "USER alice",
            "PASS secret"
        ]),
        [
            "AUTH 234 AUTH TLS successful",
            "USER 331 Password required for alice",
            "PASS 230 User alice logged in",
        ]
    );
    // bob has no .tlslogin: the listed certificate does not help him.
    assert_eq!(
        py(&["certlogin", &port, p(&pki.dir().join("listed")), "USER bob"]),
        [
            "AUTH 234 AUTH TLS successful",
            "USER 331 Password required for bob"
        ]
    );
}

#[test]
fn sni_chooses_the_name_based_vhost_and_its_certificate() {
    if !have("python3") {
        return;
    }
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("test setup");
    let alice = setup.add_user("alice", "secret").expect("add alice");
    std::fs::write(alice.home.join("home-file"), b"x").expect("home file");
    let site = setup.dir().join("site-b");
    std::fs::create_dir_all(site.join("b-only")).expect("site b");
    let pki = Pki::new(setup.dir(), "test CA");
    let (main_cert, main_key) = issue(
        &pki,
        "main",
        Subject {
            cn: "localhost",
            dns: vec!["localhost"],
            ..Default::default()
        },
    );
    let (b_cert, b_key) = issue(
        &pki,
        "b",
        Subject {
            cn: "b.example.com",
            dns: vec!["b.example.com"],
            ..Default::default()
        },
    );
    let d = setup.dir().display().to_string();
    let port = setup.port();
    let body = format!(
        "{load}{main}<VirtualHost 127.0.0.1>\nServerName \"site B\"\nPort {port}\n\
         ServerAlias b.example.com\nAuthOrder mod_auth_file.c\nAuthUserFile {d}/etc/passwd\n\
         AuthGroupFile {d}/etc/group\nRequireValidShell off\nDefaultRoot {site}\n{b}</VirtualHost>\n",
        load = load_tls(&setup),
        main = tls_block(&setup, &main_cert, &main_key, ""),
        b = tls_block(&setup, &b_cert, &b_key, ""),
        site = site.display(),
    );
    setup.config(&body);
    let server = TestServer::start(setup).unwrap_or_else(|e| panic!("start the daemon: {e}"));
    let port = server.port().to_string();
    assert_eq!(
        py(&["sni", &port, "b.example.com", p(&b_cert)]),
        [
            "AUTH 234 AUTH TLS successful",
            "CERT expected",
            "LOGIN 230 User alice logged in",
            "PROT 200 Protection set to Private",
            "NLST b-only",
        ]
    );
    // Names compare without regard to case.
    assert_eq!(
        py(&["sni", &port, "B.Example.COM", p(&b_cert)])[1],
        "CERT expected"
    );
    // No SNI: the main server.
    assert_eq!(
        py(&["sni", &port, "-", p(&main_cert)]),
        [
            "AUTH 234 AUTH TLS successful",
            "CERT expected",
            "LOGIN 230 User alice logged in",
            "PROT 200 Protection set to Private",
            "NLST home-file",
        ]
    );
    // With name-based vhosts on the address, a name none of them has as ServerAlias is
    // refused (a ServerName does not count), as ProFTPD 1.3.8 does.
    for name in ["nowhere.example.com", "site B", "localhost"] {
        assert_eq!(
            py(&["sni", &port, name, p(&main_cert)]),
            ["AUTH 234 AUTH TLS successful", "HANDSHAKE refused"],
            "SNI {name}"
        );
    }
}

#[test]
fn tls_required_in_a_directory_follows_the_current_directory() {
    if !have("python3") {
        return;
    }
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("test setup");
    let alice = setup.add_user("alice", "secret").expect("add alice");
    for dir in ["open", "secret"] {
        std::fs::create_dir(alice.home.join(dir)).expect("dir");
        std::fs::write(alice.home.join(dir).join("f.txt"), b"hi\n").expect("file");
    }
    let pki = Pki::new(setup.dir(), "test CA");
    let (cert, key) = issue(
        &pki,
        "server",
        Subject {
            cn: "localhost",
            ..Default::default()
        },
    );
    let body = format!(
        "{}{}<Directory {}/secret>\nTLSRequired on\n</Directory>\n",
        load_tls(&setup),
        tls_block(&setup, &cert, &key, "TLSOptions NoSessionReuseRequired"),
        alice.home.display()
    );
    setup.config(&body);
    let server = TestServer::start(setup).unwrap_or_else(|e| panic!("start the daemon: {e}"));
    assert_eq!(
        py(&["dirs", &server.port().to_string()]),
        [
            "CLEAR open 226 Transfer complete",
            "CLEAR secret-from-home 226 Transfer complete",
            "CLEAR in-secret 522 SSL/TLS required on the data channel",
            "CLEAR in-secret-other 522 SSL/TLS required on the data channel",
            "PROT 200 Protection set to Private",
            "PRIVATE in-secret 226 Transfer complete",
        ]
    );
}

#[test]
fn ccc_clears_the_control_channel() {
    if !have("python3") {
        return;
    }
    let (server, _alice, _pki) = start("");
    assert_eq!(
        py(&["ccc", &server.port().to_string()]),
        [
            "AUTH 234 AUTH TLS successful",
            "CCC 530 Please login with USER and PASS",
            "PASS 230 User alice logged in",
            "CCC 200 Clearing control channel protection",
            "NOOP 200 NOOP command successful",
            "PWD 257 \"/\" is the current directory",
        ]
    );
}

#[test]
fn curl_ftp_ssl_ccc_downloads_and_uploads() {
    if !have("curl") {
        return;
    }
    let (server, alice, pki) = start("TLSOptions NoSessionReuseRequired");
    let base = format!("ftp://alice:secret@127.0.0.1:{}/", server.port());
    let curl = |args: &[&str]| {
        run_ok(
            Command::new("curl")
                .args([
                    "-sS",
                    "--max-time",
                    "20",
                    "--ssl-reqd",
                    "--ftp-ssl-ccc",
                    "--ftp-ssl-ccc-mode",
                    "active",
                    "--cacert",
                    p(&pki.ca),
                ])
                .args(args),
        )
    };
    let out = server.dir().join("ccc.bin");
    curl(&["-o", p(&out), &format!("{base}fetch.bin")]);
    assert!(
        std::fs::read(&out).expect("download") == payload(300 * 1024),
        "download differs"
    );
    let up = server.dir().join("ccc-up.bin");
    std::fs::write(&up, payload(70_000)).expect("upload source");
    curl(&["-T", p(&up), &format!("{base}ccc-up.bin")]);
    assert!(
        std::fs::read(alice.home.join("ccc-up.bin")).expect("upload") == payload(70_000),
        "upload differs"
    );
}

#[test]
fn abor_during_a_protected_download() {
    if !have("python3") {
        return;
    }
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::deliberately_differs!(
        target,
        "over TLS ProFTPD answers the ABOR (226) before the transfer's 426 (RFC 959 and ProFTPD's clear-text order is 426 then 226)"
    );
    let (server, alice, _pki) = start("");
    std::fs::write(alice.home.join("big.bin"), payload(64 << 20)).expect("big.bin");
    assert_eq!(
        py(&["abor", &server.port().to_string()]),
        [
            "ABOR 426 Transfer aborted. Data connection closed.",
            "ABOR 226 Abort successful",
            "NOOP 200 NOOP command successful",
        ]
    );
}
