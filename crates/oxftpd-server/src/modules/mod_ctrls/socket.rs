//! The control socket: bound as root when a configuration is opened (mode and owner as
//! `ControlsSocketOwner` and `ControlsSocketACL` say), served on the runtime, one task per
//! client. Who a client is comes from the kernel (`SO_PEERCRED`), as ProFTPD checks it on
//! Linux; the socket file `ftpdctl` binds for itself (`/tmp/ftp.clPID`) is removed once the
//! client is accepted, as ProFTPD does.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::UnixStream;

use super::settings::Settings;
use super::wire;
use crate::context::{Generation, Shared};
use crate::module::controls::{ControlClient, ControlRequest, ControlResponse, Then, Unregistered};

/// The bound socket, kept across reloads while its path stays the same.
struct Bound {
    path: PathBuf,
    /// The socket file's inode, to remove the path only while it is still ours.
    ino: u64,
    std: Option<std::os::unix::net::UnixListener>,
    tokio: Option<Arc<tokio::net::UnixListener>>,
    task: Option<tokio::task::AbortHandle>,
}

static BOUND: Mutex<Option<Bound>> = Mutex::new(None);

fn bound() -> std::sync::MutexGuard<'static, Option<Bound>> {
    BOUND.lock().unwrap_or_else(|p| p.into_inner())
}

/// Binds (or keeps) the socket for `settings`; stops serving when the engine is off.
pub fn bind(settings: &Settings) -> std::io::Result<()> {
    let mut b = bound();
    if !settings.engine {
        if let Some(old) = b.take() {
            close(old);
        }
        return Ok(());
    }
    let same = b.as_ref().is_some_and(|o| o.path == settings.socket);
    if !same {
        if let Some(old) = b.take() {
            close(old);
        }
        let _ = std::fs::remove_file(&settings.socket);
        let listener = std::os::unix::net::UnixListener::bind(&settings.socket)?;
        listener.set_nonblocking(true)?;
        let ino = std::fs::symlink_metadata(&settings.socket)?.ino();
        *b = Some(Bound {
            path: settings.socket.clone(),
            ino,
            std: Some(listener),
            tokio: None,
            task: None,
        });
    }
    std::fs::set_permissions(
        &settings.socket,
        std::fs::Permissions::from_mode(settings.socket_mode()),
    )?;
    std::os::unix::fs::chown(
        &settings.socket,
        Some(settings.owner.0),
        Some(settings.owner.1),
    )?;
    Ok(())
}

/// Stops serving and removes the socket file if it is still ours.
fn close(mut old: Bound) {
    if let Some(t) = old.task.take() {
        t.abort();
    }
    if still_ours(&old.path, old.ino) {
        let _ = std::fs::remove_file(&old.path);
    }
}

fn still_ours(path: &Path, ino: u64) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.ino() == ino)
}

/// The socket's path while the file there is still this process's (for removal at exit).
pub fn path_if_ours() -> Option<PathBuf> {
    let b = bound();
    let b = b.as_ref()?;
    still_ours(&b.path, b.ino).then(|| b.path.clone())
}

/// Stops accepting (`rmctrl all`): clients are refused until a restart.
pub fn stop_accepting() {
    let mut b = bound();
    if let Some(b) = b.as_mut() {
        if let Some(t) = b.task.take() {
            t.abort();
        }
        b.tokio = None;
        b.std = None;
    }
}

/// Serves the bound socket for `generation` (again after a reload, with the new one).
pub fn serve(generation: &Arc<Generation>, shared: &Arc<Shared>) {
    let Some(settings) = generation.modules.get::<Settings>().cloned() else {
        return;
    };
    let mut b = bound();
    let Some(b) = b.as_mut() else {
        return;
    };
    if let Some(t) = b.task.take() {
        t.abort();
    }
    if b.tokio.is_none() {
        let Some(std) = b.std.take() else {
            return;
        };
        match tokio::net::UnixListener::from_std(std) {
            Ok(l) => b.tokio = Some(Arc::new(l)),
            Err(e) => {
                tracing::warn!(
                    "{}: unable to serve the control socket: {e}",
                    super::VERSION
                );
                return;
            }
        }
    }
    let Some(listener) = b.tokio.clone() else {
        return;
    };
    let (generation, shared) = (generation.clone(), shared.clone());
    b.task = Some(tokio::spawn(accept(listener, settings, generation, shared)).abort_handle());
}

async fn accept(
    listener: Arc<tokio::net::UnixListener>,
    settings: Settings,
    generation: Arc<Generation>,
    shared: Arc<Shared>,
) {
    let settings = Arc::new(settings);
    let clients = Arc::new(tokio::sync::Semaphore::new(settings.max_clients));
    loop {
        let Ok(permit) = clients.clone().acquire_owned().await else {
            return;
        };
        let (stream, addr) = match listener.accept().await {
            Ok(c) => c,
            Err(e) => {
                settings.log(&format!("error: unable to accept on local socket: {e}"));
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let (settings, generation, shared) = (settings.clone(), generation.clone(), shared.clone());
        tokio::spawn(async move {
            let _permit = permit;
            let client_path = addr.as_pathname().map(Path::to_path_buf);
            serve_client(stream, client_path, &settings, &generation, &shared).await;
        });
    }
}

fn name_or_id(name: std::io::Result<Option<String>>, id: u32) -> String {
    name.ok().flatten().unwrap_or_else(|| id.to_string())
}

async fn serve_client(
    mut stream: UnixStream,
    client_path: Option<PathBuf>,
    settings: &Settings,
    generation: &Arc<Generation>,
    shared: &Arc<Shared>,
) {
    let Ok(cred) = stream.peer_cred() else {
        settings.log("error: unable to accept connection: no peer credentials");
        return;
    };
    let (uid, gid) = (cred.uid(), cred.gid());
    let client = ControlClient {
        uid,
        gid,
        pid: cred.pid().unwrap_or(0),
        user: name_or_id(oxftpd_auth::nss::user_name_by_id(uid), uid),
        group: name_or_id(oxftpd_auth::nss::group_name_by_id(gid), gid),
    };
    let who = format!("{}/{}", client.user, client.group);
    settings.log(&format!("accepted connection from {who} client"));
    if let Some(path) = client_path {
        remove_client_file(path, uid, shared).await;
    }
    let wait = Duration::from_secs(settings.interval.max(5));
    let request = match tokio::time::timeout(wait, wire::read_request(&mut stream)).await {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => {
            settings.log(&format!("error: unable to receive client request: {e}"));
            settings.log(&format!("closed connection to {who} client"));
            return;
        }
        Err(_) => {
            settings.log("error: unable to receive client request: timed out");
            settings.log(&format!("closed connection to {who} client"));
            return;
        }
    };
    let response = answer(&request, &client, settings, generation, shared).await;
    let lines = if response.raw {
        response.lines.clone()
    } else {
        wire::for_ftpdctl(response.lines.clone())
    };
    let bytes = wire::encode(response.status, &lines);
    match stream.write_all(&bytes).await {
        Ok(()) => {
            settings.log(&format!(
                "sent to {who} client: return value: {}",
                response.status
            ));
            for l in &lines {
                settings.log(&format!("sent to {who} client: '{l}'"));
            }
        }
        Err(e) => settings.log(&format!(
            "error: unable to send response to {who} client: {e}"
        )),
    }
    let _ = stream.shutdown().await;
    settings.log(&format!("closed connection to {who} client"));
    after(response.then);
}

/// Runs the request's action, after the socket's ACL.
async fn answer(
    request: &[String],
    client: &ControlClient,
    settings: &Settings,
    generation: &Arc<Generation>,
    shared: &Arc<Shared>,
) -> ControlResponse {
    let who = format!("{}/{}", client.user, client.group);
    let Some((action, args)) = request.split_first() else {
        return ControlResponse::error("unsupported action requested");
    };
    let unregistered = generation.modules.get::<Unregistered>();
    let found = crate::modules::control(action, unregistered)
        .filter(|_| !super::actions::is_disabled(action));
    let Some((_, spec)) = found else {
        settings.log(&format!("recvd from {who} client: (invalid action)"));
        return ControlResponse::error("unsupported action requested");
    };
    settings.log(&format!("recvd from {who} client: '{}'", request.join(" ")));
    if !settings.socket_acl.allows(client) {
        return ControlResponse::access_denied();
    }
    let req = ControlRequest {
        action,
        args,
        client,
        generation,
        shared,
    };
    (spec.run)(&req).await
}

/// Removes the socket file a client bound for itself, as ProFTPD does after `accept`: only
/// `ftpdctl`'s `/tmp/ftp.cl*` files, only sockets owned by the client.
async fn remove_client_file(path: PathBuf, uid: u32, shared: &Arc<Shared>) {
    if !path.to_string_lossy().starts_with("/tmp/ftp.cl") {
        return;
    }
    let _ = shared
        .pool
        .run(&shared.daemon_cred, move || {
            use std::os::unix::fs::FileTypeExt;
            if let Ok(m) = std::fs::symlink_metadata(&path)
                && m.file_type().is_socket()
                && m.uid() == uid
            {
                let _ = std::fs::remove_file(&path);
            }
        })
        .await;
}

/// What the daemon does after an answer went out: signals to itself, so a restart or a stop
/// takes the same way as `kill -HUP`/`kill -TERM`.
fn after(then: Then) {
    let sig = match then {
        Then::Nothing => return,
        Then::Reload => rustix::process::Signal::HUP,
        Then::Stop => rustix::process::Signal::TERM,
    };
    let _ = rustix::process::kill_process(rustix::process::getpid(), sig);
}
