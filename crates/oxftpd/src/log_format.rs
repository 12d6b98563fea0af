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
//!
//! `LogOptions` takes fields out (`-Timestamp`, `-Hostname`, `-VirtualHost`: the server's
//! address before the client) or puts ProFTPD's role labels in (`+RoleBasedProcessLabels`:
//! `daemon[pid]` for the daemon's lines, `session[pid]` for a session's).

use std::fmt::{self, Write as _};

use oxftpd_config::modules::mod_log::LogOptions;
use tracing::field::{Field, Visit};

/// What an event says, split into the parts the line places.
#[derive(Default)]
pub struct Parts {
    message: String,
    peer: Option<String>,
    server: Option<String>,
    rest: String,
}

/// How one line is laid out.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    /// The fields `LogOptions` leaves in.
    pub options: LogOptions,
    /// Whether the time, host and ident are written (not for syslog, which adds its own).
    pub stamp: bool,
    /// Whether the line is a session's (`session[pid]` under role-based labels).
    pub session: bool,
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
pub fn line(layout: Layout, parts: &Parts) -> String {
    let o = layout.options;
    let mut out = String::with_capacity(128);
    if layout.stamp {
        if o.timestamp {
            let _ = write!(out, "{} ", timestamp());
        }
        if o.hostname {
            let _ = write!(out, "{} ", host_name());
        }
        let label = match (o.role_labels, layout.session) {
            (false, _) => "oxftpd",
            (true, true) => "session",
            (true, false) => "daemon",
        };
        let _ = write!(out, "{label}[{}] ", std::process::id());
    }
    match (&parts.peer, &parts.server) {
        (Some(peer), server) => {
            let ip = client_ip(peer);
            if o.virtual_host {
                let server = server.as_deref().map_or_else(|| ip.clone(), canonical);
                let _ = write!(out, "{server} ");
            }
            let _ = write!(out, "({ip}[{ip}]): ");
        }
        (None, Some(server)) if o.virtual_host => {
            let _ = write!(out, "{server}: ");
        }
        _ => {}
    }
    out.push_str(&parts.message);
    out.push_str(&parts.rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(stamp: bool) -> Layout {
        Layout {
            options: LogOptions::default(),
            stamp,
            session: true,
        }
    }

    #[test]
    fn a_session_line_has_proftpds_prefix() {
        let parts = Parts {
            message: "USER alice (Login failed): Incorrect password".into(),
            peer: Some("[::ffff:192.0.2.7]:53886".into()),
            server: Some("::ffff:127.0.0.1".into()),
            rest: String::new(),
        };
        assert_eq!(
            line(layout(false), &parts),
            "127.0.0.1 (192.0.2.7[192.0.2.7]): USER alice (Login failed): Incorrect password"
        );
        let stamped = line(layout(true), &parts);
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
        assert_eq!(line(layout(false), &parts), "listening addr=[::]:21");
    }

    #[test]
    fn log_options_take_fields_out() {
        let parts = Parts {
            message: "USER alice (Login failed): Incorrect password".into(),
            peer: Some("192.0.2.7:53886".into()),
            server: Some("127.0.0.1".into()),
            rest: String::new(),
        };
        let options = LogOptions::parse(&[
            "-Timestamp".to_string(),
            "-Hostname".to_string(),
            "-VirtualHost".to_string(),
            "+RoleBasedProcessLabels".to_string(),
        ]);
        let l = Layout {
            options,
            stamp: true,
            session: true,
        };
        assert_eq!(
            line(l, &parts),
            format!(
                "session[{}] (192.0.2.7[192.0.2.7]): USER alice (Login failed): Incorrect password",
                std::process::id()
            )
        );
        let daemon = Parts {
            message: "ProFTPD killed".into(),
            ..Parts::default()
        };
        let l = Layout {
            session: false,
            ..l
        };
        assert_eq!(
            line(l, &daemon),
            format!("daemon[{}] ProFTPD killed", std::process::id())
        );
    }
}
