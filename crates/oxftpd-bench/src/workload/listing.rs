//! (e) `LIST` and `MLSD` of a large directory (time), and `LIST` of a huge one with the
//! server's peak memory sampled while it runs.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Result, bail};

use super::Ctx;
use crate::hash::Sink;
use crate::layout::{self, Dir};
use crate::report::Record;

/// How long a single wait may take during a listing (servers may read the whole directory
/// before the first byte).
const LISTING_WAIT: Duration = Duration::from_secs(300);

/// Lists `dir` with `verb` (`LIST` or `MLSD`) and reports the time and entries seen.
pub async fn listing(ctx: &Ctx, verb: &str, dir: Dir, name: &str) -> Result<Record> {
    let (secs, lines) = run_listing(ctx, verb, dir, None).await?;
    Ok(Record::new(name)
        .text("verb", verb)
        .int("entries", dir.entries as u64)
        .int("lines", lines)
        .num("secs", secs)
        .num("entries_per_s", dir.entries as f64 / secs))
}

/// Lists `dir` while sampling the server's PSS every 20 ms from the end of the login (the
/// password hash's scratch memory, 16 MiB for yescrypt, is not the listing's); reports the
/// peak over the idle baseline.
pub async fn huge_listing(ctx: &Ctx, dir: Dir) -> Result<Record> {
    let base = ctx.pss();
    let stop = Arc::new(AtomicBool::new(false));
    let armed = Arc::new(AtomicBool::new(false));
    let peak = Arc::new(AtomicU64::new(base));
    let sampler = {
        let (server, stop, peak) = (ctx.server.clone(), stop.clone(), peak.clone());
        let armed = armed.clone();
        std::thread::spawn(move || {
            let until = Instant::now() + LISTING_WAIT * 4;
            while !stop.load(Ordering::Relaxed) && Instant::now() < until && !server.is_empty() {
                if armed.load(Ordering::Relaxed) {
                    peak.fetch_max(server.pss_kib(), Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    let result = run_listing(ctx, "LIST", dir, Some(&armed)).await;
    stop.store(true, Ordering::Relaxed);
    let _ = sampler.join();
    let (secs, lines) = result?;
    let peak = peak.load(Ordering::Relaxed);
    Ok(Record::new("hugelist")
        .int("entries", dir.entries as u64)
        .int("lines", lines)
        .num("secs", secs)
        .int("pss_base_kib", base)
        .int("pss_peak_kib", peak)
        .int("pss_peak_extra_kib", peak.saturating_sub(base)))
}

/// Logs in, lists `dir` with `verb`; sets `logged_in` once the login is done.
async fn run_listing(
    ctx: &Ctx,
    verb: &str,
    dir: Dir,
    logged_in: Option<&AtomicBool>,
) -> Result<(f64, u64)> {
    let baseline = ctx.procs();
    let mut c = ctx.target.login(None).await?;
    if let Some(flag) = logged_in {
        flag.store(true, Ordering::Relaxed);
    }
    c.set_timeout(LISTING_WAIT);
    let mut sink = if ctx.smoke {
        Sink::keeping()
    } else {
        Sink::counting()
    };
    let start = Instant::now();
    let t = c
        .transfer_in_to(&format!("{verb} {}", dir.name), &mut sink)
        .await?;
    let secs = start.elapsed().as_secs_f64();
    if t.preliminary.is_none() || !t.completion.is_completion() {
        bail!("{verb} {}: {}", dir.name, t.completion);
    }
    c.quit().await?;
    ctx.settle(baseline).await?;
    if ctx.smoke {
        check_names(&sink.kept, dir.entries, verb == "MLSD")?;
    } else if sink.lines < dir.entries as u64 {
        bail!(
            "{verb} {}: {} lines for {} entries",
            dir.name,
            sink.lines,
            dir.entries
        );
    }
    Ok((secs, sink.lines))
}

/// Fails unless every prepared name of a `entries`-entry directory is in the listing.
pub fn check_names(listing: &[u8], entries: usize, mlsd: bool) -> Result<()> {
    let text = String::from_utf8_lossy(listing);
    let names: HashSet<&str> = text
        .lines()
        .filter_map(|l| {
            let l = l.trim_end_matches('\r');
            if mlsd {
                l.split_once(' ').map(|(_, n)| n)
            } else {
                l.rsplit(' ').next()
            }
        })
        .collect();
    let missing = (0..entries)
        .map(layout::entry_name)
        .filter(|n| !names.contains(n.as_str()))
        .count();
    if missing > 0 {
        bail!(
            "listing lacks {missing} of {entries} entries (got {} lines)",
            text.lines().count()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_list_and_mlsd() {
        let list = b"-rw-r--r--   1 u g 0 Jan  1 00:00 f0000000\r\n-rw-r--r--   1 u g 0 Jan  1 00:00 f0000001\r\n";
        assert!(check_names(list, 2, false).is_ok());
        assert!(check_names(list, 3, false).is_err());
        let mlsd = b"type=file;size=0; f0000000\r\ntype=cdir; .\r\ntype=file;size=0; f0000001\r\n";
        assert!(check_names(mlsd, 2, true).is_ok());
        assert!(check_names(mlsd, 3, true).is_err());
    }
}
