//! The trait every identity provider implements.

use crate::{Flow, Identity};

/// One identity source in an `AuthOrder` chain (a ProFTPD auth module).
///
/// Methods are synchronous and may block (file reads, NSS, crypt): call them
/// off the async worker threads.
pub trait AuthProvider: Send + Sync {
    /// The ProFTPD module name this provider answers to in `AuthOrder`, e.g. `mod_auth_file.c`.
    fn module(&self) -> &'static str;

    /// Checks `password` for `user`: `Continue` if the user is unknown here.
    fn authenticate(&self, user: &str, password: &str) -> Flow<Identity>;

    /// Looks `user` up without a password (anonymous mapping, `~user` expansion).
    fn lookup(&self, user: &str) -> Flow<Identity>;

    /// Whether this provider takes part in look-ups at all (ProFTPD: whether the module has
    /// `getpwnam`-style handlers). One that only checks passwords (mod_auth_otp) is passed by
    /// in look-ups even when it is authoritative.
    fn answers_lookups(&self) -> bool {
        true
    }

    /// The name of user id `uid`, if this provider knows it.
    fn user_name(&self, uid: u32) -> Option<String>;

    /// The name of group id `gid`, if this provider knows it.
    fn group_name(&self, gid: u32) -> Option<String>;

    /// The id of group `name`, if this provider knows it.
    fn group_id(&self, name: &str) -> Option<u32>;

    /// The id of user `name`, if this provider knows it.
    fn user_id(&self, name: &str) -> Option<u32>;
}
