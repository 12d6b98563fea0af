//! The hosts.allow / hosts.deny language of tcp-wrappers (hosts_access(5)), without `%`
//! expansions, shell commands or options: `daemons : clients [: options]` lines, lists
//! separated by blanks or commas, `ALL`, `LOCAL`, `EXCEPT`, addresses, `net.` prefixes,
//! `addr/mask` and CIDR networks, `.domain` suffixes and exact names.

use std::net::IpAddr;

use crate::access::address::AddrPattern;

/// One `daemons : clients` rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    daemons: Vec<String>,
    clients: Vec<String>,
}

/// The client being checked.
#[derive(Debug, Clone, Copy)]
pub struct Client<'a> {
    /// Its address.
    pub addr: IpAddr,
    /// Its DNS name, when known.
    pub name: Option<&'a str>,
}

/// Parses a whole file; lines it cannot read are skipped.
pub fn parse(text: &str) -> Vec<Rule> {
    let mut rules = Vec::new();
    let mut logical = String::new();
    for line in text.lines() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if let Some(head) = line.strip_suffix('\\') {
            logical.push_str(head);
            logical.push(' ');
            continue;
        }
        logical.push_str(line);
        let full = std::mem::take(&mut logical);
        let trimmed = full.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let Some((daemons, rest)) = trimmed.split_once(':') else {
            continue;
        };
        // The client list ends at the next ':' outside brackets (`[2001:db8::]/32`).
        let mut depth = 0u32;
        let end = rest
            .char_indices()
            .find(|&(_, c)| {
                match c {
                    '[' => depth += 1,
                    ']' => depth = depth.saturating_sub(1),
                    _ => {}
                }
                c == ':' && depth == 0
            })
            .map_or(rest.len(), |(i, _)| i);
        let clients = &rest[..end];
        rules.push(Rule {
            daemons: words(daemons),
            clients: words(clients),
        });
    }
    rules
}

fn words(list: &str) -> Vec<String> {
    list.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Whether any rule matches `service` and `client`.
pub fn matches(rules: &[Rule], service: &str, client: &Client<'_>) -> bool {
    rules.iter().any(|r| {
        list_matches(&r.daemons, &|w| daemon_matches(w, service))
            && list_matches(&r.clients, &|w| client_matches(w, client))
    })
}

/// A list with `EXCEPT`: `a b EXCEPT c` matches when a or b does and c does not.
fn list_matches(list: &[String], one: &dyn Fn(&str) -> bool) -> bool {
    let split = list.iter().position(|w| w.eq_ignore_ascii_case("EXCEPT"));
    let (head, except) = match split {
        Some(i) => (&list[..i], Some(&list[i + 1..])),
        None => (list, None),
    };
    head.iter().any(|w| one(w)) && !except.is_some_and(|rest| list_matches(rest, one))
}

fn daemon_matches(word: &str, service: &str) -> bool {
    let word = word.split('@').next().unwrap_or(word);
    word.eq_ignore_ascii_case("ALL") || word == service
}

fn client_matches(word: &str, client: &Client<'_>) -> bool {
    if word.eq_ignore_ascii_case("ALL") {
        return true;
    }
    if word.eq_ignore_ascii_case("LOCAL") {
        return client.name.is_some_and(|n| !n.contains('.'));
    }
    if let Some((net, mask)) = word.split_once('/')
        && let (Ok(IpAddr::V4(n)), Ok(IpAddr::V4(m))) = (net.parse(), mask.parse())
    {
        let a = match client.addr {
            IpAddr::V4(a) => a,
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(a) => a,
                None => return false,
            },
        };
        let m = u32::from(m);
        return u32::from(n) & m == u32::from(a) & m;
    }
    if let Some(p) = AddrPattern::parse(word)
        && !matches!(p, AddrPattern::All | AddrPattern::None)
    {
        return p.matches(client.addr);
    }
    let Some(name) = client.name else {
        return false;
    };
    let (word, name) = (word.to_ascii_lowercase(), name.to_ascii_lowercase());
    if word.starts_with('.') {
        name.ends_with(&word)
    } else {
        name == word
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(addr: &str, name: Option<&'static str>) -> Client<'static> {
        Client {
            addr: addr.parse().unwrap(),
            name,
        }
    }

    #[test]
    fn daemons_clients_and_except() {
        let rules = parse(
            "# comment\n\
             proftpd: 10.0.0.0/255.0.0.0 EXCEPT 10.1.\n\
             sshd, in.ftpd : ALL\n\
             ALL EXCEPT in.fingerd: .example.com, 192.168.1.0/24\n\
             proftpd: \\\n  [2001:db8::]/32\n",
        );
        assert_eq!(rules.len(), 4);
        assert!(matches(&rules, "proftpd", &client("10.2.3.4", None)));
        assert!(!matches(&rules, "proftpd", &client("10.1.3.4", None)));
        assert!(!matches(&rules, "other", &client("10.2.3.4", None)));
        assert!(matches(&rules, "sshd", &client("8.8.8.8", None)));
        assert!(matches(
            &rules,
            "proftpd",
            &client("8.8.8.8", Some("ftp.Example.com"))
        ));
        assert!(!matches(
            &rules,
            "in.fingerd",
            &client("8.8.8.8", Some("a.example.com"))
        ));
        assert!(matches(&rules, "proftpd", &client("192.168.1.9", None)));
        assert!(matches(&rules, "proftpd", &client("2001:db8::5", None)));
        assert!(!matches(&rules, "proftpd", &client("2001:db9::5", None)));
    }

    #[test]
    fn deny_all() {
        let rules = parse("ALL: ALL\n");
        assert!(matches(&rules, "proftpd", &client("127.0.0.1", None)));
        assert!(!matches(&parse(""), "proftpd", &client("127.0.0.1", None)));
    }
}
