//! External client programs (curl, python3, lftp) the interop tests drive: whether one is
//! installed, and running one that must succeed.

use std::path::Path;
use std::process::{Command, Output};

/// True when `tool` runs; otherwise notes the skip (or fails under `OXFTPD_REQUIRE_CLIENTS=1`).
pub fn have(tool: &str) -> bool {
    let found = Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("OXFTPD_REQUIRE_CLIENTS").as_deref() != Ok("1"),
            "{tool} is required (OXFTPD_REQUIRE_CLIENTS=1) but not installed"
        );
        eprintln!("note: skipped, {tool} is not installed");
    }
    found
}

/// Runs `cmd` and returns its output; panics when it cannot start.
fn output(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("running {cmd:?}: {e}"))
}

/// Runs `cmd` and returns its output; panics, showing both streams, unless it succeeds.
pub fn run_ok(cmd: &mut Command) -> Output {
    let out = output(cmd);
    assert!(
        out.status.success(),
        "{cmd:?} failed ({})\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `path` as a command-line argument (test paths are UTF-8).
pub fn path_arg(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}
