//! One SSH connection: russh's server handler. Authentication goes through the server's own
//! login path (`mod_auth::login`: the `AuthOrder` chain, `<Limit LOGIN>`, `RootLogin`,
//! `DefaultRoot`, the modules' login checks); channels run the `sftp` subsystem or `scp`.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use oxftpd_server::modules::mod_auth::login::{self, LoginError};
use oxftpd_server::session::LoggedIn;
use russh::keys::PublicKey;
use russh::server::{Auth, ChannelOpenHandle, Msg, Response, Session, VerifiedPublicKey};
use russh::{Channel, ChannelId, MethodSet};
use tracing::Instrument;

use crate::directives::Method;
use crate::session::Shared;
use crate::settings::{Prepared, method_kind};

/// Errors that end the SSH connection.
#[derive(Debug, thiserror::Error)]
pub enum SshError {
    /// The SSH layer failed.
    #[error(transparent)]
    Ssh(#[from] russh::Error),
}

/// russh's handler of one connection.
pub struct Handler {
    prepared: Arc<Prepared>,
    sess: Shared,
    /// Methods that succeeded so far, and for which user.
    done: HashSet<Method>,
    user: Option<String>,
    /// A password checked by a method before the chain completed (the login it made).
    pending: Option<Box<LoggedIn>>,
    channels: HashMap<ChannelId, Channel<Msg>>,
    open_channels: usize,
    /// The session's log span (russh runs the handler on a task of its own).
    span: tracing::Span,
}

impl Handler {
    /// A handler for a new connection.
    pub fn new(prepared: Arc<Prepared>, sess: Shared) -> Handler {
        Handler {
            prepared,
            sess,
            done: HashSet::new(),
            user: None,
            pending: None,
            channels: HashMap::new(),
            open_channels: 0,
            span: tracing::Span::current(),
        }
    }

    /// The methods still to try after `done`, or `None` when a chain is complete.
    fn remaining(&self) -> Option<MethodSet> {
        let mut next = MethodSet::empty();
        for chain in &self.prepared.chains {
            if chain.iter().all(|m| self.done.contains(m)) {
                return None;
            }
            if let Some(m) = chain.iter().find(|m| !self.done.contains(m))
                && chain
                    .iter()
                    .take_while(|c| *c != m)
                    .all(|c| self.done.contains(c))
            {
                next.push(method_kind(*m));
            }
        }
        Some(next)
    }

    fn allowed_now(&self, method: Method) -> bool {
        self.prepared.chains.iter().any(|chain| {
            chain
                .iter()
                .take_while(|c| **c != method)
                .all(|c| self.done.contains(c))
                && chain.contains(&method)
        })
    }

    /// Called when `method` succeeded for `user` (with the login it made, if it checked a
    /// password): completes the login when a chain is satisfied.
    async fn succeeded(&mut self, user: &str, method: Method, made: Option<Box<LoggedIn>>) -> Auth {
        if self.user.as_deref().is_some_and(|u| u != user) {
            // Every method of a chain must name the same user.
            self.done.clear();
            self.pending = None;
        }
        self.user = Some(user.to_string());
        self.done.insert(method);
        if made.is_some() {
            self.pending = made;
        }
        match self.remaining() {
            Some(next) => {
                self.prepared.log(&format!(
                    "user '{user}': {method:?} authentication succeeded, more required"
                ));
                Auth::Reject {
                    proceed_with_methods: Some(next),
                    partial_success: true,
                }
            }
            None => self.complete(user).await,
        }
    }

    async fn complete(&mut self, user: &str) -> Auth {
        let mut guard = self.sess.lock().await;
        let (ctx, state) = guard.parts();
        let made = match self.pending.take() {
            Some(made) => Ok(made),
            None => login::login_vouched(ctx, user).await,
        };
        let made = match made {
            Ok(m) => m,
            Err(e) => {
                drop(guard);
                return self.failed(user, e).await;
            }
        };
        match login::enter(ctx, state, made, 230).await {
            Ok(()) => {
                let _ = ctx.flush().await;
                self.prepared
                    .log(&format!("user '{user}' authenticated, session open"));
                Auth::Accept
            }
            Err(e) => {
                let _ = ctx.flush().await;
                self.prepared
                    .log(&format!("user '{user}': login refused: {e}"));
                Auth::reject()
            }
        }
    }

    async fn failed(&mut self, user: &str, err: LoginError) -> Auth {
        self.prepared
            .log(&format!("user '{user}': authentication failed: {err}"));
        let mut guard = self.sess.lock().await;
        let (ctx, state) = guard.parts();
        let refused = login::refuse(ctx, state, user, &err).await;
        let _ = ctx.flush().await;
        // After MaxLoginAttempts failures no method is left: the client goes away.
        let closes = refused.as_ref().is_err_and(|e| e.closes_session());
        Auth::Reject {
            proceed_with_methods: if closes {
                Some(MethodSet::empty())
            } else {
                self.remaining()
            },
            partial_success: false,
        }
    }

    async fn check_password(&mut self, user: &str, password: &str, method: Method) -> Auth {
        if !self.allowed_now(method) {
            return Auth::reject();
        }
        let made = {
            let mut guard = self.sess.lock().await;
            let (ctx, _) = guard.parts();
            login::login(ctx, user, password).await
        };
        match made {
            Ok(made) => self.succeeded(user, method, Some(made)).await,
            Err(e) => self.failed(user, e).await,
        }
    }
}

impl russh::server::Handler for Handler {
    type Error = SshError;

    async fn authentication_banner(&mut self) -> Result<Option<String>, Self::Error> {
        Ok(self.prepared.banner.clone())
    }

    async fn auth_password(&mut self, user: &str, password: &str) -> Result<Auth, Self::Error> {
        let span = self.span.clone();
        Ok(self
            .check_password(user, password, Method::Password)
            .instrument(span)
            .await)
    }

    async fn auth_publickey_offered(
        &mut self,
        user: &str,
        offer: russh::server::PublicKeyOffer<'_>,
    ) -> Result<Auth, Self::Error> {
        if !self.allowed_now(Method::PublicKey) {
            return Ok(Auth::reject());
        }
        Ok(if self.key_authorized(user, offer.public_key).await {
            Auth::Accept
        } else {
            Auth::reject()
        })
    }

    async fn auth_publickey(
        &mut self,
        user: &str,
        key: VerifiedPublicKey<'_>,
    ) -> Result<Auth, Self::Error> {
        if !self.allowed_now(Method::PublicKey) || !self.key_authorized(user, key.public_key).await
        {
            return Ok(Auth::reject());
        }
        let span = self.span.clone();
        Ok(self
            .succeeded(user, Method::PublicKey, None)
            .instrument(span)
            .await)
    }

    async fn auth_keyboard_interactive<'a>(
        &'a mut self,
        user: &str,
        _submethods: &str,
        response: Option<Response<'a>>,
    ) -> Result<Auth, Self::Error> {
        if !self.allowed_now(Method::KeyboardInteractive) {
            return Ok(Auth::reject());
        }
        let Some(mut response) = response else {
            return Ok(Auth::Partial {
                name: "".into(),
                instructions: "".into(),
                prompts: vec![("Password: ".into(), false)].into(),
            });
        };
        let password = response
            .next()
            .map(|b| String::from_utf8_lossy(&b[..]).into_owned())
            .unwrap_or_default();
        let span = self.span.clone();
        Ok(self
            .check_password(user, &password, Method::KeyboardInteractive)
            .instrument(span)
            .await)
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if self.open_channels >= self.prepared.max_channels {
            self.prepared.log(&format!(
                "maximum number of channels ({}) open, refusing another",
                self.prepared.max_channels
            ));
            reply
                .reject(russh::ChannelOpenFailure::ResourceShortage)
                .await;
            return Ok(());
        }
        self.open_channels += 1;
        self.channels.insert(channel.id(), channel);
        reply.accept().await;
        Ok(())
    }

    async fn channel_close(
        &mut self,
        channel: ChannelId,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.channels.remove(&channel);
        self.open_channels = self.open_channels.saturating_sub(1);
        Ok(())
    }

    async fn env_request(
        &mut self,
        channel: ChannelId,
        name: &str,
        _value: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        let accepted = self
            .prepared
            .accept_env
            .iter()
            .any(|p| crate::scp::glob_match(p, name));
        if accepted {
            session.channel_success(channel)?;
        } else {
            session.channel_failure(channel)?;
        }
        Ok(())
    }

    async fn subsystem_request(
        &mut self,
        channel_id: ChannelId,
        name: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        let Some(channel) = self.channels.remove(&channel_id) else {
            session.channel_failure(channel_id)?;
            return Ok(());
        };
        if name != "sftp" || !self.sess.lock().await.logged_in() {
            session.channel_failure(channel_id)?;
            return Ok(());
        }
        session.channel_success(channel_id)?;
        let handler = crate::sftp::Sftp::new(self.prepared.clone(), self.sess.clone(), "sftp");
        tokio::spawn(serve_sftp(channel, handler).instrument(self.span.clone()));
        Ok(())
    }

    async fn exec_request(
        &mut self,
        channel_id: ChannelId,
        data: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        let command = String::from_utf8_lossy(data).into_owned();
        let Some(channel) = self.channels.remove(&channel_id) else {
            session.channel_failure(channel_id)?;
            return Ok(());
        };
        let Some(scp) = crate::scp::Request::parse(&command) else {
            self.prepared.log(&format!(
                "exec request '{command}' refused: only scp is served"
            ));
            session.channel_failure(channel_id)?;
            return Ok(());
        };
        if !self.sess.lock().await.logged_in() {
            session.channel_failure(channel_id)?;
            return Ok(());
        }
        session.channel_success(channel_id)?;
        let sess = self.sess.clone();
        let prepared = self.prepared.clone();
        tokio::spawn(crate::scp::run(prepared, sess, channel, scp).instrument(self.span.clone()));
        Ok(())
    }
}

impl Handler {
    /// Whether `key` is in one of the user's `SFTPAuthorizedUserKeys` files, read with the
    /// user's own credentials.
    async fn key_authorized(&self, user: &str, key: &PublicKey) -> bool {
        if self.prepared.user_keys.is_empty() {
            return false;
        }
        let (server, shared) = {
            let guard = self.sess.lock().await;
            (guard.ctx.server.clone(), guard.ctx.shared.clone())
        };
        let name = user.to_string();
        let identity = match shared
            .pool
            .run(&shared.daemon_cred, move || server.auth.lookup(&name))
            .await
        {
            Ok(Ok(id)) => id,
            _ => return false,
        };
        let files: Vec<String> = self
            .prepared
            .user_keys
            .iter()
            .map(|p| crate::keys::expand(p, &identity))
            .collect();
        let cred = oxftpd_storage::Credentials {
            uid: identity.uid,
            gid: identity.gid,
            groups: identity.groups.clone().into(),
            umask: 0o022,
            dir_umask: 0o022,
        };
        let key = key.clone();
        shared
            .pool
            .run(&cred, move || crate::keys::authorized(&files, &key))
            .await
            .unwrap_or(false)
    }
}

/// Runs the SFTP subsystem on `channel` and, when the client has closed its side and the
/// subsystem has answered everything, ends the channel with exit status 0 as OpenSSH's
/// `sftp-server` does (scp in SFTP mode reads it).
async fn serve_sftp(channel: Channel<Msg>, handler: crate::sftp::Sftp) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (mut from_client, to_client) = channel.split();
    let (ours, theirs) = tokio::io::duplex(256 * 1024);
    russh_sftp::server::run(theirs, handler).await;
    let (mut ours_read, mut ours_write) = tokio::io::split(ours);
    let inbound = async move {
        while let Some(msg) = from_client.wait().await {
            match msg {
                russh::ChannelMsg::Data { data } if ours_write.write_all(&data).await.is_err() => {
                    break;
                }
                russh::ChannelMsg::Eof | russh::ChannelMsg::Close => break,
                _ => {}
            }
        }
        let _ = ours_write.shutdown().await;
    };
    let outbound = async move {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match ours_read.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if to_client.data_bytes(buf[..n].to_vec()).await.is_err() {
                        return;
                    }
                }
            }
        }
        let _ = to_client.exit_status(0).await;
        let _ = to_client.eof().await;
        let _ = to_client.close().await;
    };
    tokio::join!(inbound, outbound);
}
