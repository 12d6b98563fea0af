//! mod_ldap's settings for one server, typed from its directives.

use std::path::PathBuf;
use std::time::Duration;

use ldap3::{DerefAliases, Scope};
use oxftpd_config::{Merged, Server};

use crate::servers::{self, Security, ServerInfo};

/// A setting error with where it was written.
pub type Located = (Option<oxftpd_config::Directive>, String);

/// `LDAPDefaultAuthScheme`: how a `userPassword` without `{scheme}` is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// `crypt(3)`.
    Crypt,
    /// As written.
    Clear,
}

impl Scheme {
    /// Parses a scheme name as mod_ldap knows them.
    pub fn parse(s: &str) -> Result<Scheme, String> {
        match s.to_ascii_lowercase().as_str() {
            "crypt" => Ok(Scheme::Crypt),
            "clear" => Ok(Scheme::Clear),
            other => Err(format!(
                "unsupported auth scheme '{other}': mod_ldap compares crypt or clear passwords"
            )),
        }
    }
}

/// The attribute names (`LDAPAttr`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attrs {
    /// `uid`.
    pub uid: String,
    /// `uidNumber`.
    pub uid_number: String,
    /// `gidNumber`.
    pub gid_number: String,
    /// `homeDirectory`.
    pub home: String,
    /// `userPassword`.
    pub password: String,
    /// `loginShell`.
    pub shell: String,
    /// `cn`.
    pub cn: String,
    /// `memberUid`.
    pub member_uid: String,
}

impl Default for Attrs {
    fn default() -> Self {
        Attrs {
            uid: "uid".into(),
            uid_number: "uidNumber".into(),
            gid_number: "gidNumber".into(),
            home: "homeDirectory".into(),
            password: "userPassword".into(),
            shell: "loginShell".into(),
            cn: "cn".into(),
            member_uid: "memberUid".into(),
        }
    }
}

/// The attributes `LDAPAttr` may rename.
pub const RENAMEABLE: [&str; 8] = [
    "uid",
    "uidNumber",
    "gidNumber",
    "homeDirectory",
    "userPassword",
    "loginShell",
    "cn",
    "memberUid",
];

impl Attrs {
    fn set(&mut self, old: &str, new: &str) {
        let slot = match old.to_ascii_lowercase().as_str() {
            "uid" => &mut self.uid,
            "uidnumber" => &mut self.uid_number,
            "gidnumber" => &mut self.gid_number,
            "homedirectory" => &mut self.home,
            "userpassword" => &mut self.password,
            "loginshell" => &mut self.shell,
            "cn" => &mut self.cn,
            "memberuid" => &mut self.member_uid,
            _ => return,
        };
        *slot = new.to_string();
    }
}

/// `LDAPUsers base-dn [name-filter [uid-filter]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Users {
    /// The base DN (`%u` in it is replaced by the escaped name).
    pub base: String,
    /// Filter template for a name.
    pub name_filter: String,
    /// Filter template for a uid.
    pub uid_filter: String,
}

/// `LDAPGroups base-dn [name-filter [gid-filter [member-filter]]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Groups {
    /// The base DN.
    pub base: String,
    /// Filter template for a group name.
    pub name_filter: String,
    /// Filter template for a gid.
    pub gid_filter: String,
    /// Filter template for a member's name.
    pub member_filter: String,
}

/// Where and how to reach the directory.
#[derive(Debug, Clone, PartialEq)]
pub struct Connect {
    /// `LDAPServer`s, tried in order.
    pub servers: Vec<ServerInfo>,
    /// Security per server (same order).
    pub security: Vec<Security>,
    /// `LDAPBindDN`: the DN and password for searches; anonymous when unset.
    pub bind: Option<(String, String)>,
    /// `LDAPConnectTimeout`.
    pub connect_timeout: Duration,
    /// `LDAPQueryTimeout` (5 seconds, as ProFTPD).
    pub query_timeout: Duration,
    /// `LDAPAliasDereference`.
    pub deref: DerefAliases,
    /// `LDAPSearchScope` (for `host:port` servers; a URL carries its own).
    pub scope: Scope,
}

/// mod_ldap's settings for one server.
#[derive(Debug, Clone, PartialEq)]
pub struct LdapSettings {
    /// The connection.
    pub connect: Connect,
    /// `LDAPAuthBinds` (on): check passwords by binding as the user.
    pub auth_binds: bool,
    /// `LDAPDefaultAuthScheme`.
    pub default_scheme: Scheme,
    /// `LDAPAttr`.
    pub attrs: Attrs,
    /// `LDAPUsers`: `None` means mod_ldap answers for no user.
    pub users: Option<Users>,
    /// `LDAPGroups`.
    pub groups: Option<Groups>,
    /// `LDAPDefaultUID`.
    pub default_uid: Option<u32>,
    /// `LDAPDefaultGID`.
    pub default_gid: Option<u32>,
    /// `LDAPForceDefaultUID`.
    pub force_uid: bool,
    /// `LDAPForceDefaultGID`.
    pub force_gid: bool,
    /// `LDAPGenerateHomedir`.
    pub gen_home: bool,
    /// `LDAPGenerateHomedirPrefix`.
    pub gen_home_prefix: Option<String>,
    /// `LDAPGenerateHomedirPrefixNoUsername`.
    pub gen_home_no_username: bool,
    /// `LDAPForceGeneratedHomedir`.
    pub force_gen_home: bool,
    /// `LDAPLog` (`none` is no log).
    pub log: Option<PathBuf>,
}

/// ProFTPD's query timeout when `LDAPQueryTimeout` is not set.
pub const DEFAULT_QUERY_TIMEOUT: Duration = Duration::from_secs(5);
/// The connect timeout when `LDAPConnectTimeout` is not set (libldap waits for the system's).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// `LDAPAliasDereference`'s argument.
pub fn deref(s: &str) -> Result<DerefAliases, String> {
    match s.to_ascii_lowercase().as_str() {
        "never" => Ok(DerefAliases::Never),
        "search" => Ok(DerefAliases::Searching),
        "find" => Ok(DerefAliases::Finding),
        "always" => Ok(DerefAliases::Always),
        _ => Err(format!(
            "expected a valid dereference (never, search, find, always): {s}"
        )),
    }
}

/// Checks a filter template by filling it with a sample value.
pub fn check_filter(template: &str) -> Result<(), String> {
    let f = crate::filter::interpolate(template, "sample");
    ldap3::parse_filter(&f)
        .map(|_| ())
        .map_err(|_| format!("'{template}' is not a valid LDAP search filter"))
}

impl LdapSettings {
    /// mod_ldap's settings for `server`; `Ok(None)` when neither `LDAPUsers` nor `LDAPGroups`
    /// is set there.
    pub fn from_server(server: &Server) -> Result<Option<LdapSettings>, Located> {
        let m = Merged::of(&server.scope(None));
        Self::from_merged(&m)
    }

    fn from_merged(m: &Merged<'_>) -> Result<Option<LdapSettings>, Located> {
        if !m.has("LDAPUsers") && !m.has("LDAPGroups") {
            return Ok(None);
        }
        let at = |name: &'static str| m.one(name).cloned();
        // `<Global>`'s LDAPAttr first, then the server's, each in file order: a later mapping
        // of the same attribute wins, as ProFTPD reads them.
        let mut attrs = Attrs::default();
        let mut renames = m.ranked("LDAPAttr");
        renames.sort_by_key(|(rank, _)| *rank);
        for (_, d) in renames {
            attrs.set(&d.args[0], &d.args[1]);
        }
        let users = m.one("LDAPUsers").map(|d| Users {
            base: d.args[0].clone(),
            name_filter: d
                .args
                .get(1)
                .cloned()
                .unwrap_or_else(|| format!("(&({}=%v)(objectclass=posixAccount))", attrs.uid)),
            uid_filter: d.args.get(2).cloned().unwrap_or_else(|| {
                format!("(&({}=%v)(objectclass=posixAccount))", attrs.uid_number)
            }),
        });
        let groups =
            m.one("LDAPGroups").map(|d| Groups {
                base: d.args[0].clone(),
                name_filter: d
                    .args
                    .get(1)
                    .cloned()
                    .unwrap_or_else(|| format!("(&({}=%v)(objectclass=posixGroup))", attrs.cn)),
                gid_filter: d.args.get(2).cloned().unwrap_or_else(|| {
                    format!("(&({}=%v)(objectclass=posixGroup))", attrs.gid_number)
                }),
                member_filter: d.args.get(3).cloned().unwrap_or_else(|| {
                    format!("(&({}=%v)(objectclass=posixGroup))", attrs.member_uid)
                }),
            });
        let mut list = Vec::new();
        // Every LDAPServer line adds to the list (ProFTPD 1.3.7rc4 and later), in file order.
        let mut lines: Vec<_> = m.nearest("LDAPServer");
        if lines.is_empty() {
            lines = m.all("LDAPServer").collect();
        }
        for d in lines {
            list.extend(servers::parse(&d.args).map_err(|e| (Some(d.clone()), e))?);
        }
        if list.is_empty() {
            // libldap's default without an ldap.conf URI.
            list = servers::parse(&["localhost".to_string()]).map_err(|e| (None, e))?;
        }
        let use_tls = m.flag("LDAPUseTLS");
        let security = list
            .iter()
            .map(|s| match (s.scheme, use_tls) {
                ("ldaps", _) => Security::Ldaps,
                (_, Some(true)) => Security::StartTls,
                _ => Security::Plain,
            })
            .collect();
        let scope = match m.arg("LDAPSearchScope", 0) {
            Some(s) => servers::search_scope(&s).map_err(|e| (at("LDAPSearchScope"), e))?,
            None => Scope::Subtree,
        };
        let secs =
            |name: &'static str| m.duration(name).filter(|s| *s > 0).map(Duration::from_secs);
        let connect = Connect {
            servers: list,
            security,
            bind: m.one("LDAPBindDN").map(|d| {
                (
                    d.args[0].clone(),
                    d.args.get(1).cloned().unwrap_or_default(),
                )
            }),
            connect_timeout: secs("LDAPConnectTimeout").unwrap_or(DEFAULT_CONNECT_TIMEOUT),
            query_timeout: secs("LDAPQueryTimeout").unwrap_or(DEFAULT_QUERY_TIMEOUT),
            deref: match m.arg("LDAPAliasDereference", 0) {
                Some(s) => deref(&s).map_err(|e| (at("LDAPAliasDereference"), e))?,
                None => DerefAliases::Never,
            },
            scope,
        };
        let default_scheme = match m.arg("LDAPDefaultAuthScheme", 0) {
            Some(s) => Scheme::parse(&s).map_err(|e| (at("LDAPDefaultAuthScheme"), e))?,
            None => Scheme::Crypt,
        };
        let gen_home = m.flag("LDAPGenerateHomedir").unwrap_or(false);
        let force_gen_home = m.flag("LDAPForceGeneratedHomedir").unwrap_or(false);
        let gen_home_prefix = m.arg("LDAPGenerateHomedirPrefix", 0);
        if force_gen_home && !gen_home {
            return Err((
                at("LDAPForceGeneratedHomedir"),
                "LDAPForceGeneratedHomedir needs LDAPGenerateHomedir on".into(),
            ));
        }
        Ok(Some(LdapSettings {
            connect,
            auth_binds: m.flag("LDAPAuthBinds").unwrap_or(true),
            default_scheme,
            attrs,
            users,
            groups,
            default_uid: m.number("LDAPDefaultUID", 0),
            default_gid: m.number("LDAPDefaultGID", 0),
            force_uid: m.flag("LDAPForceDefaultUID").unwrap_or(false),
            force_gid: m.flag("LDAPForceDefaultGID").unwrap_or(false),
            gen_home,
            gen_home_prefix,
            gen_home_no_username: m
                .flag("LDAPGenerateHomedirPrefixNoUsername")
                .unwrap_or(false),
            force_gen_home,
            log: m
                .arg("LDAPLog", 0)
                .filter(|p| !p.eq_ignore_ascii_case("none"))
                .map(PathBuf::from),
        }))
    }

    /// The scope of searches against `server`.
    pub fn scope_for(&self, server: &ServerInfo) -> Scope {
        server.url_scope.unwrap_or(self.connect.scope)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(text: &str) -> Result<Option<LdapSettings>, Located> {
        let modules = [&crate::directives::SPEC];
        let config = oxftpd_config::parse_str(
            text,
            std::path::Path::new("test.conf"),
            &oxftpd_config::ParseOptions::new(&modules),
        )
        .expect("parses");
        LdapSettings::from_server(&config.servers()[0])
    }

    #[test]
    fn off_without_users_or_groups() {
        assert!(settings("LDAPServer ldap.example.com\n").unwrap().is_none());
    }

    #[test]
    fn defaults_follow_ldapattr_and_proftpd() {
        let s = settings(
            "<Global>\nLDAPAttr uid login\n</Global>\nLDAPAttr uid sAMAccountName\nLDAPAttr uid cn2\nLDAPAttr gidNumber primaryGroupID\nLDAPUsers ou=people,dc=x\nLDAPGroups ou=groups,dc=x\nLDAPServer h1:1389 ldap://h2/??one\nLDAPServer ldaps://h3\n",
        )
        .unwrap()
        .unwrap();
        assert_eq!(s.attrs.uid, "cn2");
        let u = s.users.clone().unwrap();
        assert_eq!(u.name_filter, "(&(cn2=%v)(objectclass=posixAccount))");
        assert_eq!(u.uid_filter, "(&(uidNumber=%v)(objectclass=posixAccount))");
        let g = s.groups.clone().unwrap();
        assert_eq!(
            g.gid_filter,
            "(&(primaryGroupID=%v)(objectclass=posixGroup))"
        );
        assert_eq!(g.member_filter, "(&(memberUid=%v)(objectclass=posixGroup))");
        assert!(s.auth_binds);
        assert_eq!(s.default_scheme, Scheme::Crypt);
        assert_eq!(s.connect.query_timeout, DEFAULT_QUERY_TIMEOUT);
        let urls: Vec<String> = s.connect.servers.iter().map(|i| i.url()).collect();
        assert_eq!(urls, ["ldap://h1:1389", "ldap://h2:389", "ldaps://h3:636"]);
        assert_eq!(
            s.connect.security,
            [Security::Plain, Security::Plain, Security::Ldaps]
        );
        // host:port takes LDAPSearchScope (subtree); a URL its own (one; base when unsaid).
        assert_eq!(s.scope_for(&s.connect.servers[0]), Scope::Subtree);
        assert_eq!(s.scope_for(&s.connect.servers[1]), Scope::OneLevel);
        assert_eq!(s.scope_for(&s.connect.servers[2]), Scope::Base);
    }

    #[test]
    fn starttls_defaults_and_forced_homes() {
        let s = settings(
            "LDAPUsers dc=x\nLDAPUseTLS on\nLDAPServer ldap://h/??sub ldaps://h2/??sub\nLDAPDefaultUID 10\nLDAPForceDefaultUID on\nLDAPGenerateHomedir on\nLDAPForceGeneratedHomedir on\nLDAPGenerateHomedirPrefix /srv\nLDAPLog none\nLDAPAuthBinds off\nLDAPDefaultAuthScheme clear\nLDAPQueryTimeout 7\n",
        )
        .unwrap()
        .unwrap();
        assert_eq!(s.connect.security, [Security::StartTls, Security::Ldaps]);
        assert_eq!((s.default_uid, s.force_uid), (Some(10), true));
        assert!(s.force_gen_home && s.gen_home);
        assert_eq!(s.gen_home_prefix.as_deref(), Some("/srv"));
        assert_eq!(s.log, None);
        assert!(!s.auth_binds);
        assert_eq!(s.default_scheme, Scheme::Clear);
        assert_eq!(s.connect.query_timeout, Duration::from_secs(7));
        let e = settings("LDAPUsers dc=x\nLDAPForceGeneratedHomedir on\n").unwrap_err();
        assert!(
            e.0.is_some() && e.1.contains("LDAPGenerateHomedir"),
            "{e:?}"
        );
    }
}
