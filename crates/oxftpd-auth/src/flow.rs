//! The answer of one provider in a chain.

use crate::AuthError;

/// What a provider in an `AuthOrder` chain answers; ProFTPD's DECLINED versus
/// HANDLED/ERROR, in the shape of hickory's `LookupControlFlow`.
///
/// - `Continue`: the user is not known to this provider (no such entry, no file
///   configured, backend has nothing to say). The chain asks the next provider,
///   unless this one is authoritative (`mod_x.c*`), in which case the chain ends
///   with [`AuthError::NoSuchUser`].
/// - `Break(Ok(_))`: this provider knows the user and vouches for them; the chain
///   ends with that identity.
/// - `Break(Err(_))`: this provider knows the user and refuses (wrong password,
///   locked, expired) or failed while deciding; the chain ends with that error.
///   A provider that knows a user never lets another provider try the password.
/// - `Vouch` (password checks only): the password is right, but the account is not this
///   provider's to describe: the chain ends the check and takes the identity from its
///   look-up (`AuthChain::lookup`), as ProFTPD's `getpwnam` is answered by another module
///   after mod_radius (without `RadiusUserInfo`) said yes. In a look-up it means `Continue`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub enum Flow<T> {
    /// Not mine: ask the next provider.
    Continue,
    /// Mine: this is the answer, stop the chain.
    Break(Result<T, AuthError>),
    /// The password is right; the account comes from the chain's look-up.
    Vouch,
}

impl<T> Flow<T> {
    /// True for `Continue`.
    pub fn is_continue(&self) -> bool {
        matches!(self, Flow::Continue)
    }

    /// The answer, if this is a `Break`.
    pub fn into_break(self) -> Option<Result<T, AuthError>> {
        match self {
            Flow::Continue | Flow::Vouch => None,
            Flow::Break(r) => Some(r),
        }
    }
}
