//! The server's processes, found by pid, pidfile or command name, with their descendants:
//! CPU time from `/proc/PID/stat` and memory (PSS) from `/proc/PID/smaps_rollup`.

// This file calls libc (or other C APIs): unsafe code is allowed here only, each block
// with a SAFETY comment saying why it is sound.
#![allow(unsafe_code)]

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::PathBuf;

use anyhow::{Context, Result};

/// How the server's processes are chosen.
#[derive(Debug, Clone, Default)]
pub struct Selector {
    /// Explicit pids.
    pub pids: Vec<u32>,
    /// Files holding a pid (read at each sample: a restarted server is followed).
    pub pidfiles: Vec<PathBuf>,
    /// Command names (`/proc/PID/comm`, at most 15 bytes as the kernel keeps them).
    pub comms: Vec<String>,
}

/// One process as read from `/proc/PID/stat`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stat {
    pid: u32,
    comm: String,
    ppid: u32,
    /// utime + stime + cutime + cstime, in clock ticks.
    ticks: u64,
}

impl Selector {
    /// True when nothing is selected (server figures are then left out).
    pub fn is_empty(&self) -> bool {
        self.pids.is_empty() && self.pidfiles.is_empty() && self.comms.is_empty()
    }

    /// The selected processes and all their descendants, now.
    fn members(&self) -> Vec<Stat> {
        let all = all_stats();
        let mut roots: HashSet<u32> = self.pids.iter().copied().collect();
        for file in &self.pidfiles {
            if let Some(pid) = fs::read_to_string(file)
                .ok()
                .and_then(|s| s.trim().parse().ok())
            {
                roots.insert(pid);
            }
        }
        for s in &all {
            if self.comms.iter().any(|c| comm_matches(c, &s.comm)) {
                roots.insert(s.pid);
            }
        }
        let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
        for s in &all {
            children.entry(s.ppid).or_default().push(s.pid);
        }
        let mut chosen: HashSet<u32> = HashSet::new();
        let mut stack: Vec<u32> = roots.into_iter().collect();
        while let Some(pid) = stack.pop() {
            if chosen.insert(pid) {
                stack.extend(children.get(&pid).into_iter().flatten().copied());
            }
        }
        all.into_iter()
            .filter(|s| chosen.contains(&s.pid))
            .collect()
    }

    /// Number of live processes selected.
    pub fn count(&self) -> usize {
        self.members().len()
    }

    /// CPU seconds used so far by the selected processes and the children they reaped.
    ///
    /// A forking server's finished sessions show up in their parent's cutime/cstime once
    /// reaped, so the sum over the live tree covers them.
    pub fn cpu_seconds(&self) -> f64 {
        let ticks: u64 = self.members().iter().map(|s| s.ticks).sum();
        ticks as f64 / clock_ticks_per_second()
    }

    /// Proportional set size summed over the selected processes, in KiB.
    pub fn pss_kib(&self) -> u64 {
        self.members().iter().filter_map(|s| pss_of(s.pid)).sum()
    }

    /// Fails when no process is selected, naming the selector.
    pub fn check_alive(&self) -> Result<()> {
        if self.is_empty() || self.count() > 0 {
            Ok(())
        } else {
            anyhow::bail!("no server process matches {self:?}")
        }
    }
}

/// The kernel keeps 15 bytes of a command name.
fn comm_matches(wanted: &str, comm: &str) -> bool {
    let w = wanted.as_bytes();
    comm.as_bytes() == &w[..w.len().min(15)]
}

fn clock_ticks_per_second() -> f64 {
    // SAFETY: sysconf has no preconditions.
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if t > 0 { t as f64 } else { 100.0 }
}

fn all_stats() -> Vec<Stat> {
    let Ok(dir) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()))
        .filter_map(|pid| {
            fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                .and_then(|t| parse_stat(pid, &t))
        })
        .collect()
}

/// Parses `/proc/PID/stat`: the comm is in parentheses and may hold spaces or parentheses.
fn parse_stat(pid: u32, text: &str) -> Option<Stat> {
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    let comm = text.get(open + 1..close)?.to_string();
    let rest: Vec<&str> = text.get(close + 1..)?.split_whitespace().collect();
    // rest[0] is field 3 (state); field N is rest[N - 3].
    let field = |n: usize| rest.get(n - 3).and_then(|v| v.parse::<u64>().ok());
    let ppid = u32::try_from(field(4)?).ok()?;
    let ticks = field(14)? + field(15)? + field(16)? + field(17)?;
    Some(Stat {
        pid,
        comm,
        ppid,
        ticks,
    })
}

fn pss_of(pid: u32) -> Option<u64> {
    let text = fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    parse_pss(&text)
}

/// The `Pss:` line of smaps_rollup, in KiB.
fn parse_pss(text: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| l.strip_prefix("Pss:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Waits (bounded) until the selection has at most `count` live processes.
pub async fn wait_for_count(
    sel: &Selector,
    count: usize,
    deadline: std::time::Duration,
) -> Result<()> {
    if sel.is_empty() {
        return Ok(());
    }
    let until = tokio::time::Instant::now() + deadline;
    loop {
        let now = sel.count();
        if now <= count {
            return Ok(());
        }
        if tokio::time::Instant::now() >= until {
            return Err(anyhow::anyhow!(
                "server still has {now} processes (baseline {count}) after {deadline:?}"
            ))
            .context("waiting for sessions to end");
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_line() {
        let line = "1234 (pro (ftpd)) S 1 1234 1234 0 -1 4194560 100 0 0 0 7 3 11 2 20 0 1 0 5 0 0";
        let s = parse_stat(1234, line).expect("parses");
        assert_eq!(s.comm, "pro (ftpd)");
        assert_eq!(s.ppid, 1);
        assert_eq!(s.ticks, 7 + 3 + 11 + 2);
        assert_eq!(parse_stat(1, "garbage"), None);
    }

    #[test]
    fn pss_line() {
        let text = "55d0-7ffd [rollup]\nRss:                5000 kB\nPss:                1234 kB\nPss_Anon: 9 kB\n";
        assert_eq!(parse_pss(text), Some(1234));
        assert_eq!(parse_pss("Rss: 1 kB\n"), None);
    }

    #[test]
    fn comm_is_cut_at_15() {
        assert!(comm_matches("a-very-long-daemon-name", "a-very-long-dae"));
        assert!(!comm_matches("proftpd", "proftp"));
    }

    #[test]
    fn own_process_is_found() {
        let me = std::process::id();
        let sel = Selector {
            pids: vec![me],
            ..Selector::default()
        };
        assert_eq!(sel.count(), 1);
        assert!(sel.pss_kib() > 0);
        assert!(sel.cpu_seconds() >= 0.0);
        let none = Selector {
            pids: vec![u32::MAX - 1],
            ..Selector::default()
        };
        assert!(none.check_alive().is_err());
    }
}
