//! `kick user|host|class [-n max] NAME…`: ends the named sessions, as mod_ctrls_admin's
//! SIGTERM to their processes does (the client sees the connection close, without a reply;
//! the log says `Terminated by signal`).

use crate::module::controls::{ControlFuture, ControlRequest, ControlResponse};
use crate::sessions::{self, Ending, Info};

/// `-n max` and the names after the options (getopt with `POSIXLY_CORRECT`).
fn options(args: &[String], bad_number: &str) -> Result<(Option<usize>, Vec<String>), String> {
    let mut max = None;
    let mut i = 0;
    while let Some(a) = args.get(i) {
        if !a.starts_with('-') || a == "-" {
            break;
        }
        if a == "--" {
            i += 1;
            break;
        }
        let Some(rest) = a.strip_prefix("-n") else {
            let c = a.chars().nth(1).unwrap_or('?');
            return Err(format!("unsupported option: '{c}'"));
        };
        let value = if rest.is_empty() {
            i += 1;
            args.get(i).cloned().unwrap_or_default()
        } else {
            rest.to_string()
        };
        match value.parse::<i64>() {
            Ok(n) if n >= 1 => max = Some(n as usize),
            _ => return Err(format!("{bad_number}: {value}")),
        }
        i += 1;
    }
    Ok((max, args[i.min(args.len())..].to_vec()))
}

/// The handler.
pub fn kick<'a>(req: &'a ControlRequest<'a>) -> ControlFuture<'a> {
    Box::pin(async move {
        if !super::allowed(req) {
            return ControlResponse::access_denied();
        }
        let Some((kind, rest)) = req.args.split_first() else {
            return ControlResponse::error("missing required parameters");
        };
        let (what, missing, bad_number) = match kind.as_str() {
            "user" => (
                "user",
                "kick user: missing required user name(s)",
                "bad number",
            ),
            "host" => ("host", "kick host: missing required host(s)", "bad number"),
            "class" => (
                "class",
                "kick class: missing required class name(s)",
                "bad client number",
            ),
            other => {
                return ControlResponse::error(format!("unknown kick type requested: '{other}'"));
            }
        };
        let (max, names) = match options(rest, bad_number) {
            Ok(o) => o,
            Err(e) => return ControlResponse::error(e),
        };
        if names.is_empty() {
            return ControlResponse::error(missing);
        }
        let ending = Ending {
            reply: None,
            reason: "Terminated by signal".to_string(),
        };
        let mut lines = Vec::new();
        let mut kicked_total = 0usize;
        for name in &names {
            let target = if what == "host" {
                match resolve(name).await {
                    Some(ip) => ip,
                    None => {
                        lines.push(format!("kick host: error resolving '{name}': no such host"));
                        continue;
                    }
                }
            } else {
                name.clone()
            };
            let left = max.map(|m| m.saturating_sub(kicked_total));
            if left == Some(0) {
                lines.push(format!("{what} '{target}' not connected"));
                continue;
            }
            let pick = |i: &Info| match what {
                "user" => i.user.as_deref() == Some(target.as_str()),
                "host" => i.peer.is_some_and(|p| plain_ip(p.ip()) == target),
                _ => i.class.as_deref() == Some(target.as_str()),
            };
            let n = sessions::end_where(pick, left, &ending);
            kicked_total += n;
            if n == 0 {
                lines.push(format!("{what} '{target}' not connected"));
            } else {
                let text = match max {
                    Some(m) => format!("kicked {what} '{target}' ({m} clients)"),
                    None => format!("kicked {what} '{target}'"),
                };
                tracing::debug!("mod_ctrls_admin/0.9.9: {text}");
                super::log(req, &text);
                lines.push(text);
            }
        }
        ControlResponse::ok(lines)
    })
}

fn plain_ip(ip: std::net::IpAddr) -> String {
    match ip {
        std::net::IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map_or_else(|| v6.to_string(), |v4| v4.to_string()),
        v4 => v4.to_string(),
    }
}

/// The address a host name or address stands for, as text.
async fn resolve(name: &str) -> Option<String> {
    if let Ok(ip) = name.parse::<std::net::IpAddr>() {
        return Some(plain_ip(ip));
    }
    let mut addrs = tokio::net::lookup_host((name, 0)).await.ok()?;
    addrs.next().map(|a| plain_ip(a.ip()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn options_are_read_as_getopt_reads_them() {
        assert_eq!(
            options(&words("-n 2 bob"), "bad number"),
            Ok((Some(2), words("bob")))
        );
        assert_eq!(options(&words("-n3 a b"), "x"), Ok((Some(3), words("a b"))));
        assert_eq!(
            options(&words("bob -n 2"), "x"),
            Ok((None, words("bob -n 2")))
        );
        assert_eq!(
            options(&words("-n 0 bob"), "bad number"),
            Err("bad number: 0".to_string())
        );
        assert_eq!(
            options(&words("-x bob"), "x"),
            Err("unsupported option: 'x'".to_string())
        );
    }
}
