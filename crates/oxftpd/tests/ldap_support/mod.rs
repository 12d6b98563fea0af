//! What the LDAP tests share: a throw-away OpenLDAP server (Debian's `slapd`, as root, with a
//! `slapd.conf` and an mdb database in a temp dir, listening on free loopback ports for
//! `ldap://` and `ldaps://`, loaded with `slapadd` before it starts), the users and groups in
//! it, and mod_ldap's part of the configuration.

#![allow(dead_code)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use oxftpd_testkit::tls::{Certs, make_certs};
use oxftpd_testkit::tools::run_ok;
use oxftpd_testkit::{Setup, TestServer, free_port, wait_until};

/// The suffix of the test directory.
pub const SUFFIX: &str = "dc=example,dc=com";
/// The DN mod_ldap binds as for searches.
pub const BIND_DN: &str = "cn=reader,dc=example,dc=com";
/// Its password.
pub const BIND_PW: &str = "readerpw";
/// alice's and bob's primary group.
pub const GID: u32 = 6001;
/// alice's uid.
pub const ALICE_UID: u32 = 6001;
/// bob's uid.
pub const BOB_UID: u32 = 6002;
/// A group only alice is in (memberUid).
pub const EXTRA_GID: u32 = 6010;

/// A slapd of the test's own.
pub struct Slapd {
    dir: tempfile::TempDir,
    /// The `ldap://` port.
    pub port: u16,
    /// The `ldaps://` port.
    pub tls_port: u16,
    /// The CA and server certificate slapd uses.
    pub certs: Certs,
    child: Option<Child>,
}

/// A SHA-512 crypt(3) hash of `password` (openssl passwd -6).
pub fn crypt_hash(password: &str) -> String {
    let out = run_ok(Command::new("openssl").args(["passwd", "-6", password]));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn ldif(home: &Path) -> String {
    let h = |n: &str| home.join(n).display().to_string();
    format!(
        "dn: {SUFFIX}
objectClass: dcObject
objectClass: organization
o: Example
dc: example

dn: cn=reader,{SUFFIX}
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: reader
userPassword: {BIND_PW}

dn: ou=people,{SUFFIX}
objectClass: organizationalUnit
ou: people

dn: ou=groups,{SUFFIX}
objectClass: organizationalUnit
ou: groups

dn: uid=alice,ou=people,{SUFFIX}
objectClass: posixAccount
objectClass: inetOrgPerson
uid: alice
cn: Alice
sn: A
uidNumber: {ALICE_UID}
gidNumber: {GID}
homeDirectory: {alice}
loginShell: /bin/sh
userPassword: alicepw

dn: uid=bob,ou=people,{SUFFIX}
objectClass: posixAccount
objectClass: inetOrgPerson
uid: bob
cn: Bob
sn: B
uidNumber: {BOB_UID}
gidNumber: {GID}
homeDirectory: {bob}
loginShell: /bin/sh
userPassword: {{CRYPT}}{bobhash}

dn: uid=carol,ou=people,{SUFFIX}
objectClass: inetOrgPerson
uid: carol
cn: Carol
sn: C
userPassword: carolpw

dn: uid=dave,ou=people,{SUFFIX}
objectClass: posixAccount
objectClass: inetOrgPerson
uid: dave
cn: Dave
sn: D
uidNumber: 6004
gidNumber: {GID}
homeDirectory: {dave}
userPassword: {{CLEAR}}davepw

dn: cn=ftpusers,ou=groups,{SUFFIX}
objectClass: posixGroup
cn: ftpusers
gidNumber: {GID}
memberUid: alice
memberUid: bob

dn: cn=extra,ou=groups,{SUFFIX}
objectClass: posixGroup
cn: extra
gidNumber: {EXTRA_GID}
memberUid: alice
",
        alice = h("alice"),
        bob = h("bob"),
        dave = h("dave"),
        bobhash = crypt_hash("bobpw"),
    )
}

fn slapd_conf(dir: &Path, certs: &Certs) -> String {
    let d = dir.display();
    format!(
        "include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/nis.schema
include /etc/ldap/schema/inetorgperson.schema
pidfile {d}/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
TLSCACertificateFile {ca}
TLSCertificateFile {cert}
TLSCertificateKeyFile {key}
database mdb
maxsize 10485760
suffix \"{SUFFIX}\"
rootdn \"cn=admin,{SUFFIX}\"
rootpw adminpw
directory {d}/db
access to attrs=userPassword by self read by dn=\"{BIND_DN}\" read by anonymous auth by * none
access to * by * read
",
        ca = certs.ca.display(),
        cert = certs.cert.display(),
        key = certs.key.display(),
    )
}

/// Whether the tests can run: slapd is installed (or they must, under CI).
pub fn available() -> bool {
    let found = Path::new("/usr/sbin/slapd").exists() && Path::new("/usr/sbin/slapadd").exists();
    if !found {
        assert!(
            std::env::var("OXFTPD_REQUIRE_CLIENTS").as_deref() != Ok("1"),
            "slapd (Debian's slapd package) is required but not installed"
        );
        eprintln!("note: skipped: slapd is not installed");
    }
    found
}

impl Slapd {
    /// Makes the directory, loads the entries (home directories under `home`), and starts it.
    pub fn start(home: &Path) -> Option<Slapd> {
        if !available() {
            return None;
        }
        let dir = tempfile::Builder::new()
            .prefix("oxftpd-slapd-")
            .tempdir()
            .expect("tempdir");
        std::fs::create_dir(dir.path().join("db")).expect("mkdir db");
        let certs = make_certs(dir.path());
        // slapd reads its key as root; keep it private anyway.
        std::fs::set_permissions(&certs.key, std::fs::Permissions::from_mode(0o600))
            .expect("chmod key");
        let conf = dir.path().join("slapd.conf");
        std::fs::write(&conf, slapd_conf(dir.path(), &certs)).expect("slapd.conf");
        let data = dir.path().join("data.ldif");
        std::fs::write(&data, ldif(home)).expect("ldif");
        run_ok(
            Command::new("/usr/sbin/slapadd")
                .arg("-f")
                .arg(&conf)
                .arg("-l")
                .arg(&data),
        );
        let mut s = Slapd {
            dir,
            port: free_port().expect("port"),
            tls_port: free_port().expect("port"),
            certs,
            child: None,
        };
        s.run();
        Some(s)
    }

    /// Starts slapd (again) on the same ports and database; waits until it answers.
    pub fn run(&mut self) {
        let urls = format!(
            "ldap://127.0.0.1:{}/ ldaps://127.0.0.1:{}/",
            self.port, self.tls_port
        );
        let log = std::fs::File::create(self.dir.path().join("slapd.log")).expect("log");
        let child = Command::new("/usr/sbin/slapd")
            .arg("-f")
            .arg(self.dir.path().join("slapd.conf"))
            .args(["-h", &urls, "-d", "0"])
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("start slapd");
        self.child = Some(child);
        let url = format!("ldap://127.0.0.1:{}", self.port);
        let ready = wait_until(Duration::from_secs(20), || {
            Command::new("ldapsearch")
                .args([
                    "-x",
                    "-H",
                    &url,
                    "-b",
                    SUFFIX,
                    "-s",
                    "base",
                    "-o",
                    "nettimeout=2",
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        });
        assert!(ready, "slapd did not answer: {}", self.log());
    }

    /// Stops slapd (SIGTERM, then waits for it to exit).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            oxftpd_testkit::terminate(c.id() as i32, Duration::from_secs(10));
            let _ = c.wait();
        }
    }

    /// `ldap://127.0.0.1:port/??sub` (a URL without a scope searches the base only).
    pub fn url(&self) -> String {
        format!("ldap://127.0.0.1:{}/??sub", self.port)
    }

    /// `ldaps://127.0.0.1:port/??sub`.
    pub fn tls_url(&self) -> String {
        format!("ldaps://127.0.0.1:{}/??sub", self.tls_port)
    }

    /// slapd's own output.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("slapd.log")).unwrap_or_default()
    }

    /// Where the certificates are.
    pub fn dir(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }
}

impl Drop for Slapd {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Makes the users' home directories (owned by them) under `base` (a setup's dir).
pub fn homes(base: &Path) -> PathBuf {
    let home = base.join("home");
    for (name, uid) in [
        ("alice", ALICE_UID),
        ("bob", BOB_UID),
        ("dave", 6004),
        ("carol", 7000),
    ] {
        let d = home.join(name);
        std::fs::create_dir_all(&d).expect("home");
        std::os::unix::fs::chown(&d, Some(uid), Some(GID)).expect("chown home");
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    // A directory only members of EXTRA_GID may write to.
    let shared = home.join("alice/extra");
    std::fs::create_dir_all(&shared).expect("mkdir extra");
    std::os::unix::fs::chown(&shared, Some(0), Some(EXTRA_GID)).expect("chown extra");
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o770)).expect("chmod");
    home
}

/// mod_ldap's part of the configuration, as ProFTPD's documentation writes it, with `extra`
/// lines inside the `<IfModule>`.
pub fn config(server: &str, log: &Path, extra: &str) -> String {
    format!(
        "<IfModule !mod_ldap.c>
LoadModule mod_ldap.c
</IfModule>
<IfModule mod_ldap.c>
  LDAPServer {server}
  LDAPBindDN \"{BIND_DN}\" {BIND_PW}
  LDAPUsers ou=people,{SUFFIX}
  LDAPGroups ou=groups,{SUFFIX}
  LDAPLog {log}
{extra}
</IfModule>
AllowOverwrite on
",
        log = log.display()
    )
}

/// Starts the daemon with `body`, users from LDAP only.
pub fn start(mut setup: Setup, body: &str) -> TestServer {
    setup.auth_order("mod_ldap.c");
    setup.config(body);
    TestServer::start(setup).unwrap_or_else(|e| panic!("start: {e}"))
}

/// USER and PASS; the PASS reply code.
pub async fn pass_code(s: &TestServer, user: &str, pass: &str) -> u16 {
    let mut c = s.client().await.expect("connect");
    c.cmd_expect(&format!("USER {user}"), 331)
        .await
        .expect("USER");
    let r = c.cmd(&format!("PASS {pass}")).await.expect("PASS");
    r.code
}
