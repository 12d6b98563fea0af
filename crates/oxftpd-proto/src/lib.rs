//! oxftpd-proto: the FTP wire as ProFTPD 1.3.8 speaks it, as pure functions (no I/O).
//!
//! - [`line`]: control-line splitting with Telnet handling and a length bound.
//! - [`command`]: one line into a verb and its argument.
//! - [`reply`]: replies, single- and multi-line, 257 path quoting, and reply codes by name
//!   ([`reply::codes`]).
//! - [`listing`]: `LIST` lines and MLSx facts for one directory entry.
//! - [`path`]: virtual path arithmetic.
//! - [`glob`]: `LIST`/`NLST` name patterns.
//! - [`proxy_header`]: the PROXY protocol header of a load balancer (v1 and v2).
//! - [`time`]: `YYYYMMDDHHMMSS` timestamps.
//!
//! A session's read loop, in short:
//!
//! ```
//! use oxftpd_proto::{LineBuffer, PROFTPD_MAX_LINE, Reply, parse, reply::write_reply};
//!
//! let mut lines = LineBuffer::new(PROFTPD_MAX_LINE);
//! let mut out = Vec::new();
//! lines.feed(b"user alice\r\nNOOP\r\n");
//! while let Some(line) = lines.next_line() {
//!     let Ok(line) = line else { continue }; // too long: ProFTPD sends nothing
//!     match parse(line.bytes) {
//!         Ok(cmd) if cmd.verb == "USER" => {
//!             let who = cmd.arg.as_deref().unwrap_or("");
//!             Reply::new(331, format!("Password required for {who}")).write_to(&mut out);
//!         }
//!         Ok(cmd) if cmd.verb == "NOOP" => write_reply(200, "NOOP command successful", &mut out),
//!         Ok(cmd) => write_reply(500, &format!("{} not understood", cmd.verb), &mut out),
//!         Err(_) => write_reply(500, "Invalid command: try being more creative", &mut out),
//!     }
//! }
//! lines.drain_telnet_replies(&mut out);
//! assert_eq!(out, b"331 Password required for alice\r\n200 NOOP command successful\r\n");
//! ```

pub mod command;
pub mod glob;
pub mod line;
pub mod listing;
mod num;
pub mod path;
pub mod proxy_header;
pub mod raw_name;
pub mod reply;
pub mod time;

pub use command::{Command, CommandError, Verb, parse};
pub use line::{Line, LineBuffer, LineError, PROFTPD_MAX_LINE};
pub use listing::{
    FactSet, Facts, Kind, ListClock, opts_mlst_reply, parse_opts_mlst, write_list_line,
    write_mlsd_line, write_mlst_line, write_mlsx_facts, write_nlst_line,
};
pub use path::{PathError, resolve};
pub use reply::{Reply, quote_path};
pub use time::{TimeError, Timestamp, parse_timestamp, write_timestamp};
