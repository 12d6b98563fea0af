//! mod_rewrite's expansions of a substitution or condition text, in ProFTPD's order: rule
//! back-references (`$N`, `$$N` for a literal), condition back-references (`%N`, `%%N`; only
//! when the text had one), variables (`%a`, `%m`, `%{TIME_YEAR}`, …), map calls
//! (`${map:key|default}`) and environment variables (`%{ENV:NAME}`).

/// Groups of the last match: index N is `$N`/`%N`, `None` when the group took no part.
pub type Groups = Vec<Option<String>>;

/// Replaces every occurrence of `from` in `text` by `to`, unless there are more than `max`
/// (then ProFTPD leaves the text as it was).
pub fn replace_max(text: &str, from: &str, to: &str, max: usize) -> String {
    if from.is_empty() || text.matches(from).count() > max {
        return text.to_string();
    }
    text.replace(from, to)
}

/// Expands `$N` (`sigil` `$`) or `%N` (`sigil` `%`) back-references; a doubled sigil before a
/// digit is the literal sequence.
pub fn backrefs(text: &str, sigil: char, groups: &Groups) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != sigil {
            out.push(c);
            continue;
        }
        match chars.peek().copied() {
            Some(d) if d.is_ascii_digit() => {
                chars.next();
                let n = usize::from(d as u8 - b'0');
                out.push_str(groups.get(n).and_then(|g| g.as_deref()).unwrap_or(""));
            }
            Some(s) if s == sigil => {
                chars.next();
                match chars.peek().copied() {
                    Some(d) if d.is_ascii_digit() => {
                        chars.next();
                        out.push(sigil);
                        out.push(d);
                    }
                    _ => {
                        out.push(sigil);
                        out.push(sigil);
                    }
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// Whether `text` has a `%N` condition back-reference.
pub fn has_cond_backrefs(text: &str) -> bool {
    (0..10).any(|d| text.contains(&format!("%{d}")))
}

/// The variables mod_rewrite knows, in the order ProFTPD expands them.
pub const VARS: &[&str] = &[
    "%a",
    "%c",
    "%F",
    "%f",
    "%G",
    "%g",
    "%h",
    "%m",
    "%P",
    "%p",
    "%t",
    "%U",
    "%u",
    "%v",
    "%w",
    "%{TIME}",
    "%{TIME_YEAR}",
    "%{TIME_MON}",
    "%{TIME_DAY}",
    "%{TIME_WDAY}",
    "%{TIME_HOUR}",
    "%{TIME_MIN}",
    "%{TIME_SEC}",
];

/// Replaces each variable that has a value; one without stays as written.
pub fn vars(text: &str, value: &dyn Fn(&str) -> Option<String>, max: usize) -> String {
    let mut out = text.to_string();
    for var in VARS {
        if out.contains(var)
            && let Some(v) = value(var)
        {
            out = replace_max(&out, var, &v, max);
        }
    }
    out
}

/// One `${name:key|default}` call found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapCall {
    /// The whole call as written.
    pub whole: String,
    /// The map's name.
    pub name: String,
    /// The key.
    pub key: String,
    /// The default (empty when not given).
    pub default: String,
}

/// The map calls of `text`, in order.
pub fn map_calls(text: &str) -> Vec<MapCall> {
    let mut calls = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let body = &rest[start + 2..];
        let Some(end) = body.find('}') else {
            break;
        };
        let inner = &body[..end];
        let Some((name, tail)) = inner.split_once(':') else {
            break;
        };
        let (key, default) = tail.split_once('|').unwrap_or((tail, ""));
        calls.push(MapCall {
            whole: rest[start..start + 2 + end + 1].to_string(),
            name: name.to_string(),
            key: key.to_string(),
            default: default.to_string(),
        });
        rest = &body[end + 1..];
    }
    calls
}

/// Replaces `%{ENV:NAME}` with the variable's value, or nothing.
pub fn env(text: &str, get: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("%{ENV:") {
        let Some(end) = rest[start..].find('}') else {
            break;
        };
        out.push_str(&rest[..start]);
        let name = &rest[start + 6..start + end];
        out.push_str(&get(name).unwrap_or_default());
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out
}

/// The `int:` functions.
pub mod functions {
    /// `replaceall`: `/text/from/to`, the first character being the delimiter.
    pub fn replace_all(key: &str, max: usize) -> Option<String> {
        let mut chars = key.chars();
        let sep = chars.next()?;
        let rest = chars.as_str();
        let (value, rest) = rest.split_once(sep)?;
        let (from, to) = rest.split_once(sep)?;
        if from.is_empty() || !value.contains(from) || value.matches(from).count() > max {
            return None;
        }
        Some(value.replace(from, to))
    }

    /// `unescape`: `%XX` decoded; a bad sequence, `%00` or an encoded `/` fails.
    pub fn unescape(key: &str) -> Option<String> {
        let bytes = key.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' {
                let hex = key.get(i + 1..i + 3)?;
                let b = u8::from_str_radix(hex, 16).ok()?;
                if b == 0 || b == b'/' {
                    return None;
                }
                out.push(b);
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_references_and_escapes() {
        let g: Groups = vec![Some("a b".into()), Some("a".into()), None];
        assert_eq!(backrefs("x$1y$2z$0", '$', &g), "xayza b");
        assert_eq!(backrefs("$$1 costs $5", '$', &g), "$1 costs ");
        assert_eq!(backrefs("100%% %1 %%1", '%', &g), "100%% a %1");
        assert!(has_cond_backrefs("a%3") && !has_cond_backrefs("%u"));
    }

    #[test]
    fn variables_maps_env() {
        let v = |n: &str| (n == "%m").then(|| "STOR".to_string());
        assert_eq!(vars("%m %u %m", &v, 8), "STOR %u STOR");
        assert_eq!(replace_max("aaa", "a", "b", 2), "aaa");
        let calls = map_calls("x${up:$1|def}y${lo:K}");
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[0].whole, "${up:$1|def}");
        assert_eq!(calls[0].default, "def");
        assert_eq!(calls[1].key, "K");
        let e = |n: &str| (n == "HOME").then(|| "/root".to_string());
        assert_eq!(env("a%{ENV:HOME}b%{ENV:NOPE}c", &e), "a/rootbc");
        assert_eq!(
            functions::replace_all("/a b c/ /_", 8).as_deref(),
            Some("a_b_c")
        );
        assert_eq!(functions::replace_all("/abc/x/y", 8), None);
        assert_eq!(functions::unescape("a%20b").as_deref(), Some("a b"));
        assert_eq!(functions::unescape("a%2fb"), None);
        assert_eq!(functions::unescape("a%zz"), None);
    }
}
