//! `oxftpctl`'s subcommands that talk to the running daemon over its control socket
//! (mod_ctrls's, the one `ftpdctl` uses): `who`, `count`, `top`, `kick`, `shut`; and `check`, which
//! reads the configuration as `oxftpd -t` does.

pub mod check;
pub mod cluster;
pub mod count;
pub mod kick;
pub mod may;
pub mod shut;
pub mod top;
pub mod who;

use std::io::Write;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::Args;
use oxftpd_server::modules::mod_ctrls::{settings::DEFAULT_SOCKET, wire};

/// How long the daemon gets to answer.
const ANSWER_LIMIT: Duration = Duration::from_secs(30);

/// Which daemon to ask.
#[derive(Debug, Args, Clone, Default)]
pub struct SocketArgs {
    /// The daemon's control socket (default: the configuration's ControlsSocket, else
    /// /run/proftpd.sock).
    #[arg(short = 's', long = "socket", value_name = "PATH")]
    pub socket: Option<PathBuf>,
    /// The daemon's configuration, to find its ControlsSocket.
    #[arg(short = 'c', long = "config", value_name = "FILE")]
    pub config: Option<PathBuf>,
}

impl SocketArgs {
    /// The socket's path.
    pub fn path(&self) -> Result<PathBuf> {
        if let Some(p) = &self.socket {
            return Ok(p.clone());
        }
        if let Some(conf) = &self.config {
            let config = oxftpd_server::parse_config(conf, &[])
                .map_err(|e| anyhow::anyhow!("{}: {e}", conf.display()))?;
            let view = oxftpd_config::modules::mod_ctrls::View::read(&oxftpd_config::Merged::of(
                &config.main_server().scope(None),
            ));
            if !view.engine {
                // Not the default socket, which another daemon may hold.
                return Err(anyhow::Error::new(std::io::Error::new(
                    std::io::ErrorKind::NotConnected,
                    format!("ControlsEngine is off in {}", conf.display()),
                )));
            }
            if let Some(s) = view.socket {
                return Ok(PathBuf::from(s));
            }
        }
        Ok(PathBuf::from(DEFAULT_SOCKET))
    }

    /// The configuration's `ScoreboardFile`, when `-c` names a configuration with one.
    pub fn scoreboard(&self) -> Option<PathBuf> {
        let conf = self.config.as_ref()?;
        let config = oxftpd_server::parse_config(conf, &[]).ok()?;
        oxftpd_config::modules::mod_core::Daemon::of(&config)
            .scoreboard_file
            .map(PathBuf::from)
    }

    /// Sends one request and returns the answer's lines; a refusal (status -1) is an error
    /// with the daemon's words.
    pub fn ask(&self, words: &[&str]) -> Result<Vec<String>> {
        let path = self.path()?;
        let (status, lines) = request(&path, words)?;
        if status < 0 {
            bail!("{}", lines.join("\n"));
        }
        Ok(lines)
    }
}

/// One request over the control socket at `path`: its status and lines.
pub fn request(path: &Path, words: &[&str]) -> Result<(i32, Vec<String>)> {
    let mut stream = UnixStream::connect(path).with_context(|| {
        format!(
            "cannot reach the control socket {} (is ControlsEngine on, and may this user \
             use the socket?)",
            path.display()
        )
    })?;
    stream.set_read_timeout(Some(ANSWER_LIMIT))?;
    stream.set_write_timeout(Some(ANSWER_LIMIT))?;
    let words: Vec<String> = words.iter().map(|w| (*w).to_string()).collect();
    stream
        .write_all(&wire::encode(0, &words))
        .context("sending the request")?;
    wire::read_message(&mut stream).context("reading the answer")
}

/// Local time of a unix time, `YYYY-MM-DD HH:MM:SS`.
pub fn local_time(secs: i64) -> String {
    let c = oxftpd_proto::time::Civil::from_unix(
        secs + i64::from(oxftpd_server::localtime::utc_offset(secs)),
    );
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

/// A duration in seconds as `1h02m`, `3m4s`, `5s`.
pub fn span(secs: i64) -> String {
    let s = secs.max(0);
    if s >= 3600 {
        format!("{}h{:02}m", s / 3600, s % 3600 / 60)
    } else if s >= 60 {
        format!("{}m{}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}
