//! `LDAPServer`: the directories to ask, in order, each as a URL or `host[:port]`, with the
//! `ssl-ca:`, `ssl-cert:`, `ssl-key:` and `ssl-verify:` options of the server before them.

use std::path::PathBuf;

use ldap3::Scope;

/// How a connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// Plain LDAP.
    Plain,
    /// `ldaps://`: TLS from the first byte.
    Ldaps,
    /// `LDAPUseTLS on`: StartTLS before anything else; never falls back to plain text.
    StartTls,
}

/// `ssl-verify:`: whether the directory's certificate is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verify {
    /// `on`, `demand`, `hard`, `try`: a certificate that does not verify ends the connection.
    Demand,
    /// `off`, `never`, `allow`: any certificate.
    Never,
}

/// One `LDAPServer` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerInfo {
    /// As written (for the log).
    pub text: String,
    /// `ldap` or `ldaps`.
    pub scheme: &'static str,
    /// Host name or address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// The scope a URL names (`ldap://host/??sub`); `None` for `host[:port]`, which takes
    /// `LDAPSearchScope`. A URL without one means `base`, as RFC 4516 (and ProFTPD) say.
    pub url_scope: Option<Scope>,
    /// `ssl-ca:`.
    pub ca: Option<PathBuf>,
    /// `ssl-cert:`.
    pub cert: Option<PathBuf>,
    /// `ssl-key:`.
    pub key: Option<PathBuf>,
    /// `ssl-verify:`.
    pub verify: Verify,
}

impl ServerInfo {
    /// The URL to connect to (no DN, scope or filter: those come from the other directives).
    pub fn url(&self) -> String {
        if self.host.contains(':') {
            format!("{}://[{}]:{}", self.scheme, self.host, self.port)
        } else {
            format!("{}://{}:{}", self.scheme, self.host, self.port)
        }
    }
}

fn parse_scope(s: &str) -> Result<Scope, String> {
    match s.to_ascii_lowercase().as_str() {
        "base" => Ok(Scope::Base),
        "one" | "onelevel" => Ok(Scope::OneLevel),
        "sub" | "subtree" => Ok(Scope::Subtree),
        other => Err(format!("unknown search scope '{other}' (base, one or sub)")),
    }
}

/// `LDAPSearchScope`'s argument.
pub fn search_scope(s: &str) -> Result<Scope, String> {
    parse_scope(s).map_err(|_| "search scope must be one of: base, onelevel, subtree".into())
}

fn parse_url(item: &str) -> Result<ServerInfo, String> {
    let (scheme, rest) = match item.split_once("://") {
        Some((s, r)) if s.eq_ignore_ascii_case("ldap") => ("ldap", r),
        Some((s, r)) if s.eq_ignore_ascii_case("ldaps") => ("ldaps", r),
        Some((s, _)) => {
            return Err(format!(
                "invalid scheme specified by URL '{item}': valid schemes are 'ldap' or 'ldaps' ('{s}' is not)"
            ));
        }
        None => return Err(format!("invalid LDAP URL '{item}'")),
    };
    let (hostport, tail) = match rest.find('/') {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => {
            if rest.contains('?') {
                return Err(format!(
                    "invalid LDAP URL '{item}': the '/' before '?' parameters is required"
                ));
            }
            (rest, None)
        }
    };
    let default_port = if scheme == "ldaps" { 636 } else { 389 };
    let (host, port) = host_port(hostport, default_port)
        .ok_or_else(|| format!("invalid LDAP URL '{item}': bad host or port"))?;
    let mut url_scope = Some(Scope::Base);
    if let Some(tail) = tail {
        let mut parts = tail.splitn(5, '?');
        let dn = parts.next().unwrap_or_default();
        if !dn.is_empty() {
            return Err(format!(
                "{item}: a base DN may not be specified by an LDAPServer URL, only by LDAPUsers or LDAPGroups"
            ));
        }
        let _attrs = parts.next();
        if let Some(s) = parts.next().filter(|s| !s.is_empty()) {
            url_scope = Some(parse_scope(s).map_err(|e| format!("{item}: {e}"))?);
        }
        if parts.next().is_some_and(|f| !f.is_empty()) {
            return Err(format!(
                "{item}: a search filter may not be specified by an LDAPServer URL, only by LDAPUsers or LDAPGroups"
            ));
        }
        if parts.next().is_some_and(|e| !e.is_empty()) {
            return Err(format!("{item}: LDAP URL extensions are not supported"));
        }
    }
    Ok(ServerInfo {
        text: item.to_string(),
        scheme,
        host,
        port,
        url_scope,
        ca: None,
        cert: None,
        key: None,
        verify: Verify::Demand,
    })
}

/// `host`, `host:port`, `[v6]`, `[v6]:port`; `None` when the port is not a number.
fn host_port(s: &str, default_port: u16) -> Option<(String, u16)> {
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let (h, after) = rest.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => return None,
        };
        (h.to_string(), port)
    } else {
        match s.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), Some(p)),
            None => (s.to_string(), None),
        }
    };
    let port = match port {
        Some(p) => p.parse::<u16>().ok().filter(|p| *p != 0)?,
        None => default_port,
    };
    let host = if host.is_empty() {
        "localhost".to_string()
    } else {
        host
    };
    Some((host, port))
}

fn existing(path: &str, what: &str) -> Result<PathBuf, String> {
    let p = PathBuf::from(path);
    if p.is_file() {
        Ok(p)
    } else {
        Err(format!("{what} '{path}': No such file or directory"))
    }
}

/// Parses one `LDAPServer` line (several servers, whitespace-separated items in one quoted
/// argument included).
pub fn parse(args: &[String]) -> Result<Vec<ServerInfo>, String> {
    let mut out: Vec<ServerInfo> = Vec::new();
    for item in args.iter().flat_map(|a| a.split_whitespace()) {
        let opt = |prefix: &str| item.strip_prefix(prefix);
        if let Some(v) = opt("ssl-ca:") {
            let last = out.last_mut().ok_or("wrong order of parameters")?;
            last.ca = Some(existing(v, "SSL CA file")?);
        } else if let Some(v) = opt("ssl-cert:") {
            let last = out.last_mut().ok_or("wrong order of parameters")?;
            last.cert = Some(existing(v, "SSL certificate file")?);
        } else if let Some(v) = opt("ssl-key:") {
            let last = out.last_mut().ok_or("wrong order of parameters")?;
            last.key = Some(existing(v, "SSL certificate key file")?);
        } else if opt("ssl-ciphers:").is_some() {
            return Err("ssl-ciphers: is not supported: oxftpd's LDAP connections use rustls, which takes no OpenSSL cipher list and offers only its own modern suites; remove the option".into());
        } else if let Some(v) = opt("ssl-verify:") {
            let last = out.last_mut().ok_or("wrong order of parameters")?;
            last.verify = match oxftpd_config::parse_flag(v) {
                Some(true) => Verify::Demand,
                Some(false) => Verify::Never,
                None => match v.to_ascii_lowercase().as_str() {
                    "demand" | "hard" | "try" => Verify::Demand,
                    "never" | "allow" => Verify::Never,
                    _ => return Err(format!("unknown/unsupported 'ssl-verify' value: {v}")),
                },
            };
        } else if item.contains("://") {
            out.push(parse_url(item)?);
        } else {
            let (host, port) = host_port(item, 389)
                .ok_or_else(|| format!("unable to parse the port number of '{item}'"))?;
            out.push(ServerInfo {
                text: item.to_string(),
                scheme: "ldap",
                host,
                port,
                url_scope: None,
                ca: None,
                cert: None,
                key: None,
                verify: Verify::Demand,
            });
        }
    }
    if out.is_empty() {
        return Err("wrong number of parameters".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn forms() {
        let s = parse(&a(&[
            "ldap.example.com",
            "h2:1389",
            "ldaps://h3/??sub",
            "ldap://h4:10389/",
        ]))
        .unwrap();
        assert_eq!(s.len(), 4);
        assert_eq!(
            (s[0].url(), s[0].url_scope),
            ("ldap://ldap.example.com:389".into(), None)
        );
        assert_eq!(s[1].port, 1389);
        assert_eq!(
            (s[2].url(), s[2].url_scope),
            ("ldaps://h3:636".into(), Some(Scope::Subtree))
        );
        assert_eq!(s[3].url_scope, Some(Scope::Base));
        let s = parse(&a(&["ldap://[::1]:3890/??one h5"])).unwrap();
        assert_eq!(
            (s[0].url(), s[0].url_scope),
            ("ldap://[::1]:3890".into(), Some(Scope::OneLevel))
        );
        assert_eq!(s[1].host, "h5");
    }

    #[test]
    fn refusals() {
        assert!(parse(&a(&["http://h"])).is_err());
        assert!(parse(&a(&["ldap://h/dc=x"])).is_err());
        assert!(parse(&a(&["ldap://h/???(uid=x)"])).is_err());
        assert!(parse(&a(&["h:notaport"])).is_err());
        assert!(parse(&a(&["ssl-verify:off"])).is_err());
        assert!(parse(&a(&["h", "ssl-ciphers:DEFAULT"])).is_err());
        assert!(parse(&a(&["h", "ssl-ca:/nonexistent.pem"])).is_err());
        assert_eq!(
            parse(&a(&["h", "ssl-verify:off"])).unwrap()[0].verify,
            Verify::Never
        );
        assert!(parse(&a(&["h", "ssl-verify:maybe"])).is_err());
    }
}
