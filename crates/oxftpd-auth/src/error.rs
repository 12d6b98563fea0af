//! Why a login was refused.

/// Why a provider or a chain refused a user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The password does not match the stored hash.
    #[error("incorrect password")]
    BadPassword,
    /// The account is locked (`!`, `*`, empty hash) or past its shadow expiry date.
    #[error("account disabled")]
    Disabled,
    /// The password is older than the shadow maximum age plus inactivity period.
    #[error("password expired")]
    PasswordAged,
    /// No provider in the chain knows the user.
    #[error("no such user")]
    NoSuchUser,
    /// The provider knows the user but could not read what it needed (e.g. shadow).
    #[error("{module}: {reason}")]
    Unavailable {
        /// The provider's ProFTPD module name.
        module: &'static str,
        /// What went wrong, for the log.
        reason: String,
    },
}
