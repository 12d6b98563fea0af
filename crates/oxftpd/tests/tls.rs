//! FTPS (RFC 4217, ProFTPD's mod_tls): explicit and implicit TLS with real clients, protected
//! data connections and the session-reuse check, TLSRequired, old protocol versions, client
//! certificates, and a garbage handshake that must not disturb other sessions.
//! Certificates are made here with rcgen. Against ProFTPD, mod_tls is loaded by the config.

use std::net::TcpStream;
use std::process::Command;

use oxftpd_testkit::tls::{Certs, implicit_tls_server, make_certs, tls_lines, tls_server};
use oxftpd_testkit::tools::{have, path_arg as p, run_ok};
use oxftpd_testkit::{Setup, TestServer, TestUser};

/// Bytes that survive only a binary transfer.
fn payload() -> Vec<u8> {
    (0..300 * 1024).map(|i| (i * 13 % 251) as u8).collect()
}

/// A server with alice/secret, `fetch.bin`, and mod_tls with `extra` directives.
fn start(extra: &str) -> (TestServer, TestUser, Certs) {
    tls_server(&oxftpd_testkit::target!(), extra, &payload())
}

/// python3 helpers: `mode port [args…]`; prints one line per step.
const PY: &str = r#"
import ftplib, socket, ssl, sys
mode, port = sys.argv[1], int(sys.argv[2])
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
class Reusing(ftplib.FTP_TLS):
    """Resumes the control connection's TLS session on data connections (as FileZilla)."""
    def ntransfercmd(self, cmd, rest=None):
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        if self._prot_p:
            conn = self.context.wrap_socket(conn, server_hostname=self.host, session=self.sock.session)
        return conn, size
def raw(s, line):
    s.sendall((line + "\r\n").encode())
    data = b""
    while not data.endswith(b"\r\n"):
        chunk = s.recv(1)
        if not chunk:
            break
        data += chunk
    return data.decode().strip()
if mode in ("reuse", "noreuse"):
    download, upload = sys.argv[3], sys.argv[4]
    f = (Reusing if mode == "reuse" else ftplib.FTP_TLS)(context=ctx, timeout=20)
    f.connect("127.0.0.1", port)
    print("AUTH " + f.auth())
    print("LOGIN " + f.login("alice", "secret"))
    print("PROT " + f.prot_p())
    try:
        print("NLST " + ",".join(sorted(f.nlst())))
        with open(download, "wb") as out:
            print("RETR " + f.retrbinary("RETR fetch.bin", out.write))
        with open(upload, "rb") as inp:
            print("STOR " + f.storbinary("STOR up.bin", inp))
    except ftplib.all_errors as e:
        print("ERROR " + str(e).strip())
    print("NOOP " + f.voidcmd("NOOP"))
elif mode == "required":
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    s.recv(4096)
    print("USER " + raw(s, "USER alice"))
    print("AUTH " + raw(s, "AUTH TLS"))
    t = ctx.wrap_socket(s)
    print("USER " + raw(t, "USER alice"))
    print("PASS " + raw(t, "PASS secret"))
elif mode == "tls11":
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    s.recv(4096)
    print("AUTH " + raw(s, "AUTH TLS"))
    old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    old.check_hostname = False
    old.verify_mode = ssl.CERT_NONE
    old.set_ciphers("ALL:@SECLEVEL=0")
    old.minimum_version = ssl.TLSVersion.TLSv1
    old.maximum_version = ssl.TLSVersion.TLSv1_1
    try:
        t = old.wrap_socket(s)
        print("HANDSHAKE ok " + str(t.version()))
    except (ssl.SSLError, OSError) as e:
        print("HANDSHAKE refused")
elif mode in ("clientcert", "nocert"):
    if mode == "clientcert":
        ctx.load_cert_chain(sys.argv[3], sys.argv[4])
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    s.recv(4096)
    print("AUTH " + raw(s, "AUTH TLS"))
    try:
        t = ctx.wrap_socket(s)
        print("USER " + raw(t, "USER alice"))
        print("PASS " + raw(t, "PASS secret") or "PASS closed")
    except (ssl.SSLError, OSError) as e:
        print("HANDSHAKE refused")
elif mode == "garbage":
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    s.recv(4096)
    print("AUTH " + raw(s, "AUTH TLS"))
    s.sendall(b"\x16\x03\x01\x00\x05garbage-that-is-not-tls\r\n" * 4)
    try:
        rest = s.recv(4096)
        print("GARBAGE closed" if not rest or rest[0] == 0x15 else "GARBAGE answered")
    except OSError:
        print("GARBAGE closed")
"#;

fn py(args: &[&str]) -> String {
    let out = run_ok(Command::new("python3").args(["-c", PY]).args(args));
    String::from_utf8(out.stdout).expect("script output is text")
}

fn lines(s: &str) -> Vec<&str> {
    s.lines().collect()
}

#[test]
fn curl_explicit_tls_lists_downloads_and_uploads() {
    if !have("curl") {
        return;
    }
    let (server, alice, certs) = start("");
    let base = format!("ftp://alice:secret@127.0.0.1:{}/", server.port());
    let curl = |args: &[&str]| {
        run_ok(
            Command::new("curl")
                .args([
                    "-sS",
                    "--max-time",
                    "20",
                    "--ssl-reqd",
                    "--cacert",
                    p(&certs.ca),
                ])
                .args(args),
        )
    };
    let names = String::from_utf8(curl(&["--list-only", &base]).stdout).expect("text");
    assert_eq!(names.trim_end(), "fetch.bin");
    let out = server.dir().join("dl.bin");
    curl(&["-o", p(&out), &format!("{base}fetch.bin")]);
    assert!(
        std::fs::read(&out).expect("download") == payload(),
        "download differs"
    );
    let up = server.dir().join("up-src.bin");
    let data: Vec<u8> = payload().into_iter().rev().collect();
    std::fs::write(&up, &data).expect("write upload source");
    curl(&["-T", p(&up), &format!("{base}up.bin")]);
    assert!(
        std::fs::read(alice.home.join("up.bin")).expect("upload") == data,
        "upload differs"
    );
}

#[test]
fn python_ftp_tls_with_session_reuse_transfers() {
    if !have("python3") {
        return;
    }
    let (server, alice, _certs) = start("");
    let download = server.dir().join("py-dl.bin");
    let upload = server.dir().join("py-up.bin");
    let data: Vec<u8> = payload().into_iter().map(|b| b ^ 0x5a).collect();
    std::fs::write(&upload, &data).expect("write upload source");
    let port = server.port().to_string();
    let out = py(&["reuse", &port, p(&download), p(&upload)]);
    assert_eq!(
        lines(&out),
        vec![
            "AUTH 234 AUTH TLS successful",
            "LOGIN 230 User alice logged in",
            "PROT 200 Protection set to Private",
            "NLST fetch.bin",
            "RETR 226 Transfer complete",
            "STOR 226 Transfer complete",
            "NOOP 200 NOOP command successful",
        ],
        "{out}"
    );
    assert!(
        std::fs::read(&download).expect("download") == payload(),
        "download differs"
    );
    assert!(
        std::fs::read(alice.home.join("up.bin")).expect("upload") == data,
        "upload differs"
    );
}

#[test]
fn data_connection_without_session_reuse_is_refused() {
    if !have("python3") {
        return;
    }
    let (server, _alice, _certs) = start("");
    let dir = server.dir();
    let up = dir.join("src.bin");
    std::fs::write(&up, b"x").expect("write");
    let out = py(&[
        "noreuse",
        &server.port().to_string(),
        p(&dir.join("d.bin")),
        p(&up),
    ]);
    let l = lines(&out);
    assert_eq!(
        l[3], "ERROR 425 Unable to build data connection: Operation not permitted",
        "{out}"
    );
    assert_eq!(l[4], "NOOP 200 NOOP command successful", "{out}");
}

#[test]
fn no_session_reuse_required_accepts_fresh_sessions() {
    if !have("python3") {
        return;
    }
    let (server, alice, _certs) = start("TLSOptions NoSessionReuseRequired");
    let dir = server.dir();
    let up = dir.join("src.bin");
    std::fs::write(&up, b"fresh session").expect("write");
    let download = dir.join("d.bin");
    let out = py(&["noreuse", &server.port().to_string(), p(&download), p(&up)]);
    assert_eq!(
        lines(&out)[3..],
        [
            "NLST fetch.bin",
            "RETR 226 Transfer complete",
            "STOR 226 Transfer complete",
            "NOOP 200 NOOP command successful"
        ],
        "{out}"
    );
    assert!(std::fs::read(&download).expect("download") == payload());
    assert_eq!(
        std::fs::read(alice.home.join("up.bin")).expect("upload"),
        b"fresh session"
    );
}

#[test]
fn implicit_tls_on_its_own_port_with_curl() {
    if !have("curl") {
        return;
    }
    let (server, port, certs) = implicit_tls_server(&oxftpd_testkit::target!(), &payload());
    let out = server.dir().join("implicit.bin");
    run_ok(Command::new("curl").args([
        "-sS",
        "--max-time",
        "20",
        "--cacert",
        p(&certs.ca),
        "-o",
        p(&out),
        &format!("ftps://alice:secret@127.0.0.1:{port}/fetch.bin"),
    ]));
    assert!(
        std::fs::read(&out).expect("download") == payload(),
        "download differs"
    );
}

#[test]
fn lftp_with_ssl_force() {
    if !have("lftp") {
        return;
    }
    let (server, _alice, certs) = start("");
    let out_file = server.dir().join("lftp.bin");
    let script = format!(
        "set ftp:ssl-force true; set ftp:ssl-protect-data true; set ssl:ca-file {}; \
         set ssl:verify-certificate no; set net:max-retries 1; set net:timeout 10; \
         open -u alice,secret 127.0.0.1:{}; cls -1; get fetch.bin -o {}",
        certs.ca.display(),
        server.port(),
        out_file.display()
    );
    let out = run_ok(Command::new("lftp").args(["-c", &script]));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "fetch.bin");
    assert!(
        std::fs::read(&out_file).expect("download") == payload(),
        "download differs"
    );
}

#[test]
fn tls_required_refuses_user_before_auth() {
    if !have("python3") {
        return;
    }
    let (server, _alice, _certs) = start("TLSRequired on");
    let out = py(&["required", &server.port().to_string()]);
    assert_eq!(
        lines(&out),
        vec![
            "USER 550 SSL/TLS required on the control channel",
            "AUTH 234 AUTH TLS successful",
            "USER 331 Password required for alice",
            "PASS 230 User alice logged in",
        ],
        "{out}"
    );
}

#[test]
fn tls_1_1_client_is_refused() {
    if !have("python3") {
        return;
    }
    let (server, _alice, _certs) = start("TLSProtocol TLSv1.2 TLSv1.3");
    let out = py(&["tls11", &server.port().to_string()]);
    assert_eq!(
        lines(&out),
        vec!["AUTH 234 AUTH TLS successful", "HANDSHAKE refused"],
        "{out}"
    );
}

#[test]
fn client_certificate_required_and_checked() {
    if !have("python3") {
        return;
    }
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("test setup");
    setup.add_user("alice", "secret").expect("add alice");
    let certs = make_certs(setup.dir());
    let extra = format!(
        "TLSVerifyClient on\nTLSCACertificateFile {}",
        certs.ca.display()
    );
    let body = tls_lines(&setup, &certs, &extra);
    setup.config(&body);
    let server = TestServer::start(setup).unwrap_or_else(|e| panic!("start the daemon: {e}"));
    let port = server.port().to_string();
    let with = py(&[
        "clientcert",
        &port,
        p(&certs.client_cert),
        p(&certs.client_key),
    ]);
    assert_eq!(
        lines(&with),
        vec![
            "AUTH 234 AUTH TLS successful",
            "USER 331 Password required for alice",
            "PASS 230 User alice logged in"
        ],
        "{with}"
    );
    // Without a certificate the TLS 1.3 handshake completes on the client side first, so the
    // refusal shows as a closed connection at the first read or as a handshake error.
    let without = py(&["nocert", &port]);
    let l = lines(&without);
    assert_eq!(l[0], "AUTH 234 AUTH TLS successful", "{without}");
    assert!(
        l[1] == "HANDSHAKE refused"
            || l[1] == "USER"
            || l[1].starts_with("USER ") && !l[1].contains("331"),
        "{without}"
    );
}

#[test]
fn garbage_handshake_does_not_affect_other_sessions() {
    if !have("python3") {
        return;
    }
    let (server, _alice, _certs) = start("");
    let port = server.port().to_string();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    rt.block_on(async {
        let mut other = server.login("alice", "secret").await.expect("login before");
        let out = py(&["garbage", &port]);
        assert_eq!(
            lines(&out),
            vec!["AUTH 234 AUTH TLS successful", "GARBAGE closed"],
            "{out}"
        );
        let r = other.cmd("NOOP").await.expect("NOOP after garbage");
        assert_eq!(r.code, 200);
        server.login("alice", "secret").await.expect("login after");
    });
    assert!(TcpStream::connect(server.addr()).is_ok());
}
