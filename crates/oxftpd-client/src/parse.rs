//! Parsing the reply texts that carry values: PASV, EPSV and PWD.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use crate::Reply;

/// The address in a `227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)` reply.
pub fn parse_pasv(reply: &Reply) -> Option<SocketAddr> {
    let text = reply.text();
    let start = text.find(|c: char| c.is_ascii_digit())?;
    let nums: Vec<u8> = text[start..]
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .take(6)
        .map(|s| s.parse::<u8>().ok())
        .collect::<Option<Vec<u8>>>()?;
    let [a, b, c, d, p1, p2] = nums.as_slice() else {
        return None;
    };
    let ip = IpAddr::V4(Ipv4Addr::new(*a, *b, *c, *d));
    Some(SocketAddr::new(ip, u16::from(*p1) << 8 | u16::from(*p2)))
}

/// The port in a `229 Entering Extended Passive Mode (|||port|)` reply.
pub fn parse_epsv(reply: &Reply) -> Option<u16> {
    let text = reply.text();
    let open = text.find('(')?;
    let inner = &text[open + 1..];
    let close = inner.find(')')?;
    let inner = &inner[..close];
    let delim = inner.chars().next()?;
    let parts: Vec<&str> = inner.split(delim).collect();
    match parts.as_slice() {
        ["", "", "", port, ""] => port.parse().ok(),
        _ => None,
    }
}

/// The directory in a `257 "/path" ...` reply, with doubled quotes undone.
pub fn parse_pwd(reply: &Reply) -> Option<String> {
    let text = reply.text();
    let rest = text.strip_prefix('"')?;
    let mut out = String::new();
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '"' {
            if chars.peek() == Some(&'"') {
                chars.next();
                out.push('"');
            } else {
                return Some(out);
            }
        } else {
            out.push(c);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(line: &str) -> Reply {
        Reply {
            code: line[..3].parse().unwrap_or(0),
            lines: vec![line.to_string()],
        }
    }

    #[test]
    fn pasv_address() {
        let r = reply("227 Entering Passive Mode (127,0,0,1,138,103).");
        assert_eq!(parse_pasv(&r), Some("127.0.0.1:35431".parse().unwrap()));
        assert_eq!(
            parse_pasv(&reply("227 Entering Passive Mode (1,2,3)")),
            None
        );
        assert_eq!(parse_pasv(&reply("227 (300,0,0,1,1,1)")), None);
    }

    #[test]
    fn epsv_port() {
        let r = reply("229 Entering Extended Passive Mode (|||28196|)");
        assert_eq!(parse_epsv(&r), Some(28196));
        assert_eq!(parse_epsv(&reply("229 Entering (|1|x|)")), None);
    }

    #[test]
    fn pwd_path() {
        assert_eq!(
            parse_pwd(&reply("257 \"/a\"\"b\" is the current directory")),
            Some("/a\"b".to_string())
        );
        assert_eq!(parse_pwd(&reply("257 /nope")), None);
    }
}
