//! The control connection and the commands built on it.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

use crate::parse::{parse_epsv, parse_pasv, parse_pwd};
use crate::tls::{TlsConfig, TlsSession};
use crate::{BoxStream, Error, Reply, Result, Transfer};

/// Longest reply line accepted before the reply counts as malformed.
const MAX_LINE: usize = 64 * 1024;
/// Most lines accepted in one multi-line reply.
const MAX_LINES: usize = 10_000;
/// Default bound on every network wait.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// How data connections are opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataMode {
    /// `PASV`: the client connects to the address the server names.
    Passive,
    /// `EPSV`: the client connects to the control peer's address on the port the server names.
    ExtendedPassive,
    /// `PORT`: the server connects to a listener on the control connection's local address.
    Active,
    /// `EPRT`: like `Active`, in RFC 2428 form.
    ExtendedActive,
}

/// A data connection being set up: either already connected or waiting for the server.
enum Pending {
    Connected(TcpStream),
    Listening(TcpListener),
}

/// An FTP client: one control connection plus data connections opened on demand.
pub struct Client {
    ctrl: BufReader<BoxStream>,
    local: SocketAddr,
    peer: SocketAddr,
    timeout: Duration,
    mode: DataMode,
    banner: Reply,
    /// The session's TLS settings once the control connection is protected.
    tls: Option<TlsSession>,
    /// `PROT P` is in force: data connections run TLS.
    protect_data: bool,
}

impl Client {
    /// Connects over TCP and reads the server's greeting.
    pub async fn connect(addr: SocketAddr) -> Result<Client> {
        let tcp = bounded(DEFAULT_TIMEOUT, "connecting", TcpStream::connect(addr)).await??;
        tcp.set_nodelay(true)?;
        let local = tcp.local_addr()?;
        Client::from_stream(Box::new(tcp), local, addr).await
    }

    /// Connects over TCP, runs the TLS handshake at once (implicit FTPS) and reads the
    /// greeting; data connections stay clear until [`Client::prot_p`].
    pub async fn connect_implicit_tls(addr: SocketAddr, tls: &TlsConfig) -> Result<Client> {
        let tcp = bounded(DEFAULT_TIMEOUT, "connecting", TcpStream::connect(addr)).await??;
        tcp.set_nodelay(true)?;
        let local = tcp.local_addr()?;
        let session = tls.session(addr);
        let stream =
            bounded(DEFAULT_TIMEOUT, "the TLS handshake", session.handshake(tcp)).await??;
        let mut client = Client::from_stream(Box::new(stream), local, addr).await?;
        client.tls = Some(session);
        Ok(client)
    }

    /// Wraps an already connected stream (TLS hook) and reads the greeting.
    pub async fn from_stream(
        stream: BoxStream,
        local: SocketAddr,
        peer: SocketAddr,
    ) -> Result<Client> {
        let mut client = Client {
            ctrl: BufReader::new(stream),
            local,
            peer,
            timeout: DEFAULT_TIMEOUT,
            mode: DataMode::Passive,
            banner: Reply {
                code: 0,
                lines: Vec::new(),
            },
            tls: None,
            protect_data: false,
        };
        client.banner = client.read_reply().await?;
        Ok(client)
    }

    /// The greeting the server sent on connect.
    pub fn banner(&self) -> &Reply {
        &self.banner
    }

    /// The server's control address.
    pub fn peer_addr(&self) -> SocketAddr {
        self.peer
    }

    /// The client's side of the control connection.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// Sets the bound on every network wait.
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    /// Chooses how later data connections are opened.
    pub fn set_data_mode(&mut self, mode: DataMode) {
        self.mode = mode;
    }

    /// True once the control connection runs TLS.
    pub fn is_tls(&self) -> bool {
        self.tls.is_some()
    }

    /// True while `PROT P` is in force (data connections run TLS).
    pub fn data_protected(&self) -> bool {
        self.protect_data
    }

    /// Explicit FTPS (RFC 4217 section 4): `AUTH TLS`, which must get 234, then the TLS
    /// handshake on the control connection; returns the 234 reply.
    pub async fn auth_tls(&mut self, tls: &TlsConfig) -> Result<Reply> {
        if self.tls.is_some() {
            return Err(Error::Tls("the control connection already runs TLS".into()));
        }
        let reply = self.cmd_expect("AUTH TLS", 234).await?;
        if !self.ctrl.buffer().is_empty() {
            return Err(Error::Malformed(
                "data after the AUTH TLS reply, before the handshake".into(),
            ));
        }
        let placeholder: BoxStream = Box::new(tokio::io::duplex(1).0);
        let plain = std::mem::replace(&mut self.ctrl, BufReader::new(placeholder)).into_inner();
        let session = tls.session(self.peer);
        let stream = bounded(self.timeout, "the TLS handshake", session.handshake(plain)).await??;
        self.ctrl = BufReader::new(Box::new(stream));
        self.tls = Some(session);
        Ok(reply)
    }

    /// `PBSZ 0` then `PROT P` (RFC 4217 section 9): later data connections run TLS, each
    /// resuming the control connection's TLS session.
    pub async fn prot_p(&mut self) -> Result<Reply> {
        if self.tls.is_none() {
            return Err(Error::Tls("PROT P before AUTH TLS".into()));
        }
        self.cmd_expect("PBSZ 0", 200).await?;
        let reply = self.cmd_expect("PROT P", 200).await?;
        self.protect_data = true;
        Ok(reply)
    }

    /// `PROT C`: later data connections are clear again.
    pub async fn prot_c(&mut self) -> Result<Reply> {
        let reply = self.cmd_expect("PROT C", 200).await?;
        self.protect_data = false;
        Ok(reply)
    }

    /// Sends raw bytes on the control connection, unchanged.
    pub async fn send_raw(&mut self, bytes: &[u8]) -> Result<()> {
        let t = self.timeout;
        let stream = self.ctrl.get_mut();
        bounded(t, "sending", async {
            stream.write_all(bytes).await?;
            stream.flush().await
        })
        .await??;
        Ok(())
    }

    /// Reads one reply, single or multi-line (RFC 959 4.2).
    pub async fn read_reply(&mut self) -> Result<Reply> {
        let first = self.read_line().await?;
        let code = reply_code(&first)?;
        let mut lines = vec![first];
        if lines[0].as_bytes().get(3) == Some(&b'-') {
            let end = format!("{code} ");
            loop {
                if lines.len() >= MAX_LINES {
                    return Err(Error::Malformed(format!("more than {MAX_LINES} lines")));
                }
                let line = self.read_line().await?;
                let done = line.starts_with(&end) || line == end.trim_end();
                lines.push(line);
                if done {
                    break;
                }
            }
        }
        Ok(Reply { code, lines })
    }

    /// Sends one command line (CRLF added) and reads its reply.
    pub async fn cmd(&mut self, line: &str) -> Result<Reply> {
        let mut bytes = Vec::with_capacity(line.len() + 2);
        bytes.extend_from_slice(line.as_bytes());
        bytes.extend_from_slice(b"\r\n");
        self.send_raw(&bytes).await?;
        self.read_reply().await
    }

    /// Sends a command and fails unless the reply has the given code.
    pub async fn cmd_expect(&mut self, line: &str, code: u16) -> Result<Reply> {
        let reply = self.cmd(line).await?;
        expect(line, reply, |c| c == code)
    }

    /// Logs in with USER and, when asked for, PASS; returns the final reply (230).
    pub async fn login(&mut self, user: &str, pass: &str) -> Result<Reply> {
        let reply = self.cmd(&format!("USER {user}")).await?;
        if reply.code == 230 {
            return Ok(reply);
        }
        expect("USER", reply, |c| c == 331 || c == 332)?;
        self.cmd_expect(&format!("PASS {pass}"), 230).await
    }

    /// The current directory (PWD).
    pub async fn pwd(&mut self) -> Result<String> {
        let reply = self.cmd_expect("PWD", 257).await?;
        parse_pwd(&reply).ok_or_else(|| Error::Malformed(reply.to_string()))
    }

    /// Changes directory (CWD); expects 250.
    pub async fn cwd(&mut self, path: &str) -> Result<Reply> {
        self.cmd_expect(&format!("CWD {path}"), 250).await
    }

    /// Goes to the parent directory (CDUP); expects 250 or 200.
    pub async fn cdup(&mut self) -> Result<Reply> {
        let reply = self.cmd("CDUP").await?;
        expect("CDUP", reply, |c| c == 250 || c == 200)
    }

    /// Binary transfers (TYPE I).
    pub async fn type_i(&mut self) -> Result<Reply> {
        self.cmd_expect("TYPE I", 200).await
    }

    /// ASCII transfers (TYPE A).
    pub async fn type_a(&mut self) -> Result<Reply> {
        self.cmd_expect("TYPE A", 200).await
    }

    /// Makes a directory (MKD); expects 257.
    pub async fn mkd(&mut self, path: &str) -> Result<Reply> {
        self.cmd_expect(&format!("MKD {path}"), 257).await
    }

    /// Removes a directory (RMD); expects 250.
    pub async fn rmd(&mut self, path: &str) -> Result<Reply> {
        self.cmd_expect(&format!("RMD {path}"), 250).await
    }

    /// Deletes a file (DELE); expects 250.
    pub async fn dele(&mut self, path: &str) -> Result<Reply> {
        self.cmd_expect(&format!("DELE {path}"), 250).await
    }

    /// A file's size (SIZE); expects 213.
    pub async fn size(&mut self, path: &str) -> Result<u64> {
        let reply = self.cmd_expect(&format!("SIZE {path}"), 213).await?;
        reply
            .text()
            .trim()
            .parse()
            .map_err(|_| Error::Malformed(reply.to_string()))
    }

    /// Sets the restart offset for the next transfer (REST); expects 350.
    pub async fn rest(&mut self, offset: u64) -> Result<Reply> {
        self.cmd_expect(&format!("REST {offset}"), 350).await
    }

    /// NOOP; expects 200.
    pub async fn noop(&mut self) -> Result<Reply> {
        self.cmd_expect("NOOP", 200).await
    }

    /// Ends the session (QUIT); expects 221.
    pub async fn quit(mut self) -> Result<Reply> {
        self.cmd_expect("QUIT", 221).await
    }

    /// A directory listing (LIST), as text.
    pub async fn list(&mut self, path: Option<&str>) -> Result<String> {
        let data = self.download_checked(&with_arg("LIST", path)).await?;
        Ok(String::from_utf8_lossy(&data).into_owned())
    }

    /// Names in a directory (NLST).
    pub async fn nlst(&mut self, path: Option<&str>) -> Result<Vec<String>> {
        let data = self.download_checked(&with_arg("NLST", path)).await?;
        Ok(text_lines(&data))
    }

    /// Machine-readable listing lines (MLSD).
    pub async fn mlsd(&mut self, path: Option<&str>) -> Result<Vec<String>> {
        let data = self.download_checked(&with_arg("MLSD", path)).await?;
        Ok(text_lines(&data))
    }

    /// Downloads a file (RETR) into memory.
    pub async fn retr(&mut self, path: &str) -> Result<Vec<u8>> {
        self.download_checked(&format!("RETR {path}")).await
    }

    /// Downloads a file (RETR) into a writer; returns the bytes written.
    pub async fn retr_to<W: AsyncWrite + Unpin + ?Sized>(
        &mut self,
        path: &str,
        out: &mut W,
    ) -> Result<u64> {
        let command = format!("RETR {path}");
        let t = self.transfer_in_to(&command, out).await?;
        expect_done(&command, t).map(|t| t.bytes)
    }

    /// Uploads bytes to a file (STOR).
    pub async fn stor(&mut self, path: &str, bytes: &[u8]) -> Result<Reply> {
        let mut reader = bytes;
        self.stor_from(path, &mut reader).await
    }

    /// Uploads a reader's bytes to a file (STOR); returns the completion reply.
    pub async fn stor_from<R: AsyncRead + Unpin + ?Sized>(
        &mut self,
        path: &str,
        input: &mut R,
    ) -> Result<Reply> {
        let command = format!("STOR {path}");
        let t = self.transfer_out(&command, input).await?;
        expect_done(&command, t).map(|t| t.completion)
    }

    /// Runs a download command on a new data connection and reports every reply, whatever
    /// their codes; the data received is in [`Transfer::data`].
    pub async fn transfer_in(&mut self, command: &str) -> Result<Transfer> {
        let mut data = Vec::new();
        let mut t = self.transfer_in_to(command, &mut data).await?;
        t.data = data;
        Ok(t)
    }

    /// Like [`Client::transfer_in`], writing the data to `out` instead of memory.
    pub async fn transfer_in_to<W: AsyncWrite + Unpin + ?Sized>(
        &mut self,
        command: &str,
        out: &mut W,
    ) -> Result<Transfer> {
        let pending = self.open_data().await?;
        let preliminary = self.cmd(command).await?;
        if !preliminary.is_preliminary() {
            return Ok(Transfer::refused(preliminary));
        }
        let mut data = self.accept_data(pending).await?;
        let bytes = copy_bounded(self.timeout, &mut data, out).await?;
        drop(data);
        let completion = self.read_reply().await?;
        Ok(Transfer {
            preliminary: Some(preliminary),
            completion,
            data: Vec::new(),
            bytes,
        })
    }

    /// Runs an upload command on a new data connection, sending `input`, and reports every
    /// reply, whatever their codes.
    pub async fn transfer_out<R: AsyncRead + Unpin + ?Sized>(
        &mut self,
        command: &str,
        input: &mut R,
    ) -> Result<Transfer> {
        let pending = self.open_data().await?;
        let preliminary = self.cmd(command).await?;
        if !preliminary.is_preliminary() {
            return Ok(Transfer::refused(preliminary));
        }
        let mut data = self.accept_data(pending).await?;
        let bytes = match copy_bounded(self.timeout, input, &mut data).await {
            Ok(n) => {
                bounded(self.timeout, "closing the data connection", data.shutdown()).await??;
                // Read what the server still sends (its close_notify, a TLS 1.3 ticket) until
                // it closes: closing with unread bytes would reset the connection, and a server
                // may take that reset for a failed upload (vsftpd answers 426).
                let mut rest = tokio::io::sink();
                let _ = bounded(self.timeout, "draining the data connection", async {
                    tokio::io::copy(&mut data, &mut rest).await
                })
                .await;
                n
            }
            // The server may end an upload early (a size limit, ABOR, a full disk): its
            // reply on the control connection says why, so read it instead of failing here.
            Err(Error::Io(_)) => 0,
            Err(e) => return Err(e),
        };
        drop(data);
        let completion = self.read_reply().await?;
        Ok(Transfer {
            preliminary: Some(preliminary),
            completion,
            data: Vec::new(),
            bytes,
        })
    }

    async fn download_checked(&mut self, command: &str) -> Result<Vec<u8>> {
        let t = self.transfer_in(command).await?;
        expect_done(command, t).map(|t| t.data)
    }

    /// Negotiates a data connection in the current mode.
    async fn open_data(&mut self) -> Result<Pending> {
        match self.mode {
            DataMode::Passive => {
                let reply = self.cmd_expect("PASV", 227).await?;
                let addr = parse_pasv(&reply).ok_or_else(|| Error::Malformed(reply.to_string()))?;
                self.connect_data(addr).await
            }
            DataMode::ExtendedPassive => {
                let reply = self.cmd_expect("EPSV", 229).await?;
                let port = parse_epsv(&reply).ok_or_else(|| Error::Malformed(reply.to_string()))?;
                self.connect_data(SocketAddr::new(self.peer.ip(), port))
                    .await
            }
            DataMode::Active | DataMode::ExtendedActive => {
                let listener = TcpListener::bind(SocketAddr::new(self.local.ip(), 0)).await?;
                let addr = listener.local_addr()?;
                let line = if self.mode == DataMode::Active {
                    port_command(addr)?
                } else {
                    eprt_command(addr)
                };
                self.cmd_expect(&line, 200).await?;
                Ok(Pending::Listening(listener))
            }
        }
    }

    async fn connect_data(&self, addr: SocketAddr) -> Result<Pending> {
        let tcp = bounded(
            self.timeout,
            "connecting the data connection",
            TcpStream::connect(addr),
        )
        .await??;
        Ok(Pending::Connected(tcp))
    }

    async fn accept_data(&self, pending: Pending) -> Result<BoxStream> {
        let tcp = match pending {
            Pending::Connected(tcp) => tcp,
            Pending::Listening(listener) => {
                let (tcp, _) = bounded(
                    self.timeout,
                    "accepting the data connection",
                    listener.accept(),
                )
                .await??;
                tcp
            }
        };
        match &self.tls {
            Some(session) if self.protect_data => {
                // The client is the TLS client on data connections too, whichever side
                // connected (RFC 4217 section 7).
                let tls = bounded(
                    self.timeout,
                    "the data connection's TLS handshake",
                    session.handshake(tcp),
                )
                .await??;
                Ok(Box::new(tls))
            }
            _ => Ok(Box::new(tcp)),
        }
    }

    async fn read_line(&mut self) -> Result<String> {
        let mut buf = Vec::new();
        let t = self.timeout;
        let reader = &mut self.ctrl;
        let n = bounded(t, "reading a reply", async {
            let mut limited = reader.take(MAX_LINE as u64);
            limited.read_until(b'\n', &mut buf).await
        })
        .await??;
        if n == 0 {
            return Err(Error::Closed);
        }
        if buf.last() != Some(&b'\n') {
            return Err(if buf.len() >= MAX_LINE {
                Error::Malformed(format!("reply line longer than {MAX_LINE} bytes"))
            } else {
                Error::Closed
            });
        }
        while matches!(buf.last(), Some(b'\n' | b'\r')) {
            buf.pop();
        }
        Ok(String::from_utf8_lossy(&buf).into_owned())
    }
}

/// Runs `fut` with a deadline, naming what was awaited on timeout.
async fn bounded<T>(
    after: Duration,
    during: &'static str,
    fut: impl Future<Output = T>,
) -> Result<T> {
    tokio::time::timeout(after, fut)
        .await
        .map_err(|_| Error::Timeout { during, after })
}

/// Copies until EOF with every read and write bounded by `t` (a stall timeout).
async fn copy_bounded<R, W>(t: Duration, input: &mut R, out: &mut W) -> Result<u64>
where
    R: AsyncRead + Unpin + ?Sized,
    W: AsyncWrite + Unpin + ?Sized,
{
    // Large reads: at loopback speeds a 64 KiB buffer made the client, not the server,
    // the limit of a benchmark download (a read and a timer per 64 KiB).
    let mut buf = vec![0u8; 512 * 1024];
    let mut total = 0u64;
    loop {
        let n = bounded(t, "reading transfer data", input.read(&mut buf)).await??;
        if n == 0 {
            break;
        }
        bounded(t, "writing transfer data", out.write_all(&buf[..n])).await??;
        total += n as u64;
    }
    bounded(t, "flushing transfer data", out.flush()).await??;
    Ok(total)
}

fn reply_code(line: &str) -> Result<u16> {
    let bytes = line.as_bytes();
    let digits = bytes.get(..3).filter(|d| d.iter().all(u8::is_ascii_digit));
    let sep_ok = matches!(bytes.get(3), None | Some(b' ' | b'-'));
    match digits {
        Some(d) if sep_ok => Ok(d.iter().fold(0u16, |acc, b| acc * 10 + u16::from(b - b'0'))),
        _ => Err(Error::Malformed(line.to_string())),
    }
}

fn expect(command: &str, reply: Reply, ok: impl Fn(u16) -> bool) -> Result<Reply> {
    if ok(reply.code) {
        Ok(reply)
    } else {
        Err(Error::Unexpected {
            command: command.to_string(),
            reply,
        })
    }
}

fn expect_done(command: &str, t: Transfer) -> Result<Transfer> {
    if t.preliminary.is_some() && t.completion.is_completion() {
        Ok(t)
    } else {
        Err(Error::Unexpected {
            command: command.to_string(),
            reply: t.completion,
        })
    }
}

fn with_arg(verb: &str, arg: Option<&str>) -> String {
    match arg {
        Some(a) => format!("{verb} {a}"),
        None => verb.to_string(),
    }
}

fn text_lines(data: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(data)
        .lines()
        .map(|l| l.trim_end_matches('\r').to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

fn port_command(addr: SocketAddr) -> Result<String> {
    match addr {
        SocketAddr::V4(v4) => {
            let [a, b, c, d] = v4.ip().octets();
            let p = v4.port();
            Ok(format!("PORT {a},{b},{c},{d},{},{}", p >> 8, p & 0xff))
        }
        SocketAddr::V6(_) => Err(Error::Malformed(
            "PORT needs an IPv4 control connection".into(),
        )),
    }
}

fn eprt_command(addr: SocketAddr) -> String {
    let proto = if addr.is_ipv4() { 1 } else { 2 };
    format!("EPRT |{proto}|{}|{}|", addr.ip(), addr.port())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_codes() {
        assert_eq!(reply_code("230 ok").ok(), Some(230));
        assert_eq!(reply_code("211-Features:").ok(), Some(211));
        assert_eq!(reply_code("226").ok(), Some(226));
        assert!(reply_code("2x0 no").is_err());
        assert!(reply_code("230xno").is_err());
    }

    #[test]
    fn data_commands() {
        let v4: SocketAddr = "127.0.0.1:35431".parse().unwrap();
        assert_eq!(
            port_command(v4).ok().as_deref(),
            Some("PORT 127,0,0,1,138,103")
        );
        assert_eq!(eprt_command(v4), "EPRT |1|127.0.0.1|35431|");
        let v6: SocketAddr = "[::1]:21".parse().unwrap();
        assert_eq!(eprt_command(v6), "EPRT |2|::1|21|");
    }
}
