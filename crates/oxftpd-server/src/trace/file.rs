//! The `TraceLog` file and ProFTPD's trace line:
//! `2026-12-07 14:50:00,123 [pid] <channel:level>: message`, with `(client IP, server IP:port)`
//! before the channel under `TraceOptions +ConnIPs`, and the time (or its milliseconds) left
//! out under `-Timestamp` (`-TimestampMillis`).

use std::fmt::{self, Write as _};
use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::net::SocketAddr;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::Path;

use oxftpd_config::trace::TraceOptions;

/// Why a `TraceLog` file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TraceFileError {
    /// The file is a symbolic link (ProFTPD refuses to log through one).
    #[error("cannot log to a symbolic link")]
    Symlink,
    /// Its directory is writable by everyone.
    #[error("parent directory is world-writable")]
    WorldWritableDir,
    /// Opening it failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// An open `TraceLog` file (appending; one `write(2)` per line).
#[derive(Debug)]
pub struct TraceFile {
    file: File,
}

impl TraceFile {
    /// Opens `path` for appending (creating it with mode 0660), as ProFTPD opens its logs:
    /// never through a symbolic link, never in a world-writable directory.
    pub fn open(path: &Path) -> Result<TraceFile, TraceFileError> {
        if let Some(dir) = path.parent()
            && let Ok(meta) = std::fs::metadata(dir)
            && meta.mode() & 0o002 != 0
        {
            return Err(TraceFileError::WorldWritableDir);
        }
        if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(TraceFileError::Symlink);
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o660)
            .custom_flags(libc::O_NOFOLLOW)
            .open(path)?;
        Ok(TraceFile { file })
    }

    /// Writes one line; a failed write is dropped, as ProFTPD drops it.
    pub fn write_line(
        &self,
        options: &TraceOptions,
        conn: Option<(SocketAddr, SocketAddr)>,
        channel: &str,
        level: u32,
        msg: fmt::Arguments<'_>,
    ) {
        let line = format_line(options, conn, channel, level, msg);
        let _ = (&self.file).write_all(line.as_bytes());
    }
}

/// One trace line, newline included.
pub fn format_line(
    options: &TraceOptions,
    conn: Option<(SocketAddr, SocketAddr)>,
    channel: &str,
    level: u32,
    msg: fmt::Arguments<'_>,
) -> String {
    let mut line = String::with_capacity(128);
    if options.timestamp {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let secs = i64::try_from(now.as_secs()).unwrap_or(0);
        line.push_str(&crate::localtime::strftime_at("%Y-%m-%d %H:%M:%S", secs));
        if options.millis {
            let _ = write!(line, ",{:03}", now.subsec_millis());
        }
        line.push(' ');
    }
    let _ = write!(line, "[{}] ", std::process::id());
    if options.conn_ips
        && let Some((client, server)) = conn
    {
        let _ = write!(
            line,
            "(client {}, server {}:{}) ",
            client.ip(),
            server.ip(),
            server.port()
        );
    }
    let _ = write!(line, "<{channel}:{level}>: ");
    let start = line.len();
    let _ = line.write_fmt(msg);
    // ProFTPD trims trailing newlines of a message; reply lines also lose their CR.
    while line.len() > start && (line.ends_with('\n') || line.ends_with('\r')) {
        line.pop();
    }
    line.push('\n');
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_have_proftpds_form() {
        let o = TraceOptions::default();
        let line = format_line(&o, None, "command", 7, format_args!("hello\r\n"));
        // 2026-12-07 14:50:00,123 [pid] <command:7>: hello
        let (stamp, rest) = line.split_at(23);
        assert_eq!(stamp.len(), 23, "{line}");
        assert_eq!(&stamp[10..11], " ");
        assert_eq!(&stamp[19..20], ",");
        assert_eq!(
            rest,
            format!(" [{}] <command:7>: hello\n", std::process::id())
        );
    }

    #[test]
    fn options_change_the_fields() {
        let o = TraceOptions {
            conn_ips: true,
            timestamp: false,
            millis: false,
        };
        let client: SocketAddr = "127.0.0.1:40000".parse().expect("addr");
        let server: SocketAddr = "127.0.0.1:2121".parse().expect("addr");
        let line = format_line(&o, Some((client, server)), "auth", 3, format_args!("x"));
        assert_eq!(
            line,
            format!(
                "[{}] (client 127.0.0.1, server 127.0.0.1:2121) <auth:3>: x\n",
                std::process::id()
            )
        );
        let o = TraceOptions {
            millis: false,
            ..TraceOptions::default()
        };
        let line = format_line(&o, None, "auth", 3, format_args!("x"));
        assert_eq!(line.find('['), Some(20), "{line}");
    }

    #[test]
    fn symlinks_and_world_writable_directories_are_refused() {
        let dir = std::env::temp_dir().join(format!("oxftpd-trace-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir(&dir).expect("mkdir");
        let target = dir.join("real.log");
        let link = dir.join("link.log");
        std::os::unix::fs::symlink(&target, &link).expect("symlink");
        assert!(matches!(
            TraceFile::open(&link),
            Err(TraceFileError::Symlink)
        ));
        assert!(TraceFile::open(&target).is_ok());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
