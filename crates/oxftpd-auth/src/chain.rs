//! The `AuthOrder` chain: providers asked in order, the first that knows a user decides.
//!
//! ProFTPD dispatches each auth request to its modules in `AuthOrder`; a module
//! either declines (our [`Flow::Continue`]) or answers (`Flow::Break`), and a
//! module listed with a trailing `*` (`AuthOrder mod_auth_pam.c* …`) is
//! *authoritative*: the chain ends after it whatever it said. So:
//!
//! | provider says | not authoritative | authoritative |
//! |---|---|---|
//! | `Continue` | ask the next one | stop: `NoSuchUser` |
//! | `Break(Ok(id))` | stop: `id` | stop: `id` |
//! | `Break(Err(e))` | stop: `e` | stop: `e` |
//! | `Vouch` (password checks) | stop: the chain's look-up of the user | the same |
//!
//! A user known to one provider with a wrong password is never tried against
//! a later one. Name look-ups (`user_name`, `group_id`, …) follow the same
//! order: the first provider with an answer wins, an authoritative one ends
//! the walk.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::file_perms::{AuthFileError, AuthFileKind, check_auth_file};
use crate::name_cache::NameCache;
use crate::{
    AuthError, AuthProvider, FileProvider, Flow, Identity, PamProvider, PamSettings, UnixProvider,
};

/// `AuthOrder` when the configuration has none: our auth modules in ProFTPD's build order.
pub const DEFAULT_AUTH_ORDER: &[&str] =
    &[crate::file_provider::MODULE, crate::unix_provider::MODULE];

/// How long a cached id → name answer is trusted.
const NAME_TTL: Duration = Duration::from_secs(60);
/// How many ids each name cache holds before it is emptied.
const NAME_CAPACITY: usize = 4096;

struct Link {
    provider: Box<dyn AuthProvider>,
    authoritative: bool,
}

/// Providers in `AuthOrder`, with shared caches for uid/gid → name.
pub struct AuthChain {
    links: Vec<Link>,
    user_names: NameCache,
    group_names: NameCache,
}

/// Why an `AuthOrder` cannot be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthOrderError {
    /// A module name we have no provider for (`mod_auth.c` never belongs in `AuthOrder`).
    #[error(
        "AuthOrder: unknown auth module '{0}' (available: mod_auth_file.c, mod_auth_unix.c, mod_auth_pam.c, and the module crates' providers such as mod_sql.c)"
    )]
    UnknownModule(String),
    /// A module crate's provider could not be made from the configuration.
    #[error("AuthOrder: {0}")]
    Provider(String),
    /// An `AuthUserFile`/`AuthGroupFile` that ProFTPD would refuse to start with.
    #[error(transparent)]
    File(#[from] AuthFileError),
}

impl std::fmt::Debug for AuthChain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.modules()).finish()
    }
}

impl AuthChain {
    /// A chain over `providers` in order; `true` marks a provider authoritative (`*`).
    pub fn new(providers: Vec<(Box<dyn AuthProvider>, bool)>) -> Self {
        AuthChain {
            links: providers
                .into_iter()
                .map(|(provider, authoritative)| Link {
                    provider,
                    authoritative,
                })
                .collect(),
            user_names: NameCache::new(NAME_TTL, NAME_CAPACITY),
            group_names: NameCache::new(NAME_TTL, NAME_CAPACITY),
        }
    }

    /// Module names in order, each with its authoritative flag.
    pub fn modules(&self) -> Vec<(&'static str, bool)> {
        self.links
            .iter()
            .map(|l| (l.provider.module(), l.authoritative))
            .collect()
    }

    /// Walks the chain with `ask` until a provider breaks or an authoritative one ends it;
    /// `password_check` lets a provider vouch ([`Flow::Vouch`]).
    fn walk(
        &self,
        user: &str,
        what: &str,
        password_check: bool,
        ask: impl Fn(&dyn AuthProvider) -> Flow<Identity>,
    ) -> Result<Identity, AuthError> {
        for link in &self.links {
            let module = link.provider.module();
            match ask(link.provider.as_ref()) {
                Flow::Vouch if password_check => {
                    tracing::debug!("{what} '{user}': password accepted by {module}");
                    return self.lookup(user);
                }
                Flow::Break(result) => {
                    match &result {
                        Ok(_) => tracing::debug!("{what} '{user}': accepted by {module}"),
                        Err(e) => tracing::debug!("{what} '{user}': refused by {module}: {e}"),
                    }
                    return result;
                }
                Flow::Continue | Flow::Vouch
                    if link.authoritative
                        && (password_check || link.provider.answers_lookups()) =>
                {
                    tracing::debug!("{what} '{user}': unknown to authoritative {module}");
                    return Err(AuthError::NoSuchUser);
                }
                Flow::Continue | Flow::Vouch => {}
            }
        }
        Err(AuthError::NoSuchUser)
    }

    /// Checks `user`'s `password`; blocking (crypt), so run it off the async threads.
    pub fn authenticate(&self, user: &str, password: &str) -> Result<Identity, AuthError> {
        self.walk(user, "authenticate", true, |p| {
            p.authenticate(user, password)
        })
    }

    /// Looks `user` up without a password.
    pub fn lookup(&self, user: &str) -> Result<Identity, AuthError> {
        self.walk(user, "lookup", false, |p| p.lookup(user))
    }

    /// First answer in chain order (an authoritative provider ends the walk).
    fn first<T>(&self, ask: impl Fn(&dyn AuthProvider) -> Option<T>) -> Option<T> {
        for link in &self.links {
            if let Some(v) = ask(link.provider.as_ref()) {
                return Some(v);
            }
            if link.authoritative && link.provider.answers_lookups() {
                return None;
            }
        }
        None
    }

    /// The name of `uid`, cached (for listings).
    pub fn user_name(&self, uid: u32) -> Option<Arc<str>> {
        self.user_names
            .get_or(uid, |uid| self.first(|p| p.user_name(uid)))
    }

    /// The name of `gid`, cached (for listings).
    pub fn group_name(&self, gid: u32) -> Option<Arc<str>> {
        self.group_names
            .get_or(gid, |gid| self.first(|p| p.group_name(gid)))
    }

    /// The uid of user `name`.
    pub fn user_id(&self, name: &str) -> Option<u32> {
        self.first(|p| p.user_id(name))
    }

    /// The gid of group `name`.
    pub fn group_id(&self, name: &str) -> Option<u32> {
        self.first(|p| p.group_id(name))
    }
}

/// Builds the chain for `AuthOrder names…` (each optionally ending in `*`);
/// an empty list means [`DEFAULT_AUTH_ORDER`]. The files must pass ProFTPD's
/// startup checks ([`check_auth_file`]), as a fatal configuration error would.
pub fn from_auth_order(
    names: &[String],
    user_file: Option<&Path>,
    group_file: Option<&Path>,
) -> Result<AuthChain, AuthOrderError> {
    from_auth_order_with(names, user_file, group_file, false)
}

/// Like [`from_auth_order`]; `allow_insecure_perms` is `AuthFileOptions InsecurePerms`.
pub fn from_auth_order_with(
    names: &[String],
    user_file: Option<&Path>,
    group_file: Option<&Path>,
    allow_insecure_perms: bool,
) -> Result<AuthChain, AuthOrderError> {
    from_auth_order_full(
        names,
        user_file,
        group_file,
        allow_insecure_perms,
        &PamSettings::default(),
    )
}

/// Like [`from_auth_order_with`], with `AuthPAM`/`AuthPAMConfig`/`AuthPAMOptions` for
/// `mod_auth_pam.c` (left out of the chain when `AuthPAM off`).
pub fn from_auth_order_full(
    names: &[String],
    user_file: Option<&Path>,
    group_file: Option<&Path>,
    allow_insecure_perms: bool,
    pam: &PamSettings,
) -> Result<AuthChain, AuthOrderError> {
    from_auth_order_ext(
        names,
        user_file,
        group_file,
        allow_insecure_perms,
        pam,
        &NoExtraProviders,
    )
}

/// Providers outside this crate (module crates such as mod_sql), by ProFTPD module name: the
/// seam through which the server adds them without this crate knowing their backends.
pub trait ExtraProviders {
    /// The provider for `module`: `None` if no such module exists here, `Some(Ok(None))` if
    /// it exists but is switched off by its configuration (left out of the chain, as
    /// `AuthPAM off` leaves PAM out).
    fn provider(&self, module: &str) -> Option<Result<Option<Box<dyn AuthProvider>>, String>>;

    /// Module providers that join the chain when there is no `AuthOrder`, in front of
    /// [`DEFAULT_AUTH_ORDER`] (as ProFTPD consults modules it loaded before its built-in ones).
    fn defaults(&self) -> Result<Vec<Box<dyn AuthProvider>>, String> {
        Ok(Vec::new())
    }
}

/// No providers beyond this crate's own.
pub struct NoExtraProviders;

impl ExtraProviders for NoExtraProviders {
    fn provider(&self, _module: &str) -> Option<Result<Option<Box<dyn AuthProvider>>, String>> {
        None
    }
}

/// Like [`from_auth_order_full`], with providers from module crates (`extra`).
pub fn from_auth_order_ext(
    names: &[String],
    user_file: Option<&Path>,
    group_file: Option<&Path>,
    allow_insecure_perms: bool,
    pam: &PamSettings,
    extra: &dyn ExtraProviders,
) -> Result<AuthChain, AuthOrderError> {
    if let Some(p) = user_file {
        check_auth_file(p, AuthFileKind::User, allow_insecure_perms)?;
    }
    if let Some(p) = group_file {
        check_auth_file(p, AuthFileKind::Group, allow_insecure_perms)?;
    }
    let mut providers: Vec<(Box<dyn AuthProvider>, bool)> = Vec::with_capacity(names.len());
    if names.is_empty() {
        for p in extra.defaults().map_err(AuthOrderError::Provider)? {
            providers.push((p, false));
        }
    }
    let defaults: Vec<String>;
    let names = if names.is_empty() {
        defaults = DEFAULT_AUTH_ORDER.iter().map(|s| s.to_string()).collect();
        &defaults[..]
    } else {
        names
    };
    for raw in names {
        let (name, authoritative) = match raw.strip_suffix('*') {
            Some(n) => (n, true),
            None => (raw.as_str(), false),
        };
        let provider: Box<dyn AuthProvider> = match name {
            crate::file_provider::MODULE => Box::new(FileProvider::with_permissions(
                user_file,
                group_file,
                allow_insecure_perms,
            )),
            crate::unix_provider::MODULE => Box::new(UnixProvider::new()),
            crate::pam_provider::MODULE if !pam.enabled => continue,
            crate::pam_provider::MODULE => Box::new(PamProvider::new(pam.clone())),
            other => match extra.provider(other) {
                Some(Ok(Some(p))) => p,
                Some(Ok(None)) => continue,
                Some(Err(e)) => return Err(AuthOrderError::Provider(e)),
                None => return Err(AuthOrderError::UnknownModule(raw.clone())),
            },
        };
        providers.push((provider, authoritative));
    }
    Ok(AuthChain::new(providers))
}
