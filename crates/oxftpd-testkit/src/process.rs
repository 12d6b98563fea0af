//! Signals and pid checks for the daemons the harness starts.

use std::path::Path;
use std::time::{Duration, Instant};

use rustix::process::{Pid, Signal};

/// Sends `sig` to `pid`; false if there is no such process.
pub fn signal(pid: i32, sig: Signal) -> bool {
    match Pid::from_raw(pid) {
        Some(p) => rustix::process::kill_process(p, sig).is_ok(),
        None => false,
    }
}

/// True when `pid` names a running (not zombie) process.
pub fn pid_alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the parenthesised command name.
        Ok(stat) => match stat.rfind(')') {
            Some(i) => !matches!(
                stat[i + 1..].trim_start().chars().next(),
                Some('Z' | 'X') | None
            ),
            None => false,
        },
        Err(_) => false,
    }
}

/// The pid written in a PidFile, if it holds one.
pub fn read_pid(path: &Path) -> Option<i32> {
    std::fs::read_to_string(path)
        .ok()?
        .trim()
        .parse()
        .ok()
        .filter(|p| *p > 0)
}

/// Polls `done` every 20 ms until it is true or `limit` passes; returns its last answer.
pub fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if done() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// SIGTERM, then SIGKILL if `pid` still runs after `grace`.
pub fn terminate(pid: i32, grace: Duration) {
    if !pid_alive(pid) {
        return;
    }
    signal(pid, Signal::TERM);
    if !wait_until(grace, || !pid_alive(pid)) {
        signal(pid, Signal::KILL);
        wait_until(grace, || !pid_alive(pid));
    }
}

/// What a bounded run of a command produced.
#[derive(Debug, Clone)]
pub struct RunOutput {
    /// Exit code (`None` if killed by a signal).
    pub code: Option<i32>,
    /// Captured stdout.
    pub stdout: String,
    /// Captured stderr.
    pub stderr: String,
}

/// Runs `cmd` to completion with stdout/stderr captured to files, killing it after `limit`.
pub fn run_bounded(cmd: &mut std::process::Command, limit: Duration) -> crate::Result<RunOutput> {
    use crate::error::io;
    let out = tempfile::tempfile().map_err(io("creating a stdout capture file"))?;
    let err = tempfile::tempfile().map_err(io("creating a stderr capture file"))?;
    let mut child = cmd
        .stdin(std::process::Stdio::null())
        .stdout(out.try_clone().map_err(io("cloning a capture file"))?)
        .stderr(err.try_clone().map_err(io("cloning a capture file"))?)
        .spawn()
        .map_err(io(format!("running {cmd:?}")))?;
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().map_err(io("waiting for a command"))? {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(crate::HarnessError::Tool {
                program: format!("{cmd:?}"),
                detail: format!("still running after {limit:?}"),
            });
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Ok(RunOutput {
        code: status.code(),
        stdout: read_all(out)?,
        stderr: read_all(err)?,
    })
}

fn read_all(mut f: std::fs::File) -> crate::Result<String> {
    use std::io::{Read, Seek};
    let mut bytes = Vec::new();
    f.rewind()
        .and_then(|_| f.read_to_end(&mut bytes))
        .map_err(crate::error::io("reading a capture file"))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
