//! Process life as init scripts expect it: parse, bind, fork, write the PidFile, drop root,
//! serve, and on SIGTERM stop; on SIGHUP reload.

use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, RwLock};

use anyhow::{Context, Result, anyhow, bail};
use oxftpd_config::Config;
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

const SYSTEM_CONFIG: &str = "/etc/oxftpd/oxftpd.conf";

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

fn main_directive<'a>(config: &'a Config, name: &str) -> Option<&'a oxftpd_config::Directive> {
    config.servers().first().and_then(|s| s.directive(name))
}

/// Resolves `User`/`Group`, with errors that name the directive and say what exists.
fn run_as(config: &Config) -> Result<Option<RunAs>> {
    if !privileges::is_root() {
        return Ok(None);
    }
    let user = main_directive(config, "User");
    let group = main_directive(config, "Group");
    let (uid, primary) = match user {
        Some(d) => {
            let name = d.arg(0).unwrap_or("");
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
    let gid = match group {
        Some(d) => {
            let name = d.arg(0).unwrap_or("");
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

/// A pipe the daemonized child uses to tell the waiting parent it is ready (or why not).
struct Ready(Option<std::fs::File>);

impl Ready {
    fn ok(&mut self) {
        if let Some(mut f) = self.0.take() {
            let _ = f.write_all(b"+");
        }
    }

    fn fail(&mut self, msg: &str) {
        if let Some(mut f) = self.0.take() {
            let _ = f.write_all(format!("-{msg}").as_bytes());
        }
    }
}

/// Forks into the background; the parent returns only when the child says it is ready.
fn daemonize() -> Result<Ready> {
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
    Ok(Ready(Some(std::fs::File::from(OwnedFd::from(w)))))
}

fn write_pid_file(path: &Path) -> Result<()> {
    std::fs::write(path, format!("{}\n", std::process::id()))
        .with_context(|| format!("PidFile {}", path.display()))
}

/// Runs the daemon: the whole life of the process after the flags are read.
pub fn run(cli: &Cli, source: Source, generation: Generation) -> Result<()> {
    let embedded = matches!(source, Source::Embedded(_));
    let config = generation.config.clone();
    let server_type = main_directive(&config, "ServerType")
        .and_then(|d| d.arg(0))
        .unwrap_or("standalone")
        .to_ascii_lowercase();
    if server_type == "inetd" {
        bail!(
            "ServerType inetd is not supported yet: run oxftpd standalone (ServerType standalone)"
        );
    }
    let opts = BindOptions {
        ipv4_only: cli.ipv4,
        ipv6: cli.ipv6,
        server_addr: cli.serveraddr,
    };
    let addrs = oxftpd_server::listener::addresses(&generation, &opts);
    if addrs.is_empty() {
        bail!("no server has a port to listen on (every Port is 0)");
    }
    let mut listeners = Vec::new();
    for addr in &addrs {
        listeners.push(oxftpd_server::listener::bind(*addr)?);
    }
    let run_as = run_as(&config)?;
    let pid_file = main_directive(&config, "PidFile")
        .and_then(|d| d.arg(0))
        .map(PathBuf::from);
    let foreground = cli.nodaemon || embedded;
    let mut ready = if foreground {
        Ready(None)
    } else {
        daemonize()?
    };
    crate::logging::init(cli, &config, foreground);
    match crate::fd_limit::raise() {
        crate::fd_limit::Raised::To(from, to) => {
            info!("open-file limit (RLIMIT_NOFILE) raised from {from} to {to}")
        }
        crate::fd_limit::Raised::Already(n) => info!("open-file limit (RLIMIT_NOFILE): {n}"),
        crate::fd_limit::Raised::Refused(n) => {
            warn!("open-file limit (RLIMIT_NOFILE) {n}: raising it to the hard limit was refused")
        }
    }
    let started = (|| -> Result<()> {
        if let Some(p) = &pid_file {
            write_pid_file(p)?;
        }
        Ok(())
    })();
    if let Err(e) = started {
        ready.fail(&format!("{e:#}"));
        return Err(e);
    }
    // Modes are passed explicitly by the storage layer; the process umask must not interfere.
    rustix::process::umask(rustix::fs::Mode::empty());
    let pool = FsPool::new(64).context("starting the filesystem pool")?;
    let daemon_cred = Credentials {
        uid: rustix::process::geteuid().as_raw(),
        gid: rustix::process::getegid().as_raw(),
        groups: Arc::from(Vec::new()),
        umask: 0o022,
    };
    let shared = Arc::new(Shared {
        pool,
        daemon_cred,
        sessions: AtomicUsize::new(0),
        counters: Default::default(),
    });
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    builder.enable_all().thread_stack_size(256 * 1024);
    if let Some(run_as) = run_as {
        builder.on_thread_start(move || {
            if let Err(e) = privileges::drop_this_thread(run_as) {
                error!("cannot drop privileges on a worker thread: {e}");
                std::process::abort();
            }
        });
    }
    let runtime = match builder.build() {
        Ok(r) => r,
        Err(e) => {
            ready.fail(&format!("tokio runtime: {e}"));
            return Err(e.into());
        }
    };
    if let Some(run_as) = run_as {
        privileges::drop_this_thread(run_as).context("dropping privileges")?;
        info!(
            uid = run_as.uid,
            gid = run_as.gid,
            "{}",
            privileges::describe()
        );
    }
    let live: oxftpd_server::Live = Arc::new(RwLock::new(Arc::new(generation)));
    if embedded {
        println!(
            "oxftpd: serving {} read-only to anonymous users; connect with: curl ftp://127.0.0.1:2121/",
            std::env::current_dir()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        );
    }
    ready.ok();
    // The pool's threads keep root when the rest dropped it: the daemon's own privileged work.
    let admin = match run_as {
        Some(_) => Credentials {
            uid: 0,
            gid: 0,
            groups: Arc::from(Vec::new()),
            umask: 0,
        },
        None => shared.daemon_cred.clone(),
    };
    let result = runtime.block_on(serve(
        cli,
        source,
        listeners,
        live,
        shared.clone(),
        admin.clone(),
    ));
    if let Some(p) = &pid_file {
        let p = p.clone();
        let _ = runtime.block_on(shared.pool.run(&admin, move || std::fs::remove_file(p)));
    }
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    result
}

async fn serve(
    cli: &Cli,
    source: Source,
    listeners: Vec<std::net::TcpListener>,
    live: oxftpd_server::Live,
    shared: Arc<Shared>,
    admin: Credentials,
) -> Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let (stop_tx, stop_rx) = watch::channel(false);
    let server = tokio::spawn(oxftpd_server::listener::serve(
        listeners,
        live.clone(),
        shared.clone(),
        stop_rx,
    ));
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    let mut hup = signal(SignalKind::hangup())?;
    let source = Arc::new(source);
    info!(
        "oxftpd {} (ProFTPD {} compatible) standalone mode STARTUP",
        env!("CARGO_PKG_VERSION"),
        crate::info::PROFTPD_VERSION
    );
    loop {
        tokio::select! {
            _ = term.recv() => break,
            _ = int.recv() => break,
            _ = hup.recv() => reload(cli, &source, &live, &shared, &admin).await,
        }
    }
    info!("received SIGTERM, shutting down");
    let _ = stop_tx.send(true);
    let _ = server.await;
    Ok(())
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
            match &*src {
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
            }
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
            if let Ok(mut g) = live.write() {
                *g = Arc::new(generation);
            }
            info!("configuration reloaded");
        }
        Err(e) => error!("reload refused, keeping the running configuration:\n{e}"),
    }
}
