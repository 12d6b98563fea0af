//! `LIST`/`NLST` name patterns, as glob(3) matches one name: `*`, `?`, `[a-z]`, `[!x]`
//! (`[^x]` too), backslash escapes. A leading `.` in the name is only matched by a literal
//! `.` (glob(3) without `GLOB_PERIOD`, as ProFTPD calls it).
//!
//! Matching is iterative with a single backtrack point, so it takes at most
//! O(pattern × name) steps: no exponential blow-up on patterns like `*a*a*a*…b`.

/// Whether `s` holds an unescaped `*`, `?` or `[`.
pub fn has_glob(s: &str) -> bool {
    let mut escaped = false;
    for c in s.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '*' | '?' | '[' => return true,
            _ => {}
        }
    }
    false
}

/// Whether `name` (one path component) matches `pattern`.
pub fn matches(pattern: &str, name: &str) -> bool {
    let pat = pattern.as_bytes();
    let leading_dot = name.starts_with('.');
    let (mut p, mut n) = (0usize, 0usize);
    // Pattern index just after the last `*`, and the name index that star resumes from.
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        let c = next_char(name, n);
        let wild_ok = !(n == 0 && leading_dot);
        let step = match pat.get(p) {
            Some(b'*') => {
                while pat.get(p) == Some(&b'*') {
                    p += 1;
                }
                star = Some((p, n));
                continue;
            }
            Some(b'?') if wild_ok => Some(p + 1),
            Some(b'?') => None,
            Some(b'[') => match class(pattern, p + 1, c) {
                Some((hit, end)) => (hit && wild_ok).then_some(end),
                None => (c == '[').then_some(p + 1),
            },
            Some(b'\\') if p + 1 < pat.len() => {
                let e = next_char(pattern, p + 1);
                (e == c).then_some(p + 1 + e.len_utf8())
            }
            Some(_) => {
                let e = next_char(pattern, p);
                (e == c).then_some(p + e.len_utf8())
            }
            None => None,
        };
        match step {
            Some(np) => {
                p = np;
                n += c.len_utf8();
            }
            None => match star {
                // A star may not swallow the name's leading dot.
                Some((sp, sn)) if !(sn == 0 && leading_dot) => {
                    let skipped = next_char(name, sn).len_utf8();
                    star = Some((sp, sn + skipped));
                    p = sp;
                    n = sn + skipped;
                }
                _ => return false,
            },
        }
    }
    while pat.get(p) == Some(&b'*') {
        p += 1;
    }
    p == pat.len()
}

/// The char starting at byte `i` of `s` (which is a char boundary).
fn next_char(s: &str, i: usize) -> char {
    s[i..].chars().next().unwrap_or('\0')
}

/// Matches `c` against the bracket expression starting at byte `start` (just after `[`);
/// returns whether it matched and the index after the closing `]`, or `None` when the
/// expression is not closed (then `[` is a literal).
fn class(pattern: &str, start: usize, c: char) -> Option<(bool, usize)> {
    let b = pattern.as_bytes();
    let mut i = start;
    let negate = matches!(b.get(i), Some(b'!' | b'^'));
    if negate {
        i += 1;
    }
    let mut hit = false;
    let mut first = true;
    loop {
        let &byte = b.get(i)?;
        if byte == b']' && !first {
            return Some((hit != negate, i + 1));
        }
        first = false;
        let (lo, after) = class_char(pattern, i)?;
        i = after;
        if b.get(i) == Some(&b'-') && b.get(i + 1).is_some_and(|&x| x != b']') {
            let (hi, after) = class_char(pattern, i + 1)?;
            i = after;
            hit |= lo <= c && c <= hi;
        } else {
            hit |= lo == c;
        }
    }
}

/// One possibly escaped char inside a bracket expression, and the index after it.
fn class_char(pattern: &str, i: usize) -> Option<(char, usize)> {
    let c = pattern.get(i..)?.chars().next()?;
    if c == '\\' {
        let e = pattern.get(i + 1..)?.chars().next()?;
        return Some((e, i + 1 + e.len_utf8()));
    }
    Some((c, i + c.len_utf8()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stars_and_questions() {
        assert!(matches("*", "a.txt"));
        assert!(matches("*.txt", "a.txt"));
        assert!(!matches("*.txt", "a.txt.gz"));
        assert!(matches("a*b*c", "aXXbYYc"));
        assert!(matches("a**c", "ac"));
        assert!(matches("?.txt", "a.txt"));
        assert!(!matches("?.txt", "ab.txt"));
        assert!(matches("", ""));
        assert!(!matches("", "a"));
        assert!(matches("*", ""));
        assert!(matches("h?llo", "h\u{e9}llo"));
        assert!(matches("*\u{e9}*", "h\u{e9}llo"));
    }

    #[test]
    fn classes() {
        assert!(matches("[a-c]x", "bx"));
        assert!(!matches("[a-c]x", "dx"));
        assert!(matches("[!a-c]x", "dx"));
        assert!(!matches("[!a-c]x", "ax"));
        assert!(matches("[^a]", "b"));
        assert!(matches("[]]", "]"));
        assert!(matches("[!]]", "a"));
        assert!(matches("[a-]", "-"));
        assert!(matches("[\\]]", "]"));
        assert!(matches("[[]", "["));
        // Unclosed: `[` is literal.
        assert!(matches("[ab", "[ab"));
        assert!(!matches("[ab", "a"));
    }

    #[test]
    fn escapes() {
        assert!(matches("\\*", "*"));
        assert!(!matches("\\*", "a"));
        assert!(matches("a\\?", "a?"));
        assert!(matches("a\\", "a\\"));
    }

    #[test]
    fn leading_dot_needs_a_literal_dot() {
        assert!(!matches("*", ".hidden"));
        assert!(!matches("?hidden", ".hidden"));
        assert!(!matches("[.]hidden", ".hidden"));
        assert!(!matches("*hidden", ".hidden"));
        assert!(matches(".*", ".hidden"));
        assert!(matches(".h*", ".hidden"));
        assert!(matches("*.txt", "a.b.txt"));
    }

    #[test]
    fn no_exponential_backtracking() {
        let name = "a".repeat(5000);
        let pattern = format!("{}b", "*a".repeat(50));
        let start = std::time::Instant::now();
        assert!(!matches(&pattern, &name));
        assert!(matches(&format!("{}*", "*a".repeat(50)), &name));
        assert!(start.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn detects_globs() {
        assert!(has_glob("*.txt"));
        assert!(has_glob("a?"));
        assert!(has_glob("[ab]"));
        assert!(!has_glob("plain name"));
        assert!(!has_glob("a\\*b"));
        assert!(has_glob("a\\\\*"));
    }

    #[test]
    fn never_panics_on_odd_patterns() {
        let pieces = ["*", "?", "[", "]", "!", "^", "-", "\\", "a", "\u{e9}", "."];
        let mut x: u32 = 12345;
        for _ in 0..5000 {
            let mut pat = String::new();
            let mut name = String::new();
            for _ in 0..6 {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                pat.push_str(pieces[(x >> 16) as usize % pieces.len()]);
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                name.push_str(pieces[(x >> 16) as usize % pieces.len()]);
            }
            let _ = matches(&pat, &name);
            assert!(matches(&pat, &pat) || has_glob(&pat) || pat.contains('\\'));
        }
    }
}
