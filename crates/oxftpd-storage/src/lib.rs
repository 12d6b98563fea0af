//! oxftpd-storage: the jailed local filesystem with per-user credentials.
//!
//! Every operation runs on a worker of an [`FsPool`] that wears the session's
//! [`Credentials`] (fsuid, fsgid, supplementary groups) for the call, so the kernel
//! decides what the user may do. Every client path is resolved inside the session's
//! root with `openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)`, so neither `..` nor a
//! symbolic link leaves the root.
//!
//! The process umask is shared by all threads, so [`FsPool::new`] sets it to 0 and
//! every create passes `0o666 & !umask` / `0o777 & !umask` from the session's
//! credentials. Identity switching needs root; without it every call runs as the
//! process user ([`FsPool::switches_identity`] says which).

mod attrs;
mod claim;
mod credentials;
mod dir_stat;
mod error;
mod fs;
mod identity;
mod links;
mod metadata;
mod path;
mod pool;
mod read_dir;
mod replace;
mod resolve;
mod shared_root;

pub use credentials::Credentials;
pub use error::StorageError;
pub use fs::{Fs, Observer, WriteMode};
pub use links::FsStats;
pub use metadata::{Kind, Metadata};
pub use pool::{FsPool, SESSION_IN_FLIGHT};
pub use read_dir::{Batch, DirEntry, Entry, ReadDir};
pub use replace::{Existing, Replacement};
