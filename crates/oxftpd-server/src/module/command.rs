//! One row of a module's command table: everything the server knows about a verb.
//!
//! A row is built with [`CommandSpec::new`] and `const fn` setters, so a row names only what
//! differs from the defaults (no group, class `NONE`, whole argument is the path, queued
//! during a transfer, no data connection, checked by TLS policy, filters and `<Limit>`,
//! shown in HELP without syntax, no FEAT line). `<Limit>`, the busy-transfer watch, the TLS
//! policy, the argument filters, FEAT and HELP read these rows and nothing else.

use crate::module::class::CommandClass;
use crate::module::handler::Handler;
use crate::session::Ctx;

/// A command group as ProFTPD's cmdtables give it (`G_DIRS`, `G_READ`, `G_WRITE`) and
/// `<Limit>` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommandGroup {
    /// `DIRS`: directory navigation and listing.
    Dirs,
    /// `READ`: reading file contents.
    Read,
    /// `WRITE`: creating, changing or removing files and directories.
    Write,
}

impl CommandGroup {
    /// The name `<Limit>` uses for this group.
    pub const fn name(self) -> &'static str {
        match self {
            CommandGroup::Dirs => "DIRS",
            CommandGroup::Read => "READ",
            CommandGroup::Write => "WRITE",
        }
    }
}

/// Where a command's argument names the path `<Limit>`, `.ftpaccess` and hiding apply to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathArg {
    /// The whole argument (`RETR path`).
    Whole,
    /// What follows `ls`-style options (`LIST -la path`).
    AfterOptions,
    /// What follows the first word (`MFMT time path`, `MFF facts; path`).
    AfterFirstWord,
    /// After the first word, the last word (`SITE CHMOD 600 path`).
    LastWordAfterFirst,
    /// The parent of the current directory (`CDUP`).
    Parent,
    /// None: the current directory (`PWD`, `PASV`, …).
    Cwd,
}

impl PathArg {
    /// The part of `arg` that names the path (`None` for the current directory; `Parent`
    /// has no text of its own and gives `None` too).
    pub fn pick(self, arg: Option<&str>) -> Option<&str> {
        match self {
            PathArg::Whole => arg,
            PathArg::AfterOptions => arg.and_then(path_after_options),
            PathArg::AfterFirstWord => arg.and_then(|a| a.split_once(' ')).map(|(_, p)| p),
            PathArg::LastWordAfterFirst => arg
                .and_then(|a| a.split_once(' '))
                .and_then(|(_, rest)| rest.rsplit_once(' ').map(|(_, p)| p).or(Some(rest))),
            PathArg::Parent | PathArg::Cwd => None,
        }
    }
}

/// The path of a LIST/NLST/STAT argument once `ls`-style options (`-la`) are skipped.
pub fn path_after_options(arg: &str) -> Option<&str> {
    let mut rest = arg.trim_start();
    while let Some(stripped) = rest.strip_prefix('-') {
        let (word, tail) = stripped.split_once(' ').unwrap_or((stripped, ""));
        if word.is_empty() {
            break;
        }
        rest = tail.trim_start();
    }
    (!rest.is_empty()).then_some(rest)
}

/// What the control connection does with a command while a transfer runs (ProFTPD's data
/// loop).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DuringTransfer {
    /// Queued, and run after the transfer's final reply.
    Queued,
    /// Refused with `450 VERB: data transfer in progress`.
    Refused,
    /// Answered by the transfer loop itself (`NOOP`, `STAT` without argument).
    Answered,
}

/// How `TLSRequired` treats a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlsRule {
    /// Needs a protected control connection under `TLSRequired ctrl`.
    Control,
    /// Carries credentials: also refused under `TLSRequired auth`.
    Credentials,
    /// Never hindered (`AUTH`, `FEAT`, `QUIT`, …).
    Exempt,
}

/// How `<Limit>` treats a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitRule {
    /// Checked by its name, its group and `ALL`.
    Checked,
    /// Checked by its name and group, but `ALL` leaves it out (ProFTPD's `dir_check`: EPRT,
    /// EPSV, PASV, PORT, PROT, OPTS).
    NotInAll,
    /// Never refused through `<Limit>` (observed with 1.3.8).
    Exempt,
}

/// Which `AllowFilter`/`DenyFilter` pairs a command's argument goes through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgFilter {
    /// `AllowFilter`/`DenyFilter`.
    Command,
    /// Those, and `PathAllowFilter`/`PathDenyFilter` on the name it creates.
    Path,
    /// Neither (`PASS`).
    Unfiltered,
}

/// What HELP says about a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Help {
    /// Listed; `HELP verb` shows this syntax.
    Shown(&'static str),
    /// Listed with `*` (recognised, not implemented); `HELP verb` shows this syntax.
    Unimplemented(&'static str),
    /// Left out of HELP, and unknown to `HELP verb` (observed).
    Hidden,
}

impl Help {
    /// The syntax `HELP verb` shows, when the command is listed.
    pub const fn syntax(self) -> Option<&'static str> {
        match self {
            Help::Shown(s) | Help::Unimplemented(s) => Some(s),
            Help::Hidden => None,
        }
    }
}

/// The line a command adds to FEAT.
#[derive(Clone, Copy)]
pub enum Feat {
    /// None.
    None,
    /// Always this line.
    Line(&'static str),
    /// This line when the session's configuration enables it (`TLSEngine`, `DeflateEngine`).
    When(fn(&Ctx) -> bool, &'static str),
    /// A line computed from the session (`LANG en-US*`).
    Computed(fn(&Ctx) -> Option<String>),
}

impl Feat {
    /// The FEAT line for a session, if any.
    pub fn line(&self, ctx: &Ctx) -> Option<String> {
        match self {
            Feat::None => None,
            Feat::Line(l) => Some((*l).to_string()),
            Feat::When(on, l) => on(ctx).then(|| (*l).to_string()),
            Feat::Computed(f) => f(ctx),
        }
    }
}

/// One row of a module's command table.
#[derive(Clone, Copy)]
pub struct CommandSpec {
    /// The verb, upper case.
    pub name: &'static str,
    /// The ProFTPD cmdtable group (`G_NONE` is `None`), which `<Limit>` checks after the name.
    pub group: Option<CommandGroup>,
    /// The ProFTPD command class (`CL_…`), which `ExtendedLog` filters on.
    pub class: CommandClass,
    /// The verb this one is another name of (`XMKD` → `MKD`): `<Limit>` names match either.
    pub alias_of: Option<&'static str>,
    /// Where the argument names the command's path.
    pub path: PathArg,
    /// What happens to it while a transfer runs.
    pub during_transfer: DuringTransfer,
    /// Whether it opens a data connection.
    pub opens_data: bool,
    /// How `TLSRequired` treats it.
    pub tls: TlsRule,
    /// How `<Limit>` treats it.
    pub limit: LimitRule,
    /// Which argument filters apply.
    pub filter: ArgFilter,
    /// What HELP says.
    pub help: Help,
    /// Its FEAT line.
    pub feat: Feat,
    /// The handler.
    pub handler: Handler,
    /// What answers a `<Limit>` refusal instead of the error reply (LIST and MLSD answer
    /// with an empty listing, as ProFTPD does); `None` for the error.
    pub limit_denied: Option<DeniedFn>,
}

/// What answers a `<Limit>` refusal of a command in place of the error (given the verb).
pub type DeniedFn =
    for<'a> fn(&'a mut crate::session::Ctx, &'static str) -> crate::module::HandlerFuture<'a>;

/// The setters a command row and a `SITE` row share (group, class, FEAT line), written once.
macro_rules! row_setters {
    () => {
        /// Sets the cmdtable group (`G_*`, as `<Limit>` names it).
        pub const fn group(mut self, group: CommandGroup) -> Self {
            self.group = Some(group);
            self
        }

        /// Sets the command class (`CL_*`, which `ExtendedLog` filters on).
        pub const fn class(mut self, class: CommandClass) -> Self {
            self.class = class;
            self
        }

        /// Sets the FEAT line.
        pub const fn feat(mut self, feat: Feat) -> Self {
            self.feat = feat;
            self
        }
    };
}
pub(crate) use row_setters;

impl CommandSpec {
    row_setters!();

    /// A row with the defaults: see the module documentation.
    pub const fn new(name: &'static str, handler: Handler) -> Self {
        CommandSpec {
            name,
            group: None,
            class: CommandClass::NONE,
            alias_of: None,
            path: PathArg::Whole,
            during_transfer: DuringTransfer::Queued,
            opens_data: false,
            tls: TlsRule::Control,
            limit: LimitRule::Checked,
            filter: ArgFilter::Command,
            help: Help::Shown(""),
            feat: Feat::None,
            handler,
            limit_denied: None,
        }
    }

    /// Makes this verb another name of `verb`.
    pub const fn alias_of(mut self, verb: &'static str) -> Self {
        self.alias_of = Some(verb);
        self
    }

    /// Sets where the argument names the path.
    pub const fn path(mut self, path: PathArg) -> Self {
        self.path = path;
        self
    }

    /// Answers a `<Limit>` refusal with `f` instead of the error reply.
    pub const fn denied_with(mut self, f: DeniedFn) -> Self {
        self.limit_denied = Some(f);
        self
    }

    /// Refused with 450 while a transfer runs.
    pub const fn busy_refused(mut self) -> Self {
        self.during_transfer = DuringTransfer::Refused;
        self
    }

    /// Answered by the transfer loop while a transfer runs.
    pub const fn busy_answered(mut self) -> Self {
        self.during_transfer = DuringTransfer::Answered;
        self
    }

    /// Opens a data connection (and so is refused with 450 while a transfer runs).
    pub const fn opens_data(mut self) -> Self {
        self.opens_data = true;
        self.during_transfer = DuringTransfer::Refused;
        self
    }

    /// Sets how `TLSRequired` treats it.
    pub const fn tls(mut self, tls: TlsRule) -> Self {
        self.tls = tls;
        self
    }

    /// Sets how `<Limit>` treats it.
    pub const fn limit(mut self, limit: LimitRule) -> Self {
        self.limit = limit;
        self
    }

    /// Sets which argument filters apply.
    pub const fn filter(mut self, filter: ArgFilter) -> Self {
        self.filter = filter;
        self
    }

    /// Listed in HELP with this syntax.
    pub const fn help(mut self, syntax: &'static str) -> Self {
        self.help = Help::Shown(syntax);
        self
    }

    /// Listed in HELP with `*`, with this syntax.
    pub const fn unimplemented(mut self, syntax: &'static str) -> Self {
        self.help = Help::Unimplemented(syntax);
        self
    }

    /// Left out of HELP.
    pub const fn hidden(mut self) -> Self {
        self.help = Help::Hidden;
        self
    }

    /// Whether the command may only be used after login.
    pub fn needs_login(&self) -> bool {
        matches!(self.handler, Handler::User(_))
    }

    /// The name `<Limit>` matches this verb under (its alias target, or itself).
    pub fn canonical(&self) -> &'static str {
        self.alias_of.unwrap_or(self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::{PathArg, path_after_options};

    #[test]
    fn path_shapes() {
        assert_eq!(PathArg::Whole.pick(Some("a b")), Some("a b"));
        assert_eq!(PathArg::AfterOptions.pick(Some("-la  d")), Some("d"));
        assert_eq!(PathArg::AfterOptions.pick(Some("-la")), None);
        assert_eq!(
            PathArg::AfterFirstWord.pick(Some("20200101000000 f g")),
            Some("f g")
        );
        assert_eq!(PathArg::AfterFirstWord.pick(Some("x")), None);
        assert_eq!(
            PathArg::LastWordAfterFirst.pick(Some("CHMOD 600 f")),
            Some("f")
        );
        assert_eq!(PathArg::LastWordAfterFirst.pick(Some("MKDIR d")), Some("d"));
        assert_eq!(PathArg::LastWordAfterFirst.pick(Some("HELP")), None);
        assert_eq!(PathArg::Parent.pick(Some("x")), None);
        assert_eq!(PathArg::Cwd.pick(Some("x")), None);
        assert_eq!(path_after_options("- x"), Some("- x"));
    }
}
