//! `status`, `up` and `down`: the address#port pairs the servers listen on, and turning one
//! away (`down`: new connections there are closed without a greeting, running sessions go
//! on) or back (`up`). ProFTPD's texts.

use std::net::{IpAddr, SocketAddr};

use crate::admin;
use crate::module::controls::{ControlFuture, ControlRequest, ControlResponse};

/// Every address#port of the configuration, in server order.
fn binds(req: &ControlRequest<'_>) -> Vec<SocketAddr> {
    let mut out = Vec::new();
    for s in &req.generation.servers {
        let s = &s.settings;
        if s.port == 0 {
            continue;
        }
        for ip in &s.addresses {
            let a = SocketAddr::new(*ip, s.port);
            if !out.contains(&a) {
                out.push(a);
            }
        }
    }
    out
}

/// `ADDR[#PORT]` (port 21 by default), names resolved: the addresses it stands for.
async fn parse(text: &str) -> Result<Vec<SocketAddr>, (String, u16)> {
    let (host, port) = match text.rsplit_once('#') {
        Some((h, p)) => (h, p.parse().unwrap_or(0)),
        None => (text, 21),
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    match tokio::net::lookup_host((host, port)).await {
        Ok(addrs) => {
            let mut v: Vec<SocketAddr> = addrs.collect();
            v.dedup();
            if v.is_empty() {
                Err((host.to_string(), port))
            } else {
                Ok(v)
            }
        }
        Err(_) => Err((host.to_string(), port)),
    }
}

fn state(a: SocketAddr) -> &'static str {
    if admin::is_down(a) { "DOWN" } else { "UP" }
}

fn shown(a: SocketAddr) -> String {
    format!("{}#{}", a.ip(), a.port())
}

/// `status all|ADDR[#PORT]…`.
pub fn status<'a>(req: &'a ControlRequest<'a>) -> ControlFuture<'a> {
    Box::pin(async move {
        if !super::allowed(req) {
            return ControlResponse::access_denied();
        }
        if req.args.is_empty() {
            return ControlResponse::error("status: missing required parameters");
        }
        let all = binds(req);
        let mut lines = Vec::new();
        for arg in req.args {
            if arg.eq_ignore_ascii_case("all") {
                super::log(req, "status: checking all servers");
                lines.extend(
                    all.iter()
                        .map(|a| format!("status: {} {}", shown(*a), state(*a))),
                );
                return ControlResponse::ok(lines);
            }
            match parse(arg).await {
                Err((h, p)) => lines.push(format!("status: no such server: {h}#{p}")),
                Ok(addrs) => {
                    for a in addrs {
                        super::log(req, &format!("status: checking {}", shown(a)));
                        if all.contains(&a) {
                            lines.push(format!("status: {} {}", shown(a), state(a)));
                        } else {
                            lines.push(format!("status: no server associated with {}", shown(a)));
                        }
                    }
                }
            }
        }
        ControlResponse::ok(lines)
    })
}

/// `down all|ADDR[#PORT]…`.
pub fn down<'a>(req: &'a ControlRequest<'a>) -> ControlFuture<'a> {
    Box::pin(async move {
        if !super::allowed(req) {
            return ControlResponse::access_denied();
        }
        if req.args.is_empty() {
            return ControlResponse::error("down: missing required parameters");
        }
        let all = binds(req);
        let mut lines = Vec::new();
        for arg in req.args {
            if arg.eq_ignore_ascii_case("all") {
                for a in &all {
                    admin::set_down(*a, true);
                }
                super::log(req, "down: all servers disabled");
                return ControlResponse::ok(vec!["down: all servers disabled".to_string()]);
            }
            match parse(arg).await {
                Err((h, p)) => lines.push(format!("down: no such server: {h}#{p}")),
                Ok(addrs) => {
                    for a in addrs {
                        super::log(req, &format!("down: disabling {}", shown(a)));
                        lines.push(if !all.contains(&a) {
                            format!("down: no such server: {}", shown(a))
                        } else if admin::set_down(a, true) {
                            format!("down: {} disabled", shown(a))
                        } else {
                            format!("down: {} already disabled", shown(a))
                        });
                    }
                }
            }
        }
        ControlResponse::ok(lines)
    })
}

/// `up ADDR[#PORT]…`.
pub fn up<'a>(req: &'a ControlRequest<'a>) -> ControlFuture<'a> {
    Box::pin(async move {
        if !super::allowed(req) {
            return ControlResponse::access_denied();
        }
        if req.args.is_empty() {
            return ControlResponse::error("up: missing required parameters");
        }
        let all = binds(req);
        let mut lines = Vec::new();
        for arg in req.args {
            let addrs = match parse(arg).await {
                Ok(a) => a,
                Err((h, _)) => {
                    lines.push(format!("up: unable to resolve address for '{h}'"));
                    return ControlResponse {
                        status: -1,
                        lines,
                        ..Default::default()
                    };
                }
            };
            for a in addrs {
                if !all.contains(&a) {
                    lines.push(format!("up: no server associated with {}", shown(a)));
                    return ControlResponse {
                        status: -1,
                        lines,
                        ..Default::default()
                    };
                }
                super::log(req, &format!("up: attempting to enable {}", shown(a)));
                lines.push(if admin::set_down(a, false) {
                    format!("up: {} enabled", shown(a))
                } else {
                    format!("up: {} already enabled", shown(a))
                });
            }
        }
        ControlResponse::ok(lines)
    })
}
