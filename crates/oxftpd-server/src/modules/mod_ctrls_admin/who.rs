//! `who [json] [VHOST]` and `count [json]`: the sessions of this process, per vhost (what
//! `ftpwho` cannot tell apart) and per `<Class>`, for `oxftpctl who` and `oxftpctl count`
//! (`json`: one JSON object per line) and for people with `ftpdctl`.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::admin::Vhost;
use crate::module::controls::{ControlFuture, ControlRequest, ControlResponse};
use crate::sessions::{self, Info};

fn now() -> i64 {
    crate::shutmsg::now()
}

/// One session as a JSON object.
pub fn to_json(i: &Info, now_ms: i64) -> Value {
    let now = now_ms / 1000;
    json!({
        "id": i.id,
        "user": i.user,
        "address": i.peer.map(|p| p.ip().to_string()),
        "port": i.peer.map(|p| p.port()),
        "client_name": i.client_name,
        "vhost": i.vhost,
        "server": i.local.map(|l| l.to_string()),
        "class": i.class,
        "protocol": i.protocol,
        "connected": i.connected,
        "login": i.login,
        "idle": if i.command == "idle" { now.saturating_sub(i.idle_since) } else { 0 },
        "command": i.command,
        "argument": i.argument,
        "cwd": i.cwd,
        "transfer": i.transfer.as_ref().map(|t| json!({
            "direction": t.direction,
            "path": t.path,
            "size": t.size,
            "done": t.done,
            "percent": t.percent(),
            "rate": t.rate(),
            "started_ms": t.started_ms,
            "elapsed_ms": now_ms.saturating_sub(t.started_ms),
        })),
    })
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn hms(secs: i64) -> String {
    let secs = secs.max(0);
    if secs >= 3600 {
        format!("{}h{:02}m", secs / 3600, secs % 3600 / 60)
    } else {
        format!("{}m{}s", secs / 60, secs % 60)
    }
}

/// One session as a line for people.
fn to_line(i: &Info) -> String {
    let now = now();
    let addr = i.peer.map(|p| p.ip().to_string()).unwrap_or_default();
    let mut what = if i.command == "idle" {
        format!("idle {}", hms(now - i.idle_since))
    } else if i.argument.is_empty() {
        i.command.clone()
    } else {
        format!("{} {}", i.command, i.argument)
    };
    if let Some(t) = &i.transfer {
        what.push_str(&format!(" ({} bytes", t.done));
        if let Some(p) = t.percent() {
            what.push_str(&format!(", {p}%"));
        }
        if let Some(r) = t.rate() {
            what.push_str(&format!(", {:.2} KB/s", r as f64 / 1024.0));
        }
        what.push(')');
    }
    format!(
        "{:<8} {addr} [{}] up {} {what} in {}",
        i.user.as_deref().unwrap_or("(none)"),
        i.vhost,
        hms(now - i.connected),
        if i.cwd.is_empty() { "-" } else { &i.cwd },
    )
}

/// `json` and a vhost selector among the arguments.
fn read_args(args: &[String]) -> (bool, Option<Vhost>) {
    let json = args.iter().any(|a| a == "json");
    let vhost = args.iter().find(|a| *a != "json").map(|a| Vhost::parse(a));
    (json, vhost)
}

/// The handler of `who`.
pub fn who<'a>(req: &'a ControlRequest<'a>) -> ControlFuture<'a> {
    Box::pin(async move {
        if !super::allowed(req) {
            return ControlResponse::access_denied();
        }
        let (json, vhost) = read_args(req.args);
        let list: Vec<Info> = sessions::list()
            .into_iter()
            .filter(|i| vhost.as_ref().is_none_or(|v| v.covers(&i.vhost, i.local)))
            .collect();
        if json {
            let ms = now_ms();
            return ControlResponse {
                raw: true,
                ..ControlResponse::ok(list.iter().map(|i| to_json(i, ms).to_string()).collect())
            };
        }
        if list.is_empty() {
            return ControlResponse::ok(vec!["no sessions".to_string()]);
        }
        ControlResponse::ok(list.iter().map(to_line).collect())
    })
}

/// The handler of `count`: sessions and logged-in users per vhost (every vhost of the
/// configuration, with its zeros) and per class.
pub fn count<'a>(req: &'a ControlRequest<'a>) -> ControlFuture<'a> {
    Box::pin(async move {
        if !super::allowed(req) {
            return ControlResponse::access_denied();
        }
        let (json, _) = read_args(req.args);
        let list = sessions::list();
        let mut vhosts: BTreeMap<String, (usize, usize)> = req
            .generation
            .servers
            .iter()
            .map(|s| (s.settings.name.clone(), (0, 0)))
            .collect();
        let mut classes: BTreeMap<String, usize> = BTreeMap::new();
        for i in &list {
            let e = vhosts.entry(i.vhost.clone()).or_default();
            e.0 += 1;
            e.1 += usize::from(i.user.is_some());
            *classes
                .entry(i.class.clone().unwrap_or_else(|| "(none)".to_string()))
                .or_default() += 1;
        }
        if json {
            let v = json!({
                "sessions": list.len(),
                "users": list.iter().filter(|i| i.user.is_some()).count(),
                "vhosts": vhosts.iter().map(|(k, (s, u))| (k.clone(), json!({"sessions": s, "users": u}))).collect::<serde_json::Map<_, _>>(),
                "classes": classes,
            });
            return ControlResponse {
                raw: true,
                ..ControlResponse::ok(vec![v.to_string()])
            };
        }
        let mut lines: Vec<String> = vhosts
            .iter()
            .map(|(k, (s, u))| format!("vhost {k}: {s} sessions, {u} logged in"))
            .collect();
        lines.extend(
            classes
                .iter()
                .map(|(k, n)| format!("class {k}: {n} sessions")),
        );
        lines.push(format!("total: {} sessions", list.len()));
        ControlResponse::ok(lines)
    })
}
