//! seccomp: system calls the daemon never makes and an attacker would want, refused with
//! `EPERM` in every thread.
//!
//! A deny-list, not an allow-list: PAM modules, NSS, TLS, database clients and the
//! upgrade's re-exec make system calls this build cannot list with certainty, and a missing
//! one would break logins; what is refused here no FTP daemon needs.

use std::collections::BTreeMap;

use seccompiler::{BpfProgram, SeccompAction, SeccompFilter, TargetArch};

/// The refused system calls.
fn denied() -> Vec<i64> {
    let mut v = vec![
        libc::SYS_ptrace,
        libc::SYS_process_vm_readv,
        libc::SYS_process_vm_writev,
        libc::SYS_kexec_load,
        libc::SYS_kexec_file_load,
        libc::SYS_mount,
        libc::SYS_umount2,
        libc::SYS_pivot_root,
        libc::SYS_move_mount,
        libc::SYS_open_tree,
        libc::SYS_fsopen,
        libc::SYS_fsmount,
        libc::SYS_fspick,
        libc::SYS_bpf,
        libc::SYS_init_module,
        libc::SYS_finit_module,
        libc::SYS_delete_module,
        libc::SYS_reboot,
        libc::SYS_swapon,
        libc::SYS_swapoff,
        libc::SYS_perf_event_open,
        libc::SYS_userfaultfd,
        libc::SYS_open_by_handle_at,
        libc::SYS_acct,
        libc::SYS_settimeofday,
        libc::SYS_clock_settime,
        libc::SYS_clock_adjtime,
        libc::SYS_adjtimex,
        libc::SYS_quotactl,
        libc::SYS_setns,
    ];
    #[cfg(target_arch = "x86_64")]
    v.extend([libc::SYS_iopl, libc::SYS_ioperm]);
    v
}

/// Whether the kernel offers seccomp filters (`Seccomp:` in /proc/self/status).
pub fn available() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|s| s.contains("\nSeccomp:"))
}

/// Why the filter was not installed.
#[derive(Debug, thiserror::Error)]
pub enum SeccompError {
    /// No filter for this architecture, or the filter could not be built.
    #[error("{0}")]
    Build(String),
    /// The kernel refused the filter.
    #[error("{0}")]
    Install(#[from] seccompiler::Error),
}

/// Installs the filter in every thread of the process (and what they start).
pub fn install() -> Result<usize, SeccompError> {
    let arch = TargetArch::try_from(std::env::consts::ARCH)
        .map_err(|e| SeccompError::Build(format!("{e:?}")))?;
    let calls = denied();
    let rules: BTreeMap<i64, Vec<seccompiler::SeccompRule>> =
        calls.iter().map(|&n| (n, Vec::new())).collect();
    let filter = SeccompFilter::new(
        rules,
        SeccompAction::Allow,
        SeccompAction::Errno(libc::EPERM as u32),
        arch,
    )
    .map_err(|e| SeccompError::Build(e.to_string()))?;
    let program: BpfProgram = filter
        .try_into()
        .map_err(|e: seccompiler::BackendError| SeccompError::Build(e.to_string()))?;
    seccompiler::apply_filter_all_threads(&program)?;
    Ok(calls.len())
}
