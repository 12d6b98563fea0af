//! SCP (the `scp -t` sink and `scp -f` source of OpenSSH's legacy protocol, `scp -O`), with
//! `-r` and `-p`: files go through the same session, `<Limit>` checks (STOR, RETR, MKD) and
//! logs as SFTP's.

use std::io::{Read, Write};
use std::sync::Arc;
use std::time::Instant;

use oxftpd_server::module::CommandGroup;
use oxftpd_storage::{Fs, StorageError, WriteMode};
use russh::server::Msg;
use russh::{Channel, ChannelMsg};

use crate::session::Shared;
use crate::settings::Prepared;
use crate::sftp::{Failure, Sftp, storage};

const W: Option<CommandGroup> = Some(CommandGroup::Write);
const R: Option<CommandGroup> = Some(CommandGroup::Read);
/// Bytes moved per pool job.
const CHUNK: usize = 256 * 1024;
/// Longest control line accepted from the client.
const MAX_LINE: usize = 4096;

/// What an `scp` command asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// `-t` (we receive) or `-f` (we send).
    pub sink: bool,
    /// `-r`.
    pub recursive: bool,
    /// `-p`: times and modes kept.
    pub preserve: bool,
    /// `-d`: the target must be a directory.
    pub dir_target: bool,
    /// The paths after the options.
    pub paths: Vec<String>,
}

impl Request {
    /// Parses the command an `exec` request gives; `None` unless it is `scp -t` or `scp -f`.
    pub fn parse(command: &str) -> Option<Request> {
        let words = shell_words(command)?;
        let (first, rest) = words.split_first()?;
        if first != "scp" && !first.ends_with("/scp") {
            return None;
        }
        let mut r = Request {
            sink: false,
            recursive: false,
            preserve: false,
            dir_target: false,
            paths: Vec::new(),
        };
        let (mut to, mut from) = (false, false);
        let mut options = true;
        for w in rest {
            if options && w == "--" {
                options = false;
            } else if options && w.starts_with('-') && w.len() > 1 {
                for c in w[1..].chars() {
                    match c {
                        't' => to = true,
                        'f' => from = true,
                        'r' => r.recursive = true,
                        'p' => r.preserve = true,
                        'd' => r.dir_target = true,
                        'v' | 'q' | 'E' => {}
                        _ => return None,
                    }
                }
            } else {
                options = false;
                r.paths.push(w.clone());
            }
        }
        if to == from || r.paths.is_empty() {
            return None;
        }
        r.sink = to;
        Some(r)
    }
}

/// Splits a command line into words, honouring single and double quotes and backslashes
/// (what OpenSSH's scp quotes paths with).
fn shell_words(s: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '\'' => break,
                        c => cur.push(c),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '"' => break,
                        '\\' => cur.push(chars.next()?),
                        c => cur.push(c),
                    }
                }
            }
            '\\' => {
                in_word = true;
                cur.push(chars.next()?);
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Some(words)
}

/// `dir/name` for a virtual directory path.
fn join(dir: &str, name: &str) -> String {
    format!("{}/{name}", dir.trim_end_matches('/'))
}

/// A shell glob match with `*` and `?` (for `SFTPAcceptEnv`).
pub fn glob_match(pattern: &str, name: &str) -> bool {
    fn go(p: &[u8], n: &[u8]) -> bool {
        match (p.first(), n.first()) {
            (None, None) => true,
            (Some(b'*'), _) => go(&p[1..], n) || (!n.is_empty() && go(p, &n[1..])),
            (Some(b'?'), Some(_)) => go(&p[1..], &n[1..]),
            (Some(a), Some(b)) if a == b => go(&p[1..], &n[1..]),
            _ => false,
        }
    }
    go(pattern.as_bytes(), name.as_bytes())
}

/// The channel as a byte stream.
struct Io {
    channel: Channel<Msg>,
    buf: Vec<u8>,
    pos: usize,
    eof: bool,
}

impl Io {
    async fn fill(&mut self) -> bool {
        if self.pos < self.buf.len() {
            return true;
        }
        self.buf.clear();
        self.pos = 0;
        while !self.eof {
            match self.channel.wait().await {
                Some(ChannelMsg::Data { data }) => {
                    self.buf.extend_from_slice(&data);
                    if !self.buf.is_empty() {
                        return true;
                    }
                }
                Some(ChannelMsg::Eof | ChannelMsg::Close) | None => self.eof = true,
                Some(_) => {}
            }
        }
        false
    }

    async fn byte(&mut self) -> Option<u8> {
        if !self.fill().await {
            return None;
        }
        let b = self.buf[self.pos];
        self.pos += 1;
        Some(b)
    }

    async fn line(&mut self) -> Option<String> {
        let mut out = Vec::new();
        loop {
            let b = self.byte().await?;
            if b == b'\n' {
                return Some(String::from_utf8_lossy(&out).into_owned());
            }
            if out.len() >= MAX_LINE {
                return None;
            }
            out.push(b);
        }
    }

    /// Up to `max` bytes of what has arrived.
    async fn some(&mut self, max: usize) -> Option<Vec<u8>> {
        if !self.fill().await {
            return None;
        }
        let end = (self.pos + max).min(self.buf.len());
        let out = self.buf[self.pos..end].to_vec();
        self.pos = end;
        Some(out)
    }

    async fn send(&self, bytes: &[u8]) -> bool {
        self.channel.data_bytes(bytes.to_vec()).await.is_ok()
    }

    async fn ack(&mut self) -> bool {
        matches!(self.byte().await, Some(0))
    }
}

/// Runs an scp request on its channel and closes it with the exit status.
pub async fn run(prepared: Arc<Prepared>, sess: Shared, channel: Channel<Msg>, req: Request) {
    let sftp = Sftp::new(prepared.clone(), sess, "scp");
    let mut io = Io {
        channel,
        buf: Vec::new(),
        pos: 0,
        eof: false,
    };
    prepared.log(&format!(
        "scp {} {}",
        if req.sink { "upload to" } else { "download of" },
        req.paths.join(" ")
    ));
    let ok = if req.sink {
        sink(&sftp, &mut io, &req).await
    } else {
        source(&sftp, &mut io, &req).await
    };
    let _ = io.channel.exit_status(if ok { 0 } else { 1 }).await;
    let _ = io.channel.eof().await;
    let _ = io.channel.close().await;
}

async fn error(io: &Io, text: &str) {
    let mut b = vec![1u8];
    b.extend_from_slice(format!("scp: {text}\n").as_bytes());
    let _ = io.send(&b).await;
}

fn failure_text(path: &str, f: &Failure) -> String {
    let reply: russh_sftp::server::StatusReply = Failure::clone_reply(f);
    format!(
        "{path}: {}",
        reply
            .error_message
            .unwrap_or_else(|| reply.status_code.to_string())
    )
}

/// `scp -t`: the client sends files.
async fn sink(sftp: &Sftp, io: &mut Io, req: &Request) -> bool {
    let Ok((fs, target)) = sftp.fs_and(&req.paths[0]).await else {
        error(io, "not logged in").await;
        return false;
    };
    let target_is_dir = fs.metadata(&target).await.is_ok_and(|m| m.is_dir());
    if req.dir_target && !target_is_dir {
        error(io, &format!("{target}: Not a directory")).await;
        return false;
    }
    if !io.send(&[0]).await {
        return false;
    }
    let mut dirs = vec![target.clone()];
    let mut times: Option<(i64, i64)> = None;
    let mut all_ok = true;
    loop {
        let Some(first) = io.byte().await else {
            return all_ok;
        };
        let Some(rest) = io.line().await else {
            return false;
        };
        let here = dirs.last().cloned().unwrap_or_else(|| target.clone());
        match first {
            b'T' => {
                let nums: Vec<i64> = rest
                    .split_whitespace()
                    .filter_map(|w| w.parse().ok())
                    .collect();
                if nums.len() == 4 {
                    times = Some((nums[0], nums[2]));
                    io.send(&[0]).await;
                } else {
                    error(io, "protocol error: bad T line").await;
                    return false;
                }
            }
            b'C' | b'D' => {
                let mut parts = rest.splitn(3, ' ');
                let mode = parts.next().and_then(|m| u32::from_str_radix(m, 8).ok());
                let size = parts.next().and_then(|s| s.parse::<u64>().ok());
                let name = parts.next().unwrap_or("");
                let (Some(mode), Some(size)) = (mode, size) else {
                    error(io, "protocol error: bad file line").await;
                    return false;
                };
                if name.is_empty() || name.contains('/') || name == ".." || name == "." {
                    error(
                        io,
                        &format!("protocol error: unexpected file name '{name}'"),
                    )
                    .await;
                    return false;
                }
                let into_dir = dirs.len() > 1 || target_is_dir;
                let path = if into_dir {
                    join(&here, name)
                } else {
                    here.clone()
                };
                if first == b'D' {
                    if !req.recursive {
                        error(io, "received directory without -r").await;
                        return false;
                    }
                    let exists = fs.metadata(&path).await.is_ok_and(|m| m.is_dir());
                    if !exists {
                        let op = async { fs.mkdir(&path).await.map_err(|e| storage(&path, e)) };
                        let names = [("MKD", W), ("XMKD", W)];
                        if let Err(f) = sftp
                            .checked("MKD", &names, &path, (257, "Directory created"), op)
                            .await
                        {
                            error(io, &failure_text(&path, &f)).await;
                            return false;
                        }
                    }
                    if req.preserve {
                        let _ = fs.set_mode(&path, mode & 0o7777).await;
                    }
                    dirs.push(path);
                    io.send(&[0]).await;
                } else {
                    let t = times.take();
                    match receive(sftp, io, &fs, &path, size).await {
                        Ok(()) => {
                            if req.preserve {
                                let _ = fs.set_mode(&path, mode & 0o7777).await;
                                if let Some((mtime, atime)) = t {
                                    let _ = fs.set_times(&path, Some(atime), mtime).await;
                                }
                            }
                            io.send(&[0]).await;
                        }
                        Err(Some(text)) => {
                            error(io, &text).await;
                            all_ok = false;
                        }
                        Err(None) => return false,
                    }
                }
                if first == b'D' && req.preserve {
                    times = None;
                }
            }
            b'E' => {
                if dirs.len() > 1 {
                    dirs.pop();
                }
                io.send(&[0]).await;
            }
            0..=2 => {
                // A warning or error from the client; it goes on or stops by itself.
                all_ok = false;
            }
            _ => {
                error(io, "protocol error: unexpected line").await;
                return false;
            }
        }
    }
}

/// Receives one file's bytes into `path`: `Err(Some(text))` refuses the file (its bytes are
/// read and dropped), `Err(None)` ends the connection.
async fn receive(
    sftp: &Sftp,
    io: &mut Io,
    fs: &Fs,
    path: &str,
    size: u64,
) -> Result<(), Option<String>> {
    let allowed = sftp.begin("STOR", &[("STOR", W)], path).await;
    let opened = match allowed {
        Ok(()) => fs
            .open_write(path, WriteMode::Truncate)
            .await
            .map_err(|e| format!("{path}: {e}")),
        Err(f) => Err(failure_text(path, &f)),
    };
    if opened.is_ok() {
        io.send(&[0]).await;
    } else if let Err(text) = &opened {
        // Refuse before the data: the client stops sending this file.
        return Err(Some(text.clone()));
    }
    let started = Instant::now();
    let mut file = opened.ok();
    let mut left = size;
    let mut write_error: Option<StorageError> = None;
    let mut pacer = crate::sftp::Pacer::new(0);
    while left > 0 {
        let want = usize::try_from(left.min(CHUNK as u64)).unwrap_or(CHUNK);
        let Some(data) = io.some(want).await else {
            return Err(None);
        };
        left -= data.len() as u64;
        if pacer.due().is_some() {
            sftp.progress(0, size - left, started).await;
        }
        if let Some(f) = file.take()
            && write_error.is_none()
        {
            let r = fs
                .pool()
                .run(fs.credentials(), move || {
                    let mut f = f;
                    f.write_all(&data).map(|_| f)
                })
                .await;
            match r {
                Ok(Ok(f)) => file = Some(f),
                Ok(Err(e)) => write_error = Some(StorageError::Io(e)),
                Err(e) => write_error = Some(e),
            }
        }
    }
    // The client ends each file with a zero byte.
    if !io.ack().await {
        return Err(None);
    }
    drop(file);
    let r = match write_error {
        None => Ok(()),
        Some(e) => Err(storage(path, e)),
    };
    sftp.transfer_done(path, started, size, true).await;
    let text = r.as_ref().err().map(|e| format!("{path}: {e}"));
    sftp.end("STOR", path, &r, 226, "Transfer complete").await;
    match text {
        None => Ok(()),
        Some(t) => Err(Some(t)),
    }
}

/// `scp -f`: we send the files.
async fn source(sftp: &Sftp, io: &mut Io, req: &Request) -> bool {
    if !io.ack().await {
        return false;
    }
    let mut all_ok = true;
    for p in &req.paths {
        let Ok((fs, vpath)) = sftp.fs_and(p).await else {
            return false;
        };
        match send_path(sftp, io, &fs, &vpath, req, 0).await {
            Ok(true) => {}
            Ok(false) => all_ok = false,
            Err(()) => return false,
        }
    }
    all_ok
}

/// Sends one file or (with `-r`) directory tree: `Ok(false)` when something was refused.
async fn send_path(
    sftp: &Sftp,
    io: &mut Io,
    fs: &Fs,
    vpath: &str,
    req: &Request,
    depth: usize,
) -> Result<bool, ()> {
    let meta = match fs.metadata(vpath).await {
        Ok(m) => m,
        Err(e) => {
            error(io, &format!("{vpath}: {e}")).await;
            return Ok(false);
        }
    };
    let name = oxftpd_proto::path::file_name(vpath).to_string();
    let name = if name.is_empty() {
        "/".to_string()
    } else {
        name
    };
    if req.preserve {
        let line = format!("T{} 0 {} 0\n", meta.mtime, meta.atime);
        if !io.send(line.as_bytes()).await || !io.ack().await {
            return Err(());
        }
    }
    if meta.is_dir() {
        if !req.recursive || depth > 64 {
            error(io, &format!("{vpath}: not a regular file")).await;
            return Ok(false);
        }
        if let Err(f) = sftp
            .begin("MLSD", &[("LIST", Some(CommandGroup::Dirs))], vpath)
            .await
        {
            error(io, &failure_text(vpath, &f)).await;
            return Ok(false);
        }
        let mut names = Vec::new();
        let listed = async {
            let mut dir = fs.read_dir(vpath).await?;
            while let Some(batch) = dir.next().await? {
                for e in batch.iter() {
                    names.push(e.name.to_string());
                }
            }
            Ok::<_, StorageError>(())
        }
        .await;
        sftp.end("MLSD", vpath, &Ok(()), 226, "Transfer complete")
            .await;
        if let Err(e) = listed {
            error(io, &format!("{vpath}: {e}")).await;
            return Ok(false);
        }
        let line = format!("D{:04o} 0 {name}\n", meta.mode & 0o7777);
        if !io.send(line.as_bytes()).await || !io.ack().await {
            return Err(());
        }
        let mut ok = true;
        for n in names {
            let child = join(vpath, &n);
            ok &= Box::pin(send_path(sftp, io, fs, &child, req, depth + 1)).await?;
        }
        if !io.send(b"E\n").await || !io.ack().await {
            return Err(());
        }
        return Ok(ok);
    }
    if let Err(f) = sftp.begin("RETR", &[("RETR", R)], vpath).await {
        error(io, &failure_text(vpath, &f)).await;
        return Ok(false);
    }
    let (file, meta) = match fs.open_read(vpath, 0).await {
        Ok(f) => f,
        Err(e) => {
            let text = format!("{vpath}: {e}");
            sftp.end("RETR", vpath, &Err(storage(vpath, e)), 0, "")
                .await;
            error(io, &text).await;
            return Ok(false);
        }
    };
    let line = format!("C{:04o} {} {name}\n", meta.mode & 0o7777, meta.size);
    if !io.send(line.as_bytes()).await || !io.ack().await {
        return Err(());
    }
    let started = Instant::now();
    let mut file = Some(file);
    let mut left = meta.size;
    let mut pacer = crate::sftp::Pacer::new(meta.size);
    while left > 0 {
        let Some(f) = file.take() else {
            return Err(());
        };
        let want = usize::try_from(left.min(CHUNK as u64)).unwrap_or(CHUNK);
        let r = fs
            .pool()
            .run(fs.credentials(), move || {
                let mut f = f;
                let mut buf = vec![0u8; want];
                let n = f.read(&mut buf)?;
                buf.truncate(n);
                Ok::<_, std::io::Error>((f, buf))
            })
            .await;
        let Ok(Ok((f, buf))) = r else {
            return Err(());
        };
        if buf.is_empty() {
            // The file shrank: pad, as scp does, and report the error after.
            return Err(());
        }
        left -= buf.len() as u64;
        if !io.send(&buf).await {
            return Err(());
        }
        if let Some(size) = pacer.due() {
            sftp.progress(size, size - left, started).await;
        }
        file = Some(f);
    }
    if !io.send(&[0]).await || !io.ack().await {
        return Err(());
    }
    sftp.transfer_done(vpath, started, meta.size, false).await;
    sftp.end("RETR", vpath, &Ok(()), 226, "Transfer complete")
        .await;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scp_commands_parse() {
        let r = Request::parse("scp -r -p -t -- 'my dir'").unwrap_or_else(|| panic!("parse"));
        assert!(r.sink && r.recursive && r.preserve);
        assert_eq!(r.paths, vec!["my dir".to_string()]);
        let r = Request::parse("scp -f a\\ b c").unwrap_or_else(|| panic!("parse"));
        assert!(!r.sink);
        assert_eq!(r.paths, vec!["a b".to_string(), "c".to_string()]);
        assert!(Request::parse("rm -rf /").is_none());
        assert!(Request::parse("scp -t -f x").is_none());
        assert!(Request::parse("scp -X -t x").is_none());
    }

    #[test]
    fn globs_match() {
        assert!(glob_match("LC_*", "LC_ALL"));
        assert!(glob_match("LANG", "LANG"));
        assert!(!glob_match("LANG", "LANGUAGE"));
    }
}
