//! Reads configuration files into a [`Config`]: sections, Include, Define, validation.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::sync::Arc;

use crate::error::{ConfigError, ConfigErrors};
use crate::include::{self, Expanded};
use crate::known_modules;
use crate::lexer::{self, Lines};
use crate::registry::{self, Contexts, DirectiveSpec, Duplicate, ModuleSpec};
use crate::suggest;
use crate::tree::{
    Anonymous, Block, Class, ConditionKind, Conditional, Config, Directive, DirectoryBlock, Limit,
    Server,
};

/// How to parse: which modules are compiled in and which names are defined.
#[derive(Debug, Clone)]
pub struct ParseOptions<'a> {
    /// Modules whose directives are accepted and whose names make `<IfModule>` true.
    pub modules: &'a [&'static ModuleSpec],
    /// `-D NAME[=VALUE]` definitions.
    pub defines: Vec<(String, Option<String>)>,
}

impl<'a> ParseOptions<'a> {
    /// Options with the given modules and no defines.
    pub fn new(modules: &'a [&'static ModuleSpec]) -> Self {
        ParseOptions {
            modules,
            defines: Vec::new(),
        }
    }
}

/// Deepest chain of nested Include files.
pub const MAX_INCLUDE_DEPTH: usize = 32;

/// Reads and parses `path` and every file it includes.
pub fn parse_file(path: &Path, opts: &ParseOptions) -> Result<Config, ConfigErrors> {
    let mut p = Parser::new(opts);
    match File::open(path) {
        Ok(f) => p.parse_source(BufReader::new(f), path),
        Err(e) => p.errors.push(ConfigError {
            file: path.to_path_buf(),
            line: 0,
            directive: None,
            message: format!("unable to open configuration file: {e}"),
        }),
    }
    p.finish()
}

/// Parses configuration text as if read from `file_name`; Include still reads files.
pub fn parse_str(
    text: &str,
    file_name: &Path,
    opts: &ParseOptions,
) -> Result<Config, ConfigErrors> {
    let mut p = Parser::new(opts);
    p.parse_source(text.as_bytes(), file_name);
    p.finish()
}

/// A parsed `.ftpaccess` file: what applies, and the lines that were refused.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FtpAccess {
    /// The accepted directives and `<Limit>` sections.
    pub block: Block,
    /// Refused lines with file and line (ProFTPD logs and skips them, keeping the rest).
    pub problems: Vec<ConfigError>,
}

/// Parses a `.ftpaccess` file's text: directives allowed in the `.ftpaccess` context and
/// `<Limit>` sections; every other line is a problem and is left out (as ProFTPD does).
pub fn parse_ftpaccess(text: &str, file: &Path, opts: &ParseOptions) -> FtpAccess {
    let mut p = Parser::new(opts);
    p.ftpaccess = true;
    p.parse_source(text.as_bytes(), file);
    if let Some(skip) = p.skip.take() {
        p.errors.push(err(
            &skip.file,
            skip.line,
            Some(&format!("<{}>", skip.tag)),
            "section opened here is never closed",
        ));
    }
    // An unclosed <Limit> still applies, as in ProFTPD.
    while p.stack.len() > 1 {
        p.pop();
    }
    let block = p.stack.pop().map(|f| f.block).unwrap_or_default();
    let mut problems = p.errors;
    problems.extend(p.warnings);
    FtpAccess { block, problems }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Root,
    VirtualHost,
    Global,
    Anonymous,
    Directory,
    Limit,
    Class,
    Conditional(ConditionKind),
    IfModule,
    IfDefine,
}

impl Kind {
    fn tag(self) -> &'static str {
        match self {
            Kind::Root => "server config",
            Kind::VirtualHost => "VirtualHost",
            Kind::Global => "Global",
            Kind::Anonymous => "Anonymous",
            Kind::Directory => "Directory",
            Kind::Limit => "Limit",
            Kind::Class => "Class",
            Kind::Conditional(ConditionKind::User) => "IfUser",
            Kind::Conditional(ConditionKind::Group) => "IfGroup",
            Kind::Conditional(ConditionKind::Class) => "IfClass",
            Kind::IfModule => "IfModule",
            Kind::IfDefine => "IfDefine",
        }
    }

    fn from_tag(tag: &str) -> Option<Kind> {
        const ALL: [Kind; 11] = [
            Kind::VirtualHost,
            Kind::Global,
            Kind::Anonymous,
            Kind::Directory,
            Kind::Limit,
            Kind::Class,
            Kind::Conditional(ConditionKind::User),
            Kind::Conditional(ConditionKind::Group),
            Kind::Conditional(ConditionKind::Class),
            Kind::IfModule,
            Kind::IfDefine,
        ];
        ALL.into_iter().find(|k| k.tag().eq_ignore_ascii_case(tag))
    }

    fn transparent(self) -> bool {
        matches!(self, Kind::IfModule | Kind::IfDefine)
    }
}

/// An open section being filled.
struct Frame {
    kind: Kind,
    args: Vec<String>,
    file: Arc<Path>,
    line: u32,
    block: Block,
    directories: Vec<DirectoryBlock>,
    anonymous: Vec<Anonymous>,
    /// The context directives inside are checked against.
    ctx: Contexts,
}

impl Frame {
    fn new(kind: Kind, args: Vec<String>, file: Arc<Path>, line: u32, ctx: Contexts) -> Frame {
        Frame {
            kind,
            args,
            file,
            line,
            block: Block::default(),
            directories: Vec::new(),
            anonymous: Vec::new(),
            ctx,
        }
    }
}

/// A section whose contents are being skipped (false condition or a refused header).
struct Skip {
    tag: String,
    depth: usize,
    file: Arc<Path>,
    line: u32,
}

struct Parser<'o> {
    opts: &'o ParseOptions<'o>,
    defines: Vec<(String, Option<String>)>,
    errors: Vec<ConfigError>,
    warnings: Vec<ConfigError>,
    /// Files being read, each with the line of the Include that opened the next one.
    includes: Vec<(Arc<Path>, u32)>,
    stack: Vec<Frame>,
    skip: Option<Skip>,
    vhosts: Vec<Frame>,
    global: Frame,
    classes: Vec<Class>,
    root_file: Option<Arc<Path>>,
    /// Reading a `.ftpaccess` file: only `<Limit>` sections, `.ftpaccess` directives.
    ftpaccess: bool,
}

fn err(file: &Path, line: u32, directive: Option<&str>, message: impl Into<String>) -> ConfigError {
    ConfigError {
        file: file.to_path_buf(),
        line,
        directive: directive.map(str::to_string),
        message: message.into(),
    }
}

impl<'o> Parser<'o> {
    fn new(opts: &'o ParseOptions<'o>) -> Self {
        let nowhere: Arc<Path> = Arc::from(Path::new(""));
        Parser {
            opts,
            defines: opts.defines.clone(),
            errors: Vec::new(),
            warnings: Vec::new(),
            includes: Vec::new(),
            stack: Vec::new(),
            skip: None,
            vhosts: Vec::new(),
            global: Frame::new(Kind::Global, Vec::new(), nowhere, 0, Contexts::GLOBAL),
            classes: Vec::new(),
            root_file: None,
            ftpaccess: false,
        }
    }

    fn define(&self, name: &str) -> Option<&Option<String>> {
        self.defines
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    fn parse_source<R: BufRead>(&mut self, src: R, file: &Path) {
        let file: Arc<Path> = Arc::from(file);
        if self.root_file.is_none() {
            self.root_file = Some(file.clone());
            let ctx = if self.ftpaccess {
                Contexts::FTPACCESS
            } else {
                Contexts::SERVER
            };
            self.stack
                .push(Frame::new(Kind::Root, Vec::new(), file.clone(), 0, ctx));
        }
        self.includes.push((file.clone(), 0));
        let mut lines = Lines::new(src);
        while let Some(l) = lines.next_line() {
            match l.text {
                Ok(text) => self.line(&file, l.line, &text),
                Err(m) => self.errors.push(err(&file, l.line, None, m)),
            }
        }
        self.includes.pop();
    }

    fn line(&mut self, file: &Arc<Path>, line: u32, text: &str) {
        let trimmed = text.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            return;
        }
        let words = match lexer::words(trimmed) {
            Ok(w) => w,
            Err(m) => {
                if self.skip.is_none() {
                    self.errors.push(err(file, line, None, m));
                }
                return;
            }
        };
        let Some((head, rest)) = words.split_first() else {
            return;
        };
        if let Some(skip) = &mut self.skip {
            if let Some(tag) = head.strip_prefix("</") {
                if tag.trim_end_matches('>').eq_ignore_ascii_case(&skip.tag) {
                    if skip.depth == 0 {
                        self.skip = None;
                    } else {
                        skip.depth -= 1;
                    }
                }
            } else if let Some(tag) = head.strip_prefix('<')
                && tag.trim_end_matches('>').eq_ignore_ascii_case(&skip.tag)
            {
                skip.depth += 1;
            }
            return;
        }
        let defines = &self.defines;
        let lookup = |n: &str| {
            defines
                .iter()
                .rev()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.clone().unwrap_or_default())
        };
        let mut args: Vec<String> = rest.iter().map(|w| lexer::substitute(w, &lookup)).collect();
        if let Some(tag) = head.strip_prefix("</") {
            self.close(file, line, tag, &args);
        } else if let Some(tag) = head.strip_prefix('<') {
            // The closing '>' may be its own word or end the last argument.
            let tag_closed = tag.ends_with('>');
            let tag = tag.trim_end_matches('>');
            let mut ok = tag_closed && args.is_empty();
            if !tag_closed && let Some(last) = args.last_mut() {
                if last == ">" {
                    args.pop();
                    ok = true;
                } else if let Some(s) = last.strip_suffix('>') {
                    *last = s.to_string();
                    ok = true;
                }
            }
            if !ok {
                self.errors.push(err(
                    file,
                    line,
                    Some(&format!("<{tag}")),
                    "malformed section header: missing closing '>'",
                ));
                return;
            }
            self.open(file, line, tag, args);
        } else {
            self.directive(file, line, head, args);
        }
    }

    /// The innermost content-holding frame.
    fn current(&mut self) -> &mut Frame {
        let i = self
            .stack
            .iter()
            .rposition(|f| !f.kind.transparent())
            .unwrap_or(0);
        &mut self.stack[i]
    }

    fn current_kind(&self) -> Kind {
        self.stack
            .iter()
            .rev()
            .find(|f| !f.kind.transparent())
            .map(|f| f.kind)
            .unwrap_or(Kind::Root)
    }

    fn current_ctx(&self) -> Contexts {
        self.stack
            .iter()
            .rev()
            .find(|f| !f.kind.transparent())
            .map(|f| f.ctx)
            .unwrap_or(Contexts::SERVER)
    }

    fn anon_root(&self) -> Option<String> {
        self.stack
            .iter()
            .rev()
            .find(|f| f.kind == Kind::Anonymous)
            .and_then(|f| f.args.first().cloned())
    }

    fn open(&mut self, file: &Arc<Path>, line: u32, tag: &str, args: Vec<String>) {
        let name = format!("<{tag}>");
        let Some(kind) = Kind::from_tag(tag) else {
            let tags = [
                "VirtualHost",
                "Global",
                "Anonymous",
                "Directory",
                "Limit",
                "Class",
                "IfUser",
                "IfGroup",
                "IfClass",
                "IfModule",
                "IfDefine",
            ];
            let hint = suggest::closest(tag, tags)
                .map(|t| format!(" (did you mean <{t}>?)"))
                .unwrap_or_default();
            self.errors.push(err(
                file,
                line,
                Some(&name),
                format!("unknown section{hint}"),
            ));
            self.skip_section(tag, file, line);
            return;
        };
        let name = format!("<{}>", kind.tag());
        let parent = self.current_kind();
        let e = |m: String| err(file, line, Some(&name), m);
        let allowed: &[Kind] = match kind {
            Kind::VirtualHost | Kind::Global => &[Kind::Root],
            Kind::Anonymous => &[Kind::Root, Kind::VirtualHost, Kind::Global],
            Kind::Class => &[Kind::Root, Kind::Global],
            Kind::Directory => &[
                Kind::Root,
                Kind::VirtualHost,
                Kind::Global,
                Kind::Anonymous,
                Kind::Conditional(ConditionKind::User),
                Kind::Conditional(ConditionKind::Group),
                Kind::Conditional(ConditionKind::Class),
            ],
            Kind::Limit => &[
                Kind::Root,
                Kind::VirtualHost,
                Kind::Global,
                Kind::Anonymous,
                Kind::Directory,
                Kind::Conditional(ConditionKind::User),
                Kind::Conditional(ConditionKind::Group),
                Kind::Conditional(ConditionKind::Class),
            ],
            Kind::Conditional(_) => &[
                Kind::Root,
                Kind::VirtualHost,
                Kind::Global,
                Kind::Conditional(ConditionKind::User),
                Kind::Conditional(ConditionKind::Group),
                Kind::Conditional(ConditionKind::Class),
            ],
            Kind::IfModule | Kind::IfDefine | Kind::Root => &[],
        };
        // Sections that open a real context: check where they are and their arguments.
        let mut problem: Option<String> = None;
        if self.ftpaccess && !kind.transparent() && kind != Kind::Limit {
            problem = Some("not allowed in .ftpaccess context".into());
        } else if !kind.transparent() && !allowed.contains(&parent) {
            let names: Vec<String> = allowed.iter().map(|k| ctx_name(*k)).collect();
            problem = Some(format!(
                "not allowed in {} context (allowed in: {})",
                ctx_name(parent),
                names.join(", ")
            ));
        }
        let arity: (usize, Option<usize>) = match kind {
            Kind::Global => (0, Some(0)),
            Kind::Anonymous | Kind::Directory | Kind::Class | Kind::IfModule | Kind::IfDefine => {
                (1, Some(1))
            }
            _ => (1, None),
        };
        if problem.is_none() && (args.len() < arity.0 || arity.1.is_some_and(|m| args.len() > m)) {
            problem = Some(match arity {
                (0, Some(0)) => format!("takes no arguments (got {})", args.len()),
                (n, Some(m)) if n == m => format!(
                    "wrong number of parameters (expected {n}, got {})",
                    args.len()
                ),
                (n, _) => format!(
                    "wrong number of parameters (expected at least {n}, got {})",
                    args.len()
                ),
            });
        }
        if problem.is_none() {
            problem = self.section_arg_problem(kind, &args);
        }
        if let Some(p) = problem {
            self.errors.push(e(p));
            // Skip the whole section so its contents don't cascade into more errors.
            self.skip_section(kind.tag(), file, line);
            return;
        }
        match kind {
            Kind::IfModule | Kind::IfDefine => {
                let arg = args.first().map(String::as_str).unwrap_or("");
                let (negate, what) = match arg.strip_prefix('!') {
                    Some(r) => (true, r),
                    None => (false, arg),
                };
                let truth = if kind == Kind::IfModule {
                    if registry::has_module(self.opts.modules, what) {
                        true
                    } else if known_modules::is_known(what) {
                        false
                    } else {
                        let hint = suggest::closest(
                            &registry::module_file_name(what),
                            known_modules::KNOWN_MODULES.iter().copied(),
                        )
                        .map(|m| format!(" (did you mean {m}?)"))
                        .unwrap_or_default();
                        self.errors
                            .push(e(format!("unknown module name '{what}'{hint}")));
                        self.skip_section(kind.tag(), file, line);
                        return;
                    }
                } else {
                    self.define(what).is_some()
                };
                if truth != negate {
                    let ctx = self.current_ctx();
                    self.stack
                        .push(Frame::new(kind, args, file.clone(), line, ctx));
                } else {
                    self.skip_section(kind.tag(), file, line);
                }
            }
            Kind::VirtualHost => {
                self.stack
                    .push(Frame::new(kind, args, file.clone(), line, Contexts::VHOST))
            }
            Kind::Global => {
                self.stack
                    .push(Frame::new(kind, args, file.clone(), line, Contexts::GLOBAL))
            }
            Kind::Anonymous => {
                self.stack
                    .push(Frame::new(kind, args, file.clone(), line, Contexts::ANON))
            }
            Kind::Directory => {
                self.stack
                    .push(Frame::new(kind, args, file.clone(), line, Contexts::DIR))
            }
            Kind::Limit => {
                self.stack
                    .push(Frame::new(kind, args, file.clone(), line, Contexts::LIMIT))
            }
            Kind::Class => {
                self.stack
                    .push(Frame::new(kind, args, file.clone(), line, Contexts::CLASS))
            }
            Kind::Conditional(_) => {
                let ctx = self.current_ctx();
                self.stack
                    .push(Frame::new(kind, args, file.clone(), line, ctx))
            }
            Kind::Root => {}
        }
    }

    fn skip_section(&mut self, tag: &str, file: &Arc<Path>, line: u32) {
        self.skip = Some(Skip {
            tag: tag.to_string(),
            depth: 0,
            file: file.clone(),
            line,
        });
    }

    fn section_arg_problem(&self, kind: Kind, args: &[String]) -> Option<String> {
        let a = args.first().map(String::as_str).unwrap_or("");
        match kind {
            Kind::Anonymous if !(a.starts_with('/') || a.starts_with('~')) => {
                Some(format!("'{a}' is not an absolute path or ~ form"))
            }
            Kind::Directory => {
                if a.starts_with('/') || a.starts_with('~') || self.anon_root().is_some() {
                    None
                } else {
                    Some(format!(
                        "relative path '{a}' is only allowed inside <Anonymous>"
                    ))
                }
            }
            Kind::Conditional(_) if !registry::has_module(self.opts.modules, "mod_ifsession.c") => {
                Some("needs mod_ifsession.c, which is not loaded".into())
            }
            _ => None,
        }
    }

    fn close(&mut self, file: &Arc<Path>, line: u32, tag: &str, args: &[String]) {
        let tag = tag.trim_end_matches('>');
        let name = format!("</{tag}>");
        let Some(top) = self.stack.last() else { return };
        if top.kind == Kind::Root {
            self.errors.push(err(
                file,
                line,
                Some(&name),
                "closes a section that was never opened",
            ));
            return;
        }
        let kind = Kind::from_tag(tag);
        if kind != Some(top.kind) {
            self.errors.push(err(
                file,
                line,
                Some(&name),
                format!(
                    "does not match <{}> opened at {}:{}",
                    top.kind.tag(),
                    top.file.display(),
                    top.line
                ),
            ));
            // Recover: when the tag names a section open further out, close up to it.
            let Some(pos) = self.stack.iter().rposition(|f| Some(f.kind) == kind) else {
                return;
            };
            while self.stack.len() > pos {
                self.pop();
            }
            return;
        }
        if !args.is_empty() {
            self.errors.push(err(
                file,
                line,
                Some(&name),
                "a closing tag takes no arguments",
            ));
        }
        self.pop();
    }

    /// Closes the innermost section and files its contents in its parent.
    fn pop(&mut self) {
        let Some(f) = self.stack.pop() else { return };
        match f.kind {
            Kind::Root | Kind::IfModule | Kind::IfDefine => {}
            Kind::VirtualHost => self.vhosts.push(f),
            Kind::Global => {
                let g = &mut self.global;
                g.block.directives.extend(f.block.directives);
                g.block.limits.extend(f.block.limits);
                g.block.conditionals.extend(f.block.conditionals);
                g.directories.extend(f.directories);
                g.anonymous.extend(f.anonymous);
            }
            Kind::Anonymous => {
                let root = f.args.first().cloned().unwrap_or_default();
                let a = Anonymous {
                    root: normalise(&root),
                    block: f.block,
                    directories: f.directories,
                    file: f.file,
                    line: f.line,
                };
                self.current().anonymous.push(a);
            }
            Kind::Directory => {
                let written = f.args.first().cloned().unwrap_or_default();
                let pattern = match self.anon_root() {
                    Some(root) if !(written.starts_with('/') || written.starts_with('~')) => {
                        normalise(&format!("{}/{written}", normalise(&root)))
                    }
                    _ => normalise(&written),
                };
                // ProFTPD refuses a second <Directory> for a path a server already has a
                // non-empty one for (not inside <Anonymous> or <Global>).
                let parent = self.current();
                if matches!(parent.kind, Kind::Root | Kind::VirtualHost)
                    && parent.directories.iter().any(|d| {
                        d.written == written
                            && !(d.block.directives.is_empty() && d.block.limits.is_empty())
                    })
                {
                    let e = err(
                        &f.file,
                        f.line,
                        Some("<Directory>"),
                        format!("<Directory> section already configured for '{written}'"),
                    );
                    self.errors.push(e);
                    return;
                }
                let d = DirectoryBlock {
                    written,
                    pattern,
                    block: f.block,
                    file: f.file,
                    line: f.line,
                };
                self.current().directories.push(d);
            }
            Kind::Limit => {
                let l = Limit {
                    commands: f
                        .args
                        .iter()
                        .flat_map(|a| a.split(','))
                        .filter(|s| !s.is_empty())
                        .map(|s| s.to_ascii_uppercase())
                        .collect(),
                    rules: crate::modules::mod_core::LimitRules::of(&f.block.directives),
                    directives: f.block.directives,
                    file: f.file,
                    line: f.line,
                };
                self.current().block.limits.push(l);
            }
            Kind::Class => self.classes.push(Class {
                name: f.args.first().cloned().unwrap_or_default(),
                directives: f.block.directives,
                file: f.file,
                line: f.line,
            }),
            Kind::Conditional(kind) => {
                let c = Conditional {
                    kind,
                    args: f.args,
                    block: f.block,
                    directories: f.directories,
                    file: f.file,
                    line: f.line,
                };
                self.current().block.conditionals.push(c);
            }
        }
    }

    fn directive(&mut self, file: &Arc<Path>, line: u32, name: &str, args: Vec<String>) {
        let ctx = self.current_ctx();
        let Some(found) = registry::lookup(self.opts.modules, name) else {
            if let Some((canon, why)) = registry::rejected(name) {
                self.errors.push(err(
                    file,
                    line,
                    Some(canon),
                    format!("{canon} is not supported by oxftpd: {why}"),
                ));
                return;
            }
            let all = self
                .opts
                .modules
                .iter()
                .flat_map(|m| m.directives.iter().map(|d| d.name));
            let hint = suggest::closest(name, all)
                .map(|s| format!(" (did you mean {s}?)"))
                .unwrap_or_default();
            self.errors.push(err(
                file,
                line,
                Some(name),
                format!("unknown configuration directive{hint}"),
            ));
            return;
        };
        let spec = found.spec;
        let canon = spec.name;
        if !spec.contexts.contains(ctx) {
            self.errors.push(err(
                file,
                line,
                Some(canon),
                format!(
                    "not allowed in {} context (allowed in: {})",
                    ctx_label(ctx),
                    spec.contexts.names().join(", ")
                ),
            ));
            return;
        }
        if let Err(m) = spec.args.validate(&args) {
            self.errors.push(err(file, line, Some(canon), m));
            return;
        }
        match canon {
            "Include" => {
                self.include(file, line, &args[0]);
                return;
            }
            "Define" => {
                self.defines.push((args[0].clone(), args.get(1).cloned()));
                return;
            }
            "LoadModule" => {
                let m = &args[0];
                if !registry::has_module(self.opts.modules, m) {
                    if known_modules::is_known(m) {
                        self.warnings.push(err(
                            file,
                            line,
                            Some(canon),
                            format!(
                                "{} is not available in oxftpd; ignored (its <IfModule> sections are skipped)",
                                registry::module_file_name(m)
                            ),
                        ));
                    } else {
                        let hint = suggest::closest(
                            &registry::module_file_name(m),
                            known_modules::KNOWN_MODULES.iter().copied(),
                        )
                        .map(|s| format!(" (did you mean {s}?)"))
                        .unwrap_or_default();
                        self.errors.push(err(
                            file,
                            line,
                            Some(canon),
                            format!("unknown module name '{m}'{hint}"),
                        ));
                        return;
                    }
                }
            }
            _ => {}
        }
        let d = Directive {
            name: canon,
            args,
            file: file.clone(),
            line,
        };
        if !spec.multi && !self.keep_repeated(spec, &d) {
            return;
        }
        self.current().block.directives.push(d);
    }

    /// For a single-valued directive already set in the current context: warns, and either
    /// drops the earlier occurrence (returns true) or the new one (returns false), as ProFTPD
    /// would let one or the other take effect.
    fn keep_repeated(&mut self, spec: &DirectiveSpec, new: &Directive) -> bool {
        let conditional = matches!(self.current_kind(), Kind::Conditional(_));
        let block = &mut self.current().block;
        let Some(i) = block.directives.iter().position(|e| e.name == new.name) else {
            return true;
        };
        let earlier = format!(
            "{}:{}",
            block.directives[i].file.display(),
            block.directives[i].line
        );
        let (keep_new, message) = if conditional || spec.duplicate == Duplicate::Last {
            block.directives.remove(i);
            (
                true,
                format!("overrides the one at {earlier}: the last occurrence takes effect"),
            )
        } else {
            (
                false,
                format!(
                    "already set at {earlier}: ignored, the first occurrence in a context takes effect"
                ),
            )
        };
        self.warnings
            .push(err(&new.file, new.line, Some(new.name), message));
        keep_new
    }

    fn include(&mut self, file: &Arc<Path>, line: u32, target: &str) {
        if !target.starts_with('/') {
            self.errors.push(err(
                file,
                line,
                Some("Include"),
                format!("unable to use path for configuration file '{target}': Include needs an absolute path"),
            ));
            return;
        }
        if let Some(last) = self.includes.last_mut() {
            last.1 = line;
        }
        let files = match include::expand(Path::new(target)) {
            Expanded::Files(files, notes) => {
                for n in notes {
                    self.warnings.push(err(file, line, Some("Include"), n));
                }
                files
            }
            Expanded::Warning(m) => {
                self.warnings.push(err(file, line, Some("Include"), m));
                return;
            }
        };
        for f in files {
            let canon = std::fs::canonicalize(&f).unwrap_or_else(|_| f.clone());
            let looped = self.includes.iter().position(|(p, _)| {
                std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf()) == canon
            });
            if let Some(start) = looped {
                let mut chain: Vec<String> = self.includes[start..]
                    .iter()
                    .map(|(p, l)| format!("{}:{l}", p.display()))
                    .collect();
                chain.push(f.display().to_string());
                self.errors.push(err(
                    file,
                    line,
                    Some("Include"),
                    format!("include loop: {}", chain.join(" -> ")),
                ));
                continue;
            }
            if self.includes.len() >= MAX_INCLUDE_DEPTH {
                self.errors.push(err(
                    file,
                    line,
                    Some("Include"),
                    format!("includes nested more than {MAX_INCLUDE_DEPTH} deep"),
                ));
                return;
            }
            match File::open(&f) {
                Ok(h) => self.parse_source(BufReader::new(h), &f),
                Err(e) => self.warnings.push(err(
                    file,
                    line,
                    Some("Include"),
                    format!("unable to include '{}': {e}", f.display()),
                )),
            }
        }
    }

    fn finish(mut self) -> Result<Config, ConfigErrors> {
        if let Some(skip) = self.skip.take() {
            self.errors.push(err(
                &skip.file,
                skip.line,
                Some(&format!("<{}>", skip.tag)),
                format!(
                    "section opened here is never closed (expected </{}>)",
                    skip.tag
                ),
            ));
        }
        while self.stack.len() > 1 {
            if let Some(f) = self.stack.last() {
                let e = err(
                    &f.file,
                    f.line,
                    Some(&format!("<{}>", f.kind.tag())),
                    format!(
                        "section opened here is never closed (expected </{}>)",
                        f.kind.tag()
                    ),
                );
                self.errors.push(e);
            }
            self.pop();
        }
        if !self.errors.is_empty() {
            return Err(ConfigErrors(self.errors));
        }
        let Some(root) = self.stack.pop() else {
            return Err(ConfigErrors(vec![]));
        };
        let global = Arc::new(self.global.block);
        let classes: Arc<[Class]> = self.classes.into();
        let build = |f: Frame, is_main: bool| {
            let mut directories = f.directories;
            directories.extend(self.global.directories.iter().cloned());
            let mut anonymous = f.anonymous;
            anonymous.extend(self.global.anonymous.iter().cloned());
            Server {
                addresses: if is_main { Vec::new() } else { f.args },
                is_main,
                block: f.block,
                global: global.clone(),
                anonymous,
                directories,
                classes: classes.clone(),
                file: f.file,
                line: f.line,
            }
        };
        let mut servers = vec![build(root, true)];
        for v in std::mem::take(&mut self.vhosts) {
            servers.push(build(v, false));
        }
        Ok(Config {
            servers,
            warnings: self.warnings,
            defines: self.defines,
        })
    }
}

fn ctx_name(k: Kind) -> String {
    match k {
        Kind::Root => "server config".into(),
        other => format!("<{}>", other.tag()),
    }
}

fn ctx_label(c: Contexts) -> String {
    c.names()
        .first()
        .map(|s| s.to_string())
        .unwrap_or_else(|| "this".into())
}

/// Collapses repeated slashes and removes trailing ones (keeping a lone `/`).
pub(crate) fn normalise(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    let mut prev_slash = false;
    for c in p.chars() {
        if c == '/' {
            if !prev_slash {
                out.push(c);
            }
            prev_slash = true;
        } else {
            out.push(c);
            prev_slash = false;
        }
    }
    while out.len() > 1 && out.ends_with('/') {
        out.pop();
    }
    out
}
