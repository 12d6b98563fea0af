//! Resolving a `LogFormat`'s variables for one command (or the CONNECT/EXIT pseudo-commands)
//! as ProFTPD 1.3.8's jot resolver does, and writing the result as a text line or a JSON object.

use std::fmt::Write as _;
use std::time::SystemTime;

use super::format::{Format, Part, Var};
use super::notes::Notes;
use crate::session::TransferType;
use crate::session::{Ctx, LoggedIn};

/// What is being logged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A command the client sent.
    Command,
    /// The session began (class `CONNECT`).
    Connect,
    /// The session ended (class `EXIT`).
    Exit,
}

/// Everything a line may say about one command.
pub struct Facts<'a> {
    /// Command, CONNECT or EXIT.
    pub kind: Kind,
    /// The verb (`EXIT`/`CONNECT` for the pseudo-commands).
    pub verb: &'a str,
    /// Its argument.
    pub arg: Option<&'a str>,
    /// The last reply's code (0: none).
    pub code: u16,
    /// The last reply's text.
    pub text: &'a str,
    /// The session.
    pub ctx: &'a Ctx,
    /// Its login, if any.
    pub user: Option<&'a LoggedIn>,
    /// mod_log's notes.
    pub notes: &'a Notes,
}

/// A resolved value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// Text.
    Str(String),
    /// A number.
    Int(u64),
    /// A number written with at least this many digits.
    Padded(u64, usize),
    /// Seconds with three decimals.
    Secs(f64),
    /// `true`/`false`.
    Bool(bool),
    /// No value: the variable's default ("-", "UNKNOWN" or nothing).
    Default,
}

fn s(text: impl Into<String>) -> Value {
    Value::Str(text.into())
}

fn opt(v: Option<impl Into<String>>) -> Value {
    v.map_or(Value::Default, s)
}

/// The last component of a path, as jot takes it (`/` stays `/`).
fn basename(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) if path.len() == 1 => path,
        Some(i) => &path[i + 1..],
        None => path,
    }
}

const DATA_XFER: &[&str] = &["APPE", "LIST", "MLSD", "NLST", "RETR", "STOR", "STOU"];
const PATH_CMDS: &[&str] = &[
    "RNFR", "DELE", "LIST", "MDTM", "MKD", "MLSD", "MLST", "NLST", "RMD", "XMKD", "XRMD",
];
const DIR_CMDS: &[&str] = &[
    "CDUP", "LIST", "MKD", "MLSD", "NLST", "RMD", "XCUP", "XMKD", "XRMD",
];

impl Facts<'_> {
    /// A variable the session set for itself (`UNIQUE_ID`), see [`crate::module::state::SessionEnv`].
    fn session_env(&self, name: &str) -> Option<String> {
        self.ctx
            .ext
            .get::<crate::module::state::SessionEnv>()
            .and_then(|e| e.get(name))
            .map(str::to_string)
    }

    fn is(&self, names: &[&str]) -> bool {
        names.contains(&self.verb)
    }

    fn arg(&self) -> &str {
        self.arg.unwrap_or("")
    }

    fn resolve_vpath(&self, arg: &str) -> Option<String> {
        self.user.map(|u| u.resolve(arg))
    }

    /// A path argument's real path as ProFTPD's `dir_abs_path` makes it: no argument is the
    /// current directory with a trailing `/`.
    fn abs_path(&self, arg: &str) -> Option<String> {
        let real = self.real(&self.resolve_vpath(arg)?);
        Some(if arg.is_empty() && !real.ends_with('/') {
            real + "/"
        } else {
            real
        })
    }

    fn real(&self, vpath: &str) -> String {
        self.user
            .map_or_else(|| vpath.to_string(), |u| u.real_path(vpath))
    }

    /// The directory a CWD/XCWD left the session in, as ProFTPD reports it (real path).
    fn cwd_real(&self) -> Option<String> {
        self.user.map(|u| u.real_path(&u.cwd))
    }

    /// `SITE CHMOD mode path…`: the path words.
    fn site_paths(&self) -> Option<String> {
        if self.verb != "SITE" {
            return None;
        }
        let words: Vec<&str> = self.arg().split(' ').collect();
        let sub = words.first()?.to_ascii_uppercase();
        if words.len() > 2 && ["CHGRP", "CHMOD", "UTIME"].contains(&sub.as_str()) {
            return Some(words[2..].join(" "));
        }
        None
    }

    /// MFMT's path: its second argument.
    fn mfmt_path(&self) -> Option<&str> {
        (self.verb == "MFMT")
            .then(|| self.arg().split_once(' ').map(|(_, p)| p))
            .flatten()
    }

    /// Whether the command's transfer was cut short by ABOR: it did not complete, and the
    /// command ended with ABOR's `226` (or the `426` before it).
    fn aborted(&self) -> bool {
        self.notes.xfer.as_ref().is_some_and(|x| !x.complete)
            && (self.code == 426 || (200..300).contains(&self.code))
    }

    /// When the command's transfer (file or listing) began.
    fn transfer_started(&self) -> Option<std::time::Instant> {
        self.notes
            .xfer
            .as_ref()
            .map(|x| x.started)
            .or(self.notes.listing_started)
    }

    fn transfer_status(&self) -> Option<&'static str> {
        if !(self.is(DATA_XFER) || self.verb == "ABOR") {
            return None;
        }
        if self.aborted() {
            return Some("cancelled");
        }
        Some(match self.code {
            0 => "success",
            200..=299 if self.verb == "ABOR" => "cancelled",
            200..=299 => "success",
            100..=199 => "timeout",
            _ => "failed",
        })
    }

    fn transfer_failure(&self) -> Option<String> {
        if !self.is(DATA_XFER) {
            return None;
        }
        if self.aborted() {
            return Some("aborted".to_string());
        }
        match self.code {
            0 => Some("unknown".to_string()),
            100..=299 => None,
            _ => Some(match self.text.find('.') {
                Some(i) => self.text.get(i + 2..).unwrap_or("").to_string(),
                None => self.text.to_string(),
            }),
        }
    }

    /// Resolves one variable.
    pub fn value(&self, var: &Var) -> Value {
        let pseudo = self.kind != Kind::Command;
        let xfer = self.notes.xfer.as_ref();
        match var {
            Var::AnonPass => opt(self
                .user
                .filter(|u| u.anon.is_some())
                .and_then(|u| u.anonymous_email.clone())),
            Var::RemoteIp => s(self.ctx.peer.ip().to_string()),
            Var::Basename => {
                let path = if self.verb == "RNTO" {
                    Some(self.arg().to_string())
                } else if let Some(x) = xfer {
                    Some(x.vpath.clone())
                } else if self.is(&["CDUP", "PWD", "XCUP", "XPWD", "CWD", "XCWD"]) {
                    self.user.map(|u| {
                        if u.cwd == "/" && u.root != "/" {
                            u.root.clone()
                        } else {
                            u.cwd.clone()
                        }
                    })
                } else if let Some(p) = self.site_paths() {
                    Some(p)
                } else if self.is(PATH_CMDS) {
                    Some(self.arg().to_string())
                } else {
                    self.mfmt_path().map(str::to_string)
                };
                opt(path.map(|p| basename(&p).to_string()))
            }
            Var::BytesSent => match (xfer, self.notes.deleted_size, self.notes.listed_before) {
                (Some(x), _, _) => Value::Int(x.bytes),
                (None, Some(n), _) if self.verb == "DELE" => Value::Int(n),
                (None, _, Some(before)) => {
                    Value::Int(self.ctx.totals.bytes_out.saturating_sub(before))
                }
                _ => Value::Default,
            },
            Var::Class => opt(self.ctx.class.clone()),
            Var::DirPath => {
                if self.is(DIR_CMDS) {
                    opt(self.abs_path(self.arg()))
                } else if self.is(&["CWD", "XCWD"]) {
                    opt(self.cwd_real())
                } else {
                    Value::Default
                }
            }
            Var::DirName => {
                if self.is(DIR_CMDS) || self.is(&["CWD", "XCWD"]) {
                    s(basename(self.arg()))
                } else {
                    s(self.user.map_or("/", |u| u.cwd.as_str()))
                }
            }
            Var::EosReason => opt(self
                .notes
                .end_reason
                .clone()
                .filter(|_| self.kind == Kind::Exit)),
            Var::Env(name) => opt(self.session_env(name).or_else(|| std::env::var(name).ok())),
            Var::XferPath => {
                if self.verb == "RNTO" {
                    opt(self.resolve_vpath(self.arg()))
                } else if let Some(x) = xfer {
                    s(x.vpath.clone())
                } else if self.is(&["RNFR", "DELE", "MKD", "XMKD", "RMD", "XRMD"]) {
                    opt(self.resolve_vpath(self.arg()))
                } else {
                    Value::Default
                }
            }
            Var::Filename => {
                let vpath = if self.verb == "RNTO" {
                    self.resolve_vpath(self.arg())
                } else if let Some(x) = xfer {
                    Some(x.vpath.clone())
                } else if self.is(&["RETR", "STOR", "APPE"]) {
                    None
                } else if self.is(&["CDUP", "PWD", "XCUP", "XPWD", "CWD", "XCWD"]) {
                    self.user.map(|u| u.cwd.clone())
                } else if let Some(p) = self.site_paths() {
                    self.resolve_vpath(&p)
                } else if self.is(PATH_CMDS) {
                    return opt(self.abs_path(self.arg()));
                } else if let Some(p) = self.mfmt_path() {
                    self.resolve_vpath(p)
                } else {
                    None
                };
                opt(vpath.map(|v| self.real(&v)))
            }
            Var::Group => opt(self.user.and_then(|u| {
                let id = &u.identity;
                id.groups
                    .iter()
                    .position(|g| *g == id.gid)
                    .and_then(|i| id.group_names.get(i).cloned())
            })),
            Var::VhostIp => s(self
                .ctx
                .server
                .settings
                .addresses
                .first()
                .map_or_else(|| self.ctx.local.ip().to_string(), |a| a.to_string())),
            Var::RemoteHost => s(self
                .ctx
                .remote_name
                .clone()
                .unwrap_or_else(|| self.ctx.peer.ip().to_string())),
            Var::RawIn => Value::Int(self.ctx.control.raw_bytes().0 + self.ctx.totals.bytes_in),
            Var::RawOut => Value::Int(self.ctx.control.raw_bytes().1 + self.ctx.totals.bytes_out),
            Var::CmdParams => {
                if pseudo {
                    Value::Default
                } else if self.is(&["PASS", "ADAT"]) {
                    s("(hidden)")
                } else {
                    opt(self.arg)
                }
            }
            Var::LocalIp => s(self.ctx.local.ip().to_string()),
            Var::Ident => s(self.ctx.ident.as_deref().unwrap_or("UNKNOWN")),
            Var::Method => match self.kind {
                Kind::Connect => Value::Default,
                _ if self.verb == "SITE" => match self.arg().split(' ').next() {
                    Some(sub) if !sub.is_empty() => s(format!("SITE {}", sub.to_ascii_uppercase())),
                    _ => Value::Default,
                },
                _ => s(self.verb),
            },
            Var::LocalPort => Value::Int(u64::from(self.ctx.server.settings.port)),
            Var::Pid => Value::Int(u64::from(std::process::id())),
            Var::ResponseMs => match self.notes.started {
                Some(t) if !pseudo => Value::Int(t.elapsed().as_millis() as u64),
                _ => Value::Default,
            },
            Var::Command => {
                if pseudo {
                    Value::Default
                } else if self.verb == "PASS" {
                    s("PASS (hidden)")
                } else if self.verb == "ADAT" {
                    s("ADAT (hidden)")
                } else {
                    match self.arg.filter(|a| !a.is_empty()) {
                        Some(a) => s(format!("{} {a}", self.verb)),
                        None => s(self.verb),
                    }
                }
            }
            Var::ResponseCode => match self.code {
                0 if self.verb == "QUIT" => Value::Int(221),
                0 => Value::Default,
                c => Value::Int(u64::from(c)),
            },
            Var::ResponseStr => opt(Some(self.text).filter(|t| !t.is_empty())),
            Var::Seconds => match self.transfer_started() {
                Some(t) => Value::Secs(t.elapsed().as_secs_f64()),
                None => Value::Default,
            },
            Var::Time(None) => s(clf_time()),
            Var::Time(Some(fmt)) => s(crate::localtime::strftime_now(fmt)),
            Var::OrigUser => opt(self.notes.orig_user.clone()),
            Var::User => opt(self.user.map(|u| u.identity.name.clone())),
            Var::LocalFqdn => s(self.ctx.local.ip().to_string()),
            Var::LocalName => s(self.ctx.server.settings.name.clone()),
            Var::RenameFrom => opt(self.notes.rnfr.clone().filter(|_| self.verb == "RNTO")),
            Var::Epoch => Value::Int(now().as_secs()),
            Var::FileModified => Value::Bool(self.notes.file_modified),
            // mod_xfer notes the offset once the file is open: only for a transfer that ran.
            Var::FileOffset => match (xfer, self.notes.file_offset) {
                (Some(_), Some(n)) => Value::Int(n),
                _ => Value::Default,
            },
            Var::FileSize => self.notes.file_size.map_or(Value::Default, Value::Int),
            Var::Gid => Value::Int(u64::from(
                self.user
                    .map_or_else(|| rustix::process::getegid().as_raw(), |u| u.identity.gid),
            )),
            Var::Uid => Value::Int(u64::from(
                self.user
                    .map_or_else(|| rustix::process::geteuid().as_raw(), |u| u.identity.uid),
            )),
            Var::Iso8601 => s(crate::module::log::stamp()),
            Var::Microsecs => Value::Padded(u64::from(now().subsec_micros()), 6),
            Var::Millisecs => Value::Padded(u64::from(now().subsec_millis()), 3),
            Var::Note(key) => match key.as_str() {
                "mod_auth.orig-user" => opt(self.notes.orig_user.clone()),
                "mod_auth.anon-passwd" => self.value(&Var::AnonPass),
                "mod_core.rnfr-path" => opt(self.notes.rnfr.clone()),
                "mod_xfer.retr-path" | "mod_xfer.store-path" => opt(xfer.map(|x| x.vpath.clone())),
                "mod_ident.rfc1413-ident" => opt(self.ctx.ident.clone()),
                other => opt(self.session_env(other)),
            },
            Var::Protocol => s(match self.ctx.ext.get::<crate::module::state::Protocol>() {
                Some(p) => p.0,
                None if self.ctx.control.is_tls() => "ftps",
                None => "ftp",
            }),
            Var::RemotePort => Value::Int(u64::from(self.ctx.peer.port())),
            Var::XferFailure => opt(self.transfer_failure()),
            Var::XferMs => match self.transfer_started() {
                Some(t) => Value::Int(t.elapsed().as_millis() as u64),
                None => Value::Default,
            },
            Var::XferPort => {
                let applies = self.is(DATA_XFER) || self.is(&["PASV", "PORT", "EPRT", "EPSV"]);
                match self.notes.data_port {
                    Some(p) if applies && p > 0 => Value::Int(u64::from(p)),
                    _ => Value::Default,
                }
            }
            Var::XferStatus => opt(self.transfer_status()),
            Var::XferType => {
                if self.is(DATA_XFER) {
                    let ascii =
                        xfer.map_or(self.ctx.transfer_type == TransferType::Ascii, |x| x.ascii);
                    s(if ascii { "ASCII" } else { "binary" })
                } else {
                    Value::Default
                }
            }
            Var::Version => s(crate::PROFTPD_VERSION),
        }
    }

    /// The line a text format makes.
    pub fn text_line(&self, format: &Format) -> String {
        let mut out = String::new();
        for part in &format.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Var(v) => match self.value(v) {
                    Value::Str(t) => out.push_str(&t),
                    Value::Int(n) => {
                        let _ = write!(out, "{n}");
                    }
                    Value::Padded(n, w) => {
                        let _ = write!(out, "{n:0w$}");
                    }
                    Value::Secs(x) => {
                        let _ = write!(out, "{x:.3}");
                    }
                    Value::Bool(b) => out.push_str(if b { "true" } else { "false" }),
                    Value::Default => out.push_str(default_text(v)),
                },
            }
        }
        out
    }

    /// The JSON object a `%{json}` format makes: its variables under jot's key names;
    /// variables without a value are left out.
    pub fn json_line(&self, format: &Format) -> String {
        let mut out = String::from("{");
        let mut first = true;
        let mut field = |out: &mut String, key: &str, value: &str| {
            if !first {
                out.push(',');
            }
            first = false;
            push_json_str(out, key);
            out.push(':');
            out.push_str(value);
        };
        match self.kind {
            Kind::Connect => field(&mut out, "connecting", "true"),
            Kind::Exit => field(&mut out, "disconnecting", "true"),
            Kind::Command => {}
        }
        for var in format.vars() {
            let key = json_key(var);
            let value = match self.value(var) {
                Value::Default => continue,
                Value::Str(t) => {
                    let mut q = String::new();
                    push_json_str(&mut q, &t);
                    q
                }
                Value::Int(n) | Value::Padded(n, _) => n.to_string(),
                Value::Secs(x) => format!("{x:.3}"),
                Value::Bool(b) => b.to_string(),
            };
            field(&mut out, &key, &value);
        }
        out.push('}');
        out
    }
}

fn now() -> std::time::Duration {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
}

/// `%t`: `[07/Dec/2026:15:49:37 +0000]` in local time.
fn clf_time() -> String {
    let secs = i64::try_from(now().as_secs()).unwrap_or(0);
    let off = crate::localtime::utc_offset(secs);
    let sign = if off < 0 { '-' } else { '+' };
    let m = off.unsigned_abs() / 60;
    format!(
        "{}{sign}{:02}{:02}]",
        crate::localtime::strftime_now("[%d/%b/%Y:%H:%M:%S "),
        m / 60,
        m % 60
    )
}

/// What a variable without a value writes in a text line.
fn default_text(var: &Var) -> &'static str {
    match var {
        Var::AnonPass | Var::Ident => "UNKNOWN",
        Var::CmdParams
        | Var::Command
        | Var::DirName
        | Var::DirPath
        | Var::Env(_)
        | Var::EosReason
        | Var::Note(_)
        | Var::Method => "",
        _ => "-",
    }
}

/// The JSON member name of a variable (ProFTPD's `PR_JOT_LOGFMT_*_KEY`).
pub fn json_key(var: &Var) -> String {
    let k = match var {
        Var::AnonPass => "anon_password",
        Var::Basename => "basename",
        Var::BytesSent => "bytes_sent",
        Var::Class => "connection_class",
        Var::Command => "raw_command",
        Var::CmdParams => "command_params",
        Var::DirName => "dir_name",
        Var::DirPath => "dir_path",
        Var::Env(name) => return format!("ENV:{name}"),
        Var::Epoch => "epoch",
        Var::EosReason => "session_end_reason",
        Var::Filename => "file",
        Var::FileModified => "file_modified",
        Var::FileOffset => "file_offset",
        Var::FileSize => "file_size",
        Var::Gid => "gid",
        Var::Group => "group",
        Var::Ident => "identd_user",
        Var::Iso8601 => "timestamp",
        Var::LocalFqdn => "server_dns",
        Var::LocalIp => "local_ip",
        Var::LocalName => "server_name",
        Var::LocalPort => "local_port",
        Var::Method => "command",
        Var::Millisecs => "millisecs",
        Var::Microsecs => "microsecs",
        Var::Note(key) => return format!("NOTE:{key}"),
        Var::OrigUser => "original_user",
        Var::Pid => "pid",
        Var::Protocol => "protocol",
        Var::RawIn => "session_bytes_rcvd",
        Var::RawOut => "session_bytes_sent",
        Var::RemoteHost => "remote_dns",
        Var::RemoteIp => "remote_ip",
        Var::RemotePort => "remote_port",
        Var::RenameFrom => "rename_from",
        Var::ResponseCode => "response_code",
        Var::ResponseMs => "response_millis",
        Var::ResponseStr => "response_msg",
        Var::Seconds => "transfer_secs",
        Var::Time(_) => "local_time",
        Var::Uid => "uid",
        Var::User => "user",
        Var::Version => "server_version",
        Var::VhostIp => "server_ip",
        Var::XferMs => "transfer_millis",
        Var::XferPath => "transfer_path",
        Var::XferFailure => "transfer_failure",
        Var::XferStatus => "transfer_status",
        Var::XferType => "transfer_type",
        Var::XferPort => "transfer_port",
    };
    k.to_string()
}

/// Appends `text` as a JSON string.
fn push_json_str(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
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
}

#[cfg(test)]
mod tests {
    use super::{basename, push_json_str};

    #[test]
    fn basenames_and_json_strings() {
        assert_eq!(basename("/a/b.txt"), "b.txt");
        assert_eq!(basename("/"), "/");
        assert_eq!(basename("x"), "x");
        let mut s = String::new();
        push_json_str(&mut s, "a\"b\\c\n\u{1}");
        assert_eq!(s, "\"a\\\"b\\\\c\\n\\u0001\"");
    }
}
