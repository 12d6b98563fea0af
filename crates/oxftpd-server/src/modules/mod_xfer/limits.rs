//! `MaxStoreFileSize` and `MaxRetrieveFileSize` (mod_xfer): `N unit ["user"|"group"|"class" expr]`
//! or `*`; a rule naming the user wins over a group rule, then a class rule, then a plain one.

use crate::access::groups::GroupExpr;

/// Who the limit is looked up for.
pub struct Who<'a> {
    /// Login name.
    pub user: &'a str,
    /// Group names.
    pub groups: &'a [String],
    /// Class.
    pub class: Option<&'a str>,
}

/// Argument `i` of a rule.
fn arg(rule: &[String], i: usize) -> Option<&str> {
    rule.get(i).map(String::as_str)
}

/// A size with its unit (`B`, `Kb`, `Mb`, `Gb`); `None` for `*` (unlimited) or nonsense.
fn bytes(rule: &[String]) -> Option<u64> {
    let n: u64 = arg(rule, 0)?.parse().ok()?;
    let factor = match arg(rule, 1).map(str::to_ascii_lowercase).as_deref() {
        None | Some("b") => 1,
        Some("kb") => 1 << 10,
        Some("mb") => 1 << 20,
        Some("gb") => 1 << 30,
        Some(_) => return None,
    };
    n.checked_mul(factor)
}

/// The limit in force for `who` among `rules` (the most specific level's, in file order):
/// `None` means unlimited.
pub fn max_bytes(rules: &[Vec<String>], who: &Who<'_>) -> Option<u64> {
    let qualified = |kind: &str| {
        rules.iter().rev().find(|d| {
            arg(d, 2).is_some_and(|k| k.eq_ignore_ascii_case(kind))
                && arg(d, 3).is_some_and(|expr| {
                    let terms: Vec<String> = expr.split(',').map(str::to_string).collect();
                    match kind {
                        "user" => GroupExpr::new(&terms).matches(&[who.user.to_string()]),
                        "group" => GroupExpr::new(&terms).matches(who.groups),
                        _ => who.class.is_some_and(|c| c == expr),
                    }
                })
        })
    };
    let rule = qualified("user")
        .or_else(|| qualified("group"))
        .or_else(|| qualified("class"))
        .or_else(|| rules.iter().rev().find(|d| arg(d, 2).is_none()))?;
    if arg(rule, 0) == Some("*") {
        return None;
    }
    bytes(rule)
}
