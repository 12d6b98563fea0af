//! (a) one large `RETR` of a page-cached file and (b) one large `STOR`: rate and server CPU.

use std::time::Instant;

use anyhow::{Context, Result, bail};

use super::Ctx;
use crate::hash::{self, Digest, Sink};
use crate::layout;
use crate::report::Record;
use crate::stats::mb_per_s;

const GIB: f64 = (1u64 << 30) as f64;

/// Downloads the big file (the 1 MiB smoke file under `--smoke`, checked byte for byte).
pub async fn retr(ctx: &Ctx) -> Result<Record> {
    let (path, size) = if ctx.smoke {
        (layout::SMOKE_FILE, layout::SMOKE_SIZE as u64)
    } else {
        (layout::BIG_FILE, layout::BIG_SIZE)
    };
    let baseline = ctx.procs();
    let mut client = ctx.target.login(None).await?;
    client.type_i().await?;
    let mut sink = if ctx.smoke {
        Sink::hashing()
    } else {
        Sink::length_only()
    };
    let cpu0 = ctx.cpu();
    let start = Instant::now();
    let got = client
        .retr_to(path, &mut sink)
        .await
        .with_context(|| format!("RETR {path}"))?;
    let secs = start.elapsed().as_secs_f64();
    // Taken while the session is alive: a server whose session processes are not reaped
    // inside its own tree (vsftpd) would otherwise lose their CPU time.
    let cpu = ctx.cpu() - cpu0;
    client.quit().await?;
    ctx.settle(baseline).await?;
    if got != size || sink.digest.len != size {
        bail!("RETR {path}: got {got} bytes, expected {size}");
    }
    if ctx.smoke
        && sink.digest != Digest::of(&hash::content(layout::SMOKE_SEED, layout::SMOKE_SIZE))
    {
        bail!("RETR {path}: content differs from the prepared file");
    }
    Ok(rate_record("retr", size, secs, cpu))
}

/// Uploads the same size as [`retr`] (pseudo-random and read back under `--smoke`), then
/// deletes the upload.
pub async fn stor(ctx: &Ctx) -> Result<Record> {
    let path = format!("stor-{}.bin", std::process::id());
    let baseline = ctx.procs();
    let mut client = ctx.target.login(None).await?;
    client.type_i().await?;
    let cpu0 = ctx.cpu();
    let start = Instant::now();
    let size = if ctx.smoke {
        let bytes = hash::content(layout::SMOKE_SEED + 100, layout::SMOKE_SIZE);
        client
            .stor(&path, &bytes)
            .await
            .with_context(|| format!("STOR {path}"))?;
        bytes.len() as u64
    } else {
        let mut zeros = tokio::io::AsyncReadExt::take(tokio::io::repeat(0x5a), layout::BIG_SIZE);
        client
            .stor_from(&path, &mut zeros)
            .await
            .with_context(|| format!("STOR {path}"))?;
        layout::BIG_SIZE
    };
    let secs = start.elapsed().as_secs_f64();
    let cpu_mid = ctx.cpu();
    let stored = client
        .size(&path)
        .await
        .with_context(|| format!("SIZE {path}"))?;
    let checked = if ctx.smoke {
        let back = client
            .retr(&path)
            .await
            .with_context(|| format!("RETR {path} (read-back)"))?;
        Some(
            Digest::of(&back)
                == Digest::of(&hash::content(layout::SMOKE_SEED + 100, layout::SMOKE_SIZE)),
        )
    } else {
        None
    };
    client
        .dele(&path)
        .await
        .with_context(|| format!("DELE {path}"))?;
    client.quit().await?;
    ctx.settle(baseline).await?;
    // Taken while the session was alive, as in `retr`.
    let cpu = cpu_mid - cpu0;
    if stored != size {
        bail!("STOR {path}: server has {stored} bytes, sent {size}");
    }
    if checked == Some(false) {
        bail!("STOR {path}: read-back differs from what was sent");
    }
    Ok(rate_record("stor", size, secs, cpu))
}

fn rate_record(name: &str, bytes: u64, secs: f64, cpu: f64) -> Record {
    Record::new(name)
        .int("bytes", bytes)
        .num("secs", secs)
        .num("mb_s", mb_per_s(bytes, secs))
        .num("server_cpu_s", cpu)
        .num("cpu_s_per_gib", cpu / (bytes as f64 / GIB))
}
