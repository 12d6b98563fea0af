//! What the `sftp_*` tests share: a subject with a mod_sftp `<VirtualHost>` on a port of its
//! own (as ProFTPD's mod_sftp docs write it), user alice (password `secret`) with an Ed25519
//! key in `~/.sftp/authorized_keys` (RFC 4716, the format ProFTPD reads), and OpenSSH's
//! `sftp`/`scp` driven with `-b` batches (key) or through `sshpass` (password).

#![allow(dead_code)]

use std::io::Write;
use std::net::TcpStream;
use std::os::unix::fs::{PermissionsExt, chown};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use oxftpd_testkit::tools::{have, path_arg, run_ok};
use oxftpd_testkit::{Setup, TestServer, TestUser};

/// A running subject with an SFTP virtual host.
pub struct SftpServer {
    /// The daemon.
    pub server: TestServer,
    /// The SSH port.
    pub port: u16,
    /// alice.
    pub alice: TestUser,
    /// alice's private key.
    pub key: PathBuf,
}

/// Whether the OpenSSH tools the tests drive (and sshpass) are installed: a note and `false`
/// if not, a failure under `OXFTPD_REQUIRE_CLIENTS=1`.
pub fn have_clients() -> bool {
    let runs = |tool: &str, arg: &str| Command::new(tool).arg(arg).output().is_ok();
    for (tool, arg) in [
        ("sshpass", "-V"),
        ("sftp", "-h"),
        ("scp", "-h"),
        ("ssh-keygen", "-?"),
    ] {
        if !runs(tool, arg) {
            // Reports the skip (or fails when clients are required).
            return have(tool);
        }
    }
    true
}

/// True when python3's paramiko imports (Debian's `python3-paramiko`, run with
/// `/usr/bin/python3`); otherwise notes the skip, or fails under `OXFTPD_REQUIRE_CLIENTS=1`.
pub fn have_paramiko() -> bool {
    let found = Command::new("/usr/bin/python3")
        .args(["-c", "import paramiko"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("OXFTPD_REQUIRE_CLIENTS").as_deref() != Ok("1"),
            "python3-paramiko is required (OXFTPD_REQUIRE_CLIENTS=1) but not installed"
        );
        eprintln!("note: skipped, python3-paramiko is not installed");
    }
    found
}

/// Makes a key pair at `path` (`ssh-keygen -t kind`, extra arguments such as `-m PEM`).
pub fn keygen(path: &Path, kind: &str, extra: &[&str]) {
    run_ok(
        Command::new("ssh-keygen")
            .args(["-q", "-N", "", "-t", kind, "-f", path_arg(path)])
            .args(extra),
    );
}

/// Starts a subject whose `<VirtualHost 127.0.0.1>` on a free port has `SFTPEngine on` and
/// `extra` (more directives, `<Directory>` blocks; `LOGDIR` stands for the test's directory)
/// inside. `prepare` may add users and files before the daemon starts.
pub fn start(extra: &str, prepare: impl FnOnce(&mut Setup, &TestUser)) -> SftpServer {
    let target = oxftpd_testkit::target!();
    start_with(&target, |setup, alice| {
        prepare(setup, alice);
        extra.to_string()
    })
}

/// Like [`start`], with the extra directives given by `prepare` once alice exists.
pub fn start_with(
    target: &oxftpd_testkit::Target,
    prepare: impl FnOnce(&mut Setup, &TestUser) -> String,
) -> SftpServer {
    let mut setup = Setup::new(target).expect("setup");
    let alice = setup.add_user("alice", "secret").expect("alice");
    let d = setup.dir().to_path_buf();
    keygen(&d.join("host_ed25519"), "ed25519", &[]);
    keygen(&d.join("host_rsa"), "rsa", &["-b", "2048", "-m", "PEM"]);
    let key = d.join("alice_ed25519");
    keygen(&key, "ed25519", &[]);
    authorize(&alice, &key);
    let extra = prepare(&mut setup, &alice).replace("LOGDIR", &d.display().to_string());
    let port = oxftpd_testkit::free_port().expect("free port");
    let ds = d.display();
    // The test's own host keys replace the default ones.
    let host_keys = if extra.contains("SFTPHostKey") {
        String::new()
    } else {
        format!("SFTPHostKey {ds}/host_ed25519\nSFTPHostKey {ds}/host_rsa\n")
    };
    // The test's own SFTPAuthMethods replaces the default (the first occurrence would win).
    let methods = if extra.contains("SFTPAuthMethods") {
        ""
    } else {
        "SFTPAuthMethods publickey password"
    };
    // The test's own AuthOrder replaces the default.
    let auth_order = if extra.contains("AuthOrder") {
        ""
    } else {
        "AuthOrder mod_auth_file.c"
    };
    // The test's own SFTPAuthorizedUserKeys replaces the default.
    let user_keys = if extra.contains("SFTPAuthorizedUserKeys") {
        ""
    } else {
        "SFTPAuthorizedUserKeys file:~/.sftp/authorized_keys"
    };
    // mod_sftp_sql needs mod_sql and its SQLite backend loaded first (ProFTPD's DSOs).
    let sql_modules = if extra.contains("SQLConnectInfo") {
        "LoadModule mod_sql.c\nLoadModule mod_sql_sqlite.c\n"
    } else {
        ""
    };
    let sftp_sql = match (extra.contains("sql:/"), extra.contains("SFTPPAMEngine")) {
        (true, _) => "LoadModule mod_sftp_sql.c\n",
        (_, true) => "LoadModule mod_sftp_pam.c\n",
        _ => "",
    };
    // A test that needs mod_sftp's main-server directives loads it itself, before them.
    let sftp = if setup.config_text().contains("LoadModule mod_sftp.c") {
        ""
    } else {
        "LoadModule mod_sftp.c\n"
    };
    setup.config(&format!(
        "<IfModule mod_dso.c>\n{sql_modules}{sftp}{sftp_sql}</IfModule>\n\
         <VirtualHost 127.0.0.1>\n\
         Port {port}\n\
         SFTPEngine on\n\
         {host_keys}\
         {methods}\n\
         {user_keys}\n\
         SFTPLog {ds}/sftp.log\n\
         {auth_order}\n\
         AuthUserFile {ds}/etc/passwd\n\
         AuthGroupFile {ds}/etc/group\n\
         RequireValidShell off\n\
         DefaultRoot ~\n\
         AllowOverwrite on\n\
         {extra}\n\
         </VirtualHost>\n"
    ));
    let server = TestServer::start(setup).unwrap_or_else(|e| panic!("start: {e}"));
    wait_ssh(port, &server);
    SftpServer {
        server,
        port,
        alice,
        key,
    }
}

/// Puts the public half of `key` in the user's `~/.sftp/authorized_keys` (RFC 4716), owned
/// by the user, as sshd and mod_sftp want it.
pub fn authorize(user: &TestUser, key: &Path) {
    let dir = user.home.join(".sftp");
    std::fs::create_dir_all(&dir).expect("~/.sftp");
    let pubkey = format!("{}.pub", key.display());
    let rfc4716 = run_ok(Command::new("ssh-keygen").args(["-e", "-f", &pubkey])).stdout;
    let file = dir.join("authorized_keys");
    std::fs::write(&file, rfc4716).expect("authorized_keys");
    for (p, mode) in [(&dir, 0o700), (&file, 0o600)] {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).expect("mode");
        chown(p, Some(user.uid), Some(user.gid)).expect("chown");
    }
}

/// Waits (bounded) until the SSH port answers with its identification line.
fn wait_ssh(port: u16, server: &TestServer) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
            let mut buf = [0u8; 4];
            if std::io::Read::read_exact(&mut s, &mut buf).is_ok() && &buf == b"SSH-" {
                return;
            }
        }
        assert!(
            Instant::now() < deadline,
            "no SSH banner on port {port}; log:\n{}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// OpenSSH options every run uses: no host key bookkeeping, quiet, bounded.
pub fn common_opts(port: u16) -> Vec<String> {
    [
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-o",
        "LogLevel=ERROR",
        "-o",
        "ConnectTimeout=10",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain(["-P".to_string(), port.to_string()])
    .collect()
}

/// How the client logs in.
pub enum Auth<'a> {
    /// With this private key (`BatchMode`).
    Key(&'a Path),
    /// With this password through `sshpass` (no key offered).
    Password(&'a str),
}

impl SftpServer {
    /// Runs `sftp -b -` with `batch` on its standard input, in `cwd`; the output is returned
    /// whatever the exit status.
    pub fn sftp(&self, auth: Auth<'_>, batch: &str, cwd: &Path) -> Output {
        let mut cmd = match auth {
            Auth::Key(key) => {
                let mut c = Command::new("sftp");
                c.args(["-o", "BatchMode=yes", "-i", path_arg(key)]);
                c
            }
            Auth::Password(pw) => {
                let mut c = Command::new("sshpass");
                c.args(["-p", pw, "sftp", "-o", "BatchMode=no"]);
                c.args(["-o", "PubkeyAuthentication=no"]);
                c
            }
        };
        cmd.args(common_opts(self.port))
            .args(["-b", "-", "alice@127.0.0.1"])
            .current_dir(cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("sftp");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(batch.as_bytes())
            .expect("batch");
        child.wait_with_output().expect("sftp output")
    }

    /// Runs `scp` with `args` (after the common options and the key) in `cwd`.
    pub fn scp(&self, args: &[&str], cwd: &Path) -> Output {
        let mut opts = common_opts(self.port);
        // scp names the port with -P too.
        opts.extend(["-o".into(), "BatchMode=yes".into()]);
        Command::new("scp")
            .args(&opts)
            .args(["-i", path_arg(&self.key)])
            .args(args)
            .current_dir(cwd)
            .output()
            .expect("scp")
    }

    /// A scratch directory of the test (the client's side).
    pub fn local(&self, name: &str) -> PathBuf {
        let p = self.server.dir().join(name);
        std::fs::create_dir_all(&p).expect("local dir");
        p
    }
}

/// Both streams of a client run, for assertion messages.
pub fn shown(out: &Output) -> String {
    format!(
        "status {}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
