//! The tracing layer that writes the daemon's log lines: it finds the session an event belongs
//! to (the `session` span's `vhost` field, see `oxftpd_server::module::log::session_span`),
//! lays the line out with that server's `LogOptions` (`log_format.rs`) and writes it to the
//! server's `ServerLog`, nowhere, or the daemon's sink ([`Sink`]).

use std::io::Write;

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::LookupSpan;

use crate::log_format::{Layout, Parts, line};
use crate::server_logs::{Dest, route};

/// Where the daemon's own lines (and sessions' without a `ServerLog`) go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sink {
    /// The `SystemLog` file (`crate::logging`'s, reopened on HUP).
    SystemLog,
    /// Standard error (`-n`).
    Stderr,
    /// Nowhere (`-n -q`).
    Discard,
    /// syslog(3), which adds its own time, host and ident.
    Syslog,
}

/// The layer; see the module's doc.
pub struct ProftpdLayer {
    /// The daemon's sink.
    pub sink: Sink,
}

/// A span's server index, kept in its extensions.
struct Vhost(usize);

/// Reads the `vhost` field of a span.
#[derive(Default)]
struct VhostField(Option<usize>);

impl Visit for VhostField {
    fn record_u64(&mut self, field: &Field, value: u64) {
        if field.name() == "vhost" {
            self.0 = usize::try_from(value).ok();
        }
    }

    fn record_debug(&mut self, _field: &Field, _value: &dyn std::fmt::Debug) {}
}

impl<S> Layer<S> for ProftpdLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut v = VhostField::default();
        attrs.record(&mut v);
        if let (Some(i), Some(span)) = (v.0, ctx.span(id)) {
            span.extensions_mut().insert(Vhost(i));
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let mut v = VhostField::default();
        values.record(&mut v);
        if let (Some(i), Some(span)) = (v.0, ctx.span(id)) {
            let mut ext = span.extensions_mut();
            ext.remove::<Vhost>();
            ext.insert(Vhost(i));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let vhost = ctx.event_scope(event).and_then(|mut scope| {
            scope.find_map(|span| span.extensions().get::<Vhost>().map(|v| v.0))
        });
        let mut parts = Parts::default();
        event.record(&mut parts);
        let r = route(vhost);
        let to_file = !matches!(r.dest, Dest::Default) || self.sink != Sink::Syslog;
        let layout = Layout {
            options: r.options,
            stamp: to_file,
            session: vhost.is_some(),
        };
        let mut text = line(layout, &parts);
        match r.dest {
            Dest::Nowhere => {}
            Dest::File(f) => {
                text.push('\n');
                let _ = (&*f).write_all(text.as_bytes());
            }
            Dest::Default => match self.sink {
                Sink::Discard => {}
                Sink::Syslog => crate::logging::syslog(&text),
                Sink::Stderr => {
                    text.push('\n');
                    let _ = std::io::stderr().write_all(text.as_bytes());
                }
                Sink::SystemLog => {
                    text.push('\n');
                    crate::logging::write_system_log(text.as_bytes());
                }
            },
        }
    }
}
