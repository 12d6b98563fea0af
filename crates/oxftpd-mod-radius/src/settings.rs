//! mod_radius's settings for one server, typed from its directives.

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::time::Duration;

use oxftpd_config::{Merged, Server};

/// A setting error with where it was written.
pub type Located = (Option<oxftpd_config::Directive>, String);

/// The IANA port for authentication.
pub const AUTH_PORT: u16 = 1812;
/// The IANA port for accounting.
pub const ACCT_PORT: u16 = 1813;
/// How long a server is waited for when `RadiusAuthServer`/`RadiusAcctServer` name no timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// `RadiusVendor`'s default: Unix, enterprise number 4.
pub const DEFAULT_VENDOR: (&str, u32) = ("Unix", 4);

/// One RADIUS server: where, the shared secret, and how long to wait for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RadiusServer {
    /// As written (`host[:port]`), for the log.
    pub text: String,
    /// Its address.
    pub addr: SocketAddr,
    /// The shared secret.
    pub secret: Vec<u8>,
    /// How long to wait for an answer.
    pub timeout: Duration,
}

/// Parses `server[:port] secret [timeout]`; `port` defaults to `default_port`. As in 1.3.8, an
/// explicit port must be above 1023.
pub fn parse_server(args: &[String], default_port: u16) -> Result<RadiusServer, String> {
    let text = args.first().ok_or("missing parameters")?;
    let secret = args.get(1).ok_or("missing parameters")?;
    let (host, port) = match text.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') || h.starts_with('[') => {
            let port: u16 = p
                .parse()
                .map_err(|_| format!("invalid port number '{p}'"))?;
            if port < 1024 {
                return Err("port number must be greater than 1023".into());
            }
            (h.trim_start_matches('[').trim_end_matches(']'), port)
        }
        _ => (text.as_str(), default_port),
    };
    let addr = (host, port)
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| format!("unable to resolve server address: {text}"))?;
    let timeout = match args.get(2) {
        Some(t) => oxftpd_config::parse_duration(t)
            .map(Duration::from_secs)
            .ok_or_else(|| format!("error parsing timeout value '{t}'"))?,
        None => DEFAULT_TIMEOUT,
    };
    Ok(RadiusServer {
        text: text.clone(),
        addr,
        secret: secret.as_bytes().to_vec(),
        timeout,
    })
}

/// A `RadiusUserInfo`/`RadiusGroupInfo` parameter: a fixed value, or `$(id:default)`, the
/// value of the configured vendor's attribute `id` in the Access-Accept, else `default`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value<T> {
    /// Written in the configuration.
    Fixed(T),
    /// From a Vendor-Specific attribute.
    Attr {
        /// The vendor's attribute type.
        id: u8,
        /// Used when the answer lacks it.
        default: T,
    },
}

impl<T: Clone> Value<T> {
    /// Parses `text` as `$(id:default)` (with `parse` for the default) or as a fixed value.
    pub fn parse(
        text: &str,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Result<Value<T>, String> {
        let Some(inner) = text.strip_prefix("$(").and_then(|t| t.strip_suffix(')')) else {
            return parse(text).map(Value::Fixed);
        };
        let (id, default) = inner
            .split_once(':')
            .ok_or_else(|| format!("'{text}': expected $(attribute-id:default-value)"))?;
        let id = match id.parse::<u8>() {
            Ok(n) if n > 0 => n,
            _ => {
                return Err(format!(
                    "'{text}': the attribute id must be a number from 1 to 255"
                ));
            }
        };
        Ok(Value::Attr {
            id,
            default: parse(default)?,
        })
    }

    /// The default or fixed value.
    pub fn configured(&self) -> &T {
        match self {
            Value::Fixed(v) | Value::Attr { default: v, .. } => v,
        }
    }
}

/// Parses a uid or gid (`-1` and non-numbers refused, as 1.3.8 does).
pub fn parse_id(text: &str) -> Result<u32, String> {
    match text.parse::<u32>() {
        Ok(u32::MAX) | Err(_) => Err(format!("'{text}' is not a valid numeric id")),
        Ok(n) => Ok(n),
    }
}

/// Parses an absolute path (home, shell).
pub fn parse_abs(text: &str) -> Result<String, String> {
    if text.starts_with('/') {
        Ok(text.to_string())
    } else {
        Err(format!("'{text}': relative path not allowed"))
    }
}

/// Parses a comma-separated list with `item`.
pub fn parse_list<T>(
    text: &str,
    item: impl Fn(&str) -> Result<T, String>,
) -> Result<Vec<T>, String> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(|s| item(s.trim()))
        .collect()
}

/// `RadiusUserInfo uid gid home shell`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInfo {
    /// The uid.
    pub uid: Value<u32>,
    /// The primary gid.
    pub gid: Value<u32>,
    /// The home directory (`%u` is the user's name).
    pub home: Value<String>,
    /// The shell.
    pub shell: Value<String>,
}

impl UserInfo {
    /// Parses the four parameters.
    pub fn parse(args: &[String]) -> Result<UserInfo, String> {
        let [uid, gid, home, shell] = args else {
            return Err("wrong number of parameters: uid gid home shell".into());
        };
        Ok(UserInfo {
            uid: Value::parse(uid, parse_id).map_err(|e| format!("invalid UID parameter: {e}"))?,
            gid: Value::parse(gid, parse_id).map_err(|e| format!("invalid GID parameter: {e}"))?,
            home: Value::parse(home, parse_abs).map_err(|e| format!("home {e}"))?,
            shell: Value::parse(shell, parse_abs).map_err(|e| format!("shell {e}"))?,
        })
    }
}

/// `RadiusGroupInfo primary-name names ids`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupInfo {
    /// The name of the user's primary group.
    pub primary: Value<String>,
    /// The names of the supplementary groups.
    pub names: Value<Vec<String>>,
    /// Their ids, in the same order.
    pub ids: Value<Vec<u32>>,
}

impl GroupInfo {
    /// Parses the three parameters; fixed lists must have as many names as ids.
    pub fn parse(args: &[String]) -> Result<GroupInfo, String> {
        let [primary, names, ids] = args else {
            return Err("wrong number of parameters: primary-group-name names ids".into());
        };
        let names = Value::parse(names, |t| parse_list(t, |s| Ok(s.to_string())))
            .map_err(|e| format!("badly formatted group names: {e}"))?;
        let ids = Value::parse(ids, |t| parse_list(t, parse_id))
            .map_err(|e| format!("badly formatted group IDs: {e}"))?;
        if let (Value::Fixed(n), Value::Fixed(i)) = (&names, &ids)
            && n.len() != i.len()
        {
            return Err(format!(
                "mismatched number of group names ({}) and group IDs ({})",
                n.len(),
                i.len()
            ));
        }
        Ok(GroupInfo {
            primary: Value::parse(primary, |s| Ok(s.to_string()))?,
            names,
            ids,
        })
    }
}

/// `RadiusOptions`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// `IgnoreClass`: do not echo the Access-Accept's Class in accounting.
    pub ignore_class: bool,
    /// `IgnoreReplyMessage`: do not show Reply-Message lines to the client.
    pub ignore_reply_message: bool,
    /// `IgnoreIdleTimeout`: do not take Idle-Timeout as the session's `TimeoutIdle`.
    pub ignore_idle_timeout: bool,
    /// `IgnoreSessionTimeout`: do not take Session-Timeout as its `TimeoutSession`.
    pub ignore_session_timeout: bool,
    /// `RequireMAC`: refuse answers without a Message-Authenticator.
    pub require_mac: bool,
}

impl Options {
    /// Parses the option words.
    pub fn parse(args: &[String]) -> Result<Options, String> {
        let mut o = Options::default();
        for a in args {
            match a.as_str() {
                "IgnoreClass" => o.ignore_class = true,
                "IgnoreReplyMessage" => o.ignore_reply_message = true,
                "IgnoreIdleTimeout" => o.ignore_idle_timeout = true,
                "IgnoreSessionTimeout" => o.ignore_session_timeout = true,
                "RequireMAC" => o.require_mac = true,
                other => return Err(format!("unknown RadiusOption '{other}'")),
            }
        }
        Ok(o)
    }
}

/// Parses `RadiusVendor name id`.
pub fn parse_vendor(args: &[String]) -> Result<(String, u32), String> {
    let [name, id] = args else {
        return Err("wrong number of parameters: name id".into());
    };
    let id: u32 = id
        .parse()
        .map_err(|_| format!("vendor id '{id}' is not a valid number"))?;
    Ok((name.clone(), id))
}

/// mod_radius's settings for one server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RadiusSettings {
    /// `RadiusAuthServer`s, in file order.
    pub auth: Vec<RadiusServer>,
    /// `RadiusAcctServer`s, in file order.
    pub acct: Vec<RadiusServer>,
    /// `RadiusUserInfo`: without it, RADIUS only says yes or no and the account comes from
    /// the rest of `AuthOrder`.
    pub user_info: Option<UserInfo>,
    /// `RadiusGroupInfo`.
    pub group_info: Option<GroupInfo>,
    /// `RadiusVendor`: name and enterprise number.
    pub vendor: (String, u32),
    /// `RadiusRealm`: appended to the user name in requests.
    pub realm: Option<String>,
    /// `RadiusNASIdentifier` (else `ftp`).
    pub nas_identifier: Option<String>,
    /// `RadiusOptions`.
    pub options: Options,
    /// `RadiusLog`.
    pub log: Option<PathBuf>,
}

impl RadiusSettings {
    /// The settings of `server`; `Ok(None)` unless `RadiusEngine on` with at least one
    /// authentication or accounting server.
    pub fn from_server(server: &Server) -> Result<Option<RadiusSettings>, Located> {
        let m = Merged::of(&server.scope(None));
        Self::from_merged(&m)
    }

    fn from_merged(m: &Merged<'_>) -> Result<Option<RadiusSettings>, Located> {
        let servers = |name: &'static str, port: u16| -> Result<Vec<RadiusServer>, Located> {
            let mut lines: Vec<_> = m.nearest(name);
            if lines.is_empty() {
                lines = m.all(name).collect();
            }
            lines
                .into_iter()
                .map(|d| parse_server(&d.args, port).map_err(|e| (Some(d.clone()), e)))
                .collect()
        };
        let auth = servers("RadiusAuthServer", AUTH_PORT)?;
        let acct = servers("RadiusAcctServer", ACCT_PORT)?;
        if m.flag("RadiusEngine") != Some(true) || (auth.is_empty() && acct.is_empty()) {
            return Ok(None);
        }
        let parsed = |name: &'static str| m.one(name).cloned();
        let user_info = match m.one("RadiusUserInfo") {
            Some(d) => Some(UserInfo::parse(&d.args).map_err(|e| (Some(d.clone()), e))?),
            None => None,
        };
        let group_info = match m.one("RadiusGroupInfo") {
            Some(d) => Some(GroupInfo::parse(&d.args).map_err(|e| (Some(d.clone()), e))?),
            None => None,
        };
        let vendor = match m.one("RadiusVendor") {
            Some(d) => parse_vendor(&d.args).map_err(|e| (Some(d.clone()), e))?,
            None => (DEFAULT_VENDOR.0.to_string(), DEFAULT_VENDOR.1),
        };
        let options = match m.one("RadiusOptions") {
            Some(d) => Options::parse(&d.args).map_err(|e| (parsed("RadiusOptions"), e))?,
            None => Options::default(),
        };
        Ok(Some(RadiusSettings {
            auth,
            acct,
            user_info,
            group_info,
            vendor,
            realm: m.arg("RadiusRealm", 0),
            nas_identifier: m.arg("RadiusNASIdentifier", 0),
            options,
            log: m
                .arg("RadiusLog", 0)
                .filter(|p| !p.eq_ignore_ascii_case("none"))
                .map(PathBuf::from),
        }))
    }

    /// Whether the Access-Accept is expected to carry account attributes (Service-Type
    /// Login), else Authenticate-Only.
    pub fn wants_attributes(&self) -> bool {
        self.user_info.is_some() || self.group_info.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn servers_with_ports_secrets_and_timeouts() {
        let a = parse_server(&s(&["127.0.0.1:18120", "sec", "5"]), AUTH_PORT).unwrap();
        assert_eq!(a.addr, "127.0.0.1:18120".parse().unwrap());
        assert_eq!(a.secret, b"sec");
        assert_eq!(a.timeout, Duration::from_secs(5));
        let b = parse_server(&s(&["127.0.0.1", "sec"]), ACCT_PORT).unwrap();
        assert_eq!(b.addr.port(), 1813);
        assert_eq!(b.timeout, DEFAULT_TIMEOUT);
        assert!(parse_server(&s(&["127.0.0.1:812", "x"]), AUTH_PORT).is_err());
        assert!(parse_server(&s(&["127.0.0.1:x", "x"]), AUTH_PORT).is_err());
        assert!(parse_server(&s(&["127.0.0.1"]), AUTH_PORT).is_err());
        assert!(parse_server(&s(&["127.0.0.1", "x", "soon"]), AUTH_PORT).is_err());
    }

    #[test]
    fn user_info_values_and_variables() {
        let u = UserInfo::parse(&s(&["1000", "$(2:1001)", "/home/%u", "$(4:/bin/sh)"])).unwrap();
        assert_eq!(u.uid, Value::Fixed(1000));
        assert_eq!(
            u.gid,
            Value::Attr {
                id: 2,
                default: 1001
            }
        );
        assert_eq!(u.home, Value::Fixed("/home/%u".into()));
        assert!(UserInfo::parse(&s(&["x", "1", "/h", "/s"])).is_err());
        assert!(UserInfo::parse(&s(&["-1", "1", "/h", "/s"])).is_err());
        assert!(UserInfo::parse(&s(&["1", "1", "h", "/s"])).is_err());
        assert!(UserInfo::parse(&s(&["$(0:1)", "1", "/h", "/s"])).is_err());
        assert!(UserInfo::parse(&s(&["$(300:1)", "1", "/h", "/s"])).is_err());
        assert!(UserInfo::parse(&s(&["$(1)", "1", "/h", "/s"])).is_err());
    }

    #[test]
    fn group_info_lists_must_match() {
        let g = GroupInfo::parse(&s(&["ftpd", "a,b", "10,11"])).unwrap();
        assert_eq!(g.names, Value::Fixed(vec!["a".into(), "b".into()]));
        assert_eq!(g.ids, Value::Fixed(vec![10, 11]));
        assert!(GroupInfo::parse(&s(&["ftpd", "a,b", "10"])).is_err());
        assert!(GroupInfo::parse(&s(&["ftpd", "a", "x"])).is_err());
        assert!(GroupInfo::parse(&s(&["ftpd", "$(5:a,b)", "10"])).is_ok());
    }

    #[test]
    fn options_are_known_words() {
        let o = Options::parse(&s(&["RequireMAC", "IgnoreClass"])).unwrap();
        assert!(o.require_mac && o.ignore_class && !o.ignore_reply_message);
        assert!(Options::parse(&s(&["Bogus"])).is_err());
    }
}
