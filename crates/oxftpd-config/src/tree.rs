//! The parsed configuration: servers, anonymous blocks, directories, limits, classes.

use std::path::Path;
use std::sync::Arc;

use crate::check::parse_flag;

/// One directive occurrence with its (validated) arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// Canonical name from the registry.
    pub name: &'static str,
    /// Arguments after quoting and substitution.
    pub args: Vec<String>,
    /// File it was read from.
    pub file: Arc<Path>,
    /// Line it starts on.
    pub line: u32,
}

impl Directive {
    /// The `i`th argument.
    pub fn arg(&self, i: usize) -> Option<&str> {
        self.args.get(i).map(String::as_str)
    }

    /// The first argument as a boolean (false when absent or not a flag; flags are validated at parse time).
    pub fn flag(&self) -> bool {
        self.arg(0).and_then(parse_flag).unwrap_or(false)
    }
}

/// A `<Limit>` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limit {
    /// Command and group names, upper-cased, as written.
    pub commands: Vec<String>,
    /// The access directives inside, in file order.
    pub directives: Vec<Directive>,
    /// The same directives, typed (what the `<Limit>` evaluator reads).
    pub rules: crate::modules::mod_core::LimitRules,
    /// File of the opening tag.
    pub file: Arc<Path>,
    /// Line of the opening tag.
    pub line: u32,
}

impl Limit {
    /// Whether this block names `command` (case-insensitive).
    pub fn covers(&self, command: &str) -> bool {
        self.commands
            .iter()
            .any(|c| c.eq_ignore_ascii_case(command))
    }
}

/// Directives, limits and conditionals of one context level.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Block {
    /// Directives in file order; a single-valued one appears once per context (the parser keeps
    /// the occurrence ProFTPD would use, see [`crate::Duplicate`]).
    pub directives: Vec<Directive>,
    /// `<Limit>` blocks in file order.
    pub limits: Vec<Limit>,
    /// `<IfUser>`/`<IfGroup>`/`<IfClass>` blocks in file order.
    pub conditionals: Vec<Conditional>,
}

impl Block {
    /// The effective occurrence of `name` at this level (the only one, for a single-valued directive).
    pub fn directive(&self, name: &str) -> Option<&Directive> {
        self.directives
            .iter()
            .rev()
            .find(|d| d.name.eq_ignore_ascii_case(name))
    }

    /// Every occurrence of `name` at this level, in file order.
    pub fn directives<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Directive> + 'a {
        self.directives
            .iter()
            .filter(move |d| d.name.eq_ignore_ascii_case(name))
    }
}

/// Which mod_ifsession section a conditional is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConditionKind {
    /// `<IfUser>`
    User,
    /// `<IfGroup>`
    Group,
    /// `<IfClass>`
    Class,
}

/// An `<IfUser>`, `<IfGroup>` or `<IfClass>` block, kept for evaluation at login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conditional {
    /// Which section.
    pub kind: ConditionKind,
    /// The section's arguments as written (names, `!`, `regex`, `AND`/`OR` forms).
    pub args: Vec<String>,
    /// Directives, limits and nested conditionals inside.
    pub block: Block,
    /// `<Directory>` blocks inside.
    pub directories: Vec<DirectoryBlock>,
    /// File of the opening tag.
    pub file: Arc<Path>,
    /// Line of the opening tag.
    pub line: u32,
}

/// A `<Directory>` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryBlock {
    /// The path as written.
    pub written: String,
    /// The normalised pattern: trailing slashes removed, relative paths inside
    /// `<Anonymous>` joined to its root; may still start with `~`.
    pub pattern: String,
    /// Its contents.
    pub block: Block,
    /// File of the opening tag.
    pub file: Arc<Path>,
    /// Line of the opening tag.
    pub line: u32,
}

/// An `<Anonymous>` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anonymous {
    pub(crate) root: String,
    pub(crate) block: Block,
    pub(crate) directories: Vec<DirectoryBlock>,
    pub(crate) file: Arc<Path>,
    pub(crate) line: u32,
}

impl Anonymous {
    /// The anonymous root as written (absolute or a `~` form).
    pub fn root(&self) -> &str {
        &self.root
    }
    /// The effective occurrence of `name` directly in this block.
    pub fn directive(&self, name: &str) -> Option<&Directive> {
        self.block.directive(name)
    }
    /// Every occurrence of `name` directly in this block.
    pub fn directives<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Directive> + 'a {
        self.block.directives(name)
    }
    /// The block's own contents.
    pub fn block(&self) -> &Block {
        &self.block
    }
    /// `<Directory>` blocks inside this block.
    pub fn directories(&self) -> &[DirectoryBlock] {
        &self.directories
    }
    /// File of the opening tag.
    pub fn file(&self) -> &Path {
        &self.file
    }
    /// Line of the opening tag.
    pub fn line(&self) -> u32 {
        self.line
    }
}

/// A `<Class>` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Class {
    /// The class name.
    pub name: String,
    /// `From` and `Satisfy` directives in file order.
    pub directives: Vec<Directive>,
    /// File of the opening tag.
    pub file: Arc<Path>,
    /// Line of the opening tag.
    pub line: u32,
}

/// The main server or one `<VirtualHost>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    pub(crate) addresses: Vec<String>,
    pub(crate) is_main: bool,
    pub(crate) block: Block,
    pub(crate) global: Arc<Block>,
    pub(crate) anonymous: Vec<Anonymous>,
    pub(crate) directories: Vec<DirectoryBlock>,
    pub(crate) classes: Arc<[Class]>,
    pub(crate) file: Arc<Path>,
    pub(crate) line: u32,
}

impl Server {
    /// Whether any context of this server (its own, `<Global>`, `<Anonymous>`, `<Directory>`,
    /// `<IfUser>`/`<IfGroup>`/`<IfClass>`, nested) sets one of `names`.
    pub fn mentions_anywhere(&self, names: &[&str]) -> bool {
        fn block(b: &Block, names: &[&str]) -> bool {
            b.directives
                .iter()
                .any(|d| names.iter().any(|n| d.name.eq_ignore_ascii_case(n)))
                || b.conditionals.iter().any(|c| conditional(c, names))
        }
        fn dirs(ds: &[DirectoryBlock], names: &[&str]) -> bool {
            ds.iter().any(|d| block(&d.block, names))
        }
        fn conditional(c: &Conditional, names: &[&str]) -> bool {
            block(&c.block, names) || dirs(&c.directories, names)
        }
        block(&self.block, names)
            || block(&self.global, names)
            || dirs(&self.directories, names)
            || self
                .anonymous
                .iter()
                .any(|a| block(&a.block, names) || dirs(&a.directories, names))
    }

    /// `<VirtualHost>` addresses (empty for the main server).
    pub fn addresses(&self) -> &[String] {
        &self.addresses
    }
    /// Whether this is the main server.
    pub fn is_main(&self) -> bool {
        self.is_main
    }
    /// The effective server-level directive: its own, else `<Global>`'s.
    pub fn directive(&self, name: &str) -> Option<&Directive> {
        self.block
            .directive(name)
            .or_else(|| self.global.directive(name))
    }
    /// Every server-level occurrence: its own first, then `<Global>`'s.
    pub fn directives<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Directive> + 'a {
        self.block
            .directives(name)
            .chain(self.global.directives(name))
    }
    /// The server's own contents (not including `<Global>`).
    pub fn block(&self) -> &Block {
        &self.block
    }
    /// The `<Global>` contents that apply to this server.
    pub fn global(&self) -> &Block {
        &self.global
    }
    /// `<Anonymous>` blocks: the server's own, then those from `<Global>`.
    pub fn anonymous(&self) -> &[Anonymous] {
        &self.anonymous
    }
    /// `<Directory>` blocks: the server's own, then those from `<Global>`.
    pub fn directories(&self) -> &[DirectoryBlock] {
        &self.directories
    }
    /// `<Class>` blocks (classes are daemon-wide).
    pub fn classes(&self) -> &[Class] {
        &self.classes
    }
    /// File where the server is defined (the `<VirtualHost>` tag, or the main file).
    pub fn file(&self) -> &Path {
        &self.file
    }
    /// Line of the `<VirtualHost>` tag (0 for the main server).
    pub fn line(&self) -> u32 {
        self.line
    }
}

/// A whole parsed configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub(crate) servers: Vec<Server>,
    pub(crate) warnings: Vec<crate::ConfigError>,
    pub(crate) defines: Vec<(String, Option<String>)>,
}

impl Config {
    /// The main server first, then `<VirtualHost>`s in file order.
    pub fn servers(&self) -> &[Server] {
        &self.servers
    }
    /// The main server.
    pub fn main_server(&self) -> &Server {
        // The parser always creates the main server first.
        &self.servers[0]
    }
    /// Problems that ProFTPD also only warns about (missing Include files, modules oxftpd lacks).
    pub fn warnings(&self) -> &[crate::ConfigError] {
        &self.warnings
    }
    /// Names defined by `-D` and `Define`, in definition order.
    pub fn defines(&self) -> &[(String, Option<String>)] {
        &self.defines
    }
}
