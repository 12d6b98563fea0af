//! `oxftpd-bench`: load generator for FTP servers (issue 8). See `--help` and
//! docs/PERFORMANCE.md.

mod ceiling;
mod cli;
mod hash;
mod layout;
mod limits;
mod prepare;
mod procs;
mod report;
mod stats;
mod target;
mod workload;

use std::net::{SocketAddr, ToSocketAddrs};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::Parser;
use oxftpd_client::{TlsConfig, TlsVersions};

use cli::{CeilingArgs, Cli, Command, RunArgs};
use report::{Output, Record};
use target::{Security, Target};
use workload::{Ctx, within};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Some(Command::Prepare(p)) => {
            let plan = prepare::Plan {
                small: p.small,
                no_huge: p.no_huge,
                owner: p.owner,
            };
            prepare::prepare(&p.dir, &plan).map(|()| true)
        }
        Some(Command::Ceiling(c)) => Ok(ceiling(&c)),
        Some(Command::Run(r)) => run(*r),
        None => run(cli.run),
    };
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("oxftpd-bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn ceiling(c: &CeilingArgs) -> bool {
    let out = Output { json: c.json };
    let mut ok = true;
    let mut report = |r: Result<Record>, name: &str| match r {
        Ok(r) => out.emit(&r),
        Err(e) => {
            ok = false;
            out.emit(&Record::new(name).text("error", format!("{e:#}")));
        }
    };
    report(ceiling::sendfile_pair(c.bytes), "ceiling-sendfile");
    if c.iperf3_secs > 0 {
        report(
            ceiling::iperf3(c.iperf3_port, c.iperf3_secs),
            "ceiling-iperf3",
        );
    }
    ok
}

/// Runs the chosen workloads in order; every failure is reported and the run goes on.
fn run(args: RunArgs) -> Result<bool> {
    let addr = resolve(&args.host, args.port)?;
    if !addr.ip().is_loopback() {
        bail!("{addr} is not a loopback address: this load generator only targets this machine");
    }
    let idle = if !args.idle.is_empty() {
        args.idle.clone()
    } else if args.smoke {
        vec![50]
    } else {
        vec![1000, 10_000]
    };
    let largest = idle.iter().copied().max().unwrap_or(0);
    let sources = args
        .sources
        .unwrap_or_else(|| u8::try_from(largest / 20_000 + 1).unwrap_or(u8::MAX));
    if args.workloads.iter().any(|w| w == "idle") {
        limits::raise_nofile(largest as u64 + 4096)?;
    }
    let security = security(&args)?;
    let prefix = security.prefix();
    let ctx = Ctx {
        target: Target {
            addr,
            user: args.user.clone(),
            password: args.password.clone(),
            security,
            sources: if sources > 1 {
                target::loopback_sources(sources)
            } else {
                Vec::new()
            },
            timeout: Duration::from_secs(args.timeout_secs),
        },
        server: procs::Selector {
            pids: args.server_pids.clone(),
            pidfiles: args.server_pidfiles.clone(),
            comms: args.server_comms.clone(),
        },
        smoke: args.smoke,
        deadline: Duration::from_secs(args.deadline_secs),
    };
    ctx.server.check_alive()?;
    let shape = workload::sessions::Shape {
        total: args.sessions.unwrap_or(if args.smoke { 5 } else { 2000 }),
        concurrency: args.concurrency.unwrap_or(if args.smoke { 5 } else { 50 }),
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let out = Output { json: args.json };
    let mut failures = 0usize;
    for name in &args.workloads {
        let results: Vec<(String, Result<Record>)> = rt.block_on(async {
            match name.as_str() {
                "idle" => {
                    let mut v = Vec::new();
                    for &k in &idle {
                        v.push((
                            "idle".to_string(),
                            within(&ctx, "idle", workload::idle::idle(&ctx, k)).await,
                        ));
                    }
                    v
                }
                other => vec![(other.to_string(), one(&ctx, other, shape).await)],
            }
        });
        for (w, r) in results {
            let mut rec = r.unwrap_or_else(|e| {
                failures += 1;
                Record::new(w).text("error", format!("{e:#}"))
            });
            if !prefix.is_empty() {
                rec.workload.insert_str(0, prefix);
            }
            if let Some(label) = &args.label {
                rec.fields
                    .insert(0, ("server", report::Value::Text(label.clone())));
            }
            out.emit(&rec);
        }
    }
    if args.smoke && !args.json {
        println!(
            "smoke: {} passed, {failures} failed",
            args.workloads.len() + idle.len().saturating_sub(1) - failures
        );
    }
    Ok(failures == 0)
}

async fn one(ctx: &Ctx, name: &str, shape: workload::sessions::Shape) -> Result<Record> {
    use layout::{DIR_1M, DIR_10K, DIR_100};
    use workload::{listing, sessions, transfer};
    let (list_dir, huge_dir) = if ctx.smoke {
        (DIR_100, DIR_100)
    } else {
        (DIR_10K, DIR_1M)
    };
    match name {
        "retr" => within(ctx, name, transfer::retr(ctx)).await,
        "stor" => within(ctx, name, transfer::stor(ctx)).await,
        "sessions" => within(ctx, name, sessions::sessions(ctx, shape)).await,
        "list" => within(ctx, name, listing::listing(ctx, "LIST", list_dir, "list")).await,
        "mlsd" => within(ctx, name, listing::listing(ctx, "MLSD", list_dir, "mlsd")).await,
        "hugelist" => within(ctx, name, listing::huge_listing(ctx, huge_dir)).await,
        other => {
            bail!("unknown workload {other:?} (retr, stor, sessions, idle, list, mlsd, hugelist)")
        }
    }
}

/// Plain FTP, or explicit FTPS with the certificate check the flags ask for.
fn security(args: &RunArgs) -> Result<Security> {
    if !args.tls {
        return Ok(Security::Plain);
    }
    let versions = if args.tls12 {
        TlsVersions::Tls12Only
    } else {
        TlsVersions::Any
    };
    let tls = match (&args.tls_ca, args.tls_insecure) {
        (Some(ca), _) => TlsConfig::with_ca_file(ca, versions)?,
        (None, true) => TlsConfig::insecure_accept_any_certificate(versions)?,
        (None, false) => bail!("--tls needs --tls-ca FILE or --tls-insecure"),
    };
    Ok(Security::ExplicitTls(tls))
}

fn resolve(host: &str, port: u16) -> Result<SocketAddr> {
    (host, port)
        .to_socket_addrs()
        .with_context(|| format!("resolving {host}"))?
        .next()
        .with_context(|| format!("{host} has no address"))
}
