//! What mod_prometheus counts, from the module API's hooks and events.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;

use oxftpd_server::module::events::{Direction, Event, EventFuture};
use oxftpd_server::module::hooks::{Cmd, HookFuture, Outcome};
use oxftpd_server::session::{Ctx, State};

use crate::metrics::{CommandReply, METRICS, Protocol, ProtocolReason, ProtocolServer, Version};

/// Whether the loaded configuration has `PrometheusEngine on` with an exporter.
pub static ENABLED: AtomicBool = AtomicBool::new(false);

fn on() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// The session's protocol label: `ftps` once the control connection is protected.
fn protocol(ctx: &Ctx) -> Protocol {
    Protocol {
        protocol: if ctx.control.is_tls() { "ftps" } else { "ftp" },
    }
}

/// What the module remembers of a session.
struct Seen {
    /// When it connected.
    connected: Instant,
    /// The labels its connection was counted under.
    counted: ProtocolServer,
    /// Whether it is counted in `proftpd_login_count`.
    logged_in: bool,
}

/// Something of this session counted in a `_count` gauge until its command ends.
#[derive(Clone, Copy)]
enum InFlight {
    List,
    Download,
    Upload,
}

fn gauge_of(what: InFlight) -> &'static Family<Protocol, Gauge> {
    match what {
        InFlight::List => &METRICS.directory_list_count,
        InFlight::Download => &METRICS.file_download_count,
        InFlight::Upload => &METRICS.file_upload_count,
    }
}

fn began(ctx: &mut Ctx, what: InFlight) -> Outcome {
    if on() {
        let labels = protocol(ctx);
        gauge_of(what).get_or_create(&labels).inc();
        ctx.ext.insert((what, labels));
    }
    Outcome::Continue
}

/// `PRE_CMD` on LIST, NLST, MLSD: a listing in flight.
pub fn list_began<'a>(ctx: &'a mut Ctx, _: &'a mut State, _: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move { began(ctx, InFlight::List) })
}

/// `PRE_CMD` on RETR: a download in flight.
pub fn download_began<'a>(ctx: &'a mut Ctx, _: &'a mut State, _: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move { began(ctx, InFlight::Download) })
}

/// `PRE_CMD` on STOR, APPE, STOU: an upload in flight.
pub fn upload_began<'a>(ctx: &'a mut Ctx, _: &'a mut State, _: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move { began(ctx, InFlight::Upload) })
}

/// `POST_CMD`/`POST_CMD_ERR` on AUTH: a TLS session by version, or a failed handshake.
pub fn after_auth<'a>(ctx: &'a mut Ctx, _: &'a mut State, cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        if on() && cmd.code == 234 {
            count_tls(ctx);
        }
        Outcome::Continue
    })
}

fn count_tls(ctx: &Ctx) {
    match ctx
        .control
        .tls_connection()
        .and_then(|c| c.protocol_version())
    {
        Some(v) => {
            let version = match v {
                rustls::ProtocolVersion::TLSv1_3 => "TLSv1.3",
                rustls::ProtocolVersion::TLSv1_2 => "TLSv1.2",
                _ => "other",
            };
            METRICS
                .tls_protocol
                .get_or_create(&Version { version })
                .inc();
        }
        None => {
            METRICS
                .handshake_error
                .get_or_create(&Protocol { protocol: "ftps" })
                .inc();
        }
    }
}

/// `LOG_CMD`/`LOG_CMD_ERR` on every command: commands by reply class, and the end of a
/// listing or transfer in flight.
pub fn logged<'a>(ctx: &'a mut Ctx, _: &'a mut State, cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        if !on() {
            return Outcome::Continue;
        }
        if let Some(spec) = cmd.spec {
            let reply = match cmd.code / 100 {
                1 => "1xx",
                2 => "2xx",
                3 => "3xx",
                4 => "4xx",
                5 => "5xx",
                _ => "none",
            };
            METRICS
                .command
                .get_or_create(&CommandReply {
                    command: spec.name,
                    reply,
                })
                .inc();
        }
        if let Some((what, labels)) = ctx.ext.remove::<(InFlight, Protocol)>() {
            gauge_of(what).get_or_create(&labels).dec();
            if let InFlight::List = what {
                let family = if cmd.code < 400 {
                    &METRICS.directory_list
                } else {
                    &METRICS.directory_list_error
                };
                family.get_or_create(&labels).inc();
            }
        }
        Outcome::Continue
    })
}

/// Session events: connections, logins, transfers.
pub fn on_event<'a>(ctx: &'a mut Ctx, event: &'a Event<'a>) -> EventFuture<'a> {
    Box::pin(async move {
        if !on() {
            return;
        }
        match event {
            Event::SessionOpened => {
                let labels = ProtocolServer {
                    protocol: protocol(ctx).protocol,
                    server: ctx.server.settings.name.clone(),
                };
                METRICS.connection.get_or_create(&labels).inc();
                METRICS.connection_count.get_or_create(&labels).inc();
                if ctx.control.is_tls() {
                    count_tls(ctx);
                }
                ctx.ext.insert(Seen {
                    connected: Instant::now(),
                    counted: labels,
                    logged_in: false,
                });
            }
            Event::SessionClosed { .. } => {
                if let Some(seen) = ctx.ext.remove::<Seen>() {
                    METRICS.connection_count.get_or_create(&seen.counted).dec();
                    let p = Protocol {
                        protocol: seen.counted.protocol,
                    };
                    METRICS
                        .connection_duration
                        .get_or_create(&p)
                        .observe(seen.connected.elapsed().as_secs_f64());
                    if seen.logged_in {
                        METRICS.login_count.get_or_create(&p).dec();
                    }
                }
            }
            Event::LoginSucceeded { .. } => {
                let p = protocol(ctx);
                METRICS.login.get_or_create(&p).inc();
                if let Some(seen) = ctx.ext.get_mut::<Seen>() {
                    METRICS
                        .login_delay
                        .get_or_create(&p)
                        .observe(seen.connected.elapsed().as_secs_f64());
                    if !seen.logged_in {
                        seen.logged_in = true;
                        METRICS.login_count.get_or_create(&p).inc();
                    }
                }
            }
            Event::LoginFailed { failure, .. } => {
                let labels = ProtocolReason {
                    protocol: protocol(ctx).protocol,
                    reason: failure.name(),
                };
                METRICS.login_error.get_or_create(&labels).inc();
            }
            Event::Transfer { transfer, .. } => {
                let p = protocol(ctx);
                let (ok, bytes, failed) = match transfer.direction {
                    Direction::Outgoing => (
                        &METRICS.file_download,
                        &METRICS.file_download_bytes,
                        &METRICS.file_download_error,
                    ),
                    Direction::Incoming => (
                        &METRICS.file_upload,
                        &METRICS.file_upload_bytes,
                        &METRICS.file_upload_error,
                    ),
                };
                if transfer.complete {
                    ok.get_or_create(&p).inc();
                    // Byte counts fit a double exactly up to 2^53.
                    bytes.get_or_create(&p).observe(transfer.bytes as f64);
                } else {
                    failed.get_or_create(&p).inc();
                }
            }
            _ => {}
        }
    })
}
