//! mod_rewrite.c: rewriting command arguments with regular expressions, conditions and maps.
//! Patterns are compiled with the `regex` crate (ProFTPD uses POSIX extended regular
//! expressions: see `docs/contrib/mod_rewrite.md` of oxftpd for where the two differ).

use super::d;
use crate::registry::{Args, Contexts as C, DirectiveSpec, ModuleSpec};

/// The mod_rewrite.c module.
pub static MODULE: ModuleSpec = ModuleSpec {
    name: "mod_rewrite.c",
    directives: DIRECTIVES,
};

static DIRECTIVES: &[DirectiveSpec] = &[
    d(
        "RewriteCondition",
        C::SERVERS_ANON_DIR,
        Args::range(2, 3).checked(check_condition),
        true,
        "condition of the next RewriteRule: text with variables, then a pattern, -d/-f/-s/-l or </>/= (flags [NC], [OR])",
    ),
    d(
        "RewriteEngine",
        C::SERVERS,
        Args::flag(),
        false,
        "rewrite command arguments",
    ),
    d(
        "RewriteLog",
        C::SERVERS,
        Args::path(),
        false,
        "log file of mod_rewrite's work (none: no log)",
    ),
    d(
        "RewriteMap",
        C::SERVERS,
        Args::exact(2).checked(check_map),
        true,
        "a map for ${name:key|default}: txt:/path (key value lines, inside the session's DefaultRoot as ProFTPD reads it) or int:tolower|toupper|unescape|replaceall; fifo: maps, int:utf8trans and int:idnatrans are refused with the reason",
    ),
    d(
        "RewriteMaxReplace",
        C::SERVERS,
        Args::number(),
        false,
        "most occurrences replaced in one substitution (default 8; more leaves the text as it was)",
    ),
    d(
        "RewriteRule",
        C::SERVERS_ANON_DIR,
        Args::range(2, 3).checked(check_rule),
        true,
        "pattern (! negates) and substitution for the command's argument (flags [NC], [L]); patterns are the regex crate's syntax, close to POSIX ERE (leftmost-first alternation, no backslash escapes of ordinary characters)",
    ),
];

/// Parses a `[a,b]` flags argument into its words.
fn flag_words(s: &str) -> Result<Vec<String>, String> {
    let inner = s
        .strip_prefix('[')
        .and_then(|r| r.strip_suffix(']'))
        .ok_or_else(|| format!("badly formatted flags parameter: '{s}'"))?;
    Ok(inner
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect())
}

/// Compiles a pattern as mod_rewrite would use it.
pub fn compile(pattern: &str, nocase: bool) -> Result<regex::Regex, String> {
    regex::RegexBuilder::new(pattern)
        .case_insensitive(nocase)
        .build()
        .map_err(|e| format!("unable to compile '{pattern}' regex: {e}"))
}

fn check_condition(args: &[String]) -> Result<(), String> {
    if args[1].contains("%P") || args[1].contains("%t") {
        return Err("illegal RewriteCondition variable used".into());
    }
    Condition::parse(args).map(|_| ())
}

fn check_rule(args: &[String]) -> Result<(), String> {
    Rule::parse(args, Vec::new()).map(|_| ())
}

fn check_map(args: &[String]) -> Result<(), String> {
    Map::parse(&args[1]).map(|_| ())
}

/// What a condition tests its expanded text against.
#[derive(Debug, Clone)]
pub enum Test {
    /// A regular expression.
    Regex(regex::Regex),
    /// `>text`: the condition is lexically lower than `text` (as ProFTPD's code reads it).
    Lower(String),
    /// `<text`: the condition is lexically greater than `text`.
    Greater(String),
    /// `=text`: equal (`=""` is the empty string).
    Equal(String),
    /// `-d`: a directory.
    Dir,
    /// `-f`: a regular file.
    File,
    /// `-s`: a regular file with a size above zero.
    Sized,
    /// `-l`: a symbolic link.
    Symlink,
}

/// One `RewriteCondition`.
#[derive(Debug, Clone)]
pub struct Condition {
    /// The text to expand (variables, back-references, maps).
    pub text: String,
    /// The test.
    pub test: Test,
    /// `!` before the pattern.
    pub negated: bool,
    /// `[OR]`.
    pub or_next: bool,
}

impl Condition {
    /// Parses `text pattern [flags]`.
    pub fn parse(args: &[String]) -> Result<Condition, String> {
        let mut nocase = false;
        let mut or_next = false;
        if let Some(flags) = args.get(2) {
            let words = flag_words(flags)?;
            for w in &words {
                match w.as_str() {
                    "nocase" | "NC" => nocase = true,
                    "ornext" | "OR" => or_next = true,
                    _ => {}
                }
            }
            if !nocase && !or_next {
                return Err(format!("unknown RewriteCondition flags '{flags}'"));
            }
        }
        let (negated, pattern) = match args[1].strip_prefix('!') {
            Some(p) => (true, p),
            None => (false, args[1].as_str()),
        };
        let test = if let Some(t) = pattern.strip_prefix('>') {
            Test::Lower(t.to_string())
        } else if let Some(t) = pattern.strip_prefix('<') {
            Test::Greater(t.to_string())
        } else if let Some(t) = pattern.strip_prefix('=') {
            Test::Equal(if t == "\"\"" {
                String::new()
            } else {
                t.to_string()
            })
        } else {
            match pattern {
                "-d" => Test::Dir,
                "-f" => Test::File,
                "-s" => Test::Sized,
                "-l" => Test::Symlink,
                p => Test::Regex(compile(p, nocase)?),
            }
        };
        Ok(Condition {
            text: args[0].clone(),
            test,
            negated,
            or_next,
        })
    }
}

/// One `RewriteRule` with the conditions written before it.
#[derive(Debug, Clone)]
pub struct Rule {
    /// The pattern.
    pub pattern: regex::Regex,
    /// `!` before the pattern.
    pub negated: bool,
    /// The substitution.
    pub substitution: String,
    /// `[L]`: no rule after this one when it applied.
    pub last: bool,
    /// Its conditions, in file order.
    pub conditions: Vec<Condition>,
}

impl Rule {
    /// Parses `pattern substitution [flags]`.
    pub fn parse(args: &[String], conditions: Vec<Condition>) -> Result<Rule, String> {
        let mut nocase = false;
        let mut last = false;
        if let Some(flags) = args.get(2) {
            for w in flag_words(flags)? {
                match w.as_str() {
                    "nocase" | "NC" => nocase = true,
                    "last" | "L" => last = true,
                    _ => {}
                }
            }
        }
        let (negated, pattern) = match args[0].strip_prefix('!') {
            Some(p) => (true, p),
            None => (false, args[0].as_str()),
        };
        Ok(Rule {
            pattern: compile(pattern, nocase)?,
            negated,
            substitution: args[1].clone(),
            last,
            conditions,
        })
    }
}

/// The built-in functions of `int:` maps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    /// `tolower`.
    ToLower,
    /// `toupper`.
    ToUpper,
    /// `unescape`: `%XX` sequences decoded.
    Unescape,
    /// `replaceall`: `${m:/text/from/to}` (the first character is the delimiter).
    ReplaceAll,
}

/// A `RewriteMap` source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Map {
    /// `txt:/path`.
    Txt(String),
    /// `int:function`.
    Int(Function),
}

impl Map {
    /// Parses `type:source`.
    pub fn parse(s: &str) -> Result<Map, String> {
        let Some((kind, src)) = s.split_once(':') else {
            return Err(format!("invalid RewriteMap parameter: '{s}'"));
        };
        match kind {
            "txt" if src.starts_with('/') => Ok(Map::Txt(src.to_string())),
            "txt" => Err(format!("txt: map path must be absolute: '{src}'")),
            "int" => Ok(Map::Int(match src {
                "tolower" => Function::ToLower,
                "toupper" => Function::ToUpper,
                "unescape" => Function::Unescape,
                "replaceall" => Function::ReplaceAll,
                "utf8trans" => {
                    return Err(
                        "int:utf8trans is not supported: it turns UTF-8 into Latin-1 \
                                bytes, and oxftpd's command arguments are UTF-8 text"
                            .into(),
                    );
                }
                "idnatrans" => {
                    return Err(
                        "int:idnatrans is not supported (oxftpd has no IDNA library)".into(),
                    );
                }
                other => {
                    return Err(format!(
                        "unknown internal map function requested: '{other}'"
                    ));
                }
            })),
            "fifo" => Err(
                "fifo: maps are not supported (no external map program is run); use a \
                           txt: or int: map"
                    .into(),
            ),
            other => Err(format!("invalid RewriteMap map type: '{other}'")),
        }
    }
}

/// mod_rewrite's settings in force for one scope.
#[derive(Debug, Clone, Default)]
pub struct View {
    /// `RewriteEngine` (off by default).
    pub engine: bool,
    /// `RewriteRule`s, most specific level first, file order within a level.
    pub rules: Vec<Rule>,
    /// `RewriteMap name type:source`.
    pub maps: Vec<(String, Map)>,
    /// `RewriteLog` (`None` also for `none`).
    pub log: Option<String>,
    /// `RewriteMaxReplace` (8 by default).
    pub max_replace: usize,
}

impl View {
    /// Reads mod_rewrite's settings from a merged scope.
    pub fn read(m: &crate::Merged<'_>) -> View {
        // A rule's conditions: those of its level written after the previous rule.
        let conditions = m.levelled("RewriteCondition");
        let mut rules = Vec::new();
        let mut prev: Option<(usize, &crate::tree::Directive)> = None;
        for (level, rule) in m.levelled("RewriteRule") {
            let after = |c: &crate::tree::Directive| match prev {
                Some((pl, p)) if pl == level && p.file == c.file => c.line > p.line,
                _ => true,
            };
            let conds = conditions
                .iter()
                .filter(|(l, c)| {
                    *l == level && c.file == rule.file && c.line < rule.line && after(c)
                })
                .filter_map(|(_, c)| Condition::parse(&c.args).ok())
                .collect();
            if let Ok(r) = Rule::parse(&rule.args, conds) {
                rules.push(r);
            }
            prev = Some((level, rule));
        }
        View {
            engine: m.flag("RewriteEngine").unwrap_or(false),
            rules,
            maps: m
                .all_args("RewriteMap")
                .into_iter()
                .filter_map(|a| Some((a.first()?.clone(), Map::parse(a.get(1)?).ok()?)))
                .collect(),
            log: m
                .arg("RewriteLog", 0)
                .filter(|p| !p.eq_ignore_ascii_case("none")),
            max_replace: m.number("RewriteMaxReplace", 0).unwrap_or(8),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn conditions_rules_and_maps_parse() {
        let c = Condition::parse(&v(&["%m", "!^STOR$", "[NC,OR]"])).unwrap();
        assert!(c.negated && c.or_next);
        assert!(matches!(c.test, Test::Regex(ref r) if r.is_match("stor")));
        assert!(matches!(
            Condition::parse(&v(&["%f", "-d"])).unwrap().test,
            Test::Dir
        ));
        assert!(Condition::parse(&v(&["%f", "x", "NC"])).is_err());
        assert!(Condition::parse(&v(&["%f", "x", "[FOO]"])).is_err());
        let r = Rule::parse(&v(&["^(.*)$", "${up:$1}", "[L]"]), Vec::new()).unwrap();
        assert!(r.last && !r.negated);
        assert!(Rule::parse(&v(&["(", "x"]), Vec::new()).is_err());
        assert_eq!(Map::parse("int:toupper"), Ok(Map::Int(Function::ToUpper)));
        assert!(Map::parse("fifo:/tmp/f").is_err());
        assert!(Map::parse("int:utf8trans").is_err());
        assert!(Map::parse("txt:rel").is_err());
    }
}
