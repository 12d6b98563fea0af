//! The metrics, named as mod_prometheus names them (`proftpd_*`), in one process-wide
//! registry: counters survive configuration reloads, as the scraper expects.

use std::sync::LazyLock;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// `protocol`: `ftp` or `ftps` (the control connection's protection when it counted).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Protocol {
    /// The protocol.
    pub protocol: &'static str,
}

/// `protocol` and the `<VirtualHost>`'s `ServerName` (`server`).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ProtocolServer {
    /// The protocol.
    pub protocol: &'static str,
    /// The server's name.
    pub server: String,
}

/// `protocol` and a failure's `reason`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ProtocolReason {
    /// The protocol.
    pub protocol: &'static str,
    /// Why it failed.
    pub reason: &'static str,
}

/// A TLS protocol `version` (`TLSv1.2`, `TLSv1.3`).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Version {
    /// The version.
    pub version: &'static str,
}

/// A command and the class of its last reply (`2xx` … `5xx`).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CommandReply {
    /// The verb.
    pub command: &'static str,
    /// The reply class.
    pub reply: &'static str,
}

/// Build information.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Build {
    /// The ProFTPD release whose behaviour oxftpd matches.
    pub proftpd_version: &'static str,
    /// This module's version.
    pub mod_prometheus_version: &'static str,
}

fn duration_buckets() -> Histogram {
    // mod_prometheus: 1s, 5s, 10s, 30s, 1m, 5m, 10m, 30m, 1h, 6h, 1d.
    Histogram::new([
        1.0, 5.0, 10.0, 30.0, 60.0, 300.0, 600.0, 1800.0, 3600.0, 21600.0, 86400.0,
    ])
}

fn byte_buckets() -> Histogram {
    // mod_prometheus: 10K, 50K, 100K, 1M, 10M, 50M, 100M, 500M, 1G, 100G.
    Histogram::new([
        10240.0,
        51200.0,
        102_400.0,
        1_048_576.0,
        10_485_760.0,
        52_428_800.0,
        104_857_600.0,
        524_288_000.0,
        1_073_741_824.0,
        107_374_182_400.0,
    ])
}

fn delay_buckets() -> Histogram {
    // mod_prometheus: 10ms … 30s.
    Histogram::new([0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0])
}

/// Every metric this module keeps.
pub struct Metrics {
    /// The registry the exporter encodes.
    pub registry: Registry,
    /// `proftpd_connection_total`.
    pub connection: Family<ProtocolServer, Counter>,
    /// `proftpd_connection_count`.
    pub connection_count: Family<ProtocolServer, Gauge>,
    /// `proftpd_connection_duration_seconds`.
    pub connection_duration: Family<Protocol, Histogram, fn() -> Histogram>,
    /// `proftpd_login_total`.
    pub login: Family<Protocol, Counter>,
    /// `proftpd_login_count`.
    pub login_count: Family<Protocol, Gauge>,
    /// `proftpd_login_delay_seconds`: from connect to a successful login.
    pub login_delay: Family<Protocol, Histogram, fn() -> Histogram>,
    /// `proftpd_login_error_total`.
    pub login_error: Family<ProtocolReason, Counter>,
    /// `proftpd_directory_list_total`.
    pub directory_list: Family<Protocol, Counter>,
    /// `proftpd_directory_list_count`.
    pub directory_list_count: Family<Protocol, Gauge>,
    /// `proftpd_directory_list_error_total`.
    pub directory_list_error: Family<Protocol, Counter>,
    /// `proftpd_file_download_total`.
    pub file_download: Family<Protocol, Counter>,
    /// `proftpd_file_download_count`.
    pub file_download_count: Family<Protocol, Gauge>,
    /// `proftpd_file_download_bytes`.
    pub file_download_bytes: Family<Protocol, Histogram, fn() -> Histogram>,
    /// `proftpd_file_download_error_total`.
    pub file_download_error: Family<Protocol, Counter>,
    /// `proftpd_file_upload_total`.
    pub file_upload: Family<Protocol, Counter>,
    /// `proftpd_file_upload_count`.
    pub file_upload_count: Family<Protocol, Gauge>,
    /// `proftpd_file_upload_bytes`.
    pub file_upload_bytes: Family<Protocol, Histogram, fn() -> Histogram>,
    /// `proftpd_file_upload_error_total`.
    pub file_upload_error: Family<Protocol, Counter>,
    /// `proftpd_tls_protocol_total`.
    pub tls_protocol: Family<Version, Counter>,
    /// `proftpd_handshake_error_total`.
    pub handshake_error: Family<Protocol, Counter>,
    /// `proftpd_command_total` (oxftpd's): commands by verb and reply class.
    pub command: Family<CommandReply, Counter>,
}

impl Metrics {
    fn new() -> Metrics {
        let mut registry = Registry::with_prefix("proftpd");
        let build = Family::<Build, Gauge>::default();
        build
            .get_or_create(&Build {
                proftpd_version: oxftpd_server::PROFTPD_VERSION,
                mod_prometheus_version: crate::VERSION,
            })
            .set(1);
        registry.register("build_info", "ProFTPD build information", build);
        let startup: Gauge = Gauge::default();
        startup.set(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX)),
        );
        registry.register(
            "startup_time",
            "ProFTPD startup time, in unixtime seconds",
            startup,
        );
        let m = Metrics {
            connection: Family::default(),
            connection_count: Family::default(),
            connection_duration: Family::new_with_constructor(duration_buckets),
            login: Family::default(),
            login_count: Family::default(),
            login_delay: Family::new_with_constructor(delay_buckets),
            login_error: Family::default(),
            directory_list: Family::default(),
            directory_list_count: Family::default(),
            directory_list_error: Family::default(),
            file_download: Family::default(),
            file_download_count: Family::default(),
            file_download_bytes: Family::new_with_constructor(byte_buckets),
            file_download_error: Family::default(),
            file_upload: Family::default(),
            file_upload_count: Family::default(),
            file_upload_bytes: Family::new_with_constructor(byte_buckets),
            file_upload_error: Family::default(),
            tls_protocol: Family::default(),
            handshake_error: Family::default(),
            command: Family::default(),
            registry: Registry::default(),
        };
        let r = &mut registry;
        r.register("connection", "Number of connections", m.connection.clone());
        r.register(
            "connection_count",
            "Current count of connections",
            m.connection_count.clone(),
        );
        r.register(
            "connection_duration_seconds",
            "Connection durations in seconds",
            m.connection_duration.clone(),
        );
        r.register("login", "Number of successful logins", m.login.clone());
        r.register(
            "login_count",
            "Current count of logins",
            m.login_count.clone(),
        );
        r.register(
            "login_delay_seconds",
            "Delay before login in seconds",
            m.login_delay.clone(),
        );
        r.register(
            "login_error",
            "Number of failed logins",
            m.login_error.clone(),
        );
        r.register(
            "directory_list",
            "Number of successful directory listings",
            m.directory_list.clone(),
        );
        r.register(
            "directory_list_count",
            "Current count of directory listings",
            m.directory_list_count.clone(),
        );
        r.register(
            "directory_list_error",
            "Number of failed directory listings",
            m.directory_list_error.clone(),
        );
        r.register(
            "file_download",
            "Number of successful file downloads",
            m.file_download.clone(),
        );
        r.register(
            "file_download_count",
            "Current count of file downloads",
            m.file_download_count.clone(),
        );
        r.register(
            "file_download_bytes",
            "Amount of data downloaded in bytes",
            m.file_download_bytes.clone(),
        );
        r.register(
            "file_download_error",
            "Number of failed file downloads",
            m.file_download_error.clone(),
        );
        r.register(
            "file_upload",
            "Number of successful file uploads",
            m.file_upload.clone(),
        );
        r.register(
            "file_upload_count",
            "Current count of file uploads",
            m.file_upload_count.clone(),
        );
        r.register(
            "file_upload_bytes",
            "Amount of data uploaded in bytes",
            m.file_upload_bytes.clone(),
        );
        r.register(
            "file_upload_error",
            "Number of failed file uploads",
            m.file_upload_error.clone(),
        );
        r.register(
            "tls_protocol",
            "Number of TLS sessions by protocol version",
            m.tls_protocol.clone(),
        );
        r.register(
            "handshake_error",
            "Number of failed SFTP/TLS handshakes",
            m.handshake_error.clone(),
        );
        r.register(
            "command",
            "Number of commands by verb and reply class (oxftpd)",
            m.command.clone(),
        );
        Metrics { registry, ..m }
    }

    /// The registry in the text exposition format.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// The process's metrics.
pub static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::new);
