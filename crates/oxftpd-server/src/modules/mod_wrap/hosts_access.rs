//! The hosts.allow / hosts.deny language of tcp-wrappers (hosts_access(5)), shared by mod_wrap
//! and mod_wrap2's `file:` tables: `daemons : clients [: options]` lines, lists separated by
//! blanks or commas, `ALL`, `LOCAL`, `KNOWN`, `UNKNOWN`, `EXCEPT`, addresses, `net.` prefixes,
//! `addr/mask` and CIDR networks, `[v6]/bits`, `.domain` suffixes, exact names, `*`/`?`
//! wildcards, `user@host` clients, `/file` include lists, and the `ALLOW`/`DENY` options.
//! Without `%` expansions, shell commands, NIS netgroups (`@group` never matches) or the other
//! options (`nice`, `setenv`, `spawn`, …), which the caller is told of ([`Verdict::unsupported`]).

use std::net::IpAddr;

use crate::access::address::AddrPattern;

/// One `daemons : clients [: options]` rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    daemons: Vec<String>,
    clients: Vec<String>,
    options: Vec<String>,
}

/// The client being checked.
#[derive(Debug, Clone, Copy)]
pub struct Client<'a> {
    /// Its address.
    pub addr: IpAddr,
    /// Its DNS name, when known.
    pub name: Option<&'a str>,
    /// Its user name for `user@host` patterns (RFC 1413 ident, else the USER name), if any.
    pub user: Option<&'a str>,
}

/// What the first rule of a table that matched says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// `Some(true)` for an `ALLOW` option, `Some(false)` for `DENY`, `None` without either.
    pub option: Option<bool>,
    /// Options of the rule that oxftpd does not carry out (for the module's log).
    pub unsupported: Vec<String>,
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
        let options = rest.get(end + 1..).map(options).unwrap_or_default();
        rules.push(Rule {
            daemons: words(daemons),
            clients: words(clients),
            options,
        });
    }
    rules
}

/// The options of a rule: fields separated by ':' (`\:` keeps one), trimmed.
fn options(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => field.extend(chars.next()),
            ':' => out.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    out.push(field);
    out.into_iter()
        .map(|f| f.trim().to_string())
        .filter(|f| !f.is_empty())
        .collect()
}

fn words(list: &str) -> Vec<String> {
    list.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Whether any rule matches `service` and `client`.
pub fn matches(rules: &[Rule], service: &str, client: &Client<'_>) -> bool {
    verdict(rules, service, client).is_some()
}

/// The first rule that matches `service` and `client`, as its options judge it.
pub fn verdict(rules: &[Rule], service: &str, client: &Client<'_>) -> Option<Verdict> {
    let rule = rules.iter().find(|r| {
        list_matches(&r.daemons, &|w| daemon_matches(w, service))
            && list_matches(&r.clients, &|w| client_matches(w, client))
    })?;
    let mut v = Verdict {
        option: None,
        unsupported: Vec::new(),
    };
    for opt in &rule.options {
        let keyword = opt
            .split(|c: char| c.is_whitespace() || c == '=')
            .next()
            .unwrap_or("");
        if keyword.eq_ignore_ascii_case("allow") {
            v.option = Some(true);
        } else if keyword.eq_ignore_ascii_case("deny") {
            v.option = Some(false);
        } else {
            v.unsupported.push(opt.clone());
        }
    }
    Some(v)
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

/// A user pattern of `user@host`: `ALL`, `KNOWN`, `UNKNOWN` or a name (case-insensitive).
fn user_matches(word: &str, user: Option<&str>) -> bool {
    if word.eq_ignore_ascii_case("ALL") {
        return true;
    }
    if word.eq_ignore_ascii_case("KNOWN") {
        return user.is_some();
    }
    if word.eq_ignore_ascii_case("UNKNOWN") {
        return user.is_none();
    }
    user.is_some_and(|u| u.eq_ignore_ascii_case(word))
}

fn client_matches(word: &str, client: &Client<'_>) -> bool {
    // `user@host`; a leading '@' is a netgroup, not a user.
    if let Some(at) = word.get(1..).and_then(|w| w.find('@')).map(|i| i + 1) {
        let (user, host) = (&word[..at], &word[at + 1..]);
        return host_matches(host, client) && user_matches(user, client.user);
    }
    host_matches(word, client)
}

fn host_matches(word: &str, client: &Client<'_>) -> bool {
    if word.eq_ignore_ascii_case("ALL") {
        return true;
    }
    if word.eq_ignore_ascii_case("LOCAL") {
        return client.name.is_some_and(|n| !n.contains('.'));
    }
    if word.eq_ignore_ascii_case("KNOWN") {
        return client.name.is_some();
    }
    if word.eq_ignore_ascii_case("UNKNOWN") {
        return client.name.is_none();
    }
    if word.starts_with('@') {
        // NIS netgroups: oxftpd has no NIS lookups.
        return false;
    }
    if word.starts_with('/') {
        return include_matches(word, client);
    }
    if word.contains(['*', '?']) {
        let addr = client.addr.to_string();
        return glob(word, &addr) || client.name.is_some_and(|n| glob(word, n));
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

/// A `/file` pattern: any host pattern listed in the file (one level: lines that themselves
/// start with '/' are skipped).
fn include_matches(path: &str, client: &Client<'_>) -> bool {
    let Ok(text) = std::fs::read(path) else {
        return false;
    };
    String::from_utf8_lossy(&text)
        .lines()
        .filter(|l| !l.trim_start().starts_with('/'))
        .flat_map(str::split_whitespace)
        .any(|w| host_matches(w, client))
}

/// `*` and `?` wildcards, case-insensitively.
fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_ascii_lowercase().chars().collect();
    let t: Vec<char> = text.to_ascii_lowercase().chars().collect();
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(addr: &str, name: Option<&'static str>) -> Client<'static> {
        Client {
            addr: addr.parse().unwrap(),
            name,
            user: None,
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

    #[test]
    fn users_wildcards_includes_and_options() {
        let dir = std::env::temp_dir().join(format!("hosts-access-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let inc = dir.join("inc");
        std::fs::write(&inc, "foo bar\r\n/other\nbaz 10.9.\n").unwrap();
        let rules = parse(&format!(
            "proftpd: alice@127.0.0.\nftpd: {}\nweb: *.example.org 192.168.?.1\nx: ALL: DENY\ny: ALL: allow : setenv A\\:B\n",
            inc.display()
        ));
        let mut c = client("127.0.0.1", None);
        assert!(!matches(&rules, "proftpd", &c));
        c.user = Some("Alice");
        assert!(matches(&rules, "proftpd", &c));
        assert!(matches(&rules, "ftpd", &client("10.9.1.1", None)));
        assert!(!matches(&rules, "ftpd", &client("10.8.1.1", None)));
        assert!(matches(
            &rules,
            "web",
            &client("1.1.1.1", Some("a.example.org"))
        ));
        assert!(matches(&rules, "web", &client("192.168.5.1", None)));
        assert_eq!(
            verdict(&rules, "x", &c).map(|v| v.option),
            Some(Some(false))
        );
        let y = verdict(&rules, "y", &c).unwrap();
        assert_eq!(y.option, Some(true));
        assert_eq!(y.unsupported, vec!["setenv A:B".to_string()]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
