//! mod_prometheus's directives, as its documentation (1.3.7a and later) gives them: all in
//! the server config context only.

use oxftpd_config::{Args, Contexts, DirectiveSpec, ModuleSpec};

/// mod_prometheus.c's configuration surface.
pub static SPEC: ModuleSpec = ModuleSpec {
    name: "mod_prometheus.c",
    directives: DIRECTIVES,
};

static DIRECTIVES: &[DirectiveSpec] = &[
    DirectiveSpec::new(
        "PrometheusEngine",
        Contexts::SERVER,
        Args::flag(),
        false,
        "serve metrics for Prometheus to scrape (off by default)",
    ),
    DirectiveSpec::new(
        "PrometheusExporter",
        Contexts::SERVER,
        Args::range(1, 3).checked(check_exporter),
        false,
        "address[:port] [user password] the exporter listens on (port 9273 by default)",
    ),
    DirectiveSpec::new(
        "PrometheusLog",
        Contexts::SERVER,
        Args::exact(1).checked(check_log),
        false,
        "the module's own log file, or \"none\"",
    ),
    DirectiveSpec::new(
        "PrometheusOptions",
        Contexts::SERVER,
        Args::at_least(1).checked(check_options),
        false,
        "module options (mod_prometheus defines none: any option is an error)",
    ),
    DirectiveSpec::new(
        "PrometheusTables",
        Contexts::SERVER,
        Args::exact(1).checked(check_tables),
        false,
        "required directory of the module's tables (created 0755 with an `empty/` 0111 inside)",
    )
    .partial(
        "oxftpd serves every session from one process, so the values live in its memory and \
         the directory, though required, created and checked as mod_prometheus does, holds no \
         table files",
    ),
];

fn check_exporter(args: &[String]) -> Result<(), String> {
    crate::exporter::parse_address(&args[0])?;
    if args.len() == 2 {
        return Err("a user name needs a password".to_string());
    }
    Ok(())
}

fn check_log(args: &[String]) -> Result<(), String> {
    let path = &args[0];
    if path.eq_ignore_ascii_case("none") || path.starts_with('/') {
        Ok(())
    } else {
        Err(format!("must be a full path or \"none\": '{path}'"))
    }
}

fn check_options(args: &[String]) -> Result<(), String> {
    Err(format!(": unknown PrometheusOption '{}'", args[0]))
}

fn check_tables(args: &[String]) -> Result<(), String> {
    if args[0].starts_with('/') {
        Ok(())
    } else {
        Err(format!("must be a full path: '{}'", args[0]))
    }
}

/// mod_prometheus's settings, typed (it reads the main server's own level and `<Global>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// `PrometheusEngine` (off by default).
    pub engine: bool,
    /// `PrometheusExporter address [user password]`, with where it was written.
    pub exporter: Option<oxftpd_config::Located<Vec<String>>>,
    /// `PrometheusLog` path (`none` as written).
    pub log: Option<String>,
    /// `PrometheusTables` directory, with where it was written.
    pub tables: Option<oxftpd_config::Located<String>>,
}

impl View {
    /// Reads the module's settings from a merged scope.
    pub fn read(m: &oxftpd_config::Merged<'_>) -> View {
        View {
            engine: m.flag("PrometheusEngine").unwrap_or(false),
            exporter: m.located("PrometheusExporter", |d| d.args.clone()),
            log: m.arg("PrometheusLog", 0),
            tables: m.located("PrometheusTables", |d| {
                d.arg(0).unwrap_or_default().to_string()
            }),
        }
    }
}
