//! Identity providers for oxftpd, as ProFTPD's auth modules provide them.
//!
//! Each provider carries its ProFTPD module name (`mod_auth_file.c`,
//! `mod_auth_unix.c`) and answers with a [`Flow`]: "not mine, ask the next one"
//! or "this is my answer". An [`AuthChain`] walks the providers in `AuthOrder`
//! and stops at the first answer, or at an authoritative (`*`) provider.
//!
//! Password checks use the system's `crypt(3)` ([`crypt`]) and are CPU-heavy:
//! everything here is synchronous, and async callers run it on a blocking pool.

pub mod chain;
pub mod crypt;
pub mod entries;
mod error;
pub mod file_perms;
pub mod file_provider;
mod flow;
pub mod ftpusers;
mod identity;
mod name_cache;
pub mod nss;
pub mod pam_conv;
mod pam_ffi;
pub mod pam_provider;
pub mod passwd_file;
mod provider;
pub mod session_info;
pub mod shells;
pub mod unix_provider;
mod watched_file;

pub use chain::{
    AuthChain, AuthOrderError, DEFAULT_AUTH_ORDER, ExtraProviders, NoExtraProviders,
    from_auth_order, from_auth_order_ext, from_auth_order_full, from_auth_order_with,
};
pub use error::AuthError;
pub use file_provider::FileProvider;
pub use flow::Flow;
pub use identity::Identity;
pub use pam_provider::{PamProvider, PamSession, PamSettings};
pub use provider::AuthProvider;
pub use unix_provider::UnixProvider;
