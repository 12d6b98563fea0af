//! mod_rlimit's `RLimitCPU`, `RLimitMemory` and `RLimitOpenFiles`, set on the daemon's
//! process at start-up (while still root, so a hard limit may be raised); a limit the kernel
//! refuses is logged and the daemon goes on, as ProFTPD does.

use oxftpd_config::modules::mod_rlimit::{Limit, Resource, limits};
use rustix::process::{Rlimit, setrlimit};
use tracing::{debug, error};

/// Sets every configured limit on this process.
pub fn apply(config: &oxftpd_config::Config) {
    for limit in limits(config) {
        set(limit);
    }
}

fn set(limit: Limit) {
    let (resource, what) = match limit.resource {
        Resource::Cpu => (rustix::process::Resource::Cpu, "CPU"),
        Resource::Memory => (rustix::process::Resource::As, "memory"),
        Resource::OpenFiles => (rustix::process::Resource::Nofile, "file"),
    };
    let wanted = Rlimit {
        current: limit.soft,
        maximum: limit.hard,
    };
    match setrlimit(resource, wanted) {
        Ok(()) => debug!("set {what} resource limits for daemon"),
        Err(e) => error!("error setting {what} resource limits: {e}"),
    }
}
