//! The `fstatat` calls of one listing batch, on names kept NUL-terminated in one buffer.

use std::ffi::CStr;

use rustix::fd::OwnedFd;
use rustix::fs::{AtFlags, statat};

use crate::Metadata;

/// Names of a batch, each NUL-terminated, in one buffer.
pub(crate) struct Names {
    bytes: Vec<u8>,
    starts: Vec<u32>,
}

impl Names {
    /// Room for about `n` names.
    pub(crate) fn with_capacity(n: usize) -> Self {
        Names {
            bytes: Vec::with_capacity(n * 12),
            starts: Vec::with_capacity(n),
        }
    }

    /// Adds a name (without its NUL).
    pub(crate) fn push(&mut self, name: &[u8]) {
        self.starts.push(self.bytes.len() as u32);
        self.bytes.extend_from_slice(name);
        self.bytes.push(0);
    }

    /// The names in order.
    fn iter(&self) -> impl Iterator<Item = &CStr> + '_ {
        self.starts.iter().map(|start| {
            self.bytes
                .get(*start as usize..)
                .and_then(|b| CStr::from_bytes_until_nul(b).ok())
                .unwrap_or_default()
        })
    }
}

/// The attributes of every name in the directory `fd`, not following symbolic links, in the
/// names' order; `None` for a name that vanished or cannot be stat'ed.
pub(crate) fn stat_all(fd: &OwnedFd, names: &Names) -> Vec<Option<Metadata>> {
    names
        .iter()
        .map(|name| {
            statat(fd, name, AtFlags::SYMLINK_NOFOLLOW)
                .ok()
                .map(Metadata::from)
        })
        .collect()
}
