//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Load generator for FTP servers (any server; loopback only).
#[derive(Debug, Parser)]
#[command(name = "oxftpd-bench", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// A setup or measuring subcommand; without one, runs the workloads.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Workload options (when no subcommand is given).
    #[command(flatten)]
    pub run: RunArgs,
}

/// Subcommands besides running workloads.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Runs the workloads against a server (the default).
    Run(Box<RunArgs>),
    /// Creates the data set the workloads read (idempotent, resumable).
    Prepare(PrepareArgs),
    /// Measures loopback TCP: a sendfile→recv pair, and iperf3 when installed.
    Ceiling(CeilingArgs),
}

/// Options of `prepare`.
#[derive(Debug, Args)]
pub struct PrepareArgs {
    /// Data directory (the FTP user's home).
    #[arg(long)]
    pub dir: PathBuf,
    /// Only what `--smoke` needs (no 1 GiB file, no 10k/1M directories).
    #[arg(long)]
    pub small: bool,
    /// Skip the 1,000,000-entry directory.
    #[arg(long)]
    pub no_huge: bool,
    /// Owner of everything created, as UID:GID.
    #[arg(long, value_parser = parse_owner)]
    pub owner: Option<(u32, u32)>,
}

/// Options of `ceiling`.
#[derive(Debug, Args)]
pub struct CeilingArgs {
    /// Bytes for the sendfile→recv pair.
    #[arg(long, default_value_t = 4 << 30)]
    pub bytes: u64,
    /// Seconds of iperf3 (0 skips it).
    #[arg(long, default_value_t = 5)]
    pub iperf3_secs: u32,
    /// Port for iperf3's server.
    #[arg(long, default_value_t = 5399)]
    pub iperf3_port: u16,
    /// JSON lines instead of human lines.
    #[arg(long)]
    pub json: bool,
}

/// Options of a workload run.
#[derive(Debug, Args, Clone)]
pub struct RunArgs {
    /// Server host (an address on this machine).
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Server port.
    #[arg(long, default_value_t = 21)]
    pub port: u16,
    /// Login name.
    #[arg(long, default_value = "benchuser")]
    pub user: String,
    /// Password.
    #[arg(long, default_value = "")]
    pub password: String,
    /// A server process to measure (repeatable); its descendants are included.
    #[arg(long = "server-pid")]
    pub server_pids: Vec<u32>,
    /// A file holding the server's pid (repeatable).
    #[arg(long = "server-pidfile")]
    pub server_pidfiles: Vec<PathBuf>,
    /// Measure every process with this command name (repeatable).
    #[arg(long = "server-comm")]
    pub server_comms: Vec<String>,
    /// Tiny sizes, content checks, no timing claims; non-zero exit on any failure.
    #[arg(long)]
    pub smoke: bool,
    /// JSON lines instead of human lines.
    #[arg(long)]
    pub json: bool,
    /// Workloads to run, in order: retr, stor, sessions, idle, list, mlsd, hugelist.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "retr,stor,sessions,idle,list,mlsd,hugelist"
    )]
    pub workloads: Vec<String>,
    /// Sessions in the sessions workload (default 2000; 5 under --smoke).
    #[arg(long)]
    pub sessions: Option<usize>,
    /// Concurrent clients in the sessions workload (default 50; 5 under --smoke).
    #[arg(long)]
    pub concurrency: Option<usize>,
    /// Idle session counts, comma-separated (default 1000,10000; 50 under --smoke).
    #[arg(long, value_delimiter = ',')]
    pub idle: Vec<usize>,
    /// Loopback source addresses 127.0.0.1..127.0.0.N used round-robin (default: enough for
    /// the largest idle count, 20,000 connections per address).
    #[arg(long)]
    pub sources: Option<u8>,
    /// Bound in seconds on each network wait.
    #[arg(long, default_value_t = 30)]
    pub timeout_secs: u64,
    /// Bound in seconds on each workload.
    #[arg(long, default_value_t = 900)]
    pub deadline_secs: u64,
    /// A name added to every record (`server=NAME`).
    #[arg(long)]
    pub label: Option<String>,
    /// Explicit FTPS: `AUTH TLS` on the control connection, `PBSZ 0` + `PROT P` after login,
    /// every data connection TLS resuming the control session. Records are named `ftps-*`.
    /// Needs `--tls-ca` or `--tls-insecure`.
    #[arg(long)]
    pub tls: bool,
    /// Trust the certificates in this PEM file (a CA, or a self-issued non-CA certificate).
    #[arg(
        long,
        value_name = "FILE",
        requires = "tls",
        conflicts_with = "tls_insecure"
    )]
    pub tls_ca: Option<PathBuf>,
    /// Accept any server certificate (benchmarks with throw-away certificates only).
    #[arg(long, requires = "tls")]
    pub tls_insecure: bool,
    /// Offer TLS 1.2 only (default: 1.3 and 1.2, the server chooses).
    #[arg(long, requires = "tls")]
    pub tls12: bool,
}

fn parse_owner(s: &str) -> Result<(u32, u32), String> {
    let (u, g) = s.split_once(':').ok_or("expected UID:GID")?;
    Ok((
        u.parse().map_err(|_| "bad UID")?,
        g.parse().map_err(|_| "bad GID")?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_level_flags_run_workloads() {
        let cli =
            Cli::try_parse_from(["b", "--port", "2121", "--smoke", "--workloads", "retr,list"])
                .expect("parses");
        assert!(cli.command.is_none());
        assert_eq!(cli.run.port, 2121);
        assert_eq!(cli.run.workloads, ["retr", "list"]);
        let cli =
            Cli::try_parse_from(["b", "prepare", "--dir", "/x", "--owner", "5:6"]).expect("parses");
        match cli.command {
            Some(Command::Prepare(p)) => assert_eq!(p.owner, Some((5, 6))),
            other => panic!("unexpected {other:?}"),
        }
        assert!(Cli::try_parse_from(["b", "prepare", "--dir", "/x", "--owner", "5"]).is_err());
    }

    #[test]
    fn tls_flags() {
        let cli = Cli::try_parse_from(["b", "run", "--tls", "--tls-insecure"]).expect("parses");
        match cli.command {
            Some(Command::Run(r)) => assert!(r.tls && r.tls_insecure && r.tls_ca.is_none()),
            other => panic!("unexpected {other:?}"),
        }
        let cli = Cli::try_parse_from(["b", "--tls", "--tls-ca", "/c.pem"]).expect("parses");
        assert_eq!(cli.run.tls_ca, Some(PathBuf::from("/c.pem")));
        assert!(Cli::try_parse_from(["b", "--tls-insecure"]).is_err());
        assert!(
            Cli::try_parse_from(["b", "--tls", "--tls-insecure", "--tls-ca", "/c.pem"]).is_err()
        );
    }
}
