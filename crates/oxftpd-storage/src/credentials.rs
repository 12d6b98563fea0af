//! The filesystem identity a session's operations run under.

use std::sync::Arc;

/// Filesystem identity of a session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    /// Filesystem user id.
    pub uid: u32,
    /// Filesystem (primary) group id.
    pub gid: u32,
    /// Supplementary group ids.
    pub groups: Arc<[u32]>,
    /// Permission bits removed from the mode of every created file.
    pub umask: u32,
    /// Permission bits removed from the mode of every created directory (`Umask`'s second value).
    pub dir_umask: u32,
}

impl Credentials {
    /// Credentials with the given ids and umask.
    pub fn new(uid: u32, gid: u32, groups: impl Into<Arc<[u32]>>, umask: u32) -> Self {
        Credentials {
            uid,
            gid,
            groups: groups.into(),
            umask: umask & 0o777,
            dir_umask: umask & 0o777,
        }
    }

    /// Whether `other` names the same kernel identity (umask aside).
    pub(crate) fn same_identity(&self, other: &Credentials) -> bool {
        self.uid == other.uid
            && self.gid == other.gid
            && (Arc::ptr_eq(&self.groups, &other.groups) || self.groups == other.groups)
    }

    /// The mode for a new regular file: `0o666` less the umask.
    pub(crate) fn file_mode(&self) -> u32 {
        0o666 & !self.umask
    }

    /// The mode for a new directory: `0o777` less the umask.
    pub(crate) fn dir_mode(&self) -> u32 {
        0o777 & !self.dir_umask
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_follow_umask() {
        let c = Credentials::new(1, 1, vec![], 0o022);
        assert_eq!(c.file_mode(), 0o644);
        assert_eq!(c.dir_mode(), 0o755);
        let c = Credentials::new(1, 1, vec![], 0o077);
        assert_eq!(c.file_mode(), 0o600);
        assert_eq!(c.dir_mode(), 0o700);
        let c = Credentials {
            dir_umask: 0o077,
            ..Credentials::new(1, 1, vec![], 0o027)
        };
        assert_eq!(c.file_mode(), 0o640);
        assert_eq!(c.dir_mode(), 0o700);
    }

    #[test]
    fn identity_ignores_umask_and_compares_groups() {
        let a = Credentials::new(5, 6, vec![7, 8], 0o022);
        let b = Credentials::new(5, 6, vec![7, 8], 0o077);
        let c = Credentials::new(5, 6, vec![7], 0o022);
        assert!(a.same_identity(&b));
        assert!(!a.same_identity(&c));
    }
}
