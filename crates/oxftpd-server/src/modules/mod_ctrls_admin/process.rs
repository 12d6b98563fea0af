//! The daemon-wide actions: `debug`, `dns`, `restart`, `shutdown`, `scoreboard`, `trace`,
//! `get`, and `config` (refused: oxftpd changes its configuration only by re-reading it).

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use crate::admin;
use crate::module::controls::{ControlFuture, ControlRequest, ControlResponse, Then};
use crate::sessions::{self, Ending};

/// Configurations opened since the daemon started (the first is the start itself).
pub static OPENED: AtomicU32 = AtomicU32::new(0);
/// When the daemon started, unix seconds.
pub static STARTED: OnceLock<i64> = OnceLock::new();

/// `debug level [N]`.
pub fn debug<'a>(req: &'a ControlRequest<'a>) -> ControlFuture<'a> {
    Box::pin(async move {
        if !super::allowed(req) {
            return ControlResponse::access_denied();
        }
        let Some(what) = req.args.first() else {
            return ControlResponse::error("debug: missing required parameters");
        };
        if what != "level" {
            return ControlResponse::error(format!("unknown debug action: '{what}'"));
        }
        match req.args.get(1) {
            _ if req.args.len() > 2 => ControlResponse::error("debug: wrong number of parameters"),
            None => {
                let level = admin::debug_level();
                super::log(req, &format!("debug: level set to {level}"));
                ControlResponse::ok(vec![format!("debug level set to {level}")])
            }
            Some(n) => {
                let level: i64 = n.trim().parse().unwrap_or(0);
                if level < 0 {
                    return ControlResponse::error("debug level must not be negative");
                }
                let level = u32::try_from(level).unwrap_or(u32::MAX);
                if !admin::set_debug_level(level) {
                    return ControlResponse::error(
                        "debug: this process's log level cannot change at run time",
                    );
                }
                super::log(req, &format!("debug: level set to {level}"));
                ControlResponse::ok(vec![format!("debug level set to {level}")])
            }
        }
    })
}

/// `dns on|off` (`UseReverseDNS` for new sessions) and `dns cache clear`.
pub fn dns<'a>(req: &'a ControlRequest<'a>) -> ControlFuture<'a> {
    Box::pin(async move {
        if !super::allowed(req) {
            return ControlResponse::access_denied();
        }
        match req.args {
            [] => ControlResponse::error("dns: missing required parameters"),
            [cache, clear] if cache == "cache" => {
                if clear != "clear" {
                    return ControlResponse::error(format!(
                        "dns: error: expected 'clear' command: '{clear}'"
                    ));
                }
                // Names are looked up per session and never cached: nothing is kept.
                ControlResponse::ok(vec!["dns: netaddr cache cleared".to_string()])
            }
            [flag] => match oxftpd_config::parse_flag(flag) {
                None => ControlResponse::error(format!(
                    "dns: error: expected Boolean parameter: '{flag}'"
                )),
                Some(on) => {
                    admin::set_reverse_dns(on);
                    let text = format!(
                        "dns: UseReverseDNS set to '{}'",
                        if on { "on" } else { "off" }
                    );
                    super::log(req, &text);
                    ControlResponse::ok(vec![text])
                }
            },
            _ => ControlResponse::error("dns: wrong number of parameters"),
        }
    })
}

/// `restart` (SIGHUP: re-read the configuration) and `restart count`.
pub fn restart<'a>(req: &'a ControlRequest<'a>) -> ControlFuture<'a> {
    Box::pin(async move {
        if !super::allowed(req) {
            return ControlResponse::access_denied();
        }
        match req.args {
            [] => ControlResponse {
                then: Then::Reload,
                ..ControlResponse::ok(vec!["restarted server".to_string()])
            },
            [count] if count == "count" => {
                let n = OPENED.load(Ordering::Relaxed).saturating_sub(1);
                let since = STARTED.get().copied().unwrap_or(0);
                let c = oxftpd_proto::time::Civil::from_unix(since);
                ControlResponse::ok(vec![format!(
                    "server restarted {n} {} since {:04}-{:02}-{:02} {:02}:{:02}:{:02} GMT",
                    if n == 1 { "time" } else { "times" },
                    c.year,
                    c.month,
                    c.day,
                    c.hour,
                    c.minute,
                    c.second
                )])
            }
            [other] => ControlResponse::error(format!("unsupported parameter '{other}'")),
            _ => ControlResponse::error("wrong number of parameters"),
        }
    })
}

/// `shutdown [graceful [SECS]]`: stops the daemon (SIGTERM); `graceful` first waits for the
/// sessions to end (at most SECS seconds, then they are cut).
pub fn shutdown<'a>(req: &'a ControlRequest<'a>) -> ControlFuture<'a> {
    Box::pin(async move {
        if !super::allowed(req) {
            return ControlResponse::access_denied();
        }
        let lines = vec!["shutting down".to_string()];
        if req.args.first().map(String::as_str) != Some("graceful") {
            return ControlResponse {
                then: Then::Stop,
                ..ControlResponse::ok(lines)
            };
        }
        let timeout = req.args.get(1).and_then(|s| s.parse::<u64>().ok());
        let settings = req
            .generation
            .modules
            .get::<crate::modules::mod_ctrls::settings::Settings>()
            .cloned();
        tokio::spawn(async move {
            let started = tokio::time::Instant::now();
            loop {
                let left = sessions::list().len();
                if left == 0 {
                    break;
                }
                if timeout.is_some_and(|t| started.elapsed() >= Duration::from_secs(t)) {
                    if let Some(s) = &settings {
                        s.log(&format!(
                            "shutdown: {} seconds elapsed, ending {left} remaining sessions",
                            timeout.unwrap_or(0)
                        ));
                    }
                    sessions::end_where(
                        |_| true,
                        None,
                        &Ending {
                            reply: None,
                            reason: "Server shutting down".to_string(),
                        },
                    );
                    break;
                }
                if let Some(s) = &settings {
                    s.log(&format!("shutdown: waiting for {left} sessions to end"));
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            let _ = rustix::process::kill_process(
                rustix::process::getpid(),
                rustix::process::Signal::TERM,
            );
        });
        ControlResponse::ok(lines)
    })
}

/// `scoreboard clean|scrub`: frees the entries of processes that are gone.
pub fn scoreboard<'a>(req: &'a ControlRequest<'a>) -> ControlFuture<'a> {
    Box::pin(async move {
        if !super::allowed(req) {
            return ControlResponse::access_denied();
        }
        let [what] = req.args else {
            return ControlResponse::error("wrong number of parameters");
        };
        if what != "clean" && what != "scrub" {
            return ControlResponse::error(format!("unknown scoreboard action '{what}'"));
        }
        if let Some(board) = &req.shared.scoreboard
            && let Err(e) = board.scrub()
        {
            return ControlResponse::error(format!("error scrubbing scoreboard: {e}"));
        }
        ControlResponse::ok(vec!["scrubbed scoreboard".to_string()])
    })
}

/// `trace info` lists the configured channels; changing levels at run time is refused
/// (a session takes its levels from the configuration when it starts).
pub fn trace<'a>(req: &'a ControlRequest<'a>) -> ControlFuture<'a> {
    Box::pin(async move {
        if !super::allowed(req) {
            return ControlResponse::access_denied();
        }
        let Some(first) = req.args.first() else {
            return ControlResponse::error("trace: missing required parameters");
        };
        if first != "info" {
            return ControlResponse::error(
                "trace: levels cannot change at run time in oxftpd: set Trace in the \
                 configuration and restart (ftpdctl restart)",
            );
        }
        let server = req.generation.config.main_server();
        let merged = oxftpd_config::Merged::of(&server.scope(None));
        let mut lines = Vec::new();
        for word in merged.all_args("Trace").into_iter().flatten() {
            if let Some((channel, level)) = word.split_once(':') {
                lines.push(format!("{channel:>10} {level:<6}"));
            }
        }
        if lines.is_empty() {
            return ControlResponse::ok(vec!["trace: no info available".to_string()]);
        }
        let mut out = vec![
            format!("{:<10} {:<6}", "Channel", "Level"),
            "---------- ------".to_string(),
        ];
        out.extend(lines);
        ControlResponse::ok(out)
    })
}

/// `get directives` (every directive and its module) and `get config NAME…`.
pub fn get<'a>(req: &'a ControlRequest<'a>) -> ControlFuture<'a> {
    Box::pin(async move {
        if !super::allowed(req) {
            return ControlResponse::access_denied();
        }
        let Some(what) = req.args.first() else {
            return ControlResponse::error("get: missing required parameters");
        };
        match what.as_str() {
            "config" if req.args.len() >= 2 => {
                let server = req.generation.config.main_server();
                let lines = req.args[1..]
                    .iter()
                    .map(|name| {
                        if server.directives(name).next().is_some() {
                            format!("{name}: not retrievable")
                        } else {
                            format!("{name}: directive not found")
                        }
                    })
                    .collect();
                ControlResponse::ok(lines)
            }
            "config" => ControlResponse::error("config: missing parameters"),
            "directives" if req.args.len() == 1 => {
                let mut lines: Vec<String> = crate::modules::all()
                    .iter()
                    .flat_map(|m| {
                        m.spec
                            .directives
                            .iter()
                            .map(move |d| format!("{} ({})", d.name, m.name()))
                    })
                    .collect();
                lines.sort();
                ControlResponse::ok(lines)
            }
            "directives" => ControlResponse::error("directives: wrong number of parameters"),
            other => ControlResponse::error(format!("unknown get type requested: '{other}'")),
        }
    })
}

/// `config set|remove …`: refused, with the reason.
pub fn config<'a>(req: &'a ControlRequest<'a>) -> ControlFuture<'a> {
    Box::pin(async move {
        if !super::allowed(req) {
            return ControlResponse::access_denied();
        }
        if req.args.is_empty() {
            return ControlResponse::error("config: missing required parameters");
        }
        ControlResponse::error(
            "config: not supported by oxftpd: edit the configuration file and reload \
             (ftpdctl restart)",
        )
    })
}
