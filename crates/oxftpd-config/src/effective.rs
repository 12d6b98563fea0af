//! The effective configuration: a [`Scope`]'s levels merged once, and read into typed
//! per-module views.
//!
//! ProFTPD merges a configuration down (`<Global>` → server → `<Anonymous>` → `<Directory>`
//! → `.ftpaccess`) and a module reads the record closest to the command's target. [`Merged`]
//! does that walk once for a scope: every directive's occurrences, most specific level first
//! (file order within a level), the order [`Scope::directive`] and [`Scope::directives`] use.
//! The modules' views (`mod_xfer::View`, `mod_core::View`, …) are built from it, so a
//! directive's name is written only in its module's file of this crate.

use crate::check::{parse_duration, parse_flag, parse_umask};
use crate::modules::{
    mod_auth, mod_auth_file, mod_auth_pam, mod_ban, mod_case, mod_copy, mod_core, mod_deflate,
    mod_delay, mod_digest, mod_facts, mod_ident, mod_lang, mod_log, mod_ls, mod_proxy_protocol,
    mod_quotatab, mod_ratio, mod_readme, mod_rewrite, mod_site_misc, mod_tls, mod_unique_id,
    mod_wrap, mod_wrap2, mod_xfer,
};
use crate::scope::{ContextRef, Scope};
use crate::tree::{Block, Directive};

/// One occurrence of a directive in a merged scope.
#[derive(Debug, Clone, Copy)]
struct Entry<'a> {
    /// Index of its level in the scope's chain (0 is the most specific).
    level: usize,
    /// The level itself.
    context: ContextRef<'a>,
    /// The occurrence.
    directive: &'a Directive,
}

/// Where the directive that decided a setting was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A `<Directory>` block, with its normalised pattern.
    Directory(String),
    /// An `<Anonymous>` block, with its root as written.
    Anonymous(String),
    /// A `.ftpaccess` file.
    FtpAccess,
    /// The server, `<Global>` or an `<IfUser>`/`<IfGroup>`/`<IfClass>` block.
    Server,
}

impl Origin {
    fn of(context: ContextRef<'_>) -> Origin {
        match context {
            ContextRef::Directory(d) => Origin::Directory(d.pattern.clone()),
            ContextRef::Anonymous(a) => Origin::Anonymous(a.root().to_string()),
            ContextRef::Override(_) => Origin::FtpAccess,
            ContextRef::Server(_) | ContextRef::Global(_) | ContextRef::Conditional(_) => {
                Origin::Server
            }
        }
    }
}

/// Where a value was written, for errors reported when the server starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// The directive it came from (file, line, arguments).
    pub at: Directive,
}

/// Occurrences grouped by directive name. A scope sets a few dozen directives at most and a
/// view asks for each of its own, so a short list searched in order beats hashing every name.
#[derive(Debug, Default)]
struct ByName<'a>(Vec<(&'static str, Vec<Entry<'a>>)>);

impl<'a> ByName<'a> {
    /// The occurrences of `name`, created empty when new.
    fn slot(&mut self, name: &'static str) -> &mut Vec<Entry<'a>> {
        let i = match self.0.iter().position(|(n, _)| *n == name) {
            Some(i) => i,
            None => {
                self.0.push((name, Vec::new()));
                self.0.len() - 1
            }
        };
        &mut self.0[i].1
    }

    /// The occurrences of `name` (canonical spelling), most specific level first.
    fn get(&self, name: &str) -> &[Entry<'a>] {
        self.0
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, e)| e.as_slice())
            .unwrap_or(&[])
    }
}

/// A scope's directives, merged once: for each directive, its occurrences from the most
/// specific level to the least.
///
/// Its accessors take a directive's name: they are for a module's typed view, written next
/// to the module's directive table (`oxftpd-config/src/modules/mod_x.rs`, or a module
/// crate's own table), and nowhere else.
#[derive(Debug, Default)]
pub struct Merged<'a> {
    by_name: ByName<'a>,
    /// The names the views asked for (a test checks each against the directive tables).
    #[cfg(test)]
    asked: std::cell::RefCell<Vec<&'static str>>,
}

impl<'a> Merged<'a> {
    /// Merges every level of `scope` (`.ftpaccess` → `<Directory>` chain → `<Anonymous>` →
    /// matching conditionals → server → `<Global>`).
    pub fn of(scope: &Scope<'a>) -> Merged<'a> {
        let mut by_name = ByName::default();
        for (level, context) in scope.levels().into_iter().enumerate() {
            for directive in &context.block().directives {
                by_name.slot(directive.name).push(Entry {
                    level,
                    context,
                    directive,
                });
            }
        }
        Merged::with(by_name)
    }

    /// One block alone (an `<Anonymous>` block's own directives, without the server's).
    pub fn of_block(block: &'a Block) -> Merged<'a> {
        let mut by_name = ByName::default();
        for directive in &block.directives {
            by_name.slot(directive.name).push(Entry {
                level: 0,
                context: ContextRef::Override(block),
                directive,
            });
        }
        Merged::with(by_name)
    }

    fn with(by_name: ByName<'a>) -> Merged<'a> {
        Merged {
            by_name,
            #[cfg(test)]
            asked: Default::default(),
        }
    }

    fn entries(&self, name: &'static str) -> &[Entry<'a>] {
        #[cfg(test)]
        self.asked.borrow_mut().push(name);
        self.by_name.get(name)
    }

    /// The occurrences at the most specific level that has the directive, in file order.
    fn nearest_entries(&self, name: &'static str) -> &[Entry<'a>] {
        let all = self.entries(name);
        let Some(first) = all.first() else {
            return all;
        };
        let n = all.iter().take_while(|e| e.level == first.level).count();
        &all[..n]
    }

    /// The effective occurrence: the last one at the most specific level that has it.
    pub fn one(&self, name: &'static str) -> Option<&'a Directive> {
        self.nearest_entries(name).last().map(|e| e.directive)
    }

    /// Every occurrence, most specific level first, file order within a level.
    pub fn all(&self, name: &'static str) -> impl Iterator<Item = &'a Directive> + '_ {
        self.entries(name).iter().map(|e| e.directive)
    }

    /// The occurrences at the most specific level that has the directive, in file order.
    pub fn nearest(&self, name: &'static str) -> Vec<&'a Directive> {
        self.nearest_entries(name)
            .iter()
            .map(|e| e.directive)
            .collect()
    }

    /// Where the effective occurrence was found.
    pub fn origin(&self, name: &'static str) -> Option<Origin> {
        self.nearest_entries(name)
            .last()
            .map(|e| Origin::of(e.context))
    }

    /// Whether the directive is set at any level.
    pub fn has(&self, name: &'static str) -> bool {
        !self.entries(name).is_empty()
    }

    /// The effective occurrence's arguments.
    pub fn args(&self, name: &'static str) -> Option<Vec<String>> {
        self.one(name).map(|d| d.args.clone())
    }

    /// Argument `i` of the effective occurrence.
    pub fn arg(&self, name: &'static str, i: usize) -> Option<String> {
        self.one(name).and_then(|d| d.arg(i)).map(str::to_string)
    }

    /// An on/off directive (its first argument), `None` when unset.
    pub fn flag(&self, name: &'static str) -> Option<bool> {
        self.one(name).and_then(|d| d.arg(0)).and_then(parse_flag)
    }

    /// A number (argument `i`), `None` when unset or not a number.
    pub fn number<T: std::str::FromStr>(&self, name: &'static str, i: usize) -> Option<T> {
        self.one(name)
            .and_then(|d| d.arg(i))
            .and_then(|a| a.parse().ok())
    }

    /// A timeout in seconds, `None` when unset.
    pub fn duration(&self, name: &'static str) -> Option<u64> {
        self.one(name)
            .and_then(|d| d.arg(0))
            .and_then(parse_duration)
    }

    /// Octal umask argument `i`, `None` when unset.
    pub fn umask(&self, name: &'static str, i: usize) -> Option<u32> {
        self.one(name).and_then(|d| d.arg(i)).and_then(parse_umask)
    }

    /// The effective occurrence with where it was written.
    pub fn located<T>(
        &self,
        name: &'static str,
        value: impl FnOnce(&Directive) -> T,
    ) -> Option<Located<T>> {
        self.one(name).map(|d| Located {
            value: value(d),
            at: d.clone(),
        })
    }

    /// Every occurrence's first argument, most specific level first.
    pub fn all_first(&self, name: &'static str) -> Vec<String> {
        self.all(name)
            .filter_map(|d| d.arg(0))
            .map(str::to_string)
            .collect()
    }

    /// Every occurrence with ProFTPD's precedence of its context (`<Global>` 1, server and
    /// `<IfUser>`-style blocks 2, `<Anonymous>` 3, `<Directory>` 4, `.ftpaccess` 5), most
    /// specific level first, file order within a level.
    pub fn ranked(&self, name: &'static str) -> Vec<(u8, &'a Directive)> {
        self.entries(name)
            .iter()
            .map(|e| {
                let rank = match e.context {
                    ContextRef::Global(_) => 1,
                    ContextRef::Server(_) | ContextRef::Conditional(_) => 2,
                    ContextRef::Anonymous(_) => 3,
                    ContextRef::Directory(_) => 4,
                    ContextRef::Override(_) => 5,
                };
                (rank, e.directive)
            })
            .collect()
    }

    /// Every occurrence with the index of its level (0 is the most specific), most specific
    /// level first, file order within a level.
    pub fn levelled(&self, name: &'static str) -> Vec<(usize, &'a Directive)> {
        self.entries(name)
            .iter()
            .map(|e| (e.level, e.directive))
            .collect()
    }

    /// Every occurrence's arguments, most specific level first.
    pub fn all_args(&self, name: &'static str) -> Vec<Vec<String>> {
        self.all(name).map(|d| d.args.clone()).collect()
    }
}

/// The configuration in force for one (server, `<Anonymous>`, `<Directory>` chain,
/// `.ftpaccess` files, matching `<IfUser>`/`<IfGroup>`/`<IfClass>`), typed per module.
#[derive(Debug, Clone)]
pub struct Effective {
    /// mod_core.c.
    pub core: mod_core::View,
    /// mod_xfer.c.
    pub xfer: mod_xfer::View,
    /// mod_ls.c.
    pub ls: mod_ls::View,
    /// mod_facts.c.
    pub facts: mod_facts::View,
    /// mod_auth.c.
    pub auth: mod_auth::View,
    /// mod_auth_file.c.
    pub auth_file: mod_auth_file::View,
    /// mod_auth_pam.c.
    pub auth_pam: mod_auth_pam::View,
    /// mod_copy.c.
    pub copy: mod_copy::View,
    /// mod_digest.c.
    pub digest: mod_digest::View,
    /// mod_site_misc.c.
    pub site_misc: mod_site_misc::View,
    /// mod_log.c.
    pub log: mod_log::View,
    /// mod_tls.c.
    pub tls: mod_tls::View,
    /// mod_delay.c.
    pub delay: mod_delay::View,
    /// mod_deflate.c.
    pub deflate: mod_deflate::View,
    /// mod_ident.c.
    pub ident: mod_ident::View,
    /// mod_lang.c.
    pub lang: mod_lang::View,
    /// mod_wrap.c.
    pub wrap: mod_wrap::View,
    /// mod_wrap2.c.
    pub wrap2: mod_wrap2::View,
    /// mod_case.c.
    pub case: mod_case::View,
    /// mod_rewrite.c.
    pub rewrite: mod_rewrite::View,
    /// mod_unique_id.c.
    pub unique_id: mod_unique_id::View,
    /// mod_readme.c.
    pub readme: mod_readme::View,
    /// mod_ban.c.
    pub ban: mod_ban::View,
    /// mod_quotatab.c.
    pub quota: mod_quotatab::View,
    /// mod_ratio.c.
    pub ratio: mod_ratio::View,
    /// mod_proxy_protocol.c.
    pub proxy_protocol: mod_proxy_protocol::View,
}

impl Effective {
    /// Merges `scope` once and reads every module's view from it.
    pub fn of(scope: &Scope<'_>) -> Effective {
        Effective::from_merged(&Merged::of(scope))
    }

    /// Reads every module's view from a merged scope.
    pub fn from_merged(m: &Merged<'_>) -> Effective {
        Effective {
            core: mod_core::View::read(m),
            xfer: mod_xfer::View::read(m),
            ls: mod_ls::View::read(m),
            facts: mod_facts::View::read(m),
            auth: mod_auth::View::read(m),
            auth_file: mod_auth_file::View::read(m),
            auth_pam: mod_auth_pam::View::read(m),
            copy: mod_copy::View::read(m),
            digest: mod_digest::View::read(m),
            site_misc: mod_site_misc::View::read(m),
            log: mod_log::View::read(m),
            tls: mod_tls::View::read(m),
            delay: mod_delay::View::read(m),
            deflate: mod_deflate::View::read(m),
            ident: mod_ident::View::read(m),
            lang: mod_lang::View::read(m),
            wrap: mod_wrap::View::read(m),
            wrap2: mod_wrap2::View::read(m),
            case: mod_case::View::read(m),
            rewrite: mod_rewrite::View::read(m),
            unique_id: mod_unique_id::View::read(m),
            readme: mod_readme::View::read(m),
            ban: mod_ban::View::read(m),
            quota: mod_quotatab::View::read(m),
            ratio: mod_ratio::View::read(m),
            proxy_protocol: mod_proxy_protocol::View::read(m),
        }
    }
}

#[cfg(test)]
#[path = "effective_tests.rs"]
mod tests;
