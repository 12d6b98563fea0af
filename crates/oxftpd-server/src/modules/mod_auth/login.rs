//! Turning USER and PASS into a logged-in session: aliases, `<Anonymous>`, the auth chain,
//! `RootLogin`, `RequireValidShell`, `DefaultRoot`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use oxftpd_auth::{AuthError, Identity};
use oxftpd_storage::{Credentials, Fs};
use tracing::{info, warn};

use crate::access::groups::GroupExpr;
use crate::context::ServerCtx;
use crate::messages::{Vars, display_file};
use crate::module::events::{Event, LoginFailure};
use crate::module::{Admission, CommandError, CommandResult};
use crate::session::{Ctx, LoggedIn, State};

/// Why a login was refused; every variant answers `530 Login incorrect.` to the client.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// Unknown user or wrong password.
    #[error("{0}")]
    Auth(#[from] AuthError),
    /// Refused by policy; the text says which rule, for the log.
    #[error("{0}")]
    Refused(String),
    /// Refused by a rule other modules hear of (mod_ban's events); the text is for the log.
    #[error("{1}")]
    Reached(crate::module::events::Limit, String),
}

impl LoginError {
    /// The kind of failure, for the failed-login event.
    pub fn failure(&self) -> LoginFailure {
        match self {
            LoginError::Auth(AuthError::NoSuchUser) => LoginFailure::UnknownUser,
            LoginError::Auth(AuthError::BadPassword) => LoginFailure::BadPassword,
            LoginError::Auth(AuthError::Disabled | AuthError::PasswordAged) => {
                LoginFailure::Disabled
            }
            LoginError::Auth(_) => LoginFailure::Unavailable,
            LoginError::Refused(_) | LoginError::Reached(..) => LoginFailure::Refused,
        }
    }
}

/// Where a login name leads: a real user, or an `<Anonymous>` block.
pub struct Target {
    /// The user name to authenticate or look up.
    pub user: String,
    /// The `<Anonymous>` block, for anonymous logins.
    pub anon: Option<usize>,
}

/// Resolves `UserAlias` and `<Anonymous>` for a login name (what USER needs to know).
pub fn target(server: &ServerCtx, login_name: &str) -> Result<Target, LoginError> {
    // Aliases inside an <Anonymous> block lead to that block; server-level ones to a user.
    // With several blocks for one name, ProFTPD takes the last one in the file.
    fn arg(a: &[String], i: usize) -> Option<&str> {
        a.get(i).map(String::as_str)
    }
    for (i, anon) in server.anon_own.iter().enumerate().rev() {
        let anon_user = anon.core.user.as_deref().unwrap_or("ftp");
        for alias in &anon.auth.user_alias {
            if arg(alias, 0) == Some(login_name) && arg(alias, 1) == Some(anon_user) {
                return Ok(Target {
                    user: anon_user.to_string(),
                    anon: Some(i),
                });
            }
        }
    }
    let mut user = login_name.to_string();
    let mut aliased = false;
    for alias in &server.cfg.auth.user_alias {
        if arg(alias, 0) == Some(login_name)
            && let Some(t) = arg(alias, 1)
        {
            user = t.to_string();
            aliased = true;
            break;
        }
    }
    for (i, anon) in server.anon_own.iter().enumerate().rev() {
        let anon_user = anon.core.user.as_deref().unwrap_or("ftp");
        if anon_user == user {
            let alias_only = anon.auth.auth_alias_only;
            if alias_only && !aliased {
                return Err(LoginError::Refused(format!(
                    "USER {login_name}: user is not a UserAlias (AuthAliasOnly)"
                )));
            }
            return Ok(Target {
                user,
                anon: Some(i),
            });
        }
    }
    // The server's own `AuthAliasOnly on`: a real name, not an alias, may not log in.
    if !aliased && server.cfg.auth.auth_alias_only {
        return Err(LoginError::Refused(format!(
            "USER {login_name}: user is not a UserAlias (AuthAliasOnly)"
        )));
    }
    Ok(Target { user, anon: None })
}

/// Whether PASS must check a password for this target (`AnonRequirePassword`).
pub fn needs_password(server: &ServerCtx, target: &Target) -> bool {
    match target.anon {
        None => true,
        Some(i) => server
            .anon_own
            .get(i)
            .is_some_and(|anon| anon.auth.anon_require_password),
    }
}

/// Lets a login the auth chain accepted in: every module's login check ([`AdmitFn`]: mod_auth's
/// `MaxClients*`, mod_tls's per-user `TLSRequired`, mod_wrap's access files), then
/// `DisplayLogin` and the `code` reply (`230`, or `232` for a certificate login), and the
/// login event. A refused login answers `530` with the module's text and ends the session.
///
/// [`AdmitFn`]: crate::module::AdmitFn
pub async fn enter(
    ctx: &mut Ctx,
    state: &mut State,
    mut session: Box<LoggedIn>,
    code: u16,
) -> CommandResult {
    let name = session.login_name.clone();
    for check in crate::module::registry::registry().admit_checks() {
        if let Admission::Refuse(text) = check.check(ctx, &mut session).await {
            info!(
                peer = %ctx.peer,
                server = %ctx.local.ip(),
                "USER {name} (Login failed): {text}"
            );
            let event = Event::LoginFailed {
                name: &name,
                failure: LoginFailure::Refused,
                reason: &text,
            };
            crate::module::events::emit(ctx, &event).await;
            if let Some(limit) = ctx.ext.remove::<crate::module::events::Limit>() {
                let event = Event::LimitReached {
                    limit,
                    user: Some(&name),
                };
                crate::module::events::emit(ctx, &event).await;
                if let Some(end) = crate::module::events::disconnect(ctx) {
                    return Err(end);
                }
            }
            return Err(CommandError::LoginRefused(text).then_close());
        }
    }
    let vars = Vars {
        user: Some(&name),
        cwd: Some(&session.cwd),
        free_kb: 0,
    };
    // <IfUser>/<IfGroup>/<IfClass> blocks apply from here on (mod_ifsession).
    let cfg = crate::access::conditions::user_cfg(ctx, &session);
    let display = cfg.auth.display_login.as_deref().map(|p| {
        let p = Path::new(p);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            PathBuf::from(session.real_path(&session.resolve(&p.to_string_lossy())))
        }
    });
    let mut lines: Vec<String> = ctx
        .ext
        .get::<oxftpd_auth::session_info::Notes>()
        .map(|n| n.replies.clone())
        .unwrap_or_default();
    lines.extend(display_file(ctx, display.as_deref(), &vars));
    let grant = cfg
        .auth
        .access_grant_msg
        .as_deref()
        .map(|t| crate::messages::expand_user(t, &name));
    lines.push(grant.unwrap_or_else(|| {
        if session.anon.is_some() || session.anonymous_group {
            "Anonymous access granted, restrictions apply".to_string()
        } else {
            format!("User {name} logged in")
        }
    }));
    crate::trace_msg!(
        ctx.trace,
        "auth",
        3,
        "user '{name}' logged in (uid {}, gid {}, root {})",
        session.identity.uid,
        session.identity.gid,
        session.root
    );
    *state = State::LoggedIn(session);
    if let State::LoggedIn(user) = state {
        crate::module::events::emit(ctx, &Event::LoginSucceeded { user }).await;
    }
    Ok(ctx.send(&crate::messages::multi(code, lines)).await?)
}

/// The `SystemLog` line of a refused login, in mod_auth.c's words (what fail2ban's stock
/// `proftpd` filter matches); a policy's refusal carries its own.
fn log_text(ctx: &Ctx, name: &str, error: &LoginError) -> String {
    let failed = |why: &str| format!("USER {name} (Login failed): {why}");
    match error {
        LoginError::Auth(AuthError::NoSuchUser) => {
            let ip = ctx.peer.ip().to_canonical();
            let client = ctx.remote_name.clone().unwrap_or_else(|| ip.to_string());
            format!(
                "USER {name}: no such user found from {client} [{ip}] to {}:{}",
                ctx.local.ip(),
                ctx.local.port()
            )
        }
        LoginError::Auth(AuthError::BadPassword) => failed("Incorrect password"),
        LoginError::Auth(AuthError::PasswordAged) => failed("Password expired"),
        LoginError::Auth(AuthError::Disabled) => failed("Account disabled"),
        LoginError::Auth(e @ AuthError::Unavailable { .. }) => {
            failed(&format!("Unavailable authentication service ({e})"))
        }
        LoginError::Auth(e) => failed(&e.to_string()),
        LoginError::Refused(text) | LoginError::Reached(_, text) => text.clone(),
    }
}

/// Answers a login the auth chain (or a policy) refused: `530` (`AccessDenyMsg`), the login
/// event with the reason, and the end of the session after `MaxLoginAttempts` failures.
pub async fn refuse(
    ctx: &mut Ctx,
    state: &mut State,
    name: &str,
    error: &LoginError,
) -> CommandResult {
    info!(
        peer = %ctx.peer,
        server = %ctx.local.ip(),
        "{}",
        log_text(ctx, name, error)
    );
    crate::trace_msg!(
        ctx.trace,
        "auth",
        3,
        "login of user '{name}' failed: {error}"
    );
    *state = State::Connected { user: None };
    ctx.failed_logins += 1;
    let reason = error.to_string();
    let event = Event::LoginFailed {
        name,
        failure: error.failure(),
        reason: &reason,
    };
    crate::module::events::emit(ctx, &event).await;
    let max = ctx.server.settings.max_login_attempts;
    let last = max > 0 && ctx.failed_logins >= max;
    let reached = match error {
        LoginError::Reached(limit, _) => Some(*limit),
        _ => None,
    };
    if let Some(limit) = reached {
        // As 1.3.8 announces these: before the refusal is answered.
        let event = Event::LimitReached {
            limit,
            user: Some(name),
        };
        crate::module::events::emit(ctx, &event).await;
        if let Some(end) = crate::module::events::disconnect(ctx) {
            return Err(end);
        }
    }
    if last {
        // After the refusal is answered (its reply is queued first).
        let event = Event::LimitReached {
            limit: crate::module::events::Limit::MaxLoginAttempts,
            user: Some(name),
        };
        crate::module::events::emit(ctx, &event).await;
    }
    let deny = ctx
        .server
        .cfg
        .auth
        .access_deny_msg
        .as_deref()
        .map(|t| crate::messages::expand_user(t, name))
        .unwrap_or_else(|| "Login incorrect.".to_string());
    // Lines a provider wants shown (mod_radius's Reply-Message) come first, one per line.
    let mut lines: Vec<String> = ctx
        .ext
        .remove::<oxftpd_auth::session_info::Notes>()
        .map(|n| n.replies)
        .unwrap_or_default();
    lines.push(deny);
    let refused = CommandError::LoginRefused(lines.join("\n"));
    if last {
        info!(
            peer = %ctx.peer,
            server = %ctx.local.ip(),
            "Maximum login attempts ({max}) exceeded, connection refused"
        );
        return Err(refused.then_close());
    }
    Err(refused)
}

/// Authenticates and builds the logged-in session.
pub async fn login(
    ctx: &mut Ctx,
    login_name: &str,
    password: &str,
) -> Result<Box<LoggedIn>, LoginError> {
    login_as(ctx, login_name, password, false).await
}

/// Builds the logged-in session of a real user the client certificate vouched for
/// (`TLSUserName`, `AllowDotLogin`): no password, every other check as for `PASS`.
pub async fn login_vouched(ctx: &mut Ctx, login_name: &str) -> Result<Box<LoggedIn>, LoginError> {
    login_as(ctx, login_name, "", true).await
}

async fn login_as(
    ctx: &mut Ctx,
    login_name: &str,
    password: &str,
    vouched: bool,
) -> Result<Box<LoggedIn>, LoginError> {
    let server = ctx.server.clone();
    let target = target(&server, login_name)?;
    if vouched && target.anon.is_some() {
        return Err(LoginError::Refused(format!(
            "USER {login_name}: certificate logins are for real users"
        )));
    }
    let check_password = needs_password(&server, &target) && !vouched;
    if let Some(i) = target.anon
        && !check_password
        && super::anonymous::password_rejected(&server.login_cfg(Some(i)).auth, password)
    {
        return Err(LoginError::Reached(
            crate::module::events::Limit::AnonRejectPasswords,
            format!("ANON {login_name}: password rejected (AnonRejectPasswords)"),
        ));
    }
    let own_password =
        super::anonymous::user_password(&server.login_cfg(target.anon).auth, &target.user);
    if check_password
        && let Some(hash) = &own_password
        && !oxftpd_auth::crypt::verify(password, hash)
    {
        return Err(LoginError::Refused(format!(
            "USER {login_name}: incorrect password (UserPassword)"
        )));
    }
    crate::trace_msg!(
        ctx.trace,
        "auth",
        6,
        "dispatching auth request \"{}\" for user '{}' to the AuthOrder chain",
        if check_password && own_password.is_none() {
            "authenticate"
        } else {
            "getpwnam"
        },
        target.user
    );
    // `AuthUsingAlias on` in an <Anonymous> block: the password is the alias's own.
    let alias = (target.anon.is_some()
        && login_name != target.user
        && server.login_cfg(target.anon).auth.auth_using_alias)
        .then(|| login_name.to_string());
    let (found, notes) = {
        let server = server.clone();
        let user = target.user.clone();
        let password = password.to_string();
        let authenticate = check_password && own_password.is_none();
        let info = oxftpd_auth::session_info::SessionInfo {
            remote: ctx.peer,
            local: ctx.local,
            remote_host: ctx.remote_name.clone(),
            server_name: server.settings.name.clone(),
        };
        ctx.shared
            .pool
            .run(&ctx.shared.daemon_cred, move || {
                oxftpd_auth::session_info::with_session_notes(info, || {
                    match (authenticate, alias) {
                        (true, Some(alias)) => server
                            .auth
                            .authenticate(&alias, &password)
                            .and_then(|_| server.auth.lookup(&user)),
                        (true, None) => server.auth.authenticate(&user, &password),
                        (false, _) => server.auth.lookup(&user),
                    }
                })
            })
            .await
            .map_err(|e| LoginError::Refused(format!("authentication could not run: {e}")))?
    };
    // What the providers noted for this login (mod_radius's Reply-Message, Class, timeouts).
    let groups = notes.groups.clone();
    ctx.ext.insert(notes);
    let mut identity = found?;
    for (gid, name) in groups {
        if !identity.groups.contains(&gid) {
            identity.groups.push(gid);
            identity.group_names.push(name);
        }
    }
    // From here on a refusal drops the hold, which closes PAM's session on the pool.
    let pam =
        crate::session::pam_hold::PamHold::new(identity.pam_session.take(), ctx.shared.clone());
    let settings = &server.settings;
    if let Some(file) = ftpusers_file(&server)
        && oxftpd_auth::ftpusers::listed_in_ftpusers(&identity.name, Path::new(&file))
    {
        return Err(LoginError::Refused(format!(
            "USER {login_name} (Login failed): User in {file}"
        )));
    }
    if identity.uid == 0 && !settings.root_login {
        return Err(LoginError::Reached(
            crate::module::events::Limit::RootLogin,
            "SECURITY VIOLATION: Root login attempted".to_string(),
        ));
    }
    if settings.require_valid_shell
        && target.anon.is_none()
        && !oxftpd_auth::shells::valid_shell(&identity.shell, Path::new("/etc/shells"))
    {
        return Err(LoginError::Refused(format!(
            "USER {login_name} (Login failed): Invalid shell: '{}'",
            identity.shell
        )));
    }
    let subject = crate::access::limit::Subject {
        user: Some(&identity.name),
        groups: Some(&identity.group_names),
        class: crate::access::class::class_of(ctx),
        addr: ctx.peer.ip(),
        host: ctx.remote_name.as_deref(),
        arg: None,
    };
    if !crate::access::limit::login_allowed(server.config(), target.anon, &subject) {
        return Err(LoginError::Refused(format!(
            "USER {login_name} (Login failed): Limit access denies login"
        )));
    }
    let (identity, root) = match target.anon {
        Some(i) => anonymous_identity(&server, i, identity)?,
        None => {
            if let Some(ch) = &server.cfg.auth.create_home {
                super::create_home::create(&ctx.shared.pool, ch, &identity).await;
            }
            let root = jail_for(&server, &identity);
            (identity, root)
        }
    };
    if !server.cfg.auth.allow_chroot_symlinks
        && let Some(link) = chroot_symlink(&root, target.anon.is_some())
    {
        return Err(LoginError::Refused(format!(
            "error: {link} is a symlink (denied by AllowChrootSymlinks config)"
        )));
    }
    let mut identity = identity;
    crate::group_limit::fit(&mut identity, crate::group_limit::ngroups_max());
    let cred = Credentials {
        uid: identity.uid,
        gid: identity.gid,
        groups: identity.groups.clone().into(),
        umask: settings.umask.0,
        dir_umask: settings.umask.1,
    };
    let fs = Fs::open_root(ctx.shared.pool.clone(), cred, Path::new(&root))
        .await
        .map_err(|e| {
            LoginError::Refused(format!("unable to use {root} as the session root: {e}"))
        })?;
    let fs = if ctx.trace.takes("fsio", 8) {
        let trace = ctx.trace.clone();
        fs.observed(std::sync::Arc::new(move |op: &'static str, path: &str| {
            trace.write(
                "fsio",
                8,
                format_args!("using system {op}() for path '{path}'"),
            );
        }))
    } else {
        fs
    };
    let identity_groups = identity.group_names.clone();
    let mut session = Box::new(LoggedIn {
        login_name: login_name.to_string(),
        identity,
        anon: target.anon,
        fs,
        root,
        cwd: "/".to_string(),
        rename_from: None,
        counted: None,
        anonymous_group: target.anon.is_none()
            && super::anonymous::anonymous_group(&server.cfg.auth, &identity_groups),
        chdir_shown: Default::default(),
        ftpaccess: Default::default(),
        anonymous_email: target.anon.map(|_| password.to_string()),
        pam,
        config_cache: Default::default(),
    });
    let chdir = default_chdir(&server, &session.identity, target.anon);
    let start = match &chdir {
        Some(dir) => session.resolve(&oxftpd_proto::path::subst_user_var(
            dir,
            &session.identity.name,
        )),
        None => session.home_virtual(),
    };
    // Where a session starts, as mod_auth decides: the DefaultChdir or home directory; if
    // that cannot be entered, the root when the session is jailed, the home directory after
    // a failed DefaultChdir, and otherwise no login at all.
    let fallback = if session.root != "/" {
        Some("/".to_string())
    } else if chdir.is_some() {
        Some(session.home_virtual())
    } else {
        None
    };
    let mut entered = false;
    for dir in std::iter::once(start).chain(fallback) {
        if let Ok(true) = session.fs.is_dir(&dir).await {
            session.cwd = dir;
            entered = true;
            break;
        }
        warn!(user = %session.login_name, "unable to change to directory {dir}");
    }
    if !entered {
        return Err(LoginError::Refused(format!(
            "no start directory for {} could be entered",
            session.login_name
        )));
    }
    info!(peer = %ctx.peer, user = %session.login_name, root = %session.root, "login successful");
    Ok(session)
}

/// The session root a login of `target` with `identity` gets (its `<Anonymous>` root, or
/// the first matching `DefaultRoot`, else `/`), and the identity as the login would carry
/// it (an `<Anonymous>` block's `Group`): what `oxftpctl check` evaluates `<Limit>` with.
pub fn session_root(
    server: &Arc<ServerCtx>,
    target: &Target,
    identity: Identity,
) -> Result<(Identity, String), LoginError> {
    match target.anon {
        Some(i) => anonymous_identity(server, i, identity),
        None => {
            let root = jail_for(server, &identity);
            Ok((identity, root))
        }
    }
}

fn anonymous_identity(
    server: &Arc<ServerCtx>,
    i: usize,
    mut identity: Identity,
) -> Result<(Identity, String), LoginError> {
    let anon = &server.config().anonymous()[i];
    if let Some(group) = server.anon_own.get(i).and_then(|a| a.core.group.as_deref()) {
        let gid = server.auth.group_id(group).ok_or_else(|| {
            LoginError::Refused(format!(
                "<Anonymous {}>: no such group '{group}'",
                anon.root()
            ))
        })?;
        identity.gid = gid;
        identity.groups.retain(|g| *g != gid);
        identity.groups.insert(0, gid);
    }
    let root = anon.root();
    let root = if let Some(rest) = root.strip_prefix('~') {
        let (user, sub) = rest.split_once('/').unwrap_or((rest, ""));
        let home = if user.is_empty() {
            identity.home.to_string_lossy().into_owned()
        } else {
            server
                .auth
                .lookup(user)
                .map(|id| id.home.to_string_lossy().into_owned())
                .map_err(|_| {
                    LoginError::Refused(format!("<Anonymous {root}>: no such user '{user}'"))
                })?
        };
        if sub.is_empty() {
            home
        } else {
            format!("{}/{sub}", home.trim_end_matches('/'))
        }
    } else {
        root.to_string()
    };
    Ok((identity, root))
}

/// Under `AllowChrootSymlinks off`, the symlink a session root is reached through, if any:
/// any component of a `DefaultRoot`, the last one of an `<Anonymous>` root (as mod_auth
/// checks them). `/` (no jail) has none.
fn chroot_symlink(root: &str, anonymous: bool) -> Option<String> {
    let root = root.trim_end_matches('/');
    if root.is_empty() {
        return None;
    }
    let is_link = |p: &str| std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink());
    if anonymous {
        return is_link(root).then(|| root.to_string());
    }
    let mut path = String::new();
    for part in root.split('/').filter(|p| !p.is_empty()) {
        path.push('/');
        path.push_str(part);
        if is_link(&path) {
            return Some(path);
        }
    }
    None
}

/// The first `DefaultChdir` whose group expression matches the user (`<Anonymous>` first).
fn default_chdir(server: &ServerCtx, identity: &Identity, anon: Option<usize>) -> Option<String> {
    server
        .login_cfg(anon)
        .auth
        .default_chdir
        .iter()
        .find(|d| {
            let groups: Vec<String> = d
                .get(1)
                .map(|g| g.split(',').map(str::to_string).collect())
                .unwrap_or_default();
            groups.is_empty() || GroupExpr::new(&groups).matches(&identity.group_names)
        })
        .and_then(|d| d.first())
        .cloned()
}

/// The ftpusers file to consult, unless `UseFtpUsers off`.
fn ftpusers_file(server: &ServerCtx) -> Option<String> {
    let on = server.cfg.auth.use_ftp_users;
    on.then(|| oxftpd_auth::ftpusers::DEFAULT_FTPUSERS_FILE.to_string())
}

/// The root for a real user: the first `DefaultRoot` whose group expression matches, else `/`.
fn jail_for(server: &ServerCtx, identity: &Identity) -> String {
    let home = identity.home.to_string_lossy();
    for root in &server.settings.default_roots {
        if !root.groups.is_empty() && !GroupExpr::new(&root.groups).matches(&identity.group_names) {
            continue;
        }
        let path = oxftpd_proto::path::subst_user_var(&root.path, &identity.name);
        let path = if path == "~" {
            home.to_string()
        } else if let Some(sub) = path.strip_prefix("~/") {
            format!("{}/{sub}", home.trim_end_matches('/'))
        } else {
            path
        };
        return oxftpd_proto::path::resolve("/", &path).unwrap_or_else(|_| "/".to_string());
    }
    "/".to_string()
}
