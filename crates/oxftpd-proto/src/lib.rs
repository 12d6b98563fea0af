//! oxftpd-proto: the FTP wire as ProFTPD 1.3.8 speaks it, as pure functions (no I/O).
//!
//! - [`line`]: control-line splitting with Telnet handling and a length bound.
//! - [`command`]: one line into a verb and its argument.
//! - [`reply`]: replies, single- and multi-line, and 257 path quoting.
//! - [`listing`]: `LIST` lines and MLSx facts for one directory entry.
//! - [`path`]: virtual path arithmetic.
//! - [`glob`]: `LIST`/`NLST` name patterns.
//! - [`time`]: `YYYYMMDDHHMMSS` timestamps.

pub mod command;
pub mod glob;
pub mod line;
pub mod listing;
mod num;
pub mod path;
pub mod reply;
pub mod time;

pub use command::{Command, CommandError, Verb, parse};
pub use line::{Line, LineBuffer, LineError, PROFTPD_MAX_LINE};
pub use listing::{FactSet, Facts, Kind, ListClock, write_list_line, write_mlsx_facts};
pub use reply::{Reply, quote_path};
