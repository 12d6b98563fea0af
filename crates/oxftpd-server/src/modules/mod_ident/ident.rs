//! `IdentLookups` (ProFTPD's mod_ident): an RFC 1413 query to the client's ident server at
//! connect, whose answer `%u` shows (and the TransferLog's authenticated-user field).
//!
//! RFC 1413 section 3: the server connects to TCP port 113 of the client and sends
//! `<port-on-server> , <port-on-client>` — the ports as the *ident server* sees them, i.e. the
//! client's port first, then ours — and reads one line:
//! `ports : USERID : opsys : user-id` or `ports : ERROR : error-type`.
//! mod_ident connects from the control connection's local address, waits at most 10 seconds
//! (its compiled-in PR_TUNABLE_TIMEOUTIDENT; 1.3.8 has no directive for it), keeps `USERID`'s
//! user id, turns `ERROR : HIDDEN-USER` into `HIDDEN-USER`, and anything else into `UNKNOWN`.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpSocket;

/// What `%u` shows when the lookup gave nothing.
pub use crate::session::UNKNOWN_IDENT as UNKNOWN;

/// How long one lookup may take (mod_ident's compiled-in timeout).
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// The RFC 1413 port.
const IDENT_PORT: u16 = 113;

/// Longest reply line read (mod_ident reads into a 256-byte buffer).
const MAX_LINE: u64 = 256;

/// Asks the client's ident server who owns the connection `local`↔`peer`; `UNKNOWN` when it
/// does not answer usefully within [`TIMEOUT`]. Only this session waits.
pub async fn lookup(local: SocketAddr, peer: SocketAddr) -> String {
    match tokio::time::timeout(TIMEOUT, query(local, peer)).await {
        Ok(Some(user)) => user,
        _ => UNKNOWN.to_string(),
    }
}

async fn query(local: SocketAddr, peer: SocketAddr) -> Option<String> {
    let socket = if local.is_ipv4() {
        TcpSocket::new_v4()
    } else {
        TcpSocket::new_v6()
    }
    .ok()?;
    socket.bind(SocketAddr::new(local.ip(), 0)).ok()?;
    let stream = socket
        .connect(SocketAddr::new(peer.ip(), IDENT_PORT))
        .await
        .map_err(|e| tracing::debug!(%peer, "ident connect failed: {e}"))
        .ok()?;
    let (read, mut write) = stream.into_split();
    let request = format!("{}, {}\r\n", peer.port(), local.port());
    write.write_all(request.as_bytes()).await.ok()?;
    let mut line = Vec::new();
    let mut reader = tokio::io::AsyncReadExt::take(BufReader::new(read), MAX_LINE);
    reader.read_until(b'\n', &mut line).await.ok()?;
    let text = String::from_utf8_lossy(&line);
    tracing::debug!(%peer, "ident reply: {}", text.trim_end());
    parse_reply(&text)
}

/// The identity in one RFC 1413 reply line, as mod_ident keeps it: the `USERID` user id
/// (control characters and blanks made `_`, so logs stay one line per record), or
/// `HIDDEN-USER` for that error; `None` for anything else.
pub fn parse_reply(line: &str) -> Option<String> {
    let line = line.trim_end_matches(['\r', '\n']);
    let (_ports, rest) = line.split_once(':')?;
    let (kind, rest) = match rest.split_once(':') {
        Some((k, r)) => (k, Some(r)),
        None => (rest, None),
    };
    let kind = kind.trim_matches([' ', '\t']);
    if kind.eq_ignore_ascii_case("ERROR") {
        let error = rest?.trim_matches([' ', '\t']);
        return error
            .eq_ignore_ascii_case("HIDDEN-USER")
            .then(|| "HIDDEN-USER".to_string());
    }
    if !kind.eq_ignore_ascii_case("USERID") {
        return None;
    }
    // `opsys[,charset] : user-id`; the user id may itself contain colons.
    let (_opsys, user) = rest?.split_once(':')?;
    let user = user
        .trim_start_matches([' ', '\t'])
        .trim_end_matches([' ', '\t']);
    if user.is_empty() {
        return None;
    }
    Some(
        user.chars()
            .map(|c| {
                if c.is_control() || c.is_whitespace() {
                    '_'
                } else {
                    c
                }
            })
            .collect(),
    )
}

/// The connect phase: the RFC 1413 lookup when `IdentLookups on`.
pub fn on_connect(ctx: &mut crate::session::Ctx) -> crate::module::connect::ConnectFuture<'_> {
    Box::pin(async move {
        if crate::access::conditions::connect_cfg(ctx).ident.lookups {
            ctx.ident = Some(lookup(ctx.local, ctx.peer).await);
        }
        crate::module::Connected::Continue
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userid_reply_gives_the_user() {
        assert_eq!(
            parse_reply("6193, 23 : USERID : UNIX : stjohns\r\n").as_deref(),
            Some("stjohns")
        );
    }

    #[test]
    fn user_id_keeps_inner_colons_and_loses_outer_blanks() {
        assert_eq!(
            parse_reply("1,2:USERID:UNIX,US-ASCII:  a:b \t\r\n").as_deref(),
            Some("a:b")
        );
    }

    #[test]
    fn hidden_user_error_is_kept_other_errors_are_not() {
        assert_eq!(
            parse_reply("1, 2 : ERROR : HIDDEN-USER\r\n").as_deref(),
            Some("HIDDEN-USER")
        );
        assert_eq!(parse_reply("1, 2 : ERROR : NO-USER\r\n"), None);
        assert_eq!(parse_reply("garbage"), None);
        assert_eq!(parse_reply("1, 2 : USERID : UNIX :   \r\n"), None);
    }

    #[test]
    fn control_characters_cannot_split_a_log_line() {
        assert_eq!(
            parse_reply("1, 2 : USERID : UNIX : ev il\x1bx\r\n").as_deref(),
            Some("ev_il_x")
        );
    }
}
