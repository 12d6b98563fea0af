//! The RADIUS packet: RFC 2865 §3 (layout, Access-Request, the Response Authenticator),
//! §5.2 (User-Password hiding), RFC 2866 §3 (the Accounting-Request Authenticator) and
//! RFC 3579 §3.2 (Message-Authenticator, HMAC-MD5 over the whole packet).
//!
//! Pure functions over bytes: no sockets here, so every rule has a unit test below.

use hmac::{Hmac, Mac as _};
use md5::{Digest, Md5};

/// Packet codes (RFC 2865 §3, RFC 2866 §3).
pub mod code {
    /// Access-Request.
    pub const ACCESS_REQUEST: u8 = 1;
    /// Access-Accept.
    pub const ACCESS_ACCEPT: u8 = 2;
    /// Access-Reject.
    pub const ACCESS_REJECT: u8 = 3;
    /// Accounting-Request.
    pub const ACCOUNTING_REQUEST: u8 = 4;
    /// Accounting-Response.
    pub const ACCOUNTING_RESPONSE: u8 = 5;
    /// Access-Challenge.
    pub const ACCESS_CHALLENGE: u8 = 11;
}

/// Attribute types used by mod_radius (RFC 2865 §5, RFC 2866 §5, RFC 3162, RFC 3579).
pub mod attr {
    /// User-Name.
    pub const USER_NAME: u8 = 1;
    /// User-Password (hidden, §5.2).
    pub const USER_PASSWORD: u8 = 2;
    /// NAS-IP-Address.
    pub const NAS_IP_ADDRESS: u8 = 4;
    /// NAS-Port.
    pub const NAS_PORT: u8 = 5;
    /// Service-Type.
    pub const SERVICE_TYPE: u8 = 6;
    /// Reply-Message.
    pub const REPLY_MESSAGE: u8 = 18;
    /// Class.
    pub const CLASS: u8 = 25;
    /// Vendor-Specific.
    pub const VENDOR_SPECIFIC: u8 = 26;
    /// Session-Timeout.
    pub const SESSION_TIMEOUT: u8 = 27;
    /// Idle-Timeout.
    pub const IDLE_TIMEOUT: u8 = 28;
    /// Calling-Station-Id.
    pub const CALLING_STATION_ID: u8 = 31;
    /// NAS-Identifier.
    pub const NAS_IDENTIFIER: u8 = 32;
    /// Acct-Status-Type.
    pub const ACCT_STATUS_TYPE: u8 = 40;
    /// Acct-Input-Octets.
    pub const ACCT_INPUT_OCTETS: u8 = 42;
    /// Acct-Output-Octets.
    pub const ACCT_OUTPUT_OCTETS: u8 = 43;
    /// Acct-Session-Id.
    pub const ACCT_SESSION_ID: u8 = 44;
    /// Acct-Authentic.
    pub const ACCT_AUTHENTIC: u8 = 45;
    /// Acct-Session-Time.
    pub const ACCT_SESSION_TIME: u8 = 46;
    /// Acct-Terminate-Cause.
    pub const ACCT_TERMINATE_CAUSE: u8 = 49;
    /// Event-Timestamp.
    pub const EVENT_TIMESTAMP: u8 = 55;
    /// NAS-Port-Type.
    pub const NAS_PORT_TYPE: u8 = 61;
    /// Message-Authenticator.
    pub const MESSAGE_AUTHENTICATOR: u8 = 80;
    /// NAS-IPv6-Address.
    pub const NAS_IPV6_ADDRESS: u8 = 95;
}

/// The header: code, identifier, length, authenticator.
const HEADER: usize = 20;
/// RFC 2865 §3: the largest packet.
pub const MAX_PACKET: usize = 4096;
/// The largest attribute value (the length octet counts type and length too).
const MAX_VALUE: usize = 253;
/// RFC 2865 §5.2: the longest password that can be hidden.
const MAX_PASSWORD: usize = 128;

/// Why bytes are not a packet, or a packet cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PacketError {
    /// Fewer bytes than the header, or than the header's length says.
    #[error("packet truncated ({0} bytes)")]
    Truncated(usize),
    /// The length field is below 20 or above 4096.
    #[error("invalid packet length {0}")]
    BadLength(usize),
    /// An attribute's length octet is below 2 or runs past the packet.
    #[error("malformed attribute {0}")]
    BadAttribute(u8),
    /// A value longer than one attribute can hold.
    #[error("attribute {0} value too long ({1} bytes)")]
    ValueTooLong(u8, usize),
    /// A password longer than RFC 2865 allows.
    #[error("password longer than {MAX_PASSWORD} bytes")]
    PasswordTooLong,
    /// The attributes make the packet longer than 4096 bytes.
    #[error("packet longer than {MAX_PACKET} bytes")]
    TooLong,
}

/// One RADIUS packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    /// The code ([`code`]).
    pub code: u8,
    /// The identifier that matches a response to its request.
    pub id: u8,
    /// The Request or Response Authenticator.
    pub authenticator: [u8; 16],
    /// Attributes in order: (type, value).
    pub attrs: Vec<(u8, Vec<u8>)>,
}

impl Packet {
    /// An empty packet.
    pub fn new(code: u8, id: u8, authenticator: [u8; 16]) -> Packet {
        Packet {
            code,
            id,
            authenticator,
            attrs: Vec::new(),
        }
    }

    /// Adds an attribute.
    pub fn add(&mut self, kind: u8, value: &[u8]) -> Result<(), PacketError> {
        if value.len() > MAX_VALUE {
            return Err(PacketError::ValueTooLong(kind, value.len()));
        }
        self.attrs.push((kind, value.to_vec()));
        Ok(())
    }

    /// Adds a 32-bit integer attribute (network order).
    pub fn add_u32(&mut self, kind: u8, value: u32) {
        self.attrs.push((kind, value.to_be_bytes().to_vec()));
    }

    /// The first value of attribute `kind`.
    pub fn first(&self, kind: u8) -> Option<&[u8]> {
        self.all(kind).next()
    }

    /// Every value of attribute `kind`, in order.
    pub fn all(&self, kind: u8) -> impl Iterator<Item = &[u8]> {
        self.attrs
            .iter()
            .filter(move |(k, _)| *k == kind)
            .map(|(_, v)| v.as_slice())
    }

    /// The first 32-bit integer value of `kind`.
    pub fn u32(&self, kind: u8) -> Option<u32> {
        let v: [u8; 4] = self.first(kind)?.try_into().ok()?;
        Some(u32::from_be_bytes(v))
    }

    /// The value of vendor `vendor`'s attribute `vtype` inside a Vendor-Specific attribute
    /// (RFC 2865 §5.26: vendor id, then sub-attributes of type, length, value).
    pub fn vendor(&self, vendor: u32, vtype: u8) -> Option<&[u8]> {
        self.all(attr::VENDOR_SPECIFIC).find_map(|v| {
            let (id, mut rest) = (v.get(..4)?, v.get(4..)?);
            if u32::from_be_bytes(id.try_into().ok()?) != vendor {
                return None;
            }
            while rest.len() >= 2 {
                let (t, len) = (rest[0], usize::from(rest[1]));
                if len < 2 || len > rest.len() {
                    return None;
                }
                if t == vtype {
                    return Some(&rest[2..len]);
                }
                rest = &rest[len..];
            }
            None
        })
    }

    /// The packet's bytes, with the authenticator as it stands.
    pub fn encode(&self) -> Result<Vec<u8>, PacketError> {
        let mut out = Vec::with_capacity(HEADER + self.attrs.len() * 8);
        out.extend_from_slice(&[self.code, self.id, 0, 0]);
        out.extend_from_slice(&self.authenticator);
        for (kind, value) in &self.attrs {
            if value.len() > MAX_VALUE {
                return Err(PacketError::ValueTooLong(*kind, value.len()));
            }
            out.push(*kind);
            out.push((value.len() + 2) as u8);
            out.extend_from_slice(value);
        }
        if out.len() > MAX_PACKET {
            return Err(PacketError::TooLong);
        }
        let len = (out.len() as u16).to_be_bytes();
        out[2..4].copy_from_slice(&len);
        Ok(out)
    }

    /// Reads a packet; bytes past the length field are padding and ignored (RFC 2865 §3).
    pub fn decode(bytes: &[u8]) -> Result<Packet, PacketError> {
        if bytes.len() < HEADER {
            return Err(PacketError::Truncated(bytes.len()));
        }
        let len = usize::from(u16::from_be_bytes([bytes[2], bytes[3]]));
        if !(HEADER..=MAX_PACKET).contains(&len) {
            return Err(PacketError::BadLength(len));
        }
        if bytes.len() < len {
            return Err(PacketError::Truncated(bytes.len()));
        }
        let mut authenticator = [0u8; 16];
        authenticator.copy_from_slice(&bytes[4..HEADER]);
        let mut p = Packet::new(bytes[0], bytes[1], authenticator);
        let mut rest = &bytes[HEADER..len];
        while !rest.is_empty() {
            let kind = rest[0];
            let alen = usize::from(*rest.get(1).ok_or(PacketError::BadAttribute(kind))?);
            if alen < 2 || alen > rest.len() {
                return Err(PacketError::BadAttribute(kind));
            }
            p.attrs.push((kind, rest[2..alen].to_vec()));
            rest = &rest[alen..];
        }
        Ok(p)
    }
}

fn md5(parts: &[&[u8]]) -> [u8; 16] {
    let mut h = Md5::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

fn hmac_md5(secret: &[u8], data: &[u8]) -> [u8; 16] {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail here.
    let mut m = <Hmac<Md5> as hmac::Mac>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    m.update(data);
    m.finalize().into_bytes().into()
}

/// RFC 2865 §5.2: the password padded to 16-byte blocks, each XORed with
/// MD5(secret + previous block), the first with MD5(secret + Request Authenticator).
pub fn hide_password(
    password: &[u8],
    secret: &[u8],
    authenticator: &[u8; 16],
) -> Result<Vec<u8>, PacketError> {
    if password.len() > MAX_PASSWORD {
        return Err(PacketError::PasswordTooLong);
    }
    let blocks = password.len().div_ceil(16).max(1);
    let mut out = vec![0u8; blocks * 16];
    out[..password.len()].copy_from_slice(password);
    let mut prev: [u8; 16] = *authenticator;
    for block in out.chunks_mut(16) {
        let b = md5(&[secret, &prev]);
        for (c, k) in block.iter_mut().zip(b) {
            *c ^= k;
        }
        prev.copy_from_slice(block);
    }
    Ok(out)
}

/// The reverse of [`hide_password`] (what a RADIUS server does), trailing NULs removed.
pub fn reveal_password(hidden: &[u8], secret: &[u8], authenticator: &[u8; 16]) -> Vec<u8> {
    let mut out = Vec::with_capacity(hidden.len());
    let mut prev: Vec<u8> = authenticator.to_vec();
    for block in hidden.chunks(16) {
        let b = md5(&[secret, &prev]);
        out.extend(block.iter().zip(b).map(|(c, k)| c ^ k));
        prev = block.to_vec();
    }
    while out.last() == Some(&0) {
        out.pop();
    }
    out
}

/// Signs an Access-Request: adds a Message-Authenticator (HMAC-MD5 of the packet with the
/// attribute zeroed) and returns the bytes to send.
pub fn sign_access_request(p: &mut Packet, secret: &[u8]) -> Result<Vec<u8>, PacketError> {
    p.attrs.retain(|(k, _)| *k != attr::MESSAGE_AUTHENTICATOR);
    p.attrs.push((attr::MESSAGE_AUTHENTICATOR, vec![0u8; 16]));
    let mut bytes = p.encode()?;
    let mac = hmac_md5(secret, &bytes);
    let at = bytes.len() - 16;
    bytes[at..].copy_from_slice(&mac);
    if let Some((_, v)) = p.attrs.last_mut() {
        v.copy_from_slice(&mac);
    }
    Ok(bytes)
}

/// Signs an Accounting-Request (RFC 2866 §3): its authenticator is
/// MD5(code + id + length + 16 zero octets + attributes + secret).
pub fn sign_accounting_request(p: &mut Packet, secret: &[u8]) -> Result<Vec<u8>, PacketError> {
    p.authenticator = [0u8; 16];
    let mut bytes = p.encode()?;
    let digest = md5(&[&bytes, secret]);
    bytes[4..HEADER].copy_from_slice(&digest);
    p.authenticator = digest;
    Ok(bytes)
}

/// Whether a server's accounting request `bytes` carry the right authenticator (a server's
/// check; used by the tests).
pub fn accounting_request_ok(bytes: &[u8], secret: &[u8]) -> bool {
    if bytes.len() < HEADER {
        return false;
    }
    let mut zeroed = bytes.to_vec();
    zeroed[4..HEADER].fill(0);
    md5(&[&zeroed, secret]) == bytes[4..HEADER]
}

/// Whether a response's Response Authenticator is
/// MD5(code + id + length + Request Authenticator + attributes + secret) (RFC 2865 §3).
pub fn response_ok(bytes: &[u8], request_authenticator: &[u8; 16], secret: &[u8]) -> bool {
    if bytes.len() < HEADER {
        return false;
    }
    let digest = md5(&[&bytes[..4], request_authenticator, &bytes[HEADER..], secret]);
    digest == bytes[4..HEADER]
}

/// The verdict on a response's Message-Authenticator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mac {
    /// The response has none.
    Absent,
    /// It matches.
    Valid,
    /// It does not match (or is not 16 bytes).
    Invalid,
}

/// Checks a response's Message-Authenticator (RFC 3579 §3.2): HMAC-MD5 over the packet with
/// the Request Authenticator in the header and the attribute's value zeroed. `bytes` must be
/// exactly the packet (no padding).
pub fn response_mac(bytes: &[u8], request_authenticator: &[u8; 16], secret: &[u8]) -> Mac {
    if bytes.len() < HEADER {
        return Mac::Invalid;
    }
    let mut copy = bytes.to_vec();
    copy[4..HEADER].copy_from_slice(request_authenticator);
    let mut at = HEADER;
    let mut found = None;
    while at + 2 <= copy.len() {
        let (kind, len) = (copy[at], usize::from(copy[at + 1]));
        if len < 2 || at + len > copy.len() {
            return Mac::Invalid;
        }
        if kind == attr::MESSAGE_AUTHENTICATOR {
            if len != 18 {
                return Mac::Invalid;
            }
            let mut given = [0u8; 16];
            given.copy_from_slice(&copy[at + 2..at + 18]);
            copy[at + 2..at + 18].fill(0);
            found = Some(given);
            break;
        }
        at += len;
    }
    match found {
        None => Mac::Absent,
        Some(given) if hmac_md5(secret, &copy) == given => Mac::Valid,
        Some(_) => Mac::Invalid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"xyzzy5461";
    // RFC 2865 §7.1's example: Request Authenticator and the hidden "arctangent".
    const RA: [u8; 16] = [
        0x0f, 0x40, 0x3f, 0x94, 0x73, 0x97, 0x80, 0x57, 0xbd, 0x83, 0xd5, 0xcb, 0x98, 0xf4, 0x22,
        0x7a,
    ];

    #[test]
    fn hides_the_password_as_rfc_2865_example() {
        let hidden = hide_password(b"arctangent", SECRET, &RA).unwrap();
        assert_eq!(
            hidden,
            [
                0x0d, 0xbe, 0x70, 0x8d, 0x93, 0xd4, 0x13, 0xce, 0x31, 0x96, 0xe4, 0x3f, 0x78, 0x2a,
                0x0a, 0xee
            ]
        );
        assert_eq!(reveal_password(&hidden, SECRET, &RA), b"arctangent");
    }

    #[test]
    fn long_and_empty_passwords_round_trip_in_blocks() {
        let long = vec![b'p'; 40];
        let hidden = hide_password(&long, SECRET, &RA).unwrap();
        assert_eq!(hidden.len(), 48);
        assert_eq!(reveal_password(&hidden, SECRET, &RA), long);
        assert_eq!(hide_password(b"", SECRET, &RA).unwrap().len(), 16);
        assert_eq!(
            hide_password(&[b'x'; 129], SECRET, &RA),
            Err(PacketError::PasswordTooLong)
        );
    }

    #[test]
    fn the_rfc_2865_access_accept_verifies() {
        // RFC 2865 §7.1: the Access-Accept for that request, Response Authenticator included.
        let accept: [u8; 38] = [
            0x02, 0x00, 0x00, 0x26, 0x86, 0xfe, 0x22, 0x0e, 0x76, 0x24, 0xba, 0x2a, 0x10, 0x05,
            0xf6, 0xbf, 0x9b, 0x55, 0xe0, 0xb2, 0x06, 0x06, 0x00, 0x00, 0x00, 0x01, 0x0f, 0x06,
            0x00, 0x00, 0x00, 0x00, 0x0e, 0x06, 0xc0, 0xa8, 0x01, 0x03,
        ];
        assert!(response_ok(&accept, &RA, SECRET));
        assert!(!response_ok(&accept, &RA, b"wrong"));
        let p = Packet::decode(&accept).unwrap();
        assert_eq!(p.code, code::ACCESS_ACCEPT);
        assert_eq!(p.u32(attr::SERVICE_TYPE), Some(1));
        assert_eq!(response_mac(&accept, &RA, SECRET), Mac::Absent);
    }

    #[test]
    fn encode_decode_round_trip_and_signing() {
        let mut p = Packet::new(code::ACCESS_REQUEST, 7, RA);
        p.add(attr::USER_NAME, b"nemo").unwrap();
        p.add_u32(attr::NAS_PORT, 21);
        let bytes = sign_access_request(&mut p, SECRET).unwrap();
        let back = Packet::decode(&bytes).unwrap();
        assert_eq!(back, p);
        assert_eq!(back.first(attr::USER_NAME), Some(&b"nemo"[..]));
        // A server's reply carrying a Message-Authenticator computed over the request's RA.
        let mut reply = Packet::new(code::ACCESS_ACCEPT, 7, [0; 16]);
        reply.add(attr::REPLY_MESSAGE, b"hi").unwrap();
        reply.attrs.push((attr::MESSAGE_AUTHENTICATOR, vec![0; 16]));
        reply.authenticator = RA;
        let mut raw = reply.encode().unwrap();
        let mac = hmac_md5(SECRET, &raw);
        let n = raw.len();
        raw[n - 16..].copy_from_slice(&mac);
        let ra = md5(&[&raw[..4], &RA, &raw[20..], SECRET]);
        raw[4..20].copy_from_slice(&ra);
        assert!(response_ok(&raw, &RA, SECRET));
        assert_eq!(response_mac(&raw, &RA, SECRET), Mac::Valid);
        raw[n - 1] ^= 1;
        assert_eq!(response_mac(&raw, &RA, SECRET), Mac::Invalid);
    }

    #[test]
    fn accounting_authenticator() {
        let mut p = Packet::new(code::ACCOUNTING_REQUEST, 1, [9; 16]);
        p.add_u32(attr::ACCT_STATUS_TYPE, 1);
        let bytes = sign_accounting_request(&mut p, SECRET).unwrap();
        assert!(accounting_request_ok(&bytes, SECRET));
        assert!(!accounting_request_ok(&bytes, b"other"));
    }

    #[test]
    fn vendor_attributes() {
        let mut p = Packet::new(code::ACCESS_ACCEPT, 1, [0; 16]);
        let mut vsa = 4u32.to_be_bytes().to_vec();
        vsa.extend_from_slice(&[5, 6, 0, 0, 3, 0xe8]);
        vsa.extend_from_slice(&[7, 3, b'x']);
        p.add(attr::VENDOR_SPECIFIC, &vsa).unwrap();
        assert_eq!(p.vendor(4, 5), Some(&[0, 0, 3, 0xe8][..]));
        assert_eq!(p.vendor(4, 7), Some(&b"x"[..]));
        assert_eq!(p.vendor(4, 9), None);
        assert_eq!(p.vendor(9, 5), None);
    }

    #[test]
    fn malformed_packets_are_errors_not_panics() {
        assert_eq!(Packet::decode(&[1, 2, 3]), Err(PacketError::Truncated(3)));
        let mut b = vec![2, 1, 0, 19];
        b.extend([0; 16]);
        assert_eq!(Packet::decode(&b), Err(PacketError::BadLength(19)));
        let mut b = vec![2, 1, 0, 22];
        b.extend([0; 16]);
        b.extend([1, 0]);
        assert_eq!(Packet::decode(&b), Err(PacketError::BadAttribute(1)));
        let mut b = vec![2, 1, 0, 23];
        b.extend([0; 16]);
        b.extend([1, 9, 0]);
        assert_eq!(Packet::decode(&b), Err(PacketError::BadAttribute(1)));
        let mut b = vec![2, 1, 0, 40];
        b.extend([0; 16]);
        assert_eq!(Packet::decode(&b), Err(PacketError::Truncated(20)));
        assert_eq!(response_mac(&[0; 5], &RA, SECRET), Mac::Invalid);
        let mut p = Packet::new(1, 1, RA);
        assert!(p.add(1, &[0; 254]).is_err());
        for _ in 0..20 {
            p.add(1, &[0; 253]).unwrap();
        }
        assert_eq!(p.encode(), Err(PacketError::TooLong));
    }
}
