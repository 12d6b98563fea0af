//! (c) Short sessions from many concurrent clients: connect, greeting, login, PWD, TYPE I,
//! LIST of a 100-entry directory, RETR of a 4 KiB file, QUIT.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use super::Ctx;
use super::listing::check_names;
use crate::hash::{self, Digest, Sink};
use crate::layout::{self, DIR_100};
use crate::report::Record;
use crate::stats::{ms, percentile};

/// How many sessions and how many at once.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// Sessions in total.
    pub total: usize,
    /// Sessions in flight at once.
    pub concurrency: usize,
}

#[derive(Default)]
struct Tally {
    next: usize,
    latencies: Vec<Duration>,
    errors: usize,
    first_error: Option<String>,
}

/// Runs the sessions and reports sessions/s, latency percentiles and server CPU per session.
pub async fn sessions(ctx: &Ctx, shape: Shape) -> Result<Record> {
    // One untimed session first: a server's first fork may load libraries the rest share.
    one_session(ctx, 0).await.context("warm-up session")?;
    let baseline = ctx.procs();
    let tally = Rc::new(RefCell::new(Tally::default()));
    let give_up = Instant::now() + ctx.deadline;
    let cpu0 = ctx.cpu();
    let start = Instant::now();
    let local = tokio::task::LocalSet::new();
    for worker in 0..shape.concurrency.max(1) {
        let (ctx, tally) = (ctx.clone(), tally.clone());
        local.spawn_local(async move {
            let mut n = worker;
            loop {
                {
                    let mut t = tally.borrow_mut();
                    if t.next >= shape.total || Instant::now() >= give_up {
                        return;
                    }
                    t.next += 1;
                }
                let began = Instant::now();
                let r = one_session(&ctx, n).await;
                let took = began.elapsed();
                let mut t = tally.borrow_mut();
                match r {
                    Ok(()) => t.latencies.push(took),
                    Err(e) => {
                        t.errors += 1;
                        t.first_error.get_or_insert_with(|| format!("{e:#}"));
                    }
                }
                n += shape.concurrency;
            }
        });
    }
    local.await;
    let wall = start.elapsed().as_secs_f64();
    ctx.settle(baseline).await?;
    let cpu = ctx.cpu() - cpu0;
    let mut t = std::mem::take(&mut *tally.borrow_mut());
    t.latencies.sort();
    let done = t.latencies.len();
    if let Some(e) = &t.first_error
        && (ctx.smoke || done == 0)
    {
        bail!(
            "{} of {} sessions failed; first: {e}",
            t.errors,
            t.errors + done
        );
    }
    if done < shape.total && t.errors == 0 {
        bail!(
            "only {done} of {} sessions finished within {:?}",
            shape.total,
            ctx.deadline
        );
    }
    let mut r = Record::new("sessions")
        .int("sessions", done as u64)
        .int("concurrency", shape.concurrency as u64)
        .int("errors", t.errors as u64)
        .num("secs", wall)
        .num("per_s", done as f64 / wall)
        .num("p50_ms", ms(percentile(&t.latencies, 50.0)))
        .num("p99_ms", ms(percentile(&t.latencies, 99.0)))
        .num(
            "server_cpu_ms_per_session",
            cpu * 1000.0 / done.max(1) as f64,
        );
    if let Some(e) = t.first_error {
        r = r.text("first_error", e);
    }
    Ok(r)
}

async fn one_session(ctx: &Ctx, n: usize) -> Result<()> {
    let mut c = ctx.target.login(ctx.target.source(n)).await?;
    c.pwd().await.context("PWD")?;
    c.type_i().await.context("TYPE I")?;
    let mut listing = Sink::keeping();
    let t = c
        .transfer_in_to(&format!("LIST {}", DIR_100.name), &mut listing)
        .await
        .context("LIST")?;
    if t.preliminary.is_none() || !t.completion.is_completion() {
        bail!("LIST {}: {}", DIR_100.name, t.completion);
    }
    check_names(&listing.kept, DIR_100.entries, false)?;
    let mut file = if ctx.smoke {
        Sink::hashing()
    } else {
        Sink::counting()
    };
    let got = c
        .retr_to(layout::SMALL_FILE, &mut file)
        .await
        .context("RETR")?;
    if got != layout::SMALL_SIZE as u64 {
        bail!(
            "RETR {}: {got} bytes, expected {}",
            layout::SMALL_FILE,
            layout::SMALL_SIZE
        );
    }
    if ctx.smoke
        && file.digest != Digest::of(&hash::content(layout::SMALL_SEED, layout::SMALL_SIZE))
    {
        bail!("RETR {}: content differs", layout::SMALL_FILE);
    }
    c.quit().await.context("QUIT")?;
    Ok(())
}
