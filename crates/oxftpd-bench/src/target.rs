//! The server under test: where it listens, who logs in, and how sessions are secured.

// This file calls libc (or other C APIs): unsafe code is allowed here only, each block
// with a SAFETY comment saying why it is sound.
#![allow(unsafe_code)]

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::os::fd::AsRawFd;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use oxftpd_client::{Client, TlsConfig};
use tokio::net::TcpSocket;

/// How the control connection is protected after the greeting.
#[derive(Debug, Clone)]
pub enum Security {
    /// Plain FTP.
    Plain,
    /// Explicit FTPS: `AUTH TLS` after the greeting, `PBSZ 0` and `PROT P` after login.
    ExplicitTls(TlsConfig),
}

impl Security {
    /// The prefix of record names (`ftps-retr`), so summaries keep plain and FTPS apart.
    pub fn prefix(&self) -> &'static str {
        match self {
            Security::Plain => "",
            Security::ExplicitTls(_) => "ftps-",
        }
    }
}

/// The server under test.
#[derive(Debug, Clone)]
pub struct Target {
    /// Control address.
    pub addr: SocketAddr,
    /// Login name.
    pub user: String,
    /// Password.
    pub password: String,
    /// Session protection.
    pub security: Security,
    /// Client source addresses, used round-robin (empty: let the kernel choose).
    pub sources: Vec<IpAddr>,
    /// Bound on each network wait.
    pub timeout: Duration,
}

impl Target {
    /// The source address for the `n`-th connection.
    pub fn source(&self, n: usize) -> Option<IpAddr> {
        if self.sources.is_empty() {
            None
        } else {
            Some(self.sources[n % self.sources.len()])
        }
    }

    /// Connects (from `source` when given) and reads the greeting, which must be 220.
    pub async fn connect(&self, source: Option<IpAddr>) -> Result<Client> {
        let socket = if self.addr.is_ipv4() {
            TcpSocket::new_v4()?
        } else {
            TcpSocket::new_v6()?
        };
        if let Some(ip) = source {
            bind_no_port(&socket)?;
            socket
                .bind(SocketAddr::new(ip, 0))
                .with_context(|| format!("binding to {ip}"))?;
        }
        let tcp = tokio::time::timeout(self.timeout, socket.connect(self.addr))
            .await
            .with_context(|| format!("connecting to {} timed out", self.addr))?
            .with_context(|| format!("connecting to {}", self.addr))?;
        tcp.set_nodelay(true)?;
        let local = tcp.local_addr()?;
        let mut client = Client::from_stream(Box::new(tcp), local, self.addr).await?;
        client.set_timeout(self.timeout);
        if client.banner().code != 220 {
            bail!("greeting was not 220: {}", client.banner());
        }
        if let Security::ExplicitTls(tls) = &self.security {
            client.auth_tls(tls).await.context("AUTH TLS")?;
        }
        Ok(client)
    }

    /// Connects and logs in.
    pub async fn login(&self, source: Option<IpAddr>) -> Result<Client> {
        let mut client = self.connect(source).await?;
        client
            .login(&self.user, &self.password)
            .await
            .context("logging in")?;
        if let Security::ExplicitTls(_) = &self.security {
            client.prot_p().await.context("PBSZ 0, PROT P")?;
        }
        Ok(client)
    }
}

/// `127.0.0.1` .. `127.0.0.n`: loopback source addresses for many connections.
pub fn loopback_sources(n: u8) -> Vec<IpAddr> {
    (1..=n.max(1))
        .map(|i| IpAddr::V4(Ipv4Addr::new(127, 0, 0, i)))
        .collect()
}

/// Lets the kernel pick the source port at connect time, so one source address serves
/// more than the ephemeral range's worth of connections to distinct 4-tuples.
fn bind_no_port(socket: &TcpSocket) -> Result<()> {
    let one: libc::c_int = 1;
    // SAFETY: a valid socket fd, a pointer to a live c_int and its size.
    let rc = unsafe {
        libc::setsockopt(
            socket.as_raw_fd(),
            libc::IPPROTO_IP,
            libc::IP_BIND_ADDRESS_NO_PORT,
            (&one as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if rc != 0 {
        return Err(std::io::Error::last_os_error()).context("IP_BIND_ADDRESS_NO_PORT");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_round_robin() {
        let t = Target {
            addr: "127.0.0.1:21".parse().unwrap(),
            user: "u".into(),
            password: "p".into(),
            security: Security::Plain,
            sources: loopback_sources(3),
            timeout: Duration::from_secs(1),
        };
        assert_eq!(t.source(0), Some("127.0.0.1".parse().unwrap()));
        assert_eq!(t.source(4), Some("127.0.0.2".parse().unwrap()));
        assert_eq!(loopback_sources(0).len(), 1);
        assert_eq!(t.security.prefix(), "");
        let tls = TlsConfig::insecure_accept_any_certificate(oxftpd_client::TlsVersions::Any)
            .expect("config");
        assert_eq!(Security::ExplicitTls(tls).prefix(), "ftps-");
    }
}
