//! A test's server directory: the proftpd.conf, the auth files, the users' homes.

use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use tempfile::TempDir;

use crate::error::io;
use crate::{HarnessError, Result, Target};

/// The group every test user belongs to.
const USERS_GROUP: (&str, u32) = ("ftpusers", 60001);
/// First uid given to test users; none of these have /etc/passwd entries.
const FIRST_UID: u32 = 60001;
/// The system user anonymous sessions run as, in the test's own AuthUserFile.
const ANON: (&str, u32) = ("ftp", 60099);
/// The anonymous user's group.
const ANON_GROUP: &str = "ftpanon";

/// A user written to the test's AuthUserFile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestUser {
    /// Login name.
    pub name: String,
    /// Clear-text password.
    pub password: String,
    /// Numeric uid (no /etc/passwd entry).
    pub uid: u32,
    /// Numeric gid.
    pub gid: u32,
    /// Home directory, created and owned by the user.
    pub home: PathBuf,
}

/// Everything a server needs before it starts: a temp dir (0755), a free port, users and the
/// config body. Writing the config is left to [`Setup::write_config`] / starting.
pub struct Setup {
    pub(crate) target: Target,
    pub(crate) dir: TempDir,
    pub(crate) port: u16,
    users: Vec<TestUser>,
    anonymous: Option<PathBuf>,
    body: String,
    server_name: String,
    auth_order: String,
    pub(crate) env: Vec<(String, String)>,
    pub(crate) hello: Vec<u8>,
}

impl Setup {
    /// Creates the temp dir (with `etc/`, `run/`, `home/`) and picks a free loopback port.
    pub fn new(target: &Target) -> Result<Setup> {
        let dir = tempfile::Builder::new()
            .prefix("oxftpd-test-")
            .tempdir()
            .map_err(io("creating the test dir"))?;
        set_mode(dir.path(), 0o755)?;
        for sub in ["etc", "run", "home"] {
            let p = dir.path().join(sub);
            fs::create_dir(&p).map_err(io(format!("creating {}", p.display())))?;
            set_mode(&p, 0o755)?;
        }
        let setup = Setup {
            target: target.clone(),
            dir,
            port: free_port()?,
            users: Vec::new(),
            anonymous: None,
            body: String::new(),
            server_name: "testkit".to_string(),
            auth_order: "mod_auth_file.c".to_string(),
            env: Vec::new(),
            hello: Vec::new(),
        };
        setup.write_auth_files()?;
        Ok(setup)
    }

    /// Sets an environment variable for the daemon (e.g. a debug-build test override).
    pub fn env(&mut self, key: &str, value: &str) -> &mut Setup {
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    /// Bytes the harness's readiness check sends before it reads the greeting (a PROXY
    /// protocol header, when the daemon expects one on every connection).
    pub fn hello(&mut self, bytes: &[u8]) -> &mut Setup {
        self.hello = bytes.to_vec();
        self
    }

    /// The subject and its binary.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// The temp dir holding everything of this server.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The port written into the config.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The loopback address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.port))
    }

    /// Path of the generated proftpd.conf.
    pub fn conf_path(&self) -> PathBuf {
        self.dir().join("etc/proftpd.conf")
    }

    /// Path of the PidFile named in the config.
    pub fn pid_file(&self) -> PathBuf {
        self.dir().join("run/oxftpd.pid")
    }

    /// The users added so far.
    pub fn users(&self) -> &[TestUser] {
        &self.users
    }

    /// Sets `ServerName` (default `testkit`).
    pub fn server_name(&mut self, name: &str) -> &mut Setup {
        self.server_name = name.to_string();
        self
    }

    /// Sets the preamble's `AuthOrder` (default `mod_auth_file.c`); ProFTPD refuses a second
    /// `AuthOrder`, so tests change this one instead of adding their own.
    pub fn auth_order(&mut self, order: &str) -> &mut Setup {
        self.auth_order = order.to_string();
        self
    }

    /// Appends config lines after the common preamble.
    pub fn config(&mut self, body: &str) -> &mut Setup {
        self.body.push_str(body);
        if !body.ends_with('\n') {
            self.body.push('\n');
        }
        self
    }

    /// Adds a user (next free uid from 60001, group `ftpusers` 60001) with a home
    /// `home/NAME` owned by that uid.
    pub fn add_user(&mut self, name: &str, password: &str) -> Result<TestUser> {
        let uid = FIRST_UID + self.users.len() as u32;
        let home = self.dir().join("home").join(name);
        fs::create_dir(&home).map_err(io(format!("creating {}", home.display())))?;
        set_mode(&home, 0o755)?;
        chown_if_root(&home, uid, USERS_GROUP.1)?;
        let user = TestUser {
            name: name.to_string(),
            password: password.to_string(),
            uid,
            gid: USERS_GROUP.1,
            home,
        };
        self.users.push(user.clone());
        self.write_auth_files()?;
        Ok(user)
    }

    /// Adds a read-only anonymous area (`anonymous` aliased to `ftp`, any password) and
    /// returns its directory (root-owned, 0755).
    pub fn anonymous(&mut self) -> Result<PathBuf> {
        let anon = self.dir().join("anon");
        fs::create_dir(&anon).map_err(io(format!("creating {}", anon.display())))?;
        set_mode(&anon, 0o755)?;
        self.anonymous = Some(anon.clone());
        self.write_auth_files()?;
        Ok(anon)
    }

    /// The full config text: preamble, anonymous section, then the test's body.
    pub fn config_text(&self) -> String {
        let d = self.dir().display().to_string();
        let mut c = String::new();
        let _ = writeln!(
            c,
            "# generated by oxftpd-testkit for {subject}\n\
             ServerName \"{name}\"\n\
             ServerType standalone\n\
             DefaultAddress 127.0.0.1\n\
             SocketBindTight on\n\
             UseIPv6 off\n\
             PidFile {d}/run/oxftpd.pid\n\
             ScoreboardFile {d}/run/oxftpd.scoreboard\n\
             UseReverseDNS off\n\
             AuthOrder {auth_order}\n\
             AuthUserFile {d}/etc/passwd\n\
             AuthGroupFile {d}/etc/group\n\
             DefaultRoot ~",
            subject = self.target.subject.name(),
            name = self.server_name,
            auth_order = self.auth_order,
        );
        // Defaults a test body may set itself: both daemons keep the first occurrence of these
        // in a context, so a default the body also sets at top level is commented out (TransferLog
        // whenever the body names it). Directives above whose last occurrence wins
        // (ServerName, SocketBindTight, UseReverseDNS) need no such care.
        let port = format!("Port {}", self.port);
        let defaults = [
            ("Port", port.as_str()),
            ("User", "User nobody"),
            ("Group", "Group nogroup"),
            ("WtmpLog", "WtmpLog off"),
            ("DelayEngine", "DelayEngine off"),
            ("TransferLog", "TransferLog none"),
            ("RequireValidShell", "RequireValidShell off"),
        ];
        for (directive, line) in defaults {
            let set_by_body = if directive == "TransferLog" {
                self.body.contains("TransferLog")
            } else {
                sets_at_top_level(&self.body, directive)
            };
            // A comment keeps the preamble's line count, which tests use to number body lines.
            if set_by_body {
                c.push_str("# (set by the test) ");
            }
            c.push_str(line);
            c.push('\n');
        }
        if let Some(anon) = &self.anonymous {
            let _ = write!(
                c,
                "<Anonymous {anon}>\n  User {user}\n  Group {group}\n  UserAlias anonymous {user}\n  \
                 RequireValidShell off\n  <Limit WRITE>\n    DenyAll\n  </Limit>\n</Anonymous>\n",
                anon = anon.display(),
                user = ANON.0,
                group = ANON_GROUP,
            );
        }
        c.push_str(&self.body);
        c
    }

    /// Writes the config file and returns its path.
    pub fn write_config(&self) -> Result<PathBuf> {
        let path = self.conf_path();
        write_file(&path, self.config_text().as_bytes(), 0o644)?;
        Ok(path)
    }

    /// Writes the config and runs `cmd` (the subject, or a wrapper in front of it) with
    /// `flag -c CONF`, stdin closed; its output.
    pub fn run_with_config(&self, mut cmd: Command, flag: &str) -> Result<Output> {
        let conf = self.write_config()?;
        cmd.arg(flag)
            .arg("-c")
            .arg(conf)
            .stdin(Stdio::null())
            .output()
            .map_err(io(format!("running {cmd:?}")))
    }

    /// The subject's configuration check (`-t -c CONF`) on this setup; its output.
    pub fn check_config(&self) -> Result<Output> {
        self.run_with_config(Command::new(&self.target().bin), "-t")
    }

    /// Picks a new free port (after a bind race) and rewrites nothing until the next write.
    pub(crate) fn repick_port(&mut self) -> Result<()> {
        self.port = free_port()?;
        Ok(())
    }

    /// The captured stdout and stderr of daemons run from this setup.
    pub fn log(&self) -> String {
        let read = |n: &str| fs::read_to_string(self.dir().join(n)).unwrap_or_default();
        format!(
            "[stdout]\n{}[stderr]\n{}",
            read("stdout.log"),
            read("stderr.log")
        )
    }

    pub(crate) fn log_files(&self) -> Result<(fs::File, fs::File)> {
        let open = |n: &str| {
            let p = self.dir().join(n);
            fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&p)
                .map_err(io(format!("opening {}", p.display())))
        };
        Ok((open("stdout.log")?, open("stderr.log")?))
    }

    fn write_auth_files(&self) -> Result<()> {
        let mut passwd = String::new();
        let mut members = Vec::new();
        for u in &self.users {
            let hash = sha512_crypt(&u.password, &u.name)?;
            let _ = writeln!(
                passwd,
                "{}:{}:{}:{}::{}:/bin/sh",
                u.name,
                hash,
                u.uid,
                u.gid,
                u.home.display()
            );
            members.push(u.name.as_str());
        }
        let mut group = format!(
            "{}:x:{}:{}\n",
            USERS_GROUP.0,
            USERS_GROUP.1,
            members.join(",")
        );
        if let Some(anon) = &self.anonymous {
            let _ = writeln!(
                passwd,
                "{}:*:{}:{}::{}:/bin/false",
                ANON.0,
                ANON.1,
                ANON.1,
                anon.display()
            );
            let _ = writeln!(group, "{}:x:{}:", ANON_GROUP, ANON.1);
        }
        write_file(&self.dir().join("etc/passwd"), passwd.as_bytes(), 0o600)?;
        write_file(&self.dir().join("etc/group"), group.as_bytes(), 0o600)
    }
}

/// A loopback port nobody listened on a moment ago.
pub fn free_port() -> Result<u16> {
    let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(io("binding 127.0.0.1:0"))?;
    let port = l.local_addr().map_err(io("reading the bound port"))?.port();
    Ok(port)
}

/// A SHA-512 crypt hash (`$6$`) of `password`, salted from `name`, made by `openssl passwd`.
fn sha512_crypt(password: &str, name: &str) -> Result<String> {
    let salt: String = format!("{name}saltsalt")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(16)
        .collect();
    let out = Command::new("openssl")
        .args(["passwd", "-6", "-salt", &salt, "-stdin"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            if let Some(mut stdin) = child.stdin.take() {
                stdin.write_all(password.as_bytes())?;
                stdin.write_all(b"\n")?;
            }
            child.wait_with_output()
        })
        .map_err(io("running openssl passwd"))?;
    let hash = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !out.status.success() || !hash.starts_with("$6$") {
        return Err(HarnessError::Tool {
            program: "openssl passwd -6".into(),
            detail: String::from_utf8_lossy(&out.stderr).into_owned(),
        });
    }
    Ok(hash)
}

fn write_file(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    fs::write(path, bytes).map_err(io(format!("writing {}", path.display())))?;
    set_mode(path, mode)
}

fn set_mode(path: &Path, mode: u32) -> Result<()> {
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .map_err(io(format!("chmod {mode:o} {}", path.display())))
}

/// Chowns when running as root; unprivileged runs keep their own uid on homes.
fn chown_if_root(path: &Path, uid: u32, gid: u32) -> Result<()> {
    if !rustix::process::geteuid().is_root() {
        return Ok(());
    }
    std::os::unix::fs::chown(path, Some(uid), Some(gid))
        .map_err(io(format!("chown {}", path.display())))
}

/// Whether `body` sets `directive` outside any section (`<IfModule>`/`<IfDefine>` count as outside).
fn sets_at_top_level(body: &str, directive: &str) -> bool {
    let mut depth = 0usize;
    for line in body.lines().map(str::trim) {
        let lower = line.to_ascii_lowercase();
        let transparent = lower.starts_with("<ifmodule") || lower.starts_with("<ifdefine");
        let transparent_end = lower.starts_with("</ifmodule") || lower.starts_with("</ifdefine");
        if lower.starts_with("</") {
            if !transparent_end {
                depth = depth.saturating_sub(1);
            }
        } else if lower.starts_with('<') {
            if !transparent {
                depth += 1;
            }
        } else if depth == 0 {
            let word = line.split_whitespace().next().unwrap_or("");
            if word.eq_ignore_ascii_case(directive) {
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Subject;

    fn target() -> Target {
        Target {
            subject: Subject::Proftpd,
            bin: PathBuf::from("/bin/false"),
        }
    }

    #[test]
    fn a_default_the_body_sets_at_top_level_is_commented_out() {
        let mut setup = Setup::new(&target()).expect("setup");
        setup.config(
            "<IfModule mod_auth.c>\nRequireValidShell on\n</IfModule>\n\
             <Anonymous /srv>\nWtmpLog on\n</Anonymous>\n",
        );
        let text = setup.config_text();
        assert!(
            text.contains("\n# (set by the test) RequireValidShell off\n"),
            "{text}"
        );
        assert!(text.contains("\nWtmpLog off\n"), "{text}");
        assert!(text.contains("\nDelayEngine off\n"), "{text}");
        assert!(text.contains("\nTransferLog none\n"), "{text}");
    }

    #[test]
    fn the_config_has_the_preamble_and_the_body() {
        let mut setup = Setup::new(&target()).expect("setup");
        setup.server_name("named").config("AllowOverwrite on");
        let text = setup.config_text();
        let d = setup.dir().display().to_string();
        assert!(
            text.contains(&format!("\nPort {}\n", setup.port())),
            "{text}"
        );
        assert!(text.contains("\nServerName \"named\"\n"), "{text}");
        assert!(
            text.contains(&format!("\nAuthUserFile {d}/etc/passwd\n")),
            "{text}"
        );
        assert!(
            text.contains(&format!("\nPidFile {d}/run/oxftpd.pid\n")),
            "{text}"
        );
        assert!(text.ends_with("AllowOverwrite on\n"), "{text}");
        let mode = fs::metadata(setup.dir())
            .expect("stat")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o755);
    }

    #[test]
    fn users_and_anonymous_go_to_the_auth_files() {
        let mut setup = Setup::new(&target()).expect("setup");
        let alice = setup.add_user("alice", "secret").expect("alice");
        let bob = setup.add_user("bob", "pw").expect("bob");
        setup.anonymous().expect("anonymous");
        assert_eq!((alice.uid, bob.uid, bob.gid), (60001, 60002, 60001));
        assert!(alice.home.is_dir());
        let passwd = fs::read_to_string(setup.dir().join("etc/passwd")).expect("passwd");
        let lines: Vec<&str> = passwd.lines().collect();
        assert_eq!(lines.len(), 3, "{passwd}");
        assert!(lines[0].starts_with("alice:$6$"), "{passwd}");
        assert!(
            lines[0].ends_with(&format!(":60001:60001::{}:/bin/sh", alice.home.display())),
            "{passwd}"
        );
        assert!(lines[2].starts_with("ftp:*:60099:60099::"), "{passwd}");
        let group = fs::read_to_string(setup.dir().join("etc/group")).expect("group");
        assert_eq!(group, "ftpusers:x:60001:alice,bob\nftpanon:x:60099:\n");
        assert!(setup.config_text().contains("UserAlias anonymous ftp"));
    }
}
