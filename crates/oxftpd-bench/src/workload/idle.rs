//! (d) K logged-in idle sessions held at once: the server's memory per session (PSS summed
//! over its processes, less its idle baseline).

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use oxftpd_client::Client;

use super::Ctx;
use crate::report::Record;

/// Logins in flight at once while opening the sessions.
const OPENERS: usize = 64;

/// Opens `k` sessions, holds them, measures, then closes them (QUIT under `--smoke`).
pub async fn idle(ctx: &Ctx, k: usize) -> Result<Record> {
    let baseline = ctx.procs();
    let pss_base = ctx.pss();
    let give_up = Instant::now() + ctx.deadline;
    let held: Rc<RefCell<Vec<Client>>> = Rc::new(RefCell::new(Vec::with_capacity(k)));
    let next = Rc::new(RefCell::new(0usize));
    let first_error: Rc<RefCell<Option<String>>> = Rc::new(RefCell::new(None));
    let start = Instant::now();
    let local = tokio::task::LocalSet::new();
    for _ in 0..OPENERS.min(k.max(1)) {
        let (ctx, held, next, first_error) =
            (ctx.clone(), held.clone(), next.clone(), first_error.clone());
        local.spawn_local(async move {
            loop {
                let n = {
                    let mut n = next.borrow_mut();
                    if *n >= k || Instant::now() >= give_up || first_error.borrow().is_some() {
                        return;
                    }
                    *n += 1;
                    *n - 1
                };
                match ctx.target.login(ctx.target.source(n)).await {
                    Ok(c) => held.borrow_mut().push(c),
                    Err(e) => {
                        first_error
                            .borrow_mut()
                            .get_or_insert_with(|| format!("session {n}: {e:#}"));
                        return;
                    }
                }
            }
        });
    }
    local.await;
    let open_secs = start.elapsed().as_secs_f64();
    let mut clients = std::mem::take(&mut *held.borrow_mut());
    let opened = clients.len();
    // Let forked children finish their post-login setup before sampling.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let pss = ctx.pss();
    let procs = ctx.procs();
    let mut still_alive = 0usize;
    if ctx.smoke {
        for c in &mut clients {
            if c.noop().await.is_ok() {
                still_alive += 1;
            }
        }
        for c in clients.drain(..) {
            let _ = c.quit().await;
        }
    }
    drop(clients);
    let settled = ctx.settle(baseline).await;
    let error = first_error.borrow_mut().take();
    if let Some(e) = error {
        bail!("opened {opened} of {k} idle sessions: {e}");
    }
    if opened < k {
        bail!(
            "opened only {opened} of {k} idle sessions within {:?}",
            ctx.deadline
        );
    }
    if ctx.smoke && still_alive != opened {
        bail!(
            "{} of {opened} idle sessions did not answer NOOP",
            opened - still_alive
        );
    }
    settled?;
    let extra = pss.saturating_sub(pss_base);
    Ok(Record::new("idle")
        .int("sessions", opened as u64)
        .num("open_secs", open_secs)
        .int("server_procs", procs as u64)
        .int("pss_base_kib", pss_base)
        .int("pss_kib", pss)
        .num("kib_per_session", extra as f64 / opened.max(1) as f64))
}
