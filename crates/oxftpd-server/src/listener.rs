//! Listening sockets, accepting connections, choosing the server for each, and shutdown.
//!
//! The caller binds (so tests can bind port 0 and a daemon can bind before it forks and
//! drops root) and owns the shutdown signal, as in mini-redis's `server::run`.

use std::collections::BTreeSet;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use socket2::{Domain, Protocol, Socket, Type};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tracing::{error, info, warn};

use crate::StartError;
use crate::context::{Generation, ServerCtx, Shared};

/// Restrictions from the command line (`-4`, `-6`, `-S`).
#[derive(Clone, Debug, Default)]
pub struct BindOptions {
    /// `-4`: IPv4 only.
    pub ipv4_only: bool,
    /// `-6`: IPv6 too (the default when `UseIPv6 on`).
    pub ipv6: bool,
    /// `-S ADDR`: the main server's address.
    pub server_addr: Option<IpAddr>,
}

/// The socket addresses a generation needs.
///
/// With `SocketBindTight on` every server's own addresses; with it off (ProFTPD's default)
/// one wildcard socket per port, and [`choose`] picks the server by the local address.
pub fn addresses(generation: &Generation, opts: &BindOptions) -> Vec<SocketAddr> {
    let main = generation.servers.first().map(|s| &s.settings);
    let tight = main.is_some_and(|s| s.socket_bind_tight);
    let wildcard_v6 = (opts.ipv6 || main.is_some_and(|s| s.use_ipv6)) && !opts.ipv4_only;
    let mut set = BTreeSet::new();
    for (i, server) in generation.servers.iter().enumerate() {
        let s = &server.settings;
        if s.port == 0 {
            continue;
        }
        let mut ips = s.addresses.clone();
        if i == 0
            && let Some(a) = opts.server_addr
        {
            ips = vec![a];
        }
        if ips.is_empty() || !tight {
            ips.clear();
            ips.push(if wildcard_v6 {
                IpAddr::V6(Ipv6Addr::UNSPECIFIED)
            } else {
                IpAddr::V4(Ipv4Addr::UNSPECIFIED)
            });
        }
        for ip in ips {
            if opts.ipv4_only && ip.is_ipv6() {
                continue;
            }
            set.insert(SocketAddr::new(ip, s.port));
        }
    }
    set.into_iter().collect()
}

/// Binds one listening socket, with a message that names the address and the reason.
pub fn bind(addr: SocketAddr) -> Result<std::net::TcpListener, StartError> {
    let fail = |e: io::Error| StartError::Bind {
        addr,
        reason: describe_bind_error(addr, &e),
    };
    let domain = if addr.is_ipv4() {
        Domain::IPV4
    } else {
        Domain::IPV6
    };
    let socket = Socket::new(domain, Type::STREAM, Some(Protocol::TCP)).map_err(fail)?;
    socket.set_reuse_address(true).map_err(fail)?;
    if addr.is_ipv6() {
        // A wildcard IPv6 socket also takes IPv4 (mapped), as ProFTPD's UseIPv6 does.
        let _ = socket.set_only_v6(!addr.ip().is_unspecified());
    }
    socket.set_nonblocking(true).map_err(fail)?;
    socket.bind(&addr.into()).map_err(fail)?;
    socket.listen(1024).map_err(fail)?;
    Ok(socket.into())
}

fn describe_bind_error(addr: SocketAddr, e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::PermissionDenied if addr.port() < 1024 => {
            format!(
                "{e}: port {} is below 1024 and needs root (or CAP_NET_BIND_SERVICE)",
                addr.port()
            )
        }
        io::ErrorKind::AddrInUse => match crate::port_holder::listening_on(addr.port()) {
            Some(who) => format!("{e}: {who} is already listening on port {}", addr.port()),
            None => format!("{e}: another process is listening on {addr}"),
        },
        io::ErrorKind::AddrNotAvailable => {
            format!("{e}: {} is not an address of this host", addr.ip())
        }
        _ => e.to_string(),
    }
}

/// Picks the server for a connection that arrived on `local`: the one bound to that address and
/// port, else the `DefaultServer` on that port, else (`SocketBindTight off`) the first server
/// listening on that port, as ProFTPD's wildcard binding does.
pub fn choose(generation: &Generation, local: SocketAddr) -> Option<Arc<ServerCtx>> {
    let ip = match local.ip() {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    };
    let port = local.port();
    let on_port = |s: &&Arc<ServerCtx>| s.settings.port == port;
    let servers = &generation.servers;
    // Name-based vhosts share an address with an earlier server: the first one takes the
    // connection, HOST may move it.
    servers
        .iter()
        .filter(on_port)
        .find(|s| s.settings.addresses.contains(&ip))
        .or_else(|| {
            servers
                .first()
                .filter(on_port)
                .filter(|s| s.settings.addresses.is_empty() || s.settings.addresses.contains(&ip))
        })
        .or_else(|| {
            servers
                .iter()
                .filter(on_port)
                .find(|s| s.settings.default_server)
        })
        .or_else(|| {
            let tight = servers
                .first()
                .is_some_and(|s| s.settings.socket_bind_tight);
            servers.iter().filter(on_port).find(|_| !tight)
        })
        // A socket we did not bind from the configuration (inetd's stdin, systemd's
        // socket) may be on a port no server names: the main server takes it.
        .or_else(|| {
            servers
                .first()
                .filter(|_| !servers.iter().any(|s| on_port(&s)))
        })
        .cloned()
}

/// The live configuration, replaced on reload.
pub type Live = Arc<RwLock<Arc<Generation>>>;

/// Accepts on every listener until `shutdown` turns true, then waits for the sessions to end.
pub async fn serve(
    listeners: Vec<std::net::TcpListener>,
    live: Live,
    shared: Arc<Shared>,
    shutdown: watch::Receiver<bool>,
) {
    let (_keep, drain) = watch::channel(false);
    serve_draining(listeners, live, shared, shutdown, drain).await
}

/// Like [`serve`]; when `drain` turns true the listeners are closed (another process has
/// them now) and the running sessions go on to their end, unless `shutdown` ends them.
pub async fn serve_draining(
    listeners: Vec<std::net::TcpListener>,
    live: Live,
    shared: Arc<Shared>,
    shutdown: watch::Receiver<bool>,
    mut drain: watch::Receiver<bool>,
) {
    let (done_tx, mut done_rx) = mpsc::channel::<()>(1);
    let mut tasks = Vec::new();
    for l in listeners {
        let listener = match TcpListener::from_std(l) {
            Ok(l) => l,
            Err(e) => {
                error!("cannot use listening socket: {e}");
                continue;
            }
        };
        if let Ok(addr) = listener.local_addr() {
            info!("listening on {addr}");
        }
        tasks.push(tokio::spawn(accept_loop(
            listener,
            live.clone(),
            shared.clone(),
            shutdown.clone(),
            done_tx.clone(),
        )));
    }
    drop(done_tx);
    let mut stop = shutdown.clone();
    let mut draining = false;
    loop {
        if *stop.borrow() {
            break;
        }
        if *drain.borrow() {
            draining = true;
            break;
        }
        tokio::select! {
            r = stop.changed() => if r.is_err() { break },
            r = drain.changed() => if r.is_err() { break },
        }
    }
    for t in &tasks {
        t.abort();
    }
    for t in tasks {
        let _ = t.await;
    }
    if draining {
        info!("listening sockets handed over; waiting for the running sessions to end");
        tokio::select! {
            _ = done_rx.recv() => {}
            _ = async { while !*stop.borrow() { if stop.changed().await.is_err() { break; } } } => {
                let _ = tokio::time::timeout(Duration::from_secs(5), done_rx.recv()).await;
            }
        }
        return;
    }
    // Every session holds a sender; `recv` returns None when the last one is gone.
    let _ = tokio::time::timeout(Duration::from_secs(5), done_rx.recv()).await;
}

async fn accept_loop(
    listener: TcpListener,
    live: Live,
    shared: Arc<Shared>,
    shutdown: watch::Receiver<bool>,
    done: mpsc::Sender<()>,
) {
    let mut backoff = Duration::from_millis(10);
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(c) => {
                backoff = Duration::from_millis(10);
                c
            }
            Err(e) => {
                // Out of fds and the like: back off instead of spinning.
                warn!("accept failed: {e}");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(1));
                continue;
            }
        };
        let generation = match live.read() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        let (alive, now) = shared.enter();
        if let Some(max) = generation.max_instances
            && now > max
        {
            // As ProFTPD: the connection is closed without a greeting.
            warn!(%peer, "MaxInstances ({max}) reached, new connection denied");
            drop(alive);
            drop(stream);
            continue;
        }
        let rate = generation
            .servers
            .first()
            .and_then(|s| s.cfg.core.max_connection_rate);
        let ticket = match crate::connection_rate::admit(rate) {
            Ok(t) => t,
            Err(crate::connection_rate::Reached(max, secs)) => {
                warn!(%peer, "MaxConnectionRate ({max}/{secs} secs) reached, new connection denied");
                drop(alive);
                drop(stream);
                continue;
            }
        };
        let shared = shared.clone();
        let mut shutdown = shutdown.clone();
        let done = done.clone();
        tokio::spawn(async move {
            let _done = done;
            let _alive = alive;
            let _ticket = ticket;
            let local = match stream.local_addr() {
                Ok(a) => a,
                Err(_) => return,
            };
            let Some(mut server) = choose(&generation, local) else {
                refuse(
                    stream,
                    format!(
                        "{} Sorry, no server available to handle request on {}.\r\n",
                        oxftpd_proto::reply::codes::SYNTAX_ERROR,
                        local.ip()
                    ),
                )
                .await;
                return;
            };
            let mut stream = stream;
            let Some(conn) = accept_hooks(&mut stream, &generation, &mut server, peer, local).await
            else {
                return;
            };
            let (peer, local) = (conn.peer, conn.local);
            let main_name = generation
                .servers
                .first()
                .map(|s| s.settings.name.clone())
                .unwrap_or_default();
            if let Some(text) =
                crate::shutmsg::refusal(&local.ip().to_string(), &peer.ip().to_string(), &main_name)
            {
                refuse(stream, text).await;
                return;
            }
            // `ftpdctl down`: closed without a greeting; `oxftpctl shut`: ftpshut's refusal.
            if crate::admin::is_down(local) {
                return;
            }
            if let Some(text) = crate::admin::refusal(&server, local, peer) {
                refuse(stream, text).await;
                return;
            }
            // A module may serve its own protocol on this server's port (mod_sftp).
            let mut stream = Some(stream);
            let mut session = None;
            for take in crate::module::registry::registry().connection_handlers() {
                let Some(s) = stream.take() else { break };
                match take(s, peer, server.clone(), generation.clone(), shared.clone()) {
                    Ok(run) => session = Some(run),
                    Err(back) => stream = Some(back),
                }
            }
            let span = crate::module::log::session_span(server.index);
            let session = match (session, stream) {
                (Some(run), _) => run,
                (None, Some(stream)) => Box::pin(crate::engine::run(
                    stream,
                    conn,
                    server,
                    generation.clone(),
                    shared.clone(),
                )),
                (None, None) => return,
            };
            tokio::select! {
                _ = tracing::Instrument::instrument(session, span) => {}
                _ = async { while !*shutdown.borrow() { if shutdown.changed().await.is_err() { break; } } } => {}
            }
        });
    }
}

/// Runs the modules' accept hooks on a new connection to `server` (before any protocol reads a
/// byte: a proxy's header may name the client); `server` becomes the one the client reached
/// at the proxy when a hook says so and one has that address. `None`: close the connection.
pub async fn accept_hooks(
    stream: &mut TcpStream,
    generation: &Generation,
    server: &mut Arc<ServerCtx>,
    peer: SocketAddr,
    local: SocketAddr,
) -> Option<crate::module::Conn> {
    let mut conn = crate::module::Conn::direct(peer, local);
    for accept in crate::module::registry::registry().accept_hooks() {
        conn = accept(stream, server, conn).await?;
    }
    if conn.local != local {
        match choose(generation, conn.local) {
            Some(s) => *server = s,
            None => conn.local = local,
        }
    }
    Some(conn)
}

async fn refuse(mut stream: TcpStream, text: String) {
    let _ = stream.write_all(text.as_bytes()).await;
    let _ = stream.shutdown().await;
}
