//! The attributes every mod_radius request carries, and fresh identifiers.

use std::net::{IpAddr, SocketAddr};

use crate::packet::{Packet, attr};
use crate::settings::RadiusSettings;

/// NAS-Port-Type Virtual (RFC 2865 §5.41).
const PORT_TYPE_VIRTUAL: u32 = 5;

/// Sixteen unpredictable bytes (a Request Authenticator must not repeat, RFC 2865 §3).
pub fn random16() -> [u8; 16] {
    let mut b = [0u8; 16];
    if getrandom::getrandom(&mut b).is_err() {
        // No system randomness: fall back to the clock and a counter, still never repeating.
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        b[..8].copy_from_slice(&(t as u64).to_be_bytes());
        b[8..].copy_from_slice(&N.fetch_add(1, Ordering::Relaxed).to_be_bytes());
    }
    b
}

/// The name sent as User-Name: the login name with `RadiusRealm` appended.
pub fn user_name(s: &RadiusSettings, user: &str) -> String {
    match &s.realm {
        Some(realm) => format!("{user}{realm}"),
        None => user.to_string(),
    }
}

/// The session's Acct-Session-Id: the same in its Access-Request and its accounting, unique
/// among the sessions of the process (ProFTPD sends its per-session process id).
pub fn session_id(remote: SocketAddr, local: SocketAddr) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (remote, local).hash(&mut h);
    format!("{:08}{:016x}", std::process::id(), h.finish())
}

/// Adds User-Name, NAS-Identifier, NAS-IP(v6)-Address, NAS-Port, NAS-Port-Type and
/// Calling-Station-Id.
pub fn add_common(
    p: &mut Packet,
    s: &RadiusSettings,
    user: &str,
    addrs: Option<(SocketAddr, SocketAddr)>,
) -> Result<(), crate::packet::PacketError> {
    p.add(attr::USER_NAME, user_name(s, user).as_bytes())?;
    let nas = s.nas_identifier.as_deref().unwrap_or("ftp");
    p.add(attr::NAS_IDENTIFIER, nas.as_bytes())?;
    if let Some((remote, local)) = addrs {
        match local.ip().to_canonical() {
            IpAddr::V4(v4) => p.add(attr::NAS_IP_ADDRESS, &v4.octets())?,
            IpAddr::V6(v6) => p.add(attr::NAS_IPV6_ADDRESS, &v6.octets())?,
        }
        p.add_u32(attr::NAS_PORT, u32::from(local.port()));
        p.add(
            attr::CALLING_STATION_ID,
            remote.ip().to_canonical().to_string().as_bytes(),
        )?;
    }
    p.add_u32(attr::NAS_PORT_TYPE, PORT_TYPE_VIRTUAL);
    Ok(())
}
