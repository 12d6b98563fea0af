//! Results: one record per measurement, printed as a human line or as one JSON object per line.

use std::fmt::Write as _;

/// One field value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A count.
    Int(u64),
    /// A measurement.
    Num(f64),
    /// A name or note.
    Text(String),
}

/// One measurement: a workload name and its named values, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The workload (`retr`, `stor`, `sessions`, `idle`, `list`, `mlsd`, `hugelist`, `ceiling-*`).
    pub workload: String,
    /// Its values, in print order.
    pub fields: Vec<(&'static str, Value)>,
}

impl Record {
    /// An empty record for a workload.
    pub fn new(workload: impl Into<String>) -> Record {
        Record {
            workload: workload.into(),
            fields: Vec::new(),
        }
    }

    /// Adds a count.
    pub fn int(mut self, key: &'static str, v: u64) -> Record {
        self.fields.push((key, Value::Int(v)));
        self
    }

    /// Adds a measurement.
    pub fn num(mut self, key: &'static str, v: f64) -> Record {
        self.fields.push((key, Value::Num(v)));
        self
    }

    /// Adds a text value.
    pub fn text(mut self, key: &'static str, v: impl Into<String>) -> Record {
        self.fields.push((key, Value::Text(v.into())));
        self
    }

    /// `workload: key=value key=value ...`
    pub fn human(&self) -> String {
        let mut out = format!("{:<10}", format!("{}:", self.workload));
        for (k, v) in &self.fields {
            let _ = match v {
                Value::Int(i) => write!(out, " {k}={i}"),
                Value::Num(n) => write!(out, " {k}={}", round(*n)),
                Value::Text(t) => write!(out, " {k}={t}"),
            };
        }
        out
    }

    /// `{"workload":"...","key":value,...}` on one line.
    pub fn json(&self) -> String {
        let mut out = format!("{{\"workload\":{}", quote(&self.workload));
        for (k, v) in &self.fields {
            let _ = match v {
                Value::Int(i) => write!(out, ",{}:{i}", quote(k)),
                Value::Num(n) if n.is_finite() => write!(out, ",{}:{}", quote(k), round(*n)),
                Value::Num(_) => write!(out, ",{}:null", quote(k)),
                Value::Text(t) => write!(out, ",{}:{}", quote(k), quote(t)),
            };
        }
        out.push('}');
        out
    }
}

/// Four significant decimals at most, without trailing zeros.
fn round(n: f64) -> String {
    let s = format!("{n:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-" || s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

/// A JSON string literal.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Where records go: human lines or JSON lines on stdout.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    /// JSON lines instead of human lines.
    pub json: bool,
}

impl Output {
    /// Prints one record.
    pub fn emit(&self, r: &Record) {
        if self.json {
            println!("{}", r.json());
        } else {
            println!("{}", r.human());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_line() {
        let r = Record::new("retr")
            .int("bytes", 1024)
            .num("secs", 0.5)
            .text("note", "a\"b");
        assert_eq!(
            r.json(),
            r#"{"workload":"retr","bytes":1024,"secs":0.5,"note":"a\"b"}"#
        );
        assert_eq!(
            Record::new("x").num("n", f64::NAN).json(),
            r#"{"workload":"x","n":null}"#
        );
    }

    #[test]
    fn human_line() {
        let r = Record::new("retr").int("bytes", 3).num("mb_s", 1234.56789);
        assert_eq!(r.human(), "retr:      bytes=3 mb_s=1234.5679");
        assert_eq!(round(2.0), "2");
        assert_eq!(round(-0.00001), "0");
    }
}
