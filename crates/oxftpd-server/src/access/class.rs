//! `<Class>`: naming clients by address (mod_core, doc/howto/Classes.html).
//!
//! A class holds `From` rules (addresses, CIDR networks, `!` negations, DNS name globs) and a
//! `Satisfy any|all`. The first class in file order whose rules match names the session.

use std::net::IpAddr;

use oxftpd_config::Class;

use crate::access::address::AddrPattern;
use crate::session::Ctx;

/// One `From` rule.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    negated: bool,
    what: Match,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Match {
    Addr(AddrPattern),
    /// A DNS name or glob (`*.example.com`, `.example.com`), compared case-insensitively.
    Name(String),
}

impl Rule {
    fn parse(word: &str) -> Rule {
        let (negated, word) = match word.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, word),
        };
        let what = match AddrPattern::parse(word) {
            Some(p) => Match::Addr(p),
            None => Match::Name(word.to_ascii_lowercase()),
        };
        Rule { negated, what }
    }

    fn matches(&self, addr: IpAddr, name: Option<&str>) -> bool {
        let hit = match &self.what {
            Match::Addr(p) => p.matches(addr),
            Match::Name(pattern) => {
                let name = name.map(str::to_ascii_lowercase);
                let subject = name.unwrap_or_else(|| addr.to_string());
                name_matches(pattern, &subject)
            }
        };
        hit != self.negated
    }
}

/// `.domain` matches names ending in it; otherwise a glob with `*` and `?`.
fn name_matches(pattern: &str, name: &str) -> bool {
    if pattern.starts_with('.') && !pattern.contains(['*', '?']) {
        return name.ends_with(pattern);
    }
    oxftpd_proto::glob::matches(pattern, name)
}

/// Whether a class's rules take a client at `addr` (with DNS name `name` when known).
pub fn class_matches(class: &Class, addr: IpAddr, name: Option<&str>) -> bool {
    let typed = class.rules();
    let all = typed.satisfy_all;
    let rules: Vec<Rule> = typed.from.iter().map(|w| Rule::parse(w)).collect();
    if rules.is_empty() {
        return false;
    }
    if all {
        rules.iter().all(|r| r.matches(addr, name))
    } else {
        rules.iter().any(|r| r.matches(addr, name))
    }
}

/// The name of the `<Class>` the session's client belongs to, if any (decided at connect).
pub fn class_of(ctx: &Ctx) -> Option<&str> {
    ctx.class.as_deref()
}

/// The first `<Class>` in file order that takes a client at `addr` (DNS name `name`).
pub fn class_for<'a>(classes: &'a [Class], addr: IpAddr, name: Option<&str>) -> Option<&'a str> {
    classes
        .iter()
        .find(|c| class_matches(c, addr, name))
        .map(|c| c.name.as_str())
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use oxftpd_config::Directive;

    use super::*;

    fn class(name: &str, lines: &[(&'static str, &[&str])]) -> Class {
        let file: Arc<Path> = Arc::from(Path::new("t.conf"));
        Class {
            name: name.to_string(),
            directives: lines
                .iter()
                .map(|(n, args)| Directive {
                    name: n,
                    args: args.iter().map(|s| s.to_string()).collect(),
                    file: file.clone(),
                    line: 1,
                })
                .collect(),
            file: file.clone(),
            line: 1,
        }
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn first_matching_class_wins() {
        let classes = vec![
            class("internal", &[("From", &["192.168.0.0/16"])]),
            class("local", &[("From", &["127.0.0.1"])]),
            class("everyone", &[("From", &["0.0.0.0/0"])]),
        ];
        assert_eq!(
            class_for(&classes, ip("192.168.4.5"), None),
            Some("internal")
        );
        assert_eq!(class_for(&classes, ip("127.0.0.1"), None), Some("local"));
        assert_eq!(class_for(&classes, ip("8.8.8.8"), None), Some("everyone"));
        assert_eq!(class_for(&classes[..2], ip("8.8.8.8"), None), None);
    }

    #[test]
    fn negation_and_satisfy() {
        let external = class("external", &[("From", &["!192.168.0.0/16"])]);
        assert!(class_matches(&external, ip("10.0.0.1"), None));
        assert!(!class_matches(&external, ip("192.168.1.1"), None));
        let impossible = class(
            "impossible",
            &[
                ("From", &["127.0.0.1"]),
                ("From", &["!127.0.0.1"]),
                ("Satisfy", &["all"]),
            ],
        );
        assert!(!class_matches(&impossible, ip("127.0.0.1"), None));
        let any = class(
            "any",
            &[("From", &["127.0.0.1"]), ("From", &["!127.0.0.1"])],
        );
        assert!(class_matches(&any, ip("127.0.0.1"), None));
    }

    #[test]
    fn dns_names() {
        let c = class(
            "customers",
            &[
                ("From", &[".domain.com"]),
                ("From", &["!host1.domain.com", "!host2.domain.com"]),
                ("Satisfy", &["all"]),
            ],
        );
        assert!(class_matches(&c, ip("1.2.3.4"), Some("www.Domain.com")));
        assert!(!class_matches(&c, ip("1.2.3.4"), Some("host1.domain.com")));
        assert!(!class_matches(&c, ip("1.2.3.4"), None));
        let g = class("proxy", &[("From", &["proxy.*.com"])]);
        assert!(class_matches(&g, ip("1.2.3.4"), Some("proxy.example.com")));
    }
}
