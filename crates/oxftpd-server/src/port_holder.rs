//! Who is listening on a port: `/proc/net/tcp{,6}` gives the socket's inode, `/proc/*/fd`
//! the process that holds it. Used to say more than "address in use".

use std::fs;

/// The `pid (name)` of a process listening on TCP `port`, if `/proc` tells.
pub fn listening_on(port: u16) -> Option<String> {
    let inode = ["/proc/net/tcp", "/proc/net/tcp6"]
        .iter()
        .find_map(|table| listen_inode(&fs::read_to_string(table).ok()?, port))?;
    let target = format!("socket:[{inode}]");
    for entry in fs::read_dir("/proc").ok()?.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        let Ok(fds) = fs::read_dir(entry.path().join("fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            if fs::read_link(fd.path()).is_ok_and(|l| l.as_os_str() == target.as_str()) {
                let comm = fs::read_to_string(entry.path().join("comm")).unwrap_or_default();
                return Some(format!("pid {pid} ({})", comm.trim()));
            }
        }
    }
    None
}

/// The inode of the socket in LISTEN state (`0A`) on `port` in one `/proc/net/tcp` table.
fn listen_inode(table: &str, port: u16) -> Option<u64> {
    table.lines().skip(1).find_map(|line| {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let local = cols.get(1)?;
        let (_, hex_port) = local.rsplit_once(':')?;
        let p = u16::from_str_radix(hex_port, 16).ok()?;
        (p == port && cols.get(3) == Some(&"0A")).then(|| cols.get(9)?.parse().ok())?
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_listening_row() {
        let table = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   \
            0: 0100007F:0015 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1\n   \
            1: 0100007F:0015 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 4343 1\n";
        assert_eq!(listen_inode(table, 21), Some(4242));
        assert_eq!(listen_inode(table, 22), None);
    }

    #[test]
    fn names_this_test_as_the_holder() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = l.local_addr().expect("addr").port();
        let who = listening_on(port).expect("found in /proc");
        assert!(
            who.starts_with(&format!("pid {} (", std::process::id())),
            "{who}"
        );
    }
}
