//! `LogFormat` strings, parsed as ProFTPD 1.3.8's jot parser reads them: `%x` short variables,
//! `%{name}` long ones, `%{NAME}e` / `%{env:NAME}`, `%{fmt}t` / `%{time:fmt}`, `%{note:KEY}`;
//! an unknown `%{word}` stands for `word`, any other `%` for itself. `%{json}` (ours) makes the
//! format a JSON object of its variables instead of a line of text.

/// A variable of a `LogFormat`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Var {
    /// `%A`: the anonymous password.
    AnonPass,
    /// `%a`: the client's address.
    RemoteIp,
    /// `%{basename}`: the last component of the command's path.
    Basename,
    /// `%b`: bytes sent for the command.
    BytesSent,
    /// `%c`: the connection `<Class>`.
    Class,
    /// `%D`: the directory path of a directory command.
    DirPath,
    /// `%d`: the directory name of a directory command.
    DirName,
    /// `%E`: why the session ended.
    EosReason,
    /// `%{NAME}e`, `%{env:NAME}`: an environment variable.
    Env(String),
    /// `%F`: the transfer path, as the client sees it.
    XferPath,
    /// `%f`: the file's absolute path on the server.
    Filename,
    /// `%g`: the primary group of the login.
    Group,
    /// `%H`: the server's address.
    VhostIp,
    /// `%h`: the client's name.
    RemoteHost,
    /// `%I`: bytes read from the network in the session.
    RawIn,
    /// `%J`: the command's arguments.
    CmdParams,
    /// `%L`: our address on the connection.
    LocalIp,
    /// `%l`: the RFC 1413 identity.
    Ident,
    /// `%m`: the command's verb.
    Method,
    /// `%O`: bytes written to the network in the session.
    RawOut,
    /// `%p`: the server's port.
    LocalPort,
    /// `%P`: the process id.
    Pid,
    /// `%R`: milliseconds the command took.
    ResponseMs,
    /// `%r`: the full command line.
    Command,
    /// `%s`: the reply code.
    ResponseCode,
    /// `%S`: the reply text.
    ResponseStr,
    /// `%T`: seconds the transfer took.
    Seconds,
    /// `%t` or `%{fmt}t`: the local time (CLF form, or an strftime format).
    Time(Option<String>),
    /// `%U`: the name sent with USER.
    OrigUser,
    /// `%u`: the logged-in user.
    User,
    /// `%V`: the server's DNS name.
    LocalFqdn,
    /// `%v`: the `ServerName`.
    LocalName,
    /// `%w`: the RNFR path of an RNTO.
    RenameFrom,
    /// `%{epoch}`.
    Epoch,
    /// `%{file-modified}`.
    FileModified,
    /// `%{file-offset}`.
    FileOffset,
    /// `%{file-size}`.
    FileSize,
    /// `%{gid}`.
    Gid,
    /// `%{iso8601}`.
    Iso8601,
    /// `%{microsecs}`.
    Microsecs,
    /// `%{millisecs}`.
    Millisecs,
    /// `%{note:KEY}`.
    Note(String),
    /// `%{protocol}`.
    Protocol,
    /// `%{remote-port}`.
    RemotePort,
    /// `%{transfer-failure}`.
    XferFailure,
    /// `%{transfer-millisecs}`.
    XferMs,
    /// `%{transfer-port}`.
    XferPort,
    /// `%{transfer-status}`.
    XferStatus,
    /// `%{transfer-type}`.
    XferType,
    /// `%{uid}`.
    Uid,
    /// `%{version}`.
    Version,
}

/// A piece of a format: literal text or a variable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    /// Text written as is.
    Text(String),
    /// A variable resolved per line.
    Var(Var),
}

/// A parsed `LogFormat`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Format {
    /// Its pieces, in order.
    pub parts: Vec<Part>,
    /// `%{json}` was in it: lines are JSON objects of the variables.
    pub json: bool,
}

/// ProFTPD's default format (`"%h %l %u %t \"%r\" %s %b"`).
pub const DEFAULT: &str = "%h %l %u %t \"%r\" %s %b";

/// The variables `%{json}` alone logs.
pub const JSON_ALL: &str = "%{iso8601} %a %{remote-port} %h %l %U %u %{protocol} %v %L %p %m %J %r %s %S %R %f %F %b %{transfer-status} %{transfer-failure} %{transfer-type} %{transfer-millisecs} %c %P";

fn short(c: char) -> Option<Var> {
    Some(match c {
        'A' => Var::AnonPass,
        'D' => Var::DirPath,
        'E' => Var::EosReason,
        'F' => Var::XferPath,
        'H' => Var::VhostIp,
        'I' => Var::RawIn,
        'J' => Var::CmdParams,
        'L' => Var::LocalIp,
        'O' => Var::RawOut,
        'P' => Var::Pid,
        'R' => Var::ResponseMs,
        'S' => Var::ResponseStr,
        'T' => Var::Seconds,
        'U' => Var::OrigUser,
        'V' => Var::LocalFqdn,
        'a' => Var::RemoteIp,
        'b' => Var::BytesSent,
        'c' => Var::Class,
        'd' => Var::DirName,
        'f' => Var::Filename,
        'g' => Var::Group,
        'h' => Var::RemoteHost,
        'l' => Var::Ident,
        'm' => Var::Method,
        'p' => Var::LocalPort,
        'r' => Var::Command,
        's' => Var::ResponseCode,
        't' => Var::Time(None),
        'u' => Var::User,
        'v' => Var::LocalName,
        'w' => Var::RenameFrom,
        _ => return None,
    })
}

fn long(name: &str) -> Option<Var> {
    Some(match name {
        "basename" => Var::Basename,
        "epoch" => Var::Epoch,
        "file-modified" => Var::FileModified,
        "file-offset" => Var::FileOffset,
        "file-size" => Var::FileSize,
        "gid" => Var::Gid,
        "microsecs" => Var::Microsecs,
        "millisecs" => Var::Millisecs,
        "protocol" => Var::Protocol,
        "remote-port" => Var::RemotePort,
        "transfer-failure" => Var::XferFailure,
        "transfer-millisecs" => Var::XferMs,
        "transfer-port" => Var::XferPort,
        "transfer-status" => Var::XferStatus,
        "transfer-type" => Var::XferType,
        "uid" => Var::Uid,
        "version" => Var::Version,
        _ if name.eq_ignore_ascii_case("iso8601") => Var::Iso8601,
        _ => {
            if let Some(v) = name.strip_prefix("env:") {
                Var::Env(v.to_string())
            } else if let Some(v) = name.strip_prefix("note:") {
                Var::Note(v.to_string())
            } else if let Some(v) = name.strip_prefix("time:") {
                Var::Time(Some(v.to_string()))
            } else {
                return None;
            }
        }
    })
}

impl Format {
    /// Parses a format string.
    pub fn parse(text: &str) -> Format {
        let mut parts = Vec::new();
        let mut json = false;
        let mut lit = String::new();
        let mut rest = text;
        let push_var = |parts: &mut Vec<Part>, lit: &mut String, v: Var| {
            if !lit.is_empty() {
                parts.push(Part::Text(std::mem::take(lit)));
            }
            parts.push(Part::Var(v));
        };
        while let Some(i) = rest.find('%') {
            lit.push_str(&rest[..i]);
            let after = &rest[i + 1..];
            let mut chars = after.chars();
            match chars.next() {
                Some(c) if short(c).is_some() => {
                    if let Some(v) = short(c) {
                        push_var(&mut parts, &mut lit, v);
                    }
                    rest = &after[c.len_utf8()..];
                }
                Some('{') => match after.find('}') {
                    Some(end) => {
                        let name = &after[1..end];
                        let tail = &after[end + 1..];
                        if name == "json" {
                            json = true;
                            rest = tail;
                        } else if let Some(v) = long(name) {
                            push_var(&mut parts, &mut lit, v);
                            rest = tail;
                        } else if let Some(after_e) = tail.strip_prefix('e') {
                            push_var(&mut parts, &mut lit, Var::Env(name.to_string()));
                            rest = after_e;
                        } else if let Some(after_t) = tail.strip_prefix('t') {
                            push_var(&mut parts, &mut lit, Var::Time(Some(name.to_string())));
                            rest = after_t;
                        } else {
                            // An unknown `%{word}` stands for the word (jot's on_unknown).
                            lit.push_str(name);
                            rest = tail;
                        }
                    }
                    None => {
                        lit.push('%');
                        rest = after;
                    }
                },
                _ => {
                    lit.push('%');
                    rest = after;
                }
            }
        }
        lit.push_str(rest);
        if !lit.is_empty() {
            parts.push(Part::Text(lit));
        }
        if json && !parts.iter().any(|p| matches!(p, Part::Var(_))) {
            return Format {
                json,
                ..Format::parse(JSON_ALL)
            };
        }
        Format { parts, json }
    }

    /// The variables of the format, in order.
    pub fn vars(&self) -> impl Iterator<Item = &Var> {
        self.parts.iter().filter_map(|p| match p {
            Part::Var(v) => Some(v),
            Part::Text(_) => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{Format, Part, Var};

    #[test]
    fn parses_short_long_and_odd_forms() {
        let f = Format::parse("%h %{env:HOME} %{%Y}t %{FOO}e %{bogus} 100%% %z %{note:k}");
        assert!(!f.json);
        let vars: Vec<&Var> = f.vars().collect();
        assert_eq!(
            vars,
            [
                &Var::RemoteHost,
                &Var::Env("HOME".into()),
                &Var::Time(Some("%Y".into())),
                &Var::Env("FOO".into()),
                &Var::Note("k".into()),
            ]
        );
        assert!(f.parts.contains(&Part::Text(" bogus 100%% %z ".into())));
    }

    #[test]
    fn json_marker() {
        let f = Format::parse("%{json}%a %u");
        assert!(f.json);
        assert_eq!(f.vars().count(), 2);
        let all = Format::parse("%{json}");
        assert!(all.json && all.vars().count() > 20);
    }
}
