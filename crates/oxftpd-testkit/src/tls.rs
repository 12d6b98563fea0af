//! FTPS fixtures: a test CA made with rcgen that signs certificates into PEM files, and the
//! mod_tls config lines that use them (with `LoadModule` when the subject is ProFTPD).

use std::path::{Path, PathBuf};

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};

use crate::tools::run_ok;
use crate::{Setup, Target, TestServer, TestUser};

/// A CA (its PEM file in `ca`) that signs certificates into files in one directory.
pub struct Pki {
    /// The CA certificate as a PEM file.
    pub ca: PathBuf,
    ca_cert: rcgen::Certificate,
    ca_key: KeyPair,
    dir: PathBuf,
}

impl Pki {
    /// A new CA with common name `cn`, written to `dir/ca.pem`.
    pub fn new(dir: &Path, cn: &str) -> Pki {
        let ca_key = KeyPair::generate().expect("CA key");
        let mut p = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.distinguished_name.push(DnType::CommonName, cn);
        let ca_cert = p.self_signed(&ca_key).expect("CA cert");
        let ca = dir.join("ca.pem");
        std::fs::write(&ca, ca_cert.pem()).expect("write CA");
        Pki {
            ca,
            ca_cert,
            ca_key,
            dir: dir.to_path_buf(),
        }
    }

    /// Signs `params` with a fresh key and writes `NAME.pem` and `NAME.key`; returns their paths.
    pub fn sign(&self, name: &str, params: CertificateParams) -> (PathBuf, PathBuf) {
        let key = KeyPair::generate().expect("key");
        let cert = params
            .signed_by(&key, &self.ca_cert, &self.ca_key)
            .expect("sign");
        let (c, k) = (
            self.dir.join(format!("{name}.pem")),
            self.dir.join(format!("{name}.key")),
        );
        std::fs::write(&c, cert.pem()).expect("write cert");
        std::fs::write(&k, key.serialize_pem()).expect("write key");
        (c, k)
    }

    /// The directory the certificates are written to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Signs a certificate for subject `cn` with these DNS subjectAltNames (`names`, which
    /// rcgen turns into IP subjectAltNames when they parse as addresses).
    pub fn leaf(&self, name: &str, cn: &str, names: &[&str]) -> (PathBuf, PathBuf) {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let mut p = CertificateParams::new(names).expect("params");
        p.distinguished_name.push(DnType::CommonName, cn);
        self.sign(name, p)
    }
}

/// A CA, a server certificate it signed (localhost, 127.0.0.1), and a client certificate
/// for `alice`, as PEM files.
pub struct Certs {
    /// The CA certificate.
    pub ca: PathBuf,
    /// The server certificate.
    pub cert: PathBuf,
    /// The server key.
    pub key: PathBuf,
    /// The client certificate (subject `alice`).
    pub client_cert: PathBuf,
    /// The client key.
    pub client_key: PathBuf,
}

/// Makes [`Certs`] in `dir` (`ca.pem`, `server.pem`/`.key`, `client.pem`/`.key`).
pub fn make_certs(dir: &Path) -> Certs {
    let pki = Pki::new(dir, "oxftpd test CA");
    let (cert, key) = pki.leaf("server", "localhost", &["localhost", "127.0.0.1"]);
    let (client_cert, client_key) = pki.leaf("client", "alice", &["alice"]);
    Certs {
        ca: pki.ca,
        cert,
        key,
        client_cert,
        client_key,
    }
}

/// `LoadModule mod_tls.c` for ProFTPD; nothing for oxftpd.
pub fn load_tls(setup: &Setup) -> &'static str {
    if setup.target().is_proftpd() {
        "<IfModule !mod_tls.c>\nLoadModule mod_tls.c\n</IfModule>\n"
    } else {
        ""
    }
}

/// mod_tls lines for a server with the certificate `cert`/`key`, `TLSLog` in the setup's
/// directory, then `extra`.
pub fn tls_block(setup: &Setup, cert: &Path, key: &Path, extra: &str) -> String {
    format!(
        "TLSEngine on\nTLSECCertificateFile {}\nTLSECCertificateKeyFile {}\n\
         TLSLog {}/tls.log\n{extra}\n",
        cert.display(),
        key.display(),
        setup.dir().display(),
    )
}

/// [`load_tls`] and [`tls_block`] for the server certificate of `certs`.
pub fn tls_lines(setup: &Setup, certs: &Certs, extra: &str) -> String {
    format!(
        "{}{}",
        load_tls(setup),
        tls_block(setup, &certs.cert, &certs.key, extra)
    )
}

/// A server with alice/secret, `fetch.bin` holding `fetch`, `AllowOverwrite on`, and mod_tls
/// with [`make_certs`]'s server certificate and `extra`.
pub fn tls_server(target: &Target, extra: &str, fetch: &[u8]) -> (TestServer, TestUser, Certs) {
    let mut setup = Setup::new(target).expect("test setup");
    let alice = setup.add_user("alice", "secret").expect("add alice");
    let certs = make_certs(setup.dir());
    let body = format!("AllowOverwrite on\n{}", tls_lines(&setup, &certs, extra));
    setup.config(&body);
    std::fs::write(alice.home.join("fetch.bin"), fetch).expect("write fetch.bin");
    let server = TestServer::start(setup).unwrap_or_else(|e| panic!("start the daemon: {e}"));
    (server, alice, certs)
}

/// A server with alice/secret and `fetch.bin` holding `fetch` whose `<VirtualHost 127.0.0.1>`,
/// on a port of its own (returned), speaks implicit FTPS (`TLSOptions UseImplicitSSL`) with
/// [`make_certs`]'s server certificate.
pub fn implicit_tls_server(target: &Target, fetch: &[u8]) -> (TestServer, u16, Certs) {
    let mut setup = Setup::new(target).expect("test setup");
    let alice = setup.add_user("alice", "secret").expect("add alice");
    std::fs::write(alice.home.join("fetch.bin"), fetch).expect("write fetch.bin");
    let certs = make_certs(setup.dir());
    let port = crate::free_port().expect("port");
    let d = setup.dir().display().to_string();
    let tls = tls_block(&setup, &certs.cert, &certs.key, "TLSOptions UseImplicitSSL");
    let body = format!(
        "{}<VirtualHost 127.0.0.1>\nPort {port}\nAuthOrder mod_auth_file.c\n\
         AuthUserFile {d}/etc/passwd\nAuthGroupFile {d}/etc/group\nRequireValidShell off\n\
         DefaultRoot ~\n{tls}</VirtualHost>\n",
        load_tls(&setup)
    );
    setup.config(&body);
    let server = TestServer::start(setup).unwrap_or_else(|e| panic!("start the daemon: {e}"));
    (server, port, certs)
}

/// The server's `TLSLog` lines (as [`tls_block`] places it), without the time stamp and
/// process prefix.
pub fn tls_log(server: &TestServer) -> Vec<String> {
    std::fs::read_to_string(server.dir().join("tls.log"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once("]: ").map(|(_, m)| m.to_string()))
        .collect()
}

/// python3 lines that FTPS scripts start with: imports `socket`, `ssl` and `sys`; `ctx`, a TLS
/// client context that accepts any certificate; `reply(s)`, the next reply (multi-line ones
/// joined with `|`, ` <closed>` added when the server hung up); `send(s, c)`, a command and
/// its reply.
pub const PY_PRELUDE: &str = r#"
import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
def reply(s):
    data = b""
    while True:
        try:
            c = s.recv(1)
        except OSError:
            c = b""
        if not c:
            return (data.decode().strip().replace("\r\n", "|") + " <closed>").strip()
        data += c
        if data.endswith(b"\r\n"):
            last = data[:-2].split(b"\r\n")[-1]
            if len(last) > 3 and last[3:4] == b" ":
                return data.decode().strip().replace("\r\n", "|")
def send(s, c):
    s.sendall((c + "\r\n").encode())
    return reply(s)
"#;

/// Runs python3 on [`PY_PRELUDE`] followed by `script`, with `args`; the lines it printed.
pub fn python_session(script: &str, args: &[&str]) -> Vec<String> {
    let program = format!("{PY_PRELUDE}{script}");
    let out = run_ok(
        std::process::Command::new("python3")
            .args(["-c", &program])
            .args(args),
    );
    String::from_utf8(out.stdout)
        .expect("text")
        .lines()
        .map(str::to_string)
        .collect()
}
