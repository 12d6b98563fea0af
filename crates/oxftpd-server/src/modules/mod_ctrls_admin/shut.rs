//! `shut`: a shutdown of one vhost or of all, as `oxftpctl shut` sets it (ftpshut's times,
//! kept in the running daemon instead of `/etc/shutmsg`):
//!
//! ```text
//! shut set VHOST|all AT DENY DISCONNECT|never WORD…   (unix seconds; the message's words)
//! shut cancel VHOST|all
//! shut list [json]
//! ```
//!
//! From DENY on, new connections to the vhost are refused with ftpshut's
//! `500 FTP server shut down (MESSAGE) -- please try again later` (and logins moved there by
//! `HOST` with `530`); from DISCONNECT on, its running sessions are told
//! `421 FTP server shutting down - MESSAGE` and closed; `never` lets them finish.

use serde_json::json;

use crate::admin::{self, Vhost};
use crate::module::controls::{ControlFuture, ControlRequest, ControlResponse};
use crate::shutmsg::Shutdown;

fn target(word: &str) -> Option<Vhost> {
    (!word.eq_ignore_ascii_case("all")).then(|| Vhost::parse(word))
}

fn shown(v: &Option<Vhost>) -> String {
    v.as_ref()
        .map_or_else(|| "all".to_string(), ToString::to_string)
}

/// The handler.
pub fn shut<'a>(req: &'a ControlRequest<'a>) -> ControlFuture<'a> {
    Box::pin(async move {
        if !super::allowed(req) {
            return ControlResponse::access_denied();
        }
        let args = req.args;
        match args.first().map(String::as_str) {
            Some("set") if args.len() >= 5 => {
                let vhost = target(&args[1]);
                if let Some(v) = &vhost
                    && !req.generation.servers.iter().any(|s| v.names(s))
                {
                    return ControlResponse::error(format!("shut: no such vhost: {v}"));
                }
                let num = |s: &str| s.parse::<i64>().ok();
                let (Some(at), Some(deny)) = (num(&args[2]), num(&args[3])) else {
                    return ControlResponse::error("shut: times must be unix seconds");
                };
                let disconnect = if args[4] == "never" {
                    i64::MAX
                } else {
                    match num(&args[4]) {
                        Some(d) => d,
                        None => return ControlResponse::error("shut: times must be unix seconds"),
                    }
                };
                let message = if args.len() > 5 {
                    args[5..].join(" ")
                } else {
                    "going down at %s".to_string()
                };
                let text = format!("shut: {} shuts down at {at}", shown(&vhost));
                super::log(req, &text);
                tracing::info!("{text} (logins refused from {deny})");
                admin::shut(
                    vhost,
                    Shutdown {
                        at,
                        deny,
                        disconnect,
                        message,
                    },
                );
                ControlResponse::ok(vec![text])
            }
            Some("cancel") if args.len() == 2 => {
                let vhost = target(&args[1]);
                let n = admin::cancel(vhost.as_ref());
                let text = if n == 0 {
                    format!("shut: no shutdown of {} to cancel", shown(&vhost))
                } else {
                    format!("shut: shutdown of {} cancelled", shown(&vhost))
                };
                super::log(req, &text);
                ControlResponse::ok(vec![text])
            }
            Some("list") => {
                let shuts = admin::shuts();
                if args.get(1).is_some_and(|a| a == "json") {
                    let lines = shuts
                        .iter()
                        .map(|(v, s)| {
                            json!({
                                "vhost": v.as_ref().map(ToString::to_string),
                                "at": s.at,
                                "deny": s.deny,
                                "disconnect": (s.disconnect != i64::MAX).then_some(s.disconnect),
                                "message": s.message,
                            })
                            .to_string()
                        })
                        .collect();
                    return ControlResponse {
                        raw: true,
                        ..ControlResponse::ok(lines)
                    };
                }
                if shuts.is_empty() {
                    return ControlResponse::ok(vec!["shut: no shutdown set".to_string()]);
                }
                ControlResponse::ok(
                    shuts
                        .iter()
                        .map(|(v, s)| {
                            format!(
                                "shut: {} at {} (deny {}, disconnect {}): {}",
                                shown(v),
                                s.at,
                                s.deny,
                                if s.disconnect == i64::MAX {
                                    "never".to_string()
                                } else {
                                    s.disconnect.to_string()
                                },
                                s.message
                            )
                        })
                        .collect(),
                )
            }
            _ => ControlResponse::error(
                "shut: usage: shut set VHOST|all AT DENY DISCONNECT|never [MESSAGE] | \
                 shut cancel VHOST|all | shut list [json]",
            ),
        }
    })
}
