//! mod_prometheus's settings, read from the main server's configuration, and what `open`
//! (as root, per loaded configuration) and `start` (on the runtime) do with them.

use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

use oxftpd_config::{Config, Merged, Server};
use oxftpd_server::StartError;
use oxftpd_server::context::Generation;
use oxftpd_server::module::state::ModuleState;

use crate::directives::View;
use crate::exporter::{self, Exporter};

/// What the configuration asks of the module.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Settings {
    /// `PrometheusEngine on`.
    pub engine: bool,
    /// `PrometheusExporter`.
    pub exporter: Option<Exporter>,
    /// `PrometheusLog` (not `none`).
    pub log: Option<PathBuf>,
    /// `PrometheusTables`.
    pub tables: Option<PathBuf>,
}

impl Settings {
    /// Reads the main server's directives (mod_prometheus takes them from there only).
    pub fn from_server(server: &Server) -> Result<Settings, StartError> {
        let view = View::read(&Merged::of(&server.scope(None)));
        let engine = view.engine;
        let exporter = match &view.exporter {
            Some(e) => {
                let (args, d) = (&e.value, &e.at);
                let arg = |i: usize| args.get(i).map(String::as_str);
                let addr = arg(0)
                    .map(exporter::parse_address)
                    .transpose()
                    .map_err(|e| StartError::at(d, e))?
                    .ok_or_else(|| StartError::at(d, "missing address".to_string()))?;
                let credentials = match (arg(1), arg(2)) {
                    (Some(u), Some(p)) => Some((u.to_string(), p.to_string())),
                    _ => None,
                };
                Some(Exporter { addr, credentials })
            }
            None => None,
        };
        let log = view
            .log
            .filter(|p| !p.eq_ignore_ascii_case("none"))
            .map(PathBuf::from);
        let tables = view.tables.as_ref().map(|t| PathBuf::from(&t.value));
        Ok(Settings {
            engine,
            exporter,
            log,
            tables,
        })
    }
}

/// Makes the `PrometheusTables` directory as mod_prometheus does: created `0755` when
/// missing, with an `empty/` directory of mode `0111` inside; an existing `empty/` with
/// another mode is an error.
pub fn prepare_tables(dir: &Path) -> Result<(), String> {
    match std::fs::metadata(dir) {
        Ok(m) if !m.is_dir() => {
            return Err(format!(
                "unable to use '{}': Not a directory",
                dir.display()
            ));
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o755)
                .create(dir)
                .map_err(|e| format!("unable to create directory '{}': {e}", dir.display()))?;
        }
        Err(e) => return Err(format!("unable to stat '{}': {e}", dir.display())),
    }
    let empty = dir.join("empty");
    match std::fs::metadata(&empty) {
        Ok(m) if m.permissions().mode() & 0o7777 != 0o111 => Err(format!(
            "directory '{}' has incorrect permissions (not 0111 as required)",
            empty.display()
        )),
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => std::fs::DirBuilder::new()
            .mode(0o111)
            .create(&empty)
            .and_then(|()| std::fs::set_permissions(&empty, std::fs::Permissions::from_mode(0o111)))
            .map_err(|e| format!("unable to create directory '{}': {e}", empty.display())),
        Err(e) => Err(format!("unable to stat '{}': {e}", empty.display())),
    }
}

/// The module's `open` ([`oxftpd_server::module::OpenFn`]): opens the log and binds the
/// exporter's socket, or stops the exporter when the configuration turned it off. As
/// mod_prometheus: without `PrometheusTables` or `PrometheusExporter` the module is disabled,
/// and says so in its log.
pub fn open(config: &Config, _state: &mut ModuleState) -> Result<(), StartError> {
    let settings = Settings::from_server(config.main_server())?;
    {
        let mut log = crate::LOG.lock().unwrap_or_else(|p| p.into_inner());
        *log = None;
        if settings.engine
            && let Some(path) = &settings.log
        {
            match oxftpd_server::module::log::open(path) {
                Ok(f) => *log = Some(f),
                Err(e) => tracing::warn!(
                    "{}: notice: unable to open PrometheusLog '{}': {e}",
                    crate::VERSION,
                    path.display()
                ),
            }
        }
    }
    crate::hooks::ENABLED.store(false, std::sync::atomic::Ordering::Relaxed);
    if !settings.engine {
        exporter::stop();
        return Ok(());
    }
    let Some(tables) = &settings.tables else {
        crate::log("no PrometheusTables configured, disabling module");
        exporter::stop();
        return Ok(());
    };
    if let Err(e) = prepare_tables(tables) {
        let view = View::read(&Merged::of(&config.main_server().scope(None)));
        let d = view.tables.ok_or_else(|| StartError::Message(e.clone()))?;
        return Err(StartError::at(&d.at, e));
    }
    let Some(exp) = &settings.exporter else {
        crate::log("missing required PrometheusExporter directive, disabling module");
        exporter::stop();
        return Ok(());
    };
    exporter::bind(exp).map_err(|e| {
        StartError::Message(format!(
            "PrometheusExporter: cannot listen on {}: {e}",
            exp.addr
        ))
    })?;
    // The registry exists from the first configuration that turns the engine on.
    std::sync::LazyLock::force(&crate::metrics::METRICS);
    crate::hooks::ENABLED.store(true, std::sync::atomic::Ordering::Relaxed);
    Ok(())
}

/// The module's `start` ([`oxftpd_server::module::StartFn`]): serves the bound socket.
pub fn start(
    _generation: &std::sync::Arc<Generation>,
    _shared: &std::sync::Arc<oxftpd_server::Shared>,
) {
    exporter::serve();
}
