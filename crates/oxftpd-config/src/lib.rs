//! oxftpd-config: ProFTPD's `proftpd.conf` language — lexer, parser, directive registry
//! and context resolution.
//!
//! Behaviour follows ProFTPD 1.3.8 where it is observable:
//! - `#` starts a comment at the start of a line or at the start of a word
//!   (`UseIPv6 on # note` is fine; `on#x` is one word).
//! - A backslash at the end of a line continues it; a logical line over 64 KiB is an error.
//! - `"..."` quotes a word; inside quotes `\"` and `\\` are escapes, other backslashes stay.
//! - `%{env:VAR}` becomes the variable's value, or nothing when unset (as ProFTPD does);
//!   `%{NAME}` becomes the value of `Define NAME VALUE` / `-D NAME=VALUE` (an oxftpd
//!   extension; an undefined `%{NAME}` is left as written, as ProFTPD leaves it).
//! - `Include` needs an absolute path (ProFTPD refuses relative ones); a directory means
//!   every file in it, a glob its matches, both in byte order. A missing file or a glob with
//!   no match is a warning, as in ProFTPD. Include loops are errors naming the chain.
//! - `<IfModule>` is true for modules in the registry, false for other ProFTPD modules,
//!   and an error for names that are no ProFTPD module.
//! - `LoadModule` of a compiled-in module is accepted; of another ProFTPD module it is a
//!   warning (Debian's stock `modules.conf` loads many); of an unknown name, an error.
//! - Main-server directives do not reach `<VirtualHost>`s; `<Global>` reaches every server.
//! - Several `<Limit>` blocks naming one command in one context: all are kept in file
//!   order and the evaluator takes the last.

mod check;
mod effective;
mod error;
mod include;
mod known_modules;
mod lexer;
pub mod modules;
mod parser;
mod paths;
pub mod registry;
mod scope;
mod suggest;
pub mod trace;
mod tree;

pub use check::{parse_duration, parse_flag, parse_umask};
pub use effective::{Effective, Located, Merged, Origin};
pub use error::{ConfigError, ConfigErrors};
pub use known_modules::{KNOWN_MODULES, is_known as is_known_module};
pub use lexer::MAX_LINE;
pub use parser::{
    FtpAccess, MAX_INCLUDE_DEPTH, ParseOptions, parse_file, parse_ftpaccess, parse_str,
};
pub use paths::NamedPath;
pub use registry::{Args, Contexts, DirectiveSpec, Duplicate, Kind, ModuleSpec, REJECTED, Status};
pub use scope::{ContextRef, LimitLevel, Scope};
pub use tree::{
    Anonymous, Block, Class, ConditionKind, Conditional, Config, Directive, DirectoryBlock, Limit,
    Server,
};
