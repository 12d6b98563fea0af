//! The kernel's guard past credentials: once the sockets are bound and the logs open, the
//! daemon confines itself with Landlock to the paths its configuration serves, logs to and
//! reads ([`policy`]), and refuses dangerous system calls with seccomp ([`seccomp`]).
//! Both are on by default; `SandboxLandlock off` / `SandboxSeccomp off` turn them off.
//!
//! Landlock binds the calling thread and what it starts, so [`apply`] runs on the main
//! thread before the filesystem pool and the runtime start their threads. A reload cannot
//! widen it: a root or log directory added by a reload needs a restart (an upgrade keeps the
//! old process's domain too, and stacks its own).

pub mod landlock;
pub mod policy;
mod probe;
pub mod seccomp;

use oxftpd_config::Config;
use oxftpd_config::modules::mod_core::Daemon;
use tracing::{info, warn};

use policy::Policy;

/// What [`apply`] did, for the log and the tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    /// Landlock is enforced.
    pub landlock: bool,
    /// The seccomp filter is installed.
    pub seccomp: bool,
}

/// Confines the process as `config` says, logging what it did and why not.
pub fn apply(config: &Config) -> Applied {
    let daemon = Daemon::of(config);
    let mut applied = Applied {
        landlock: false,
        seccomp: false,
    };
    if !daemon.sandbox_landlock {
        info!("sandbox: Landlock off (SandboxLandlock off)");
    } else if landlock::kernel_abi().is_none() {
        warn!(
            "sandbox: this kernel has no Landlock (not built in, or not in the lsm= boot list): \
             paths are confined by the jail only"
        );
    } else {
        let binary = std::env::current_exe().ok();
        let mut policy = Policy::of(config, binary.as_deref());
        // ftpshut's file appears and goes while the daemon runs: its directory is read.
        if let Some(dir) = oxftpd_server::shutmsg::path().parent() {
            policy.read.push(dir.to_path_buf());
        }
        // Files the daemon writes without a directive naming them: wtmp, the default PidFile
        // (removed at exit).
        policy
            .write
            .push(oxftpd_server::modules::mod_auth::wtmp::wtmp_file());
        if daemon.pid_file.is_none()
            && let Some(dir) = crate::daemon::default_pid_file().parent()
        {
            policy.write.push(dir.to_path_buf());
        }
        if let Some(why) = &policy.unconfined {
            warn!("sandbox: Landlock not applied: {why} (set DefaultRoot to confine the daemon)");
        } else {
            match landlock::restrict(&policy) {
                Ok(status) => {
                    applied.landlock = status != ::landlock::RulesetStatus::NotEnforced;
                    info!(
                        served_and_written = ?policy.write,
                        "sandbox: Landlock {status:?}: {} writable and {} readable trees",
                        policy.write.len(),
                        policy.read.len()
                    );
                }
                Err(e) => warn!("sandbox: Landlock not applied: {e}"),
            }
        }
    }
    if !daemon.sandbox_seccomp {
        info!("sandbox: seccomp off (SandboxSeccomp off)");
    } else if !seccomp::available() {
        warn!("sandbox: this kernel has no seccomp filters: system calls are not restricted");
    } else {
        match seccomp::install() {
            Ok(n) => {
                applied.seccomp = true;
                info!(
                    "sandbox: seccomp filter refuses {n} system calls (ptrace, mount, bpf, kexec, module loading, …)"
                );
            }
            Err(e) => warn!("sandbox: seccomp filter not installed: {e}"),
        }
    }
    probe::run_if_asked();
    applied
}

/// `-V`'s lines on what this kernel offers.
pub fn features() -> String {
    let landlock = match landlock::kernel_abi() {
        Some(abi) => format!("+ Landlock (kernel ABI {abi})"),
        None => "- Landlock (not offered by this kernel)".to_string(),
    };
    let seccomp = if seccomp::available() {
        "+ seccomp filter"
    } else {
        "- seccomp filter (not offered by this kernel)"
    };
    format!("\n  Sandbox (SandboxLandlock, SandboxSeccomp):\n    {landlock}\n    {seccomp}\n")
}
