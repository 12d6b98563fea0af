//! A subject daemon running in the foreground (`-n -c FILE`) for one test.

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use oxftpd_client::Client;

use crate::error::io;
use crate::process::terminate;
use crate::{HarnessError, Result, Setup, Target};

/// How long a daemon gets to greet after it was started.
pub(crate) const READY_DEADLINE: Duration = Duration::from_secs(10);
/// How long a daemon gets between SIGTERM and SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(5);
/// Attempts when the daemon dies at start (a port race with another test).
const START_ATTEMPTS: usize = 3;

/// A running subject daemon; stopped (SIGTERM, then SIGKILL) when dropped. Its output is
/// printed if the test is panicking.
pub struct TestServer {
    setup: Setup,
    child: Option<Child>,
}

impl TestServer {
    /// Writes the config and starts the daemon in the foreground; returns once it greets.
    pub fn start(mut setup: Setup) -> Result<TestServer> {
        let mut attempt = 1;
        loop {
            setup.write_config()?;
            let (out, err) = setup.log_files()?;
            let mut child = Command::new(&setup.target.bin)
                .arg("-n")
                .arg("-c")
                .arg(setup.conf_path())
                .current_dir(setup.dir())
                .envs(setup.env.iter().map(|(k, v)| (k, v)))
                .stdin(Stdio::null())
                .stdout(out)
                .stderr(err)
                .spawn()
                .map_err(io(format!("starting {}", setup.target.bin.display())))?;
            match wait_ready(&setup, &mut child) {
                Ok(()) => {
                    return Ok(TestServer {
                        setup,
                        child: Some(child),
                    });
                }
                Err(HarnessError::Exited { .. }) if attempt < START_ATTEMPTS => {
                    attempt += 1;
                    setup.repick_port()?;
                }
                Err(e) => {
                    stop_child(&mut child);
                    return Err(e);
                }
            }
        }
    }

    /// Starts `target` with the common preamble plus `body` and no users.
    pub fn with_config(target: &Target, body: &str) -> Result<TestServer> {
        let mut setup = Setup::new(target)?;
        setup.config(body);
        TestServer::start(setup)
    }

    /// The port the daemon listens on.
    pub fn port(&self) -> u16 {
        self.setup.port()
    }

    /// The daemon's loopback address.
    pub fn addr(&self) -> SocketAddr {
        self.setup.addr()
    }

    /// The test's temp dir.
    pub fn dir(&self) -> &Path {
        self.setup.dir()
    }

    /// The subject and its binary.
    pub fn target(&self) -> &Target {
        self.setup.target()
    }

    /// The setup this server was started from.
    pub fn setup(&self) -> &Setup {
        &self.setup
    }

    /// The daemon's process id.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// The daemon's captured stdout and stderr so far.
    pub fn log(&self) -> String {
        self.setup.log()
    }

    /// A new client connected to the daemon (greeting read).
    pub async fn client(&self) -> Result<Client> {
        Ok(Client::connect(self.addr()).await?)
    }

    /// A new client logged in as `user`.
    pub async fn login(&self, user: &str, pass: &str) -> Result<Client> {
        let mut c = self.client().await?;
        c.login(user, pass).await?;
        Ok(c)
    }

    /// Stops the daemon now (SIGTERM, then SIGKILL).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            stop_child(&mut child);
        }
    }
}

/// Waits until the daemon greets, it exits, or the deadline passes.
fn wait_ready(setup: &Setup, child: &mut Child) -> Result<()> {
    let bin = setup.target.bin.clone();
    let deadline = Instant::now() + READY_DEADLINE;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(HarnessError::Exited {
                bin,
                status: status.to_string(),
                log: setup.log(),
            });
        }
        if greets(setup.addr(), &setup.hello) {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(HarnessError::NotReady {
                bin,
                port: setup.port(),
                secs: READY_DEADLINE.as_secs(),
                log: setup.log(),
            });
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

fn stop_child(child: &mut Child) {
    if let Ok(pid) = i32::try_from(child.id()) {
        terminate(pid, STOP_GRACE);
    }
    let _ = child.kill();
    let _ = child.wait();
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop();
        if std::thread::panicking() {
            eprintln!(
                "--- {} output ({}) ---\n{}",
                self.setup.target.subject.name(),
                self.setup.conf_path().display(),
                self.log()
            );
        }
    }
}

/// True once something at `addr` sends a line starting with `220`.
pub(crate) fn greets(addr: SocketAddr, hello: &[u8]) -> bool {
    first_line_after(addr, hello).is_some_and(|l| l.starts_with("220"))
}

/// The first line a fresh connection to `addr` receives, if any within a second.
pub fn first_line(addr: SocketAddr) -> Option<String> {
    first_line_after(addr, &[])
}

/// The first line a fresh connection to `addr` receives after sending `hello`, if any within
/// a second.
pub fn first_line_after(addr: SocketAddr, hello: &[u8]) -> Option<String> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_millis(500)).ok()?;
    if !hello.is_empty() {
        std::io::Write::write_all(&mut stream, hello).ok()?;
    }
    stream.set_read_timeout(Some(Duration::from_secs(1))).ok()?;
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line).ok()?;
    Some(line.trim_end().to_string())
}
