//! mod_radius.c in `AuthOrder`: the password is checked by an Access-Request.
//!
//! - Access-Accept: with `RadiusUserInfo`, the account is the configured (or attribute-given)
//!   uid, gid, home and shell, with `RadiusGroupInfo`'s groups; without it RADIUS only says
//!   yes and the account comes from the rest of `AuthOrder` ([`Flow::Vouch`]), as ProFTPD's
//!   `getpwnam` is answered by another module.
//! - Access-Reject: a wrong password (`530`); no later provider is asked.
//! - No server answered, a challenge, or an answer that fails its Message-Authenticator: not
//!   mod_radius's (the chain goes on, as ProFTPD declines), with a `RadiusLog` line saying why.
//!
//! What the answer says for the session (Class for accounting, Reply-Message lines for the
//! client, Idle-Timeout and Session-Timeout) goes into the login's notes
//! ([`oxftpd_auth::session_info::note`]).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use oxftpd_auth::session_info::{self, Notes};
use oxftpd_auth::{AuthError, AuthProvider, Flow, Identity};

use crate::client::{self, Request};
use crate::packet::{self, Mac, Packet, attr, code};
use crate::request;
use crate::settings::{RadiusSettings, Value};

/// The module name in `AuthOrder`.
pub const MODULE: &str = "mod_radius.c";

/// Service-Type Login: the answer is expected to carry account attributes.
const SERVICE_LOGIN: u32 = 1;
/// Service-Type Authenticate-Only.
const SERVICE_AUTHENTICATE_ONLY: u32 = 8;

/// Notes key: the Access-Accept's Class, echoed in accounting.
pub const NOTE_CLASS: &str = "mod_radius.class";
/// Notes key: present when RADIUS accepted the login (Acct-Authentic RADIUS).
pub const NOTE_AUTHENTICATED: &str = "mod_radius.authenticated";

/// One server's RADIUS authentication.
pub struct RadiusProvider {
    s: Arc<RadiusSettings>,
}

impl RadiusProvider {
    /// The provider for one server's settings.
    pub fn new(s: Arc<RadiusSettings>) -> RadiusProvider {
        RadiusProvider { s }
    }

    fn log(&self, message: &str) {
        crate::log::line(self.s.log.as_deref(), message);
    }

    fn access_request(
        &self,
        server: &crate::settings::RadiusServer,
        user: &str,
        password: &str,
    ) -> Result<Request, packet::PacketError> {
        let authenticator = request::random16();
        let id = authenticator[0];
        let mut p = Packet::new(code::ACCESS_REQUEST, id, authenticator);
        let info = session_info::current();
        let addrs = info.as_ref().map(|i| (i.remote, i.local));
        request::add_common(&mut p, &self.s, user, addrs)?;
        let hidden = packet::hide_password(password.as_bytes(), &server.secret, &authenticator)?;
        p.add(attr::USER_PASSWORD, &hidden)?;
        let service = if self.s.wants_attributes() {
            SERVICE_LOGIN
        } else {
            SERVICE_AUTHENTICATE_ONLY
        };
        p.add_u32(attr::SERVICE_TYPE, service);
        if let Some((remote, local)) = addrs {
            p.add(
                attr::ACCT_SESSION_ID,
                request::session_id(remote, local).as_bytes(),
            )?;
        }
        let bytes = packet::sign_access_request(&mut p, &server.secret)?;
        Ok(Request {
            bytes,
            authenticator,
            id,
        })
    }

    /// Notes what an Access-Accept says for the session.
    fn note_accept(&self, p: &Packet) {
        let o = self.s.options;
        session_info::note(|n: &mut Notes| {
            n.values.push((NOTE_AUTHENTICATED, b"1".to_vec()));
            if !o.ignore_class
                && let Some(class) = p.first(attr::CLASS)
            {
                n.values.push((NOTE_CLASS, class.to_vec()));
            }
            if !o.ignore_reply_message {
                n.replies.extend(
                    p.all(attr::REPLY_MESSAGE)
                        .map(|m| String::from_utf8_lossy(m).into_owned()),
                );
            }
            let secs = |kind| p.u32(kind).filter(|v| *v <= i32::MAX as u32);
            if !o.ignore_idle_timeout
                && let Some(t) = secs(attr::IDLE_TIMEOUT)
            {
                n.idle_timeout = Some(Duration::from_secs(u64::from(t)));
            }
            if !o.ignore_session_timeout
                && let Some(t) = secs(attr::SESSION_TIMEOUT)
            {
                n.session_timeout = Some(Duration::from_secs(u64::from(t)));
            }
        });
    }

    /// A number from the vendor's attribute (4 octets, network order), else the default.
    fn number(&self, p: &Packet, v: &Value<u32>, what: &str) -> u32 {
        match v {
            Value::Fixed(n) => *n,
            Value::Attr { id, default } => match self.vendor(p, *id) {
                Some(b) if b.len() <= 4 && !b.is_empty() => {
                    let mut buf = [0u8; 4];
                    buf[4 - b.len()..].copy_from_slice(b);
                    match i32::from_be_bytes(buf) {
                        n if n >= 0 => n as u32,
                        n => {
                            self.log(&format!(
                                "packet includes '{}' Vendor-Specific Attribute {id} for illegal {what}: {n}",
                                self.s.vendor.0
                            ));
                            *default
                        }
                    }
                }
                _ => *default,
            },
        }
    }

    /// A text from the vendor's attribute, else the default; `path` ones must be absolute.
    fn text(&self, p: &Packet, v: &Value<String>, path: bool) -> String {
        match v {
            Value::Fixed(t) => t.clone(),
            Value::Attr { id, default } => match self.vendor(p, *id) {
                Some(b) => {
                    let t = String::from_utf8_lossy(b).into_owned();
                    if path && !t.starts_with('/') {
                        self.log(&format!(
                            "packet includes '{}' Vendor-Specific Attribute {id} for illegal path: '{t}'",
                            self.s.vendor.0
                        ));
                        default.clone()
                    } else {
                        t
                    }
                }
                None => default.clone(),
            },
        }
    }

    fn vendor<'p>(&self, p: &'p Packet, id: u8) -> Option<&'p [u8]> {
        p.vendor(self.s.vendor.1, id)
    }

    /// `RadiusGroupInfo`: the primary group's name and the supplementary (gid, name) pairs.
    fn groups(&self, p: &Packet) -> Option<(String, Vec<(u32, String)>)> {
        let g = self.s.group_info.as_ref()?;
        let primary = self.text(p, &g.primary, false);
        let names = match &g.names {
            Value::Fixed(v) => v.clone(),
            Value::Attr { id, default } => match self.vendor(p, *id) {
                Some(b) => {
                    crate::settings::parse_list(&String::from_utf8_lossy(b), |s| Ok(s.to_string()))
                        .unwrap_or_else(|_| default.clone())
                }
                None => default.clone(),
            },
        };
        let ids = match &g.ids {
            Value::Fixed(v) => v.clone(),
            Value::Attr { id, default } => match self.vendor(p, *id) {
                Some(b) => crate::settings::parse_list(
                    &String::from_utf8_lossy(b),
                    crate::settings::parse_id,
                )
                .unwrap_or_else(|_| default.clone()),
                None => default.clone(),
            },
        };
        if names.len() != ids.len() {
            self.log(&format!(
                "mismatched number of group names ({}) and group IDs ({}), ignoring the supplementary groups",
                names.len(),
                ids.len()
            ));
            return Some((primary, Vec::new()));
        }
        Some((primary, ids.into_iter().zip(names).collect()))
    }

    /// The account `RadiusUserInfo` (and `RadiusGroupInfo`) describe for `user`.
    fn identity(&self, user: &str, p: &Packet) -> Option<Identity> {
        let u = self.s.user_info.as_ref()?;
        let uid = self.number(p, &u.uid, "user ID");
        let gid = self.number(p, &u.gid, "group ID");
        let home = self.text(p, &u.home, true).replace("%u", user);
        let shell = self.text(p, &u.shell, true);
        let mut groups = vec![gid];
        let mut group_names = Vec::new();
        if let Some((primary, extra)) = self.groups(p) {
            group_names.push(primary);
            for (id, name) in extra {
                if !groups.contains(&id) {
                    groups.push(id);
                    group_names.push(name);
                }
            }
        }
        Some(Identity {
            name: user.to_string(),
            uid,
            gid,
            groups,
            group_names,
            home: PathBuf::from(home),
            shell,
            pam_session: None,
        })
    }
}

impl AuthProvider for RadiusProvider {
    fn module(&self) -> &'static str {
        MODULE
    }

    fn authenticate(&self, user: &str, password: &str) -> Flow<Identity> {
        if self.s.auth.is_empty() {
            return Flow::Continue;
        }
        let log = |m: &str| self.log(m);
        let answer = match client::exchange(
            &self.s.auth,
            "auth",
            |server| self.access_request(server, user, password),
            &log,
        ) {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!(target: "mod_radius", "user '{user}': {e}");
                return Flow::Continue;
            }
        };
        let p = &answer.packet;
        let kind = match p.code {
            code::ACCESS_ACCEPT => "Access-Accept",
            code::ACCESS_REJECT => "Access-Reject",
            code::ACCESS_CHALLENGE => {
                self.log(&format!("authentication challenged for user '{user}'"));
                return Flow::Continue;
            }
            other => {
                self.log(&format!(
                    "notice: server returned unknown response code: {other:02x}"
                ));
                return Flow::Continue;
            }
        };
        let mac = packet::response_mac(
            &answer.bytes,
            &answer.request_authenticator,
            &answer.server.secret,
        );
        if mac == Mac::Invalid || (mac == Mac::Absent && self.s.options.require_mac) {
            let text = format!(
                "DISCARDING {kind} packet for user '{user}' due to failed Message-Authenticator check; is the shared secret correct?"
            );
            self.log(&text);
            tracing::warn!(target: "mod_radius", "{text}");
            return Flow::Continue;
        }
        if p.code == code::ACCESS_REJECT {
            self.log(&format!("authentication failed for user '{user}'"));
            if !self.s.options.ignore_reply_message {
                session_info::note(|n: &mut Notes| {
                    n.replies.extend(
                        p.all(attr::REPLY_MESSAGE)
                            .map(|m| String::from_utf8_lossy(m).into_owned()),
                    );
                });
            }
            return Flow::Break(Err(AuthError::BadPassword));
        }
        self.log(&format!("authentication successful for user '{user}'"));
        self.note_accept(p);
        match self.identity(user, p) {
            Some(id) => Flow::Break(Ok(id)),
            None => {
                // The account is another module's; RadiusGroupInfo's supplementary groups are
                // added to it, as ProFTPD's getgroups adds them.
                if let Some((_, extra)) = self.groups(p) {
                    session_info::note(|n: &mut Notes| n.groups.extend(extra));
                }
                Flow::Vouch
            }
        }
    }

    fn lookup(&self, _user: &str) -> Flow<Identity> {
        // RADIUS describes an account only in the answer to a password.
        Flow::Continue
    }

    fn user_name(&self, _uid: u32) -> Option<String> {
        None
    }

    fn group_name(&self, _gid: u32) -> Option<String> {
        None
    }

    fn group_id(&self, _name: &str) -> Option<u32> {
        None
    }

    fn user_id(&self, _name: &str) -> Option<u32> {
        None
    }
}
