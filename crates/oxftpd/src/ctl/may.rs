//! `oxftpctl check --user NAME --command VERB --path PATH [--vhost V] [--from ADDR]`: "may alice
//! STOR in /incoming?", answered from the configuration alone, as a login of that user from
//! that address would be judged: the vhost, the user as the `AuthOrder` chain knows them
//! (`UserAlias` and `<Anonymous>` followed), their session root (`DefaultRoot` or the
//! `<Anonymous>` root), their `<Class>`, whether `<Limit LOGIN>` lets them in, what `<Limit>`
//! says of the command on the path (and which block said it, with file and line), and the
//! directives in force there with where each was written.

use std::collections::BTreeSet;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use anyhow::{Context, Result, anyhow};
use oxftpd_config::{ContextRef, Scope};
use oxftpd_server::access::conditions::{Facts, matches};
use oxftpd_server::access::limit::{self, Outcome, Subject};
use oxftpd_server::context::{Generation, ServerCtx};
use oxftpd_server::modules::mod_auth::login;
use serde_json::{Value, json};

/// What is asked.
#[derive(Debug, Clone)]
pub struct Question {
    /// The vhost (its ServerName, or ADDRESS[#PORT]); the main server when none.
    pub vhost: Option<String>,
    /// The login name.
    pub user: String,
    /// The FTP command (`STOR`, `RETR`, `MKD`, `SITE_CHMOD`, …).
    pub command: String,
    /// The path, as the client names it after login.
    pub path: String,
    /// The client's address.
    pub from: IpAddr,
}

/// The server a vhost selector names.
fn server_for<'g>(g: &'g Generation, vhost: Option<&str>) -> Result<&'g Arc<ServerCtx>> {
    let Some(text) = vhost else {
        return g.servers.first().ok_or_else(|| anyhow!("no server"));
    };
    let sel = oxftpd_server::admin::Vhost::parse(text);
    g.servers
        .iter()
        .find(|s| {
            sel.covers(&s.settings.name, None)
                || s.settings.addresses.iter().any(|a| {
                    sel.covers(&s.settings.name, Some(SocketAddr::new(*a, s.settings.port)))
                })
        })
        .ok_or_else(|| anyhow!("no vhost {text} in the configuration"))
}

/// Where a level of the scope was written, for people.
fn context_name(c: &ContextRef<'_>) -> String {
    match c {
        ContextRef::Directory(d) => format!("<Directory {}>", d.written),
        ContextRef::Anonymous(a) => format!("<Anonymous {}>", a.root()),
        ContextRef::Server(_) => "server".to_string(),
        ContextRef::Global(_) => "<Global>".to_string(),
        ContextRef::Conditional(c) => format!("<If{:?} {}>", c.kind, c.args.join(" ")),
        ContextRef::Override(_) => ".ftpaccess".to_string(),
    }
}

/// The directives in force in `scope`: for each name, its occurrences at the most specific
/// level that has it.
fn settings(scope: &Scope<'_>) -> Vec<Value> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for level in scope.levels() {
        let here: BTreeSet<&str> = level
            .block()
            .directives
            .iter()
            .map(|d| d.name)
            .filter(|n| !seen.contains(n))
            .collect();
        for d in level
            .block()
            .directives
            .iter()
            .filter(|d| here.contains(d.name))
        {
            out.push(json!({
                "directive": d.name,
                "args": d.args,
                "context": context_name(&level),
                "at": format!("{}:{}", d.file.display(), d.line),
            }));
        }
        seen.extend(here);
    }
    out
}

/// Answers the question; `"allowed"` in the answer says whether the command may run.
pub fn ask(g: &Generation, q: &Question) -> Result<Value> {
    let server = server_for(g, q.vhost.as_deref())?;
    let target = login::target(server, &q.user).map_err(|e| anyhow!("{e}"))?;
    let identity = server
        .auth
        .lookup(&target.user)
        .map_err(|e| anyhow!("{}: {e}", target.user))
        .context("looking the user up through the AuthOrder chain")?;
    let (identity, root) =
        login::session_root(server, &target, identity).map_err(|e| anyhow!("{e}"))?;
    let class = oxftpd_server::access::class::class_for(server.config().classes(), q.from, None);
    let subject = Subject {
        user: Some(&identity.name),
        groups: Some(&identity.group_names),
        class,
        addr: q.from,
        host: None,
        arg: None,
    };
    let login_limit = limit::login_allowed(server.config(), target.anon, &subject);
    let root_refused = identity.uid == 0 && !server.settings.root_login;
    let login_ok = login_limit && !root_refused;
    let vpath =
        oxftpd_proto::path::resolve("/", &q.path).map_err(|e| anyhow!("{}: {e}", q.path))?;
    let real = oxftpd_server::jail::real_of(&root, &vpath);
    let facts = Facts {
        user: Some(&q.user),
        groups: &identity.group_names,
        class,
    };
    let home = identity.home.to_string_lossy().into_owned();
    let auth = &server.auth;
    let resolve = move |name: Option<&str>| match name {
        None => Some(home.clone()),
        Some(n) => auth
            .lookup(n)
            .ok()
            .map(|id| id.home.to_string_lossy().into_owned()),
    };
    let scope = server
        .config()
        .scope(target.anon)
        .with_session(&|c| matches(c, &facts))
        .for_path_with(&real, &resolve);
    let verb = q.command.to_ascii_uppercase();
    let group = limit::group_of(&verb);
    let (outcome, by) = limit::decide_why(&scope, &verb, group, &subject, false);
    let allowed = login_ok && outcome == Outcome::Allowed;
    Ok(json!({
        "vhost": server.settings.name,
        "user": q.user,
        "as": identity.name,
        "uid": identity.uid,
        "gid": identity.gid,
        "groups": identity.group_names,
        "anonymous": target.anon.is_some(),
        "root": root,
        "class": class,
        "from": q.from.to_string(),
        "login": login_ok,
        "login_refused_by": if !login_limit {
            Some("<Limit LOGIN>")
        } else if root_refused {
            Some("RootLogin off")
        } else {
            None
        },
        "command": verb,
        "group": group,
        "path": vpath,
        "real_path": real,
        "limit": match outcome {
            Outcome::Allowed => "allowed",
            Outcome::Denied => "denied",
            Outcome::Hidden => "hidden",
        },
        "decided_by": by.map(|l| json!({
            "limit": l.commands.join(" "),
            "at": format!("{}:{}", l.file.display(), l.line),
        })),
        "allowed": allowed,
        "settings": settings(&scope),
    }))
}

/// The answer for people.
pub fn text(a: &Value) -> String {
    let s = |k: &str| a[k].as_str().unwrap_or_default().to_string();
    let mut out = format!(
        "vhost \"{}\", user {} (as {}, uid {}, gid {}, groups {}){}\n",
        s("vhost"),
        s("user"),
        s("as"),
        a["uid"],
        a["gid"],
        a["groups"]
            .as_array()
            .map(|g| g
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(","))
            .unwrap_or_default(),
        if a["anonymous"] == true {
            ", anonymous"
        } else {
            ""
        }
    );
    out.push_str(&format!(
        "session root {}, class {}\n",
        s("root"),
        a["class"].as_str().unwrap_or("(none)")
    ));
    out.push_str(&format!(
        "LOGIN from {}: {}\n",
        s("from"),
        if a["login"] == true {
            "allowed".to_string()
        } else {
            format!(
                "refused by {}",
                a["login_refused_by"]
                    .as_str()
                    .unwrap_or("the configuration")
            )
        }
    ));
    let by = match a["decided_by"].as_object() {
        Some(b) => format!(
            " by <Limit {}> at {}",
            b["limit"].as_str().unwrap_or_default(),
            b["at"].as_str().unwrap_or_default()
        ),
        None => " (no <Limit> applies)".to_string(),
    };
    out.push_str(&format!(
        "{} {} (real path {}): {}{by}\n",
        s("command"),
        s("path"),
        s("real_path"),
        s("limit")
    ));
    out.push_str(&format!(
        "may {} {} in {}? {}\n",
        s("user"),
        s("command"),
        s("path"),
        if a["allowed"] == true { "yes" } else { "no" }
    ));
    let settings = a["settings"].as_array().cloned().unwrap_or_default();
    if !settings.is_empty() {
        out.push_str("in force there:\n");
        for d in settings {
            let args: Vec<&str> = d["args"]
                .as_array()
                .map(|v| v.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            out.push_str(&format!(
                "  {} {}  ({}, {})\n",
                d["directive"].as_str().unwrap_or_default(),
                args.join(" "),
                d["context"].as_str().unwrap_or_default(),
                d["at"].as_str().unwrap_or_default()
            ));
        }
    }
    out
}
