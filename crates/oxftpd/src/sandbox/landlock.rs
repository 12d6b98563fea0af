//! Landlock: the kernel refuses every path outside the [`Policy`], whatever the daemon's
//! own checks say.

use landlock::{
    ABI, Access, AccessFs, CompatLevel, Compatible, PathBeneath, PathFd, Ruleset, RulesetAttr,
    RulesetCreatedAttr, RulesetStatus,
};

use super::policy::Policy;

/// The newest ABI this build asks for (file rights up to `Truncate` and `IoctlDev`).
const WANTED: ABI = ABI::V5;

/// The kernel's Landlock ABI, `None` when it has none (not built in, or not enabled at boot).
pub fn kernel_abi() -> Option<u8> {
    for (abi, n) in [
        (ABI::V6, 6),
        (ABI::V5, 5),
        (ABI::V4, 4),
        (ABI::V3, 3),
        (ABI::V2, 2),
        (ABI::V1, 1),
    ] {
        let created = Ruleset::default()
            .set_compatibility(CompatLevel::HardRequirement)
            .handle_access(AccessFs::from_all(abi))
            .and_then(|r| r.create());
        if created.is_ok() {
            return Some(n);
        }
    }
    None
}

/// Why Landlock was not applied.
#[derive(Debug, thiserror::Error)]
pub enum LandlockError {
    /// The ruleset could not be built or enforced.
    #[error("{0}")]
    Ruleset(#[from] landlock::RulesetError),
}

/// Restricts this thread (and every thread and process it starts from now on) to `policy`;
/// returns how much of it the kernel enforces.
pub fn restrict(policy: &Policy) -> Result<RulesetStatus, LandlockError> {
    let all = AccessFs::from_all(WANTED);
    let read = AccessFs::from_read(WANTED);
    let mut created = Ruleset::default().handle_access(all)?.create()?;
    for (paths, access) in [(&policy.read, read), (&policy.write, all)] {
        for path in paths {
            // A path that does not exist (yet) cannot be opened: it stays refused.
            let Ok(fd) = PathFd::new(path) else { continue };
            // A file takes file rights only.
            let access = if path.is_dir() {
                access
            } else {
                access & AccessFs::from_file(WANTED)
            };
            created = created.add_rule(PathBeneath::new(fd, access))?;
        }
    }
    Ok(created.restrict_self()?.ruleset)
}
