//! proftpd's command line, so init scripts written for it work unchanged.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{ArgAction, Parser};

/// `oxftpd`'s flags: the same letters and long names as `proftpd`.
#[derive(Parser, Debug)]
#[command(
    name = "oxftpd",
    about = "FTP server that reads proftpd.conf",
    disable_version_flag = true
)]
pub struct Cli {
    /// Specify alternate configuration file.
    #[arg(short = 'c', long = "config", value_name = "config-file")]
    pub config: Option<PathBuf>,
    /// Disable background daemon mode (and send all output to stderr).
    #[arg(short = 'n', long = "nodaemon")]
    pub nodaemon: bool,
    /// Set debugging level (0-10, 10 = most debugging).
    #[arg(short = 'd', long = "debug", value_name = "level", value_parser = clap::value_parser!(u8).range(0..=10))]
    pub debug: Option<u8>,
    /// Don't send output to stderr when running with -n or --nodaemon.
    #[arg(short = 'q', long = "quiet")]
    pub quiet: bool,
    /// Test the syntax of the specified config.
    #[arg(short = 't', long = "configtest")]
    pub configtest: bool,
    /// Print version number and exit (twice: extended version information).
    #[arg(short = 'v', long = "version", action = ArgAction::Count)]
    pub version: u8,
    /// Print extended version information and exit.
    #[arg(long = "version-status")]
    pub version_status: bool,
    /// Print compile-time settings and exit.
    #[arg(short = 'V', long = "settings")]
    pub settings: bool,
    /// List all compiled-in modules.
    #[arg(short = 'l', long = "list")]
    pub list: bool,
    /// Set arbitrary IfDefine definition (NAME or NAME=VALUE).
    #[arg(short = 'D', long = "define", value_name = "definition")]
    pub define: Vec<String>,
    /// Support IPv4 connections only.
    #[arg(short = '4', long = "ipv4")]
    pub ipv4: bool,
    /// Support IPv6 connections.
    #[arg(short = '6', long = "ipv6")]
    pub ipv6: bool,
    /// Specify IP address for server config.
    #[arg(short = 'S', long = "serveraddr", value_name = "address")]
    pub serveraddr: Option<IpAddr>,
    /// Persistent passwd support: 0 (oxftpd's only mode: users are looked up per login);
    /// 1 is refused, as the `PersistentPasswd` directive is.
    #[arg(short = 'p', long = "persistent", value_name = "0|1", value_parser = clap::value_parser!(u8).range(0..=1))]
    pub persistent: Option<u8>,
}

impl Cli {
    /// `-D` definitions split into name and optional value.
    pub fn defines(&self) -> Vec<(String, Option<String>)> {
        self.define
            .iter()
            .map(|d| match d.split_once('=') {
                Some((n, v)) => (n.to_string(), Some(v.to_string())),
                None => (d.clone(), None),
            })
            .collect()
    }
}
