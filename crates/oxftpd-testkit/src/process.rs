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
            Some(i) => !matches!(stat[i + 1..].trim_start().chars().next(), Some('Z' | 'X') | None),
            None => false,
        },
        Err(_) => false,
    }
}

/// The pid written in a PidFile, if it holds one.
pub fn read_pid(path: &Path) -> Option<i32> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok().filter(|p| *p > 0)
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
