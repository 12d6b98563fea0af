//! The `SystemLog` line as ProFTPD writes it, so that tools written for ProFTPD's log (fail2ban's
//! stock `proftpd` filter, logwatch, grep habits) read ours:
//!
//! ```text
//! 2026-12-07 20:59:33,212 host oxftpd[27853] 127.0.0.1 (client.example[192.0.2.7]): USER alice (Login failed): Incorrect password
//! ```
//!
//! local time with milliseconds, the host name, the ident with the pid, then for a session's
//! line the server's address and the client's name and address, then the message (in
//! ProFTPD's words where ProFTPD has the line). A session's line is one whose event carries
//! `peer` (the client's socket address) and, optionally, `server` (our address); other fields
//! follow the message as `key=value`. To syslog the time, host and ident are syslog's own.

use std::fmt::{self, Write as _};

use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// The formatter; `stamp` adds the time, host and ident (not for syslog, which adds its own).
pub struct ProftpdFormat {
    /// Whether to write the time, host name and `oxftpd[pid]`.
    pub stamp: bool,
}

/// What an event says, split into the parts the line places.
#[derive(Default)]
struct Parts {
    message: String,
    peer: Option<String>,
    server: Option<String>,
    rest: String,
}

impl Visit for Parts {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, value.to_string());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.put(field, format!("{value:?}"));
    }
}

impl Parts {
    fn put(&mut self, field: &Field, value: String) {
        match field.name() {
            "message" => self.message = value,
            "peer" => self.peer = Some(value),
            "server" => self.server = Some(value),
            name => {
                let _ = write!(self.rest, " {name}={value}");
            }
        }
    }
}

/// `IP:PORT` or `[IP]:PORT` (or a bare IP) → the client's IP, IPv4-mapped addresses unmapped.
fn client_ip(peer: &str) -> String {
    match peer.parse::<std::net::SocketAddr>() {
        Ok(sa) => sa.ip().to_canonical().to_string(),
        Err(_) => peer
            .parse::<std::net::IpAddr>()
            .map_or_else(|_| peer.to_string(), |ip| ip.to_canonical().to_string()),
    }
}

/// An address unmapped (`::ffff:127.0.0.1` → `127.0.0.1`); anything else as it is.
fn canonical(text: &str) -> String {
    text.parse::<std::net::IpAddr>()
        .map_or_else(|_| text.to_string(), |ip| ip.to_canonical().to_string())
}

/// The host name, as ProFTPD's log shows it.
fn host_name() -> String {
    rustix::system::uname()
        .nodename()
        .to_string_lossy()
        .into_owned()
}

/// Local time as `YYYY-MM-DD HH:MM:SS,mmm`.
fn timestamp() -> String {
    oxftpd_server::module::log::stamp()
}

/// One line, without its end.
fn line(stamp: bool, parts: &Parts) -> String {
    let mut out = String::with_capacity(128);
    if stamp {
        let _ = write!(
            out,
            "{} {} oxftpd[{}] ",
            timestamp(),
            host_name(),
            std::process::id()
        );
    }
    match (&parts.peer, &parts.server) {
        (Some(peer), server) => {
            let ip = client_ip(peer);
            let server = server.as_deref().map_or_else(|| ip.clone(), canonical);
            let _ = write!(out, "{server} ({ip}[{ip}]): ");
        }
        (None, Some(server)) => {
            let _ = write!(out, "{server}: ");
        }
        (None, None) => {}
    }
    out.push_str(&parts.message);
    out.push_str(&parts.rest);
    out
}

impl<S, N> FormatEvent<S, N> for ProftpdFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let mut parts = Parts::default();
        event.record(&mut parts);
        writeln!(writer, "{}", line(self.stamp, &parts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_line_has_proftpds_prefix() {
        let parts = Parts {
            message: "USER alice (Login failed): Incorrect password".into(),
            peer: Some("[::ffff:192.0.2.7]:53886".into()),
            server: Some("::ffff:127.0.0.1".into()),
            rest: String::new(),
        };
        assert_eq!(
            line(false, &parts),
            "127.0.0.1 (192.0.2.7[192.0.2.7]): USER alice (Login failed): Incorrect password"
        );
        let stamped = line(true, &parts);
        let (time, rest) = stamped.split_at(23);
        assert_eq!(time.as_bytes()[19], b',', "{stamped}");
        assert!(
            rest.contains(&format!(" oxftpd[{}] 127.0.0.1 (", std::process::id())),
            "{stamped}"
        );
    }

    #[test]
    fn other_fields_follow_the_message() {
        let parts = Parts {
            message: "listening".into(),
            rest: " addr=[::]:21".into(),
            ..Parts::default()
        };
        assert_eq!(line(false, &parts), "listening addr=[::]:21");
    }
}
