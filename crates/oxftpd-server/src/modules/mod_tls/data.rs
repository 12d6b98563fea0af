//! Data connections after `PROT P`: the TLS handshake, and the check that the client resumed
//! its control connection's TLS session (so nobody else can steal the data connection).

use rustls::HandshakeKind;
use tokio::net::TcpStream;

use crate::data::failure::DataFailure;
pub use crate::data::stream::{DataStream, Flow};
use crate::modules::mod_tls::log::event;
use crate::session::Ctx;

/// Most TLS bytes rustls may queue on a data connection (rustls' default is 64 KiB).
const TLS_BUFFER: usize = 1 << 20;

/// Protects an opened data connection as `PROT` asks.
pub async fn protect(ctx: &Ctx, tcp: TcpStream, flow: Flow) -> Result<DataStream, DataFailure> {
    let config = match flow {
        Flow::Send => super::tls_state(ctx).send_config.clone(),
        Flow::Receive => super::tls_state(ctx).data_config.clone(),
    };
    let (Some(settings), Some(config)) = (
        crate::modules::mod_tls::server_tls(&ctx.server).cloned(),
        config,
    ) else {
        return Ok(DataStream::Plain(tcp));
    };
    if !super::tls_state(ctx).protect_data {
        return Ok(DataStream::Plain(tcp));
    }
    let log = settings.log.as_ref();
    if super::tls_state(ctx).sscn_client {
        return client(&settings, tcp).await;
    }
    let refused = match crate::data::tls_stream::accept(tcp, config, settings.handshake_timeout)
        .await
    {
        Ok(mut tls) => {
            // Let rustls hold a whole transfer buffer of records, so each 256 KiB chunk is
            // encrypted in one go and leaves in a few large vectored writes.
            tls.get_mut().1.set_buffer_limit(Some(TLS_BUFFER));
            if settings.diags {
                let conn = tls.get_ref().1;
                super::diags::data(log, conn, conn.server_name());
            }
            let resumed = tls.get_ref().1.handshake_kind() == Some(HandshakeKind::Resumed);
            crate::trace_msg!(
                ctx.trace,
                "tls",
                9,
                "TLS handshake on data connection done ({})",
                if resumed {
                    "session resumed"
                } else {
                    "new session"
                }
            );
            if resumed || !settings.session_reuse_required {
                return Ok(DataStream::Tls(Box::new(tls)));
            }
            event(
                log,
                "client did not reuse TLS session, rejecting data connection (see the NoSessionReuseRequired TLSOptions parameter)",
            );
            // Like mod_tls, say goodbye properly so the client reads the refusal.
            let _ = tokio::time::timeout(std::time::Duration::from_secs(5), async {
                use tokio::io::AsyncWriteExt;
                tls.shutdown().await
            })
            .await;
            true
        }
        Err(e) => {
            crate::trace_msg!(
                ctx.trace,
                "tls",
                3,
                "unable to open data connection: TLS negotiation failed: {e}"
            );
            event(
                log,
                &format!("unable to open data connection: TLS negotiation failed: {e}"),
            );
            true
        }
    };
    debug_assert!(refused);
    Err(DataFailure::Protection)
}

/// `SSCN ON`: the TLS handshake with this server as the client, named by the peer's address.
async fn client(settings: &super::TlsSettings, tcp: TcpStream) -> Result<DataStream, DataFailure> {
    let log = settings.log.as_ref();
    let peer = tcp.peer_addr().map(|a| a.ip());
    let result = match peer {
        Ok(ip) => {
            let name = rustls::pki_types::ServerName::IpAddress(ip.into());
            crate::data::tls_stream::connect(
                tcp,
                settings.sscn_config.clone(),
                name,
                settings.handshake_timeout,
            )
            .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(mut tls) => {
            tls.get_mut().1.set_buffer_limit(Some(TLS_BUFFER));
            if settings.diags {
                super::diags::data(log, tls.get_ref().1, None);
            }
            Ok(DataStream::Client(Box::new(tls)))
        }
        Err(e) => {
            event(
                log,
                &format!("unable to open data connection: TLS connect failed: {e}"),
            );
            Err(DataFailure::Protection)
        }
    }
}
