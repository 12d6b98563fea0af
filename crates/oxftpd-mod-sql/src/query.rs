//! ProFTPD's `%`-variables in SQL text, turned into bound parameters.
//!
//! mod_sql splices a variable's value (escaped by the backend) into the statement's text;
//! oxftpd never does. A quoted literal that holds variables (`'%u'`, `'%u@%h'`) becomes one
//! placeholder whose value is the literal's text with the variables expanded; a variable
//! outside quotes (`%b`) becomes a placeholder of its own, bound as an integer when its value
//! is one (so `bytes = %b` compares numbers on PostgreSQL). The rest of the text is the
//! administrator's and is sent as written.

use crate::connect::Kind;

/// A value bound to a placeholder.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    /// Text.
    Text(String),
    /// An integer.
    Int(i64),
    /// A real number (mod_quotatab_sql's byte figures).
    Float(f64),
}

/// A statement ready for the backend: its text with placeholders, and their values in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Bound {
    /// The SQL, with the backend's placeholders.
    pub sql: String,
    /// The values, in placeholder order.
    pub params: Vec<Param>,
}

/// A variable as written: `%u` (a letter) or `%{name}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Var<'a> {
    /// `%x`.
    Short(char),
    /// `%{name}`.
    Long(&'a str),
}

/// What a variable's value is; `None` leaves the text as written (an unknown variable).
pub trait Resolve {
    /// The value of `var`.
    fn resolve(&self, var: Var<'_>) -> Option<String>;
}

impl<F: Fn(Var<'_>) -> Option<String>> Resolve for F {
    fn resolve(&self, var: Var<'_>) -> Option<String> {
        self(var)
    }
}

/// The variable at the start of `s` (just after a `%`) and its length in bytes.
fn var_at(s: &str) -> Option<(Var<'_>, usize)> {
    let mut chars = s.chars();
    match chars.next()? {
        '{' => {
            let end = s.find('}')?;
            Some((Var::Long(&s[1..end]), end + 1))
        }
        c if c.is_ascii_alphabetic() => Some((Var::Short(c), 1)),
        _ => None,
    }
}

/// Expands every variable in `text` (for a literal's value and for reply texts).
pub fn expand(text: &str, vars: &dyn Resolve) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        match var_at(after).and_then(|(v, n)| vars.resolve(v).map(|val| (val, n))) {
            Some((val, n)) => {
                out.push_str(&val);
                rest = &after[n..];
            }
            None => {
                out.push('%');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whether `text` holds a variable `vars` knows.
fn has_var(text: &str, vars: &dyn Resolve) -> bool {
    text.match_indices('%')
        .any(|(i, _)| var_at(&text[i + 1..]).is_some_and(|(v, _)| vars.resolve(v).is_some()))
}

/// Turns `sql` into a statement for `kind` with every variable bound as a parameter.
pub fn bind(sql: &str, kind: Kind, vars: &dyn Resolve) -> Bound {
    bind_typed(sql, kind, vars, &|_| None)
}

/// As [`bind`], with `typed` giving the parameter of a variable outside quotes when it knows
/// its type (a real number); the others are bound as [`bind`] binds them.
pub fn bind_typed(
    sql: &str,
    kind: Kind,
    vars: &dyn Resolve,
    typed: &dyn Fn(Var<'_>) -> Option<Param>,
) -> Bound {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut params = Vec::new();
    let mut push = |out: &mut String, p: Param| {
        params.push(p);
        out.push_str(&kind.placeholder(params.len()));
    };
    let bytes = sql.as_bytes();
    let mut i = 0;
    while i < sql.len() {
        let c = bytes[i];
        if c == b'\'' || c == b'"' {
            // A quoted literal, with the quote doubled inside it.
            let mut j = i + 1;
            let mut content = String::new();
            let mut closed = false;
            while j < sql.len() {
                if bytes[j] == c {
                    if bytes.get(j + 1) == Some(&c) {
                        content.push(c as char);
                        j += 2;
                        continue;
                    }
                    closed = true;
                    break;
                }
                let ch_len = sql[j..].chars().next().map_or(1, char::len_utf8);
                content.push_str(&sql[j..j + ch_len]);
                j += ch_len;
            }
            if closed && has_var(&content, vars) {
                push(&mut out, Param::Text(expand(&content, vars)));
                i = j + 1;
            } else {
                let end = if closed { j + 1 } else { sql.len() };
                out.push_str(&sql[i..end]);
                i = end;
            }
            continue;
        }
        if c == b'%'
            && let Some((var, n)) = var_at(&sql[i + 1..])
            && let Some(val) = vars.resolve(var)
        {
            let p = match (typed(var), val.parse::<i64>()) {
                (Some(p), _) => p,
                (None, Ok(n)) => Param::Int(n),
                (None, Err(_)) => Param::Text(val),
            };
            push(&mut out, p);
            i += 1 + n;
            continue;
        }
        let ch_len = sql[i..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&sql[i..i + ch_len]);
        i += ch_len;
    }
    Bound { sql: out, params }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(v: Var<'_>) -> Option<String> {
        match v {
            Var::Short('u') => Some("o'brien\" OR '1'='1".to_string()),
            Var::Short('b') => Some("1234".to_string()),
            Var::Short('h') => Some("host".to_string()),
            Var::Long("0") => Some("zero".to_string()),
            _ => None,
        }
    }

    #[test]
    fn quoted_variables_become_one_text_parameter() {
        let b = bind(
            "UPDATE users SET count=count+1 WHERE userid='%u'",
            Kind::Sqlite,
            &vars,
        );
        assert_eq!(b.sql, "UPDATE users SET count=count+1 WHERE userid=?");
        assert_eq!(
            b.params,
            vec![Param::Text("o'brien\" OR '1'='1".to_string())]
        );
        let b = bind(
            "SELECT x FROM t WHERE a = '%u@%h' AND b = \"%{0}\"",
            Kind::Postgres,
            &vars,
        );
        assert_eq!(b.sql, "SELECT x FROM t WHERE a = $1 AND b = $2");
        assert_eq!(
            b.params[0],
            Param::Text("o'brien\" OR '1'='1@host".to_string())
        );
        assert_eq!(b.params[1], Param::Text("zero".to_string()));
    }

    #[test]
    fn bare_variables_are_typed_and_literals_without_variables_stay() {
        let b = bind(
            "INSERT INTO log VALUES (%b, '%u', 'it''s', now(), '100%')",
            Kind::Postgres,
            &vars,
        );
        assert_eq!(
            b.sql,
            "INSERT INTO log VALUES ($1, $2, 'it''s', now(), '100%')"
        );
        assert_eq!(b.params[0], Param::Int(1234));
        let b = bind("SELECT 1 WHERE x LIKE '%q' AND %z", Kind::Mysql, &vars);
        assert_eq!(b.sql, "SELECT 1 WHERE x LIKE '%q' AND %z");
        assert!(b.params.is_empty());
    }

    #[test]
    fn expand_leaves_unknown_variables() {
        assert_eq!(
            expand("%u is %q and %{0}%", &vars),
            "o'brien\" OR '1'='1 is %q and zero%"
        );
    }
}
