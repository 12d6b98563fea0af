//! The exporter: an HTTP listener answering `GET /metrics` (any path, as mod_prometheus
//! answers) with the registry, with HTTP basic authentication when `PrometheusExporter`
//! names a user and password. HTTP is hyper's; this file only routes and checks.

use std::convert::Infallible;
use std::net::{IpAddr, Ipv6Addr, SocketAddr, TcpListener};
use std::sync::Mutex;

use base64::Engine as _;
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;

/// mod_prometheus's default port.
pub const DEFAULT_PORT: u16 = 9273;

/// Parses `address[:port]` (`[v6]:port` for IPv6; a bare port means every address, as
/// mod_prometheus's oldest form).
pub fn parse_address(text: &str) -> Result<SocketAddr, String> {
    if let Ok(port) = text.parse::<u16>() {
        if port == 0 {
            return Err("port must be between 1-65535".to_string());
        }
        return Ok(SocketAddr::new(IpAddr::V6(Ipv6Addr::UNSPECIFIED), port));
    }
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return if addr.port() == 0 {
            Err("port must be between 1-65535".to_string())
        } else {
            Ok(addr)
        };
    }
    let bare = text.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, DEFAULT_PORT));
    }
    Err(format!(
        "'{text}' is not an address[:port] (names are not resolved: give an IP address)"
    ))
}

/// Where and how the exporter listens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exporter {
    /// The listening address.
    pub addr: SocketAddr,
    /// `user:password` for HTTP basic authentication, if configured.
    pub credentials: Option<(String, String)>,
}

/// The exporter's socket, bound as root by `open` and served by `start`; one per process,
/// kept across reloads that leave the address alone.
pub struct Running {
    /// Its configuration.
    pub exporter: Exporter,
    /// The bound socket, until the serving task takes it.
    pub pending: Option<TcpListener>,
    /// The serving task, once started.
    pub task: Option<tokio::task::JoinHandle<()>>,
}

/// The process's exporter.
pub static RUNNING: Mutex<Option<Running>> = Mutex::new(None);

/// Binds the exporter's socket (as root, before privileges drop), unless one is already
/// bound to the same address.
pub fn bind(exporter: &Exporter) -> std::io::Result<()> {
    let mut running = RUNNING.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(r) = running.as_mut()
        && r.exporter.addr == exporter.addr
    {
        r.exporter = exporter.clone();
        return Ok(());
    }
    if let Some(task) = running.take().and_then(|r| r.task) {
        task.abort();
    }
    let listener = TcpListener::bind(exporter.addr)?;
    listener.set_nonblocking(true)?;
    *running = Some(Running {
        exporter: exporter.clone(),
        pending: Some(listener),
        task: None,
    });
    Ok(())
}

/// Stops the exporter (the configuration turned it off).
pub fn stop() {
    let mut running = RUNNING.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(task) = running.take().and_then(|r| r.task) {
        task.abort();
    }
}

/// Starts serving the bound socket on the runtime, if it is not served yet.
pub fn serve() {
    let mut running = RUNNING.lock().unwrap_or_else(|p| p.into_inner());
    let Some(r) = running.as_mut() else {
        return;
    };
    let Some(listener) = r.pending.take() else {
        return;
    };
    let listener = match tokio::net::TcpListener::from_std(listener) {
        Ok(l) => l,
        Err(e) => {
            crate::log(&format!("unable to serve the exporter socket: {e}"));
            return;
        }
    };
    crate::log(&format!("exporter listening on {}", r.exporter.addr));
    r.task = Some(tokio::spawn(accept(listener)));
}

async fn accept(listener: tokio::net::TcpListener) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                crate::log(&format!("exporter: accept: {e}"));
                continue;
            }
        };
        tokio::spawn(async move {
            let service = hyper::service::service_fn(answer);
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// Answers one scrape.
async fn answer(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let credentials = RUNNING
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .as_ref()
        .and_then(|r| r.exporter.credentials.clone());
    Ok(respond(
        req.method(),
        req.headers()
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok()),
        credentials.as_ref(),
    ))
}

/// The response to a request with `method` and `authorization`, given the configured
/// credentials.
pub fn respond(
    method: &Method,
    authorization: Option<&str>,
    credentials: Option<&(String, String)>,
) -> Response<Full<Bytes>> {
    let reply = |status: StatusCode, body: String| {
        let mut r = Response::new(Full::new(Bytes::from(body)));
        *r.status_mut() = status;
        r
    };
    if let Some((user, password)) = credentials {
        let expected =
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        let given = authorization.and_then(|a| a.strip_prefix("Basic "));
        if given != Some(expected.as_str()) {
            let mut r = reply(StatusCode::UNAUTHORIZED, "Unauthorized\n".to_string());
            if let Ok(v) = "Basic realm=\"proftpd\"".parse() {
                r.headers_mut().insert(WWW_AUTHENTICATE, v);
            }
            return r;
        }
    }
    if method != Method::GET && method != Method::HEAD {
        return reply(
            StatusCode::METHOD_NOT_ALLOWED,
            "Method not allowed\n".to_string(),
        );
    }
    let mut r = reply(StatusCode::OK, crate::metrics::METRICS.encode());
    if let Ok(v) = "text/plain; version=0.0.4; charset=utf-8".parse() {
        r.headers_mut().insert(CONTENT_TYPE, v);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_parse_as_mod_prometheus_takes_them() {
        assert_eq!(
            parse_address("127.0.0.1:19273"),
            Ok("127.0.0.1:19273".parse().expect("literal"))
        );
        assert_eq!(
            parse_address("127.0.0.1"),
            Ok("127.0.0.1:9273".parse().expect("literal"))
        );
        assert_eq!(
            parse_address("[::1]:19273"),
            Ok("[::1]:19273".parse().expect("literal"))
        );
        assert_eq!(
            parse_address("[::]"),
            Ok("[::]:9273".parse().expect("literal"))
        );
        assert_eq!(
            parse_address("19273"),
            Ok("[::]:19273".parse().expect("literal"))
        );
        assert!(parse_address("0").is_err());
        assert!(parse_address("metrics.example").is_err());
    }

    #[test]
    fn basic_authentication_guards_the_metrics() {
        let creds = ("prom".to_string(), "secret".to_string());
        let denied = respond(&Method::GET, None, Some(&creds));
        assert_eq!(denied.status(), StatusCode::UNAUTHORIZED);
        let wrong = respond(&Method::GET, Some("Basic cHJvbTp4"), Some(&creds));
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
        let ok = respond(&Method::GET, Some("Basic cHJvbTpzZWNyZXQ="), Some(&creds));
        assert_eq!(ok.status(), StatusCode::OK);
        assert_eq!(
            respond(&Method::POST, None, None).status(),
            StatusCode::METHOD_NOT_ALLOWED
        );
    }
}
