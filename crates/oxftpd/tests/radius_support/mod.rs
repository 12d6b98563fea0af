//! What the RADIUS tests share: a throw-away FreeRADIUS (Debian's `freeradius`, run in the
//! foreground with `-f` and a `radiusd.conf` of our own in a temp dir: one client, a `users`
//! file, PAP, and the `detail` module writing every accounting packet to a file the tests
//! read), listening on free loopback UDP ports; and mod_radius's part of the configuration.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use oxftpd_testkit::{Setup, TestServer, free_port, wait_until};

/// The shared secret of the test client.
pub const SECRET: &str = "testing123";
/// The uid `RadiusUserInfo` gives.
pub const UID: u32 = 6101;
/// The gid `RadiusUserInfo` gives.
pub const GID: u32 = 6101;

/// The FreeRADIUS daemon.
pub const BINARY: &str = "/usr/sbin/freeradius";

/// The users the server knows: proftpd/test (with a Reply-Message, a Class, and a home in
/// the Unix vendor's attribute 12; the Reply-Message first, as ProFTPD 1.3.8 loops forever on
/// an Access-Accept whose Reply-Message follows other attributes), plain/plainpw (no attributes), idle/idlepw (Idle-Timeout 1), and
/// alice@example.org/realmpw (for `RadiusRealm`).
pub fn users(vsa_home: &Path) -> String {
    format!(
        "proftpd Cleartext-Password := \"test\"
\tReply-Message = \"Hello from RADIUS\",
\tClass = \"cls-42\",
\tUnix-FTP-Home = \"{home}\"

plain Cleartext-Password := \"plainpw\"

idle Cleartext-Password := \"idlepw\"
\tIdle-Timeout = 1

alice@example.org Cleartext-Password := \"realmpw\"
",
        home = vsa_home.display()
    )
}

fn radiusd_conf(dir: &Path, auth: u16, acct: u16) -> String {
    let d = dir.display();
    format!(
        "prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = /var
sbindir = /usr/sbin
logdir = {d}
raddbdir = {d}
radacctdir = {d}
name = freeradius
confdir = {d}
modconfdir = {d}
run_dir = {d}
db_dir = {d}
libdir = /usr/lib/freeradius
pidfile = {d}/radiusd.pid
max_request_time = 30
cleanup_delay = 1
max_requests = 1024
hostname_lookups = no
log {{
  destination = stdout
}}
security {{
  allow_core_dumps = no
  max_attributes = 200
  reject_delay = 0
  status_server = no
}}
thread pool {{
  start_servers = 2
  max_servers = 4
  min_spare_servers = 1
  max_spare_servers = 3
  max_requests_per_server = 0
}}
client local {{
  ipaddr = 127.0.0.1
  secret = {SECRET}
}}
modules {{
  files {{
    filename = {d}/users
  }}
  pap {{
  }}
  detail {{
    filename = {d}/detail
    header = \"%t\"
  }}
}}
server default {{
  listen {{
    type = auth
    ipaddr = 127.0.0.1
    port = {auth}
  }}
  listen {{
    type = acct
    ipaddr = 127.0.0.1
    port = {acct}
  }}
  authorize {{
    files
    pap
  }}
  authenticate {{
    Auth-Type PAP {{
      pap
    }}
  }}
  preacct {{
  }}
  accounting {{
    detail
  }}
}}
"
    )
}

/// Whether the tests can run: FreeRADIUS is installed (or they must, under CI).
pub fn available() -> bool {
    let found = Path::new(BINARY).exists();
    if !found {
        assert!(
            std::env::var("OXFTPD_REQUIRE_CLIENTS").as_deref() != Ok("1"),
            "freeradius (Debian's freeradius package) is required but not installed"
        );
        eprintln!("note: skipped: freeradius is not installed");
    }
    found
}

/// A FreeRADIUS of the test's own.
pub struct Radiusd {
    dir: tempfile::TempDir,
    /// The authentication port.
    pub auth_port: u16,
    /// The accounting port.
    pub acct_port: u16,
    child: Option<Child>,
    runs: u32,
}

impl Radiusd {
    /// Writes the configuration with `users` and starts the server.
    pub fn start(users: &str) -> Option<Radiusd> {
        if !available() {
            return None;
        }
        let dir = tempfile::Builder::new()
            .prefix("oxftpd-radiusd-")
            .tempdir()
            .expect("tempdir");
        let (auth_port, acct_port) = (free_port().expect("port"), free_port().expect("port"));
        std::fs::write(
            dir.path().join("radiusd.conf"),
            radiusd_conf(dir.path(), auth_port, acct_port),
        )
        .expect("radiusd.conf");
        std::fs::write(dir.path().join("users"), users).expect("users");
        let mut r = Radiusd {
            dir,
            auth_port,
            acct_port,
            child: None,
            runs: 0,
        };
        r.run();
        Some(r)
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join(format!("radiusd.{}.log", self.runs))
    }

    /// Starts the server (again) on the same ports; waits until it says it is ready.
    pub fn run(&mut self) {
        self.runs += 1;
        let log = std::fs::File::create(self.log_path()).expect("log");
        let child = Command::new(BINARY)
            .arg("-f")
            .arg("-l")
            .arg("stdout")
            .arg("-d")
            .arg(self.dir.path())
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("start freeradius");
        self.child = Some(child);
        let ready = wait_until(Duration::from_secs(20), || {
            std::fs::read_to_string(self.log_path())
                .is_ok_and(|l| l.contains("Ready to process requests"))
        });
        assert!(ready, "freeradius did not get ready: {}", self.log());
    }

    /// Stops the server (SIGTERM, then waits for it to exit).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            oxftpd_testkit::terminate(c.id() as i32, Duration::from_secs(10));
            let _ = c.wait();
        }
    }

    /// The server's output (all runs).
    pub fn log(&self) -> String {
        (1..=self.runs)
            .map(|n| {
                std::fs::read_to_string(self.dir.path().join(format!("radiusd.{n}.log")))
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The accounting records the `detail` module wrote.
    pub fn detail(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("detail")).unwrap_or_default()
    }

    /// Waits (bounded) until the detail file holds a record containing every one of `lines`;
    /// that record.
    pub fn wait_record(&self, lines: &[&str]) -> Option<String> {
        let mut found = None;
        wait_until(Duration::from_secs(15), || {
            found = self
                .detail()
                .split("\n\n")
                .find(|rec| lines.iter().all(|l| rec.contains(l)))
                .map(str::to_string);
            found.is_some()
        });
        found
    }
}

impl Drop for Radiusd {
    fn drop(&mut self) {
        self.stop();
    }
}

/// mod_radius's part of the configuration, as ProFTPD's documentation writes it, with `extra`
/// lines inside the `<IfModule>`.
pub fn config(log: &Path, extra: &str) -> String {
    format!(
        "<IfModule !mod_radius.c>
LoadModule mod_radius.c
</IfModule>
<IfModule mod_radius.c>
  RadiusEngine on
  RadiusLog {log}
{extra}
</IfModule>
AllowOverwrite on
",
        log = log.display()
    )
}

/// Starts the daemon with `body` and `AuthOrder order`.
pub fn start(mut setup: Setup, order: &str, body: &str) -> TestServer {
    setup.auth_order(order);
    setup.config(body);
    TestServer::start(setup).unwrap_or_else(|e| panic!("start: {e}"))
}

/// A home directory for the RADIUS account, owned by it.
pub fn home(base: &Path, name: &str) -> PathBuf {
    let h = base.join("home").join(name);
    std::fs::create_dir_all(&h).expect("home");
    std::os::unix::fs::chown(&h, Some(UID), Some(GID)).expect("chown home");
    h
}

/// USER and PASS; the PASS reply.
pub async fn pass(s: &TestServer, user: &str, password: &str) -> oxftpd_client::Reply {
    let mut c = s.client().await.expect("connect");
    c.cmd_expect(&format!("USER {user}"), 331)
        .await
        .expect("USER");
    c.cmd(&format!("PASS {password}")).await.expect("PASS")
}
