//! A subject daemon started without `-n`: it forks into the background and the command
//! returns, as init scripts use it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::error::io;
use crate::process::{read_pid, terminate};
use crate::{HarnessError, Result, Setup};

/// How long the launching command may take to return.
const RETURN_DEADLINE: Duration = Duration::from_secs(10);

/// A daemonized subject; its PidFile's pid is stopped (SIGTERM, then SIGKILL) when dropped.
pub struct Detached {
    setup: Setup,
    /// How the launching command exited.
    pub status: ExitStatus,
    /// How long the launching command took to return.
    pub took: Duration,
}

impl Detached {
    /// Writes the config, runs `BIN -c CONF` and waits (bounded) for that command to return.
    pub fn launch(setup: Setup) -> Result<Detached> {
        setup.write_config()?;
        let (out, err) = setup.log_files()?;
        let started = Instant::now();
        let mut child = Command::new(&setup.target.bin)
            .arg("-c")
            .arg(setup.conf_path())
            .current_dir(setup.dir())
            .envs(setup.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(io(format!("starting {}", setup.target.bin.display())))?;
        loop {
            if let Some(status) = child
                .try_wait()
                .map_err(io("waiting for the daemon launcher"))?
            {
                return Ok(Detached {
                    setup,
                    status,
                    took: started.elapsed(),
                });
            }
            if started.elapsed() > RETURN_DEADLINE {
                let _ = child.kill();
                let _ = child.wait();
                return Err(HarnessError::NotReady {
                    bin: setup.target.bin.clone(),
                    port: setup.port(),
                    secs: RETURN_DEADLINE.as_secs(),
                    log: setup.log(),
                });
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The setup it was launched from.
    pub fn setup(&self) -> &Setup {
        &self.setup
    }

    /// Mutable access, to change the config before a SIGHUP.
    pub fn setup_mut(&mut self) -> &mut Setup {
        &mut self.setup
    }

    /// The daemon's loopback address.
    pub fn addr(&self) -> SocketAddr {
        self.setup.addr()
    }

    /// The PidFile path.
    pub fn pid_file(&self) -> PathBuf {
        self.setup.pid_file()
    }

    /// The pid in the PidFile, if written.
    pub fn pid(&self) -> Option<i32> {
        read_pid(&self.pid_file())
    }

    /// The daemon's captured output.
    pub fn log(&self) -> String {
        self.setup.log()
    }
}

impl Drop for Detached {
    fn drop(&mut self) {
        if let Some(pid) = self.pid() {
            terminate(pid, Duration::from_secs(5));
        }
        if std::thread::panicking() {
            eprintln!(
                "--- {} output ---\n{}",
                self.setup.target.subject.name(),
                self.log()
            );
        }
    }
}
