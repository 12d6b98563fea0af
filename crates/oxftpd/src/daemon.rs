//! Process life as init scripts expect it: parse, bind, fork, write the PidFile, drop root,
//! serve, and on SIGTERM stop; on SIGHUP reload.

// This file calls libc (or other C APIs): unsafe code is allowed here only, each block
// with a SAFETY comment saying why it is sound.
#![allow(unsafe_code)]

use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, RwLock};

use anyhow::{Context, Result, anyhow, bail};
use oxftpd_config::Config;
use oxftpd_config::modules::mod_core::Daemon;
use oxftpd_server::scoreboard::Scoreboard;
use oxftpd_server::{BindOptions, Generation, Shared, StartError};
use oxftpd_storage::{Credentials, FsPool};
use tokio::sync::watch;
use tracing::{error, info, warn};

use crate::cli::Cli;
use crate::embedded;
use crate::privileges::{self, RunAs};

/// Where the configuration came from.
pub enum Source {
    /// A file.
    File(PathBuf),
    /// The embedded default (serve the current directory read-only).
    Embedded(String),
}

/// The `PidFile` written when the configuration names none (`-V` prints it; `oxftpctl
/// reload` and the systemd unit look there). Debug builds take
/// `OXFTPD_TEST_DEFAULT_PID_FILE`, so that tests do not write into /run.
pub fn default_pid_file() -> PathBuf {
    #[cfg(debug_assertions)]
    if let Some(p) = std::env::var_os("OXFTPD_TEST_DEFAULT_PID_FILE") {
        return PathBuf::from(p);
    }
    PathBuf::from(crate::info::DEFAULT_PID_FILE)
}

/// The configuration read when no `-c` is given, if it exists.
pub const SYSTEM_CONFIG: &str = "/etc/oxftpd/oxftpd.conf";

/// Chooses the configuration: `-c`, else the system file, else the embedded default.
pub fn source(cli: &Cli) -> Result<Source> {
    if let Some(path) = &cli.config {
        return Ok(Source::File(path.clone()));
    }
    if Path::new(SYSTEM_CONFIG).exists() {
        return Ok(Source::File(PathBuf::from(SYSTEM_CONFIG)));
    }
    Ok(Source::Embedded(embedded::config()?))
}

/// Parses the configuration and prepares every server.
pub fn load(source: &Source, cli: &Cli) -> Result<Generation, StartError> {
    let defines = cli.defines();
    match source {
        Source::File(path) => {
            let config = oxftpd_server::parse_config(path, &defines)?;
            Generation::new(config, Some(path))
        }
        Source::Embedded(text) => {
            let config =
                oxftpd_server::parse_config_str(text, Path::new("(embedded default)"), &defines)?;
            Generation::new(config, None)
        }
    }
}

/// Resolves `User`/`Group`, with errors that name the directive and say what exists.
fn run_as(config: &Config) -> Result<Option<RunAs>> {
    if !privileges::is_root() {
        return Ok(None);
    }
    let daemon = Daemon::of(config);
    let (uid, primary) = match &daemon.user {
        Some(user) => {
            let (name, d) = (&user.value, &user.at);
            privileges::user_id(name).ok_or_else(|| {
                anyhow!(
                    "{}:{}: User: no such user '{name}'",
                    d.file.display(),
                    d.line
                )
            })?
        }
        None => return Ok(None),
    };
    let gid = match &daemon.group {
        Some(group) => {
            let (name, d) = (&group.value, &group.at);
            privileges::group_id(name).ok_or_else(|| {
                anyhow!(
                    "{}:{}: Group: no such group '{name}' (groups here include: {})",
                    d.file.display(),
                    d.line,
                    privileges::some_group_names(12).join(", ")
                )
            })?
        }
        None => primary,
    };
    Ok(Some(RunAs { uid, gid }))
}

/// Pipes on which this process tells a waiting parent (the daemonizing launcher, or the
/// daemon that is handing over on upgrade) that it is ready, or why not.
struct Ready(Vec<std::fs::File>);

impl Ready {
    fn ok(&mut self) {
        for mut f in self.0.drain(..) {
            let _ = f.write_all(b"+");
        }
    }

    fn fail(&mut self, msg: &str) {
        for mut f in self.0.drain(..) {
            let _ = f.write_all(format!("-{msg}").as_bytes());
        }
    }

    /// The upgrade readiness pipe passed by the previous daemon, if any.
    fn from_upgrade() -> Ready {
        let fd = std::env::var(crate::sockets::UPGRADE_READY)
            .ok()
            .and_then(|v| v.parse::<i32>().ok());
        // SAFETY: called at start-up before other threads exist.
        unsafe { std::env::remove_var(crate::sockets::UPGRADE_READY) };
        match fd {
            Some(fd) if fd > 2 => {
                crate::sockets::set_cloexec(fd, true);
                // SAFETY: the previous daemon left this pipe's write end open for us.
                Ready(vec![std::fs::File::from(unsafe {
                    <OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(fd)
                })])
            }
            _ => Ready(Vec::new()),
        }
    }
}

/// Forks into the background; the parent returns only when the child says it is ready.
fn daemonize(ready: &mut Ready) -> Result<()> {
    let (r, w) = rustix::pipe::pipe().context("pipe")?;
    // SAFETY: no other threads exist yet (no runtime, no pool): fork is sound here.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        bail!("fork: {}", std::io::Error::last_os_error());
    }
    if pid > 0 {
        drop(w);
        let mut msg = String::new();
        let _ = std::fs::File::from(r).read_to_string(&mut msg);
        if msg.starts_with('+') {
            std::process::exit(0);
        }
        let msg = msg
            .strip_prefix('-')
            .unwrap_or("the daemon exited during start-up");
        eprintln!("oxftpd: {msg}");
        std::process::exit(1);
    }
    drop(r);
    let _ = rustix::process::setsid();
    let _ = std::env::set_current_dir("/");
    if let Ok(null) = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/null")
    {
        use std::os::fd::AsRawFd;
        // SAFETY: dup2 onto the standard descriptors with a valid fd.
        unsafe {
            libc::dup2(null.as_raw_fd(), 0);
            libc::dup2(null.as_raw_fd(), 1);
            libc::dup2(null.as_raw_fd(), 2);
        }
    }
    ready.0.push(std::fs::File::from(w));
    Ok(())
}

/// Opens the `ScoreboardFile` (as root, before privileges drop) in ProFTPD's layout, with
/// this process's pid in the header; `keep` keeps the entries a previous process still
/// serves (an upgrade, or `ServerType inetd` where every session is a process).
fn open_scoreboard(config: &Config, path: &Path, pid: u32, keep: bool) -> Result<Scoreboard> {
    let mutex = Daemon::of(config)
        .scoreboard_mutex
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let mut p = path.as_os_str().to_owned();
            p.push(".lck");
            PathBuf::from(p)
        });
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    Scoreboard::open(path, &mutex, pid, started, keep).with_context(|| {
        format!(
            "ScoreboardFile {} (ScoreboardMutex {})",
            path.display(),
            mutex.display()
        )
    })
}

/// `ScoreboardScrub on|off|secs`: how often entries of vanished processes are freed
/// (ProFTPD's default: every 30 seconds).
fn scrub_interval(config: &Config) -> Option<std::time::Duration> {
    Daemon::of(config)
        .scoreboard_scrub
        .map(std::time::Duration::from_secs)
}

fn write_pid_file(path: &Path) -> Result<()> {
    std::fs::write(path, format!("{}\n", std::process::id()))
        .with_context(|| format!("PidFile {}", path.display()))
}

/// What the threads that serve sessions run on: the runtime, the pool, and the credentials
/// of the daemon's own privileged work.
struct Engine {
    runtime: tokio::runtime::Runtime,
    shared: Arc<Shared>,
    admin: Credentials,
}

/// Starts the filesystem pool and the runtime, then drops root as `run_as` says.
fn start_engine(run_as: Option<RunAs>, scoreboard: Option<Scoreboard>) -> Result<Engine> {
    // Modes are passed explicitly by the storage layer; the process umask must not interfere.
    rustix::process::umask(rustix::fs::Mode::empty());
    let started_root = privileges::is_root();
    if started_root && run_as.is_some() {
        // Threads started from here on (the pool's spawner, its workers, tokio's) inherit this.
        privileges::limit_capabilities().context("limiting capabilities")?;
    }
    let pool = FsPool::new(64).context("starting the filesystem pool")?;
    let daemon_cred = Credentials {
        uid: rustix::process::geteuid().as_raw(),
        gid: rustix::process::getegid().as_raw(),
        groups: Arc::from(Vec::new()),
        umask: 0o022,
        dir_umask: 0o022,
    };
    let shared = Arc::new(Shared {
        pool,
        daemon_cred,
        sessions: AtomicUsize::new(0),
        counters: Default::default(),
        scoreboard: scoreboard.map(Arc::new),
    });
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    // A few worker threads only: their stacks cost address space, not memory per session
    // (sessions are heap-allocated tasks). Deep library code (TLS handshakes, regex
    // compilation, zlib) must never overflow one: that would abort every session.
    builder.enable_all().thread_stack_size(4 << 20);
    if let Some(run_as) = run_as {
        builder.on_thread_start(move || {
            if let Err(e) = privileges::drop_this_thread(run_as) {
                error!("cannot drop privileges on a worker thread: {e}");
                std::process::abort();
            }
        });
    }
    let runtime = builder.build().context("tokio runtime")?;
    if let Some(run_as) = run_as {
        privileges::drop_this_thread(run_as).context("dropping privileges")?;
        info!(
            uid = run_as.uid,
            gid = run_as.gid,
            "{}",
            privileges::describe(started_root)
        );
    } else if !started_root {
        info!("{}", privileges::describe(false));
    }
    // The pool's threads keep uid 0 when the rest dropped it: the daemon's own privileged work.
    let admin = match run_as {
        Some(_) => Credentials {
            uid: 0,
            gid: 0,
            groups: Arc::from(Vec::new()),
            umask: 0,
            dir_umask: 0,
        },
        None => shared.daemon_cred.clone(),
    };
    Ok(Engine {
        runtime,
        shared,
        admin,
    })
}

/// `ServerType inetd`: serves the one session on stdin, then exits.
fn run_inetd(cli: &Cli, generation: Generation) -> Result<()> {
    let stream = crate::inetd::take_stdin_socket()?;
    let config = generation.config.clone();
    crate::logging::init(cli, &config, cli.nodaemon).map_err(|e| anyhow!(e))?;
    let run_as = run_as(&config)?;
    // Each inetd session is a process of its own: its entry joins the others'.
    let scoreboard = Daemon::of(&config)
        .scoreboard_file
        .map(|p| open_scoreboard(&config, Path::new(&p), 0, true))
        .transpose()?;
    crate::sandbox::apply(&config);
    let engine = start_engine(run_as, scoreboard)?;
    let peer = stream
        .peer_addr()
        .context("ServerType inetd: peer address")?;
    let local = stream
        .local_addr()
        .context("ServerType inetd: local address")?;
    let generation = Arc::new(generation);
    let shared = engine.shared.clone();
    engine.runtime.block_on(async move {
        let stream = tokio::net::TcpStream::from_std(stream)?;
        let Some(mut server) = oxftpd_server::listener::choose(&generation, local) else {
            use tokio::io::AsyncWriteExt;
            let mut stream = stream;
            let text = format!(
                "{} Sorry, no server available to handle request on {}.\r\n",
                oxftpd_proto::reply::codes::SYNTAX_ERROR,
                local.ip()
            );
            let _ = stream.write_all(text.as_bytes()).await;
            return Ok::<(), std::io::Error>(());
        };
        let mut stream = stream;
        let accepted = oxftpd_server::listener::accept_hooks(
            &mut stream,
            &generation,
            &mut server,
            peer,
            local,
        );
        let Some(conn) = accepted.await else {
            return Ok(());
        };
        let _alive = shared.enter();
        oxftpd_server::engine::run(stream, conn, server, generation.clone(), shared.clone()).await;
        Ok(())
    })?;
    engine
        .runtime
        .shutdown_timeout(std::time::Duration::from_secs(1));
    Ok(())
}

/// Runs the daemon: the whole life of the process after the flags are read.
pub fn run(cli: &Cli, source: Source, mut generation: Generation) -> Result<()> {
    generation.open_logs()?;
    let embedded = matches!(source, Source::Embedded(_));
    let config = generation.config.clone();
    let daemon = Daemon::of(&config);
    let server_type = daemon
        .server_type
        .as_deref()
        .unwrap_or("standalone")
        .to_ascii_lowercase();
    if server_type == "inetd" {
        return run_inetd(cli, generation);
    }
    let mut ready = Ready::from_upgrade();
    if let Some(p) = std::env::var_os("OXFTPD_SHUTMSG") {
        oxftpd_server::shutmsg::set_path(PathBuf::from(p));
    }
    let opts = BindOptions {
        ipv4_only: cli.ipv4,
        ipv6: cli.ipv6,
        server_addr: cli.serveraddr,
    };
    let addrs = oxftpd_server::listener::addresses(&generation, &opts);
    let inherited = crate::sockets::inherited().map_err(|e| anyhow!(e))?;
    let mut listeners = Vec::new();
    let mut origin = None;
    if let Some((o, socks)) = inherited {
        origin = Some(o);
        listeners = socks;
    }
    let have: Vec<std::net::SocketAddr> = listeners
        .iter()
        .filter_map(|l| l.local_addr().ok())
        .collect();
    if origin != Some(crate::sockets::Origin::Systemd) {
        if addrs.is_empty() && listeners.is_empty() {
            bail!("no server has a port to listen on (every Port is 0)");
        }
        for addr in &addrs {
            if !have.contains(addr) {
                listeners.push(oxftpd_server::listener::bind(*addr)?);
            }
        }
    }
    let run_as = run_as(&config)?;
    // No PidFile directive: the default one (not for the built-in default, which is a
    // foreground convenience).
    let pid_default = daemon.pid_file.is_none();
    let mut pid_file = match &daemon.pid_file {
        Some(p) => Some(PathBuf::from(p)),
        None => (!embedded).then(default_pid_file),
    };
    let scoreboard = daemon.scoreboard_file.as_ref().map(PathBuf::from);
    let foreground = cli.nodaemon || embedded;
    if !foreground {
        daemonize(&mut ready)?;
    }
    if let Err(e) = crate::logging::init(cli, &config, foreground) {
        ready.fail(&e);
        bail!(e);
    }
    raise_fd_limit();
    crate::rlimit::apply(&config);
    for w in config.warnings() {
        warn!("{w}");
    }
    match origin {
        Some(crate::sockets::Origin::Systemd) => {
            info!(
                "socket activation: serving on {} socket(s) passed by systemd",
                listeners.len()
            )
        }
        Some(crate::sockets::Origin::Upgrade) => {
            info!(
                "upgrade: took over {} listening socket(s) from the previous process",
                have.len()
            )
        }
        None => {}
    }
    if let Some(Err(e)) = pid_file.as_deref().map(write_pid_file) {
        if !pid_default {
            ready.fail(&format!("{e:#}"));
            return Err(e);
        }
        // The default one is a convenience: without it only `oxftpctl reload` needs --pid-file.
        warn!("{e:#} (the default PidFile; set PidFile to choose another)");
        pid_file = None;
    }
    let keep = origin == Some(crate::sockets::Origin::Upgrade);
    let board = match scoreboard
        .as_deref()
        .map(|p| open_scoreboard(&config, p, std::process::id(), keep))
        .transpose()
    {
        Ok(b) => b,
        Err(e) => {
            ready.fail(&format!("{e:#}"));
            return Err(e);
        }
    };
    // Before the pool and the runtime start their threads: they inherit the sandbox.
    crate::sandbox::apply(&config);
    let engine = match start_engine(run_as, board) {
        Ok(e) => e,
        Err(e) => {
            ready.fail(&format!("{e:#}"));
            return Err(e);
        }
    };
    let live: oxftpd_server::Live = Arc::new(RwLock::new(Arc::new(generation)));
    if embedded {
        println!(
            "oxftpd: serving {} read-only to anonymous users; connect with: curl ftp://127.0.0.1:{}/",
            std::env::current_dir()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            crate::embedded::port()
        );
    }
    let Engine {
        runtime,
        shared,
        admin,
    } = engine;
    if let (Some(board), Some(every)) = (shared.scoreboard.clone(), scrub_interval(&config)) {
        runtime.spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.tick().await;
            loop {
                tick.tick().await;
                match board.scrub() {
                    Ok(0) => {}
                    Ok(n) => info!("ScoreboardScrub: removed {n} entries of vanished processes"),
                    Err(e) => warn!("ScoreboardScrub: {e}"),
                }
            }
        });
    }
    let upgrading = origin == Some(crate::sockets::Origin::Upgrade);
    let result = runtime.block_on(serve(
        cli,
        source,
        listeners,
        live,
        shared.clone(),
        admin.clone(),
        ready,
        Started {
            pid_file: pid_file.clone(),
            upgrading,
        },
    ));
    let handed_over = matches!(result, Ok(Ended::HandedOver));
    if !handed_over {
        let files: Vec<PathBuf> = pid_file
            .iter()
            .chain(scoreboard.iter())
            .cloned()
            .chain(oxftpd_server::modules::mod_ctrls::socket_to_remove())
            .collect();
        let _ = runtime.block_on(shared.pool.run(&admin, move || {
            for f in files {
                let _ = std::fs::remove_file(f);
            }
        }));
    }
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    result.map(|_| ())
}

/// How the serving loop ended.
enum Ended {
    /// SIGTERM/SIGINT.
    Stopped,
    /// SIGUSR2: a new process has the sockets and this one finished its sessions.
    HandedOver,
}

/// What `serve` needs to know of how the process started.
struct Started {
    /// The PidFile written, rewritten when an upgrade fails.
    pid_file: Option<PathBuf>,
    /// Whether this process is an upgrade's successor.
    upgrading: bool,
}

#[allow(clippy::too_many_arguments)]
async fn serve(
    cli: &Cli,
    source: Source,
    listeners: Vec<std::net::TcpListener>,
    live: oxftpd_server::Live,
    shared: Arc<Shared>,
    admin: Credentials,
    mut ready: Ready,
    started: Started,
) -> Result<Ended> {
    use std::os::fd::AsRawFd;
    use tokio::signal::unix::{SignalKind, signal};
    let (stop_tx, stop_rx) = watch::channel(false);
    let (drain_tx, drain_rx) = watch::channel(false);
    let fds: Vec<i32> = listeners.iter().map(|l| l.as_raw_fd()).collect();
    if let Ok(g) = live.read() {
        oxftpd_server::modules::start(&g, &shared);
    }
    let mut server = tokio::spawn(oxftpd_server::listener::serve_draining(
        listeners,
        live.clone(),
        shared.clone(),
        stop_rx,
        drain_rx,
    ));
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    let mut hup = signal(SignalKind::hangup())?;
    let mut usr2 = signal(SignalKind::user_defined2())?;
    // Tests only (debug builds): a successor that waits before it reports ready, so that a
    // test can kill it mid-upgrade.
    #[cfg(debug_assertions)]
    if started.upgrading
        && let Some(ms) = std::env::var("OXFTPD_TEST_UPGRADE_PAUSE_MS")
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
    {
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    }
    #[cfg(not(debug_assertions))]
    let _ = started.upgrading;
    // Only now, with the signal handlers in place, may the launcher return: a SIGTERM sent
    // right after it must still remove the PidFile.
    ready.ok();
    let source = Arc::new(source);
    info!(
        "oxftpd {} (ProFTPD {} compatible) standalone mode STARTUP",
        env!("CARGO_PKG_VERSION"),
        crate::info::PROFTPD_VERSION
    );
    crate::sd_notify::ready();
    let mut handed_over = false;
    loop {
        tokio::select! {
            _ = term.recv() => break,
            _ = int.recv() => break,
            _ = hup.recv() => {
                crate::sd_notify::notify("RELOADING=1");
                reload(cli, &source, &live, &shared, &admin).await;
                crate::sd_notify::notify("READY=1");
            }
            _ = usr2.recv(), if !handed_over => {
                if upgrade(&fds, &shared, &admin).await {
                    handed_over = true;
                    let _ = drain_tx.send(true);
                } else if let Some(path) = started.pid_file.clone() {
                    // The successor may have written its pid before it died: the PidFile
                    // names this process again, so `oxftpctl reload`/`restart` still reach it.
                    let shown = path.display().to_string();
                    match shared.pool.run(&admin, move || write_pid_file(&path)).await {
                        Ok(Ok(())) => info!("upgrade: PidFile {shown} names this process again"),
                        Ok(Err(e)) => warn!("upgrade: {e:#}"),
                        Err(e) => warn!("upgrade: PidFile {shown}: {e}"),
                    }
                }
            }
            _ = &mut server, if handed_over => {
                info!("the last session ended; exiting after the upgrade");
                return Ok(Ended::HandedOver);
            }
        }
    }
    info!("received SIGTERM, shutting down");
    crate::sd_notify::notify("STOPPING=1");
    let _ = stop_tx.send(true);
    let _ = server.await;
    Ok(if handed_over {
        Ended::HandedOver
    } else {
        Ended::Stopped
    })
}

/// Starts the successor with the listening sockets; true once it reported ready.
async fn upgrade(fds: &[i32], shared: &Arc<Shared>, admin: &Credentials) -> bool {
    info!(
        "received SIGUSR2: starting {} with the listening sockets",
        crate::upgrade::binary().display()
    );
    let fds = fds.to_vec();
    // The pool's threads are the ones still root: the new process inherits their identity.
    let spawned = shared
        .pool
        .run(admin, move || crate::upgrade::spawn(&fds))
        .await;
    let (pipe, pid) = match spawned {
        Ok(Ok(p)) => p,
        Ok(Err(e)) => {
            error!("upgrade: cannot start the new process: {e}; still serving");
            return false;
        }
        Err(e) => {
            error!("upgrade: {e}; still serving");
            return false;
        }
    };
    let waited = tokio::task::spawn_blocking(move || crate::upgrade::wait_ready(pipe, 30)).await;
    match waited {
        Ok(Ok(())) => {
            info!(
                "upgrade: new process {pid} is serving; this one stops accepting and finishes its sessions"
            );
            true
        }
        Ok(Err(e)) => {
            error!("upgrade: {e}; still serving");
            false
        }
        Err(e) => {
            error!("upgrade: {e}; still serving");
            false
        }
    }
}

async fn reload(
    cli: &Cli,
    source: &Arc<Source>,
    live: &oxftpd_server::Live,
    shared: &Arc<Shared>,
    admin: &Credentials,
) {
    info!("received SIGHUP, re-reading configuration");
    let src = source.clone();
    let defines = cli.defines();
    let loaded = shared
        .pool
        .run(admin, move || -> Result<Generation, StartError> {
            // logrotate renamed the SystemLog and sent HUP: lines go to a new file.
            if let Err(e) = crate::logging::reopen() {
                warn!("{e}");
            }
            let mut generation = match &*src {
                Source::File(path) => {
                    Generation::new(oxftpd_server::parse_config(path, &defines)?, Some(path))
                }
                Source::Embedded(text) => Generation::new(
                    oxftpd_server::parse_config_str(
                        text,
                        Path::new("(embedded default)"),
                        &defines,
                    )?,
                    None,
                ),
            }?;
            generation.open_logs()?;
            crate::server_logs::open(&generation.config);
            Ok(generation)
        })
        .await;
    let loaded = loaded
        .map_err(|e| StartError::Message(e.to_string()))
        .and_then(|r| r);
    match loaded {
        Ok(generation) => {
            let old_addrs = live
                .read()
                .map(|g| oxftpd_server::listener::addresses(&g, &BindOptions::default()))
                .unwrap_or_default();
            let new_addrs =
                oxftpd_server::listener::addresses(&generation, &BindOptions::default());
            if old_addrs != new_addrs {
                warn!("reload: the listening addresses changed; they take effect after a restart");
            }
            let generation = Arc::new(generation);
            oxftpd_server::modules::start(&generation, shared);
            if let Ok(mut g) = live.write() {
                *g = generation;
            }
            info!("configuration reloaded");
        }
        Err(e) => error!("reload refused, keeping the running configuration:\n{e}"),
    }
}

/// Raises the soft open-file limit to the hard one (a session holds one fd while idle), and
/// logs the limit in force.
fn raise_fd_limit() {
    match crate::fd_limit::raise() {
        crate::fd_limit::Raised::To(from, to) => {
            info!("open-file limit (RLIMIT_NOFILE) raised from {from} to {to}")
        }
        crate::fd_limit::Raised::Already(n) => info!("open-file limit (RLIMIT_NOFILE): {n}"),
        crate::fd_limit::Raised::Refused(n) => {
            warn!("open-file limit (RLIMIT_NOFILE) {n}: raising it to the hard limit was refused")
        }
    }
}
