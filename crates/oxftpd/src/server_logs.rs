//! `ServerLog` and `LogOptions` per server: which file a session's lines go to (its server's
//! `ServerLog`, nowhere for `ServerLog none`, else the daemon's `SystemLog`/stderr/syslog) and
//! which fields they carry. Built from the configuration as root at start and on each reload
//! (the files are opened then, before any session can touch them); read by
//! [`crate::log_layer`] for every line.

use std::fs::File;
use std::sync::{Arc, RwLock};

use oxftpd_config::Config;
use oxftpd_config::Merged;
use oxftpd_config::modules::mod_log::{LogOptions, View};

/// Where one server's session lines go.
#[derive(Debug, Clone)]
pub enum Dest {
    /// The daemon's own log (no `ServerLog`, or one that could not be opened).
    Default,
    /// `ServerLog none`: not logged.
    Nowhere,
    /// The server's `ServerLog` file.
    File(Arc<File>),
}

/// What one line needs: its fields and its destination.
#[derive(Debug, Clone)]
pub struct Route {
    /// `LogOptions` in force.
    pub options: LogOptions,
    /// Where it goes.
    pub dest: Dest,
}

/// The daemon's options (the main server's `LogOptions`) and each server's route, by index.
struct Table {
    main: LogOptions,
    servers: Vec<Route>,
}

static TABLE: RwLock<Option<Table>> = RwLock::new(None);

/// Reads every server's `ServerLog` and `LogOptions` from `config` and opens the logs (call as
/// root). A `ServerLog` that cannot be opened is reported, and that server's sessions log to
/// the daemon's log.
pub fn open(config: &Config) {
    let views: Vec<View> = config
        .servers()
        .iter()
        .map(|s| View::read(&Merged::of(&s.scope(None))))
        .collect();
    let main = views
        .first()
        .and_then(|v| v.log_options)
        .unwrap_or_default();
    let servers = views
        .iter()
        .map(|v| Route {
            // A server without its own LogOptions keeps the daemon's, as ProFTPD's session
            // process keeps what the server config set.
            options: v.log_options.unwrap_or(main),
            dest: match v.server_log.as_deref() {
                None => Dest::Default,
                Some(p) if p.eq_ignore_ascii_case("none") => Dest::Nowhere,
                Some(p) => match crate::logging::open_log_file(p) {
                    Ok(f) => Dest::File(Arc::new(f)),
                    Err(e) => {
                        tracing::warn!("unable to open ServerLog '{p}': {e}");
                        Dest::Default
                    }
                },
            },
        })
        .collect();
    *TABLE.write().unwrap_or_else(|p| p.into_inner()) = Some(Table { main, servers });
}

/// The route of a line: a session's of server `vhost`, or the daemon's (`None`).
pub fn route(vhost: Option<usize>) -> Route {
    let table = TABLE.read().unwrap_or_else(|p| p.into_inner());
    let Some(t) = table.as_ref() else {
        return Route {
            options: LogOptions::default(),
            dest: Dest::Default,
        };
    };
    match vhost.and_then(|i| t.servers.get(i)) {
        Some(r) => r.clone(),
        None => Route {
            options: t.main,
            dest: Dest::Default,
        },
    }
}
