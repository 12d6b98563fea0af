//! How mod_quotatab shows figures: the `used …` part of its refusals and notices, and
//! `SITE QUOTA`'s table, in `QuotaDisplayUnits`.

use oxftpd_config::modules::mod_quotatab::Units;

use super::Quota;
use super::table::Figures;
use crate::module::{HandlerCtx, HandlerFuture};
use crate::session::Ctx;

/// One limited figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// Bytes uploaded.
    BytesIn,
    /// Bytes downloaded.
    BytesOut,
    /// Bytes both ways.
    BytesXfer,
    /// Files uploaded.
    FilesIn,
    /// Files downloaded.
    FilesOut,
    /// Files both ways.
    FilesXfer,
}

/// What an upload is checked against, bytes before files (in, then transfer).
pub const UPLOAD: [Which; 4] = [
    Which::BytesIn,
    Which::BytesXfer,
    Which::FilesIn,
    Which::FilesXfer,
];
/// What a download is checked against.
pub const DOWNLOAD: [Which; 4] = [
    Which::BytesOut,
    Which::BytesXfer,
    Which::FilesOut,
    Which::FilesXfer,
];

impl Which {
    /// (used, available) as numbers; an available of 0 (or less) is unlimited.
    fn pair(self, avail: &Figures, tally: &Figures) -> (f64, f64) {
        match self {
            Which::BytesIn => (tally.bytes_in, avail.bytes_in),
            Which::BytesOut => (tally.bytes_out, avail.bytes_out),
            Which::BytesXfer => (tally.bytes_xfer, avail.bytes_xfer),
            Which::FilesIn => (tally.files_in.into(), avail.files_in.into()),
            Which::FilesOut => (tally.files_out.into(), avail.files_out.into()),
            Which::FilesXfer => (tally.files_xfer.into(), avail.files_xfer.into()),
        }
    }

    /// Whether the tally has reached a (limited) figure.
    pub fn reached(self, avail: &Figures, tally: &Figures) -> bool {
        let (used, limit) = self.pair(avail, tally);
        limit > 0.0 && used >= limit
    }

    /// Whether the tally is past a (limited) figure.
    pub fn past(self, avail: &Figures, tally: &Figures) -> bool {
        let (used, limit) = self.pair(avail, tally);
        limit > 0.0 && used > limit
    }

    fn direction(self) -> &'static str {
        match self {
            Which::BytesIn | Which::FilesIn => "upload",
            Which::BytesOut | Which::FilesOut => "download",
            Which::BytesXfer | Which::FilesXfer => "transfer",
        }
    }

    /// `1024.00 of 1024.00 upload bytes`, `1 of 1 upload file`, as ProFTPD writes them.
    pub fn used(self, avail: &Figures, tally: &Figures, units: Units) -> String {
        let (used, limit) = self.pair(avail, tally);
        let dir = self.direction();
        match self {
            Which::FilesIn | Which::FilesOut | Which::FilesXfer => format!(
                "{used:.0} of {limit:.0} {dir} {}",
                if limit > 1.0 { "files" } else { "file" }
            ),
            _ => match units {
                Units::Bytes => format!(
                    "{used:.2} of {limit:.2} {dir} {}",
                    if limit > 1.0 { "bytes" } else { "byte" }
                ),
                _ => {
                    let (div, name) = scale(units);
                    format!("{:.2} of {:.2} {dir} {name}", used / div, limit / div)
                }
            },
        }
    }
}

fn scale(units: Units) -> (f64, &'static str) {
    match units {
        Units::Bytes => (1.0, "bytes"),
        Units::Kilo => (1024.0, "Kb"),
        Units::Mega => (1024.0 * 1024.0, "Mb"),
        Units::Giga => (1024.0 * 1024.0 * 1024.0, "Gb"),
    }
}

/// A byte line of SITE QUOTA (`bytes:\t12.00/1024.00`, `Kb:\t\t…` for uploads).
fn site_bytes(used: f64, avail: f64, upload: bool, units: Units) -> String {
    let (div, name) = scale(units);
    let name = if units == Units::Bytes { "bytes" } else { name };
    if avail / div <= 0.0 {
        return format!("{name}:\tunlimited");
    }
    let pad = if upload && units != Units::Bytes {
        "\t"
    } else {
        ""
    };
    format!("{name}:\t{pad}{:.2}/{:.2}", used / div, avail / div)
}

fn site_files(used: u32, avail: u32) -> String {
    if avail == 0 {
        "files:\tunlimited".to_string()
    } else {
        format!("files:\t{used}/{avail}")
    }
}

/// Whether SITE QUOTA is understood: `QuotaShowQuotas` (on by default) with `QuotaEngine on`.
pub fn enabled(ctx: &Ctx) -> bool {
    let q = &ctx.server.cfg.quota;
    q.engine && q.show_quotas
}

/// `SITE QUOTA`: the limit and tally in force, or `202 No quotas in effect`.
pub fn site_quota<'a>(hx: HandlerCtx<'a>, _arg: &'a str, _rest: &'a str) -> HandlerFuture<'a> {
    Box::pin(async move {
        let HandlerCtx {
            user: _user,
            mut session,
            ..
        } = hx;
        let ctx = &mut session;
        if ctx.ext.get::<Quota>().is_none() {
            return Ok(ctx.reply(202, "No quotas in effect").await?);
        }
        super::log(ctx, "SITE QUOTA requested");
        super::refresh_in(ctx).await;
        let units = ctx.server.cfg.quota.units;
        let admin = ctx
            .server
            .settings
            .admin
            .clone()
            .unwrap_or_else(|| "ftp-admin".to_string());
        let Some(q) = ctx.ext.get::<Quota>() else {
            return Ok(ctx.reply(202, "No quotas in effect").await?);
        };
        let (l, t) = (&q.limit, &q.tally);
        let lines = [
            "The current quota for this session are [current/limit]:".to_string(),
            format!("Name: {}", l.name),
            format!("Quota Type: {}", l.kind.title()),
            format!(
                "Per Session: {}",
                if l.per_session { "True" } else { "False" }
            ),
            format!("Limit Type: {}", if l.hard { "Hard" } else { "Soft" }),
            format!(
                "  Uploaded {}",
                site_bytes(t.bytes_in, l.avail.bytes_in, true, units)
            ),
            format!(
                "  Downloaded {}",
                site_bytes(t.bytes_out, l.avail.bytes_out, false, units)
            ),
            format!(
                "  Transferred {}",
                site_bytes(t.bytes_xfer, l.avail.bytes_xfer, false, units)
            ),
            format!("  Uploaded {}", site_files(t.files_in, l.avail.files_in)),
            format!(
                "  Downloaded {}",
                site_files(t.files_out, l.avail.files_out)
            ),
            format!(
                "  Transferred {}",
                site_files(t.files_xfer, l.avail.files_xfer)
            ),
            format!("Please contact {admin} if these entries are inaccurate"),
        ];
        let mut reply = oxftpd_proto::reply::Reply::new(200, lines[0].clone());
        for line in &lines[1..] {
            reply.push_line(line.clone());
        }
        Ok(ctx.send(&reply).await?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_read_as_proftpd_writes_them() {
        let avail = Figures {
            bytes_in: 1024.0,
            files_in: 1,
            ..Figures::default()
        };
        let tally = Figures {
            bytes_in: 1024.0,
            files_in: 1,
            ..Figures::default()
        };
        assert_eq!(
            Which::BytesIn.used(&avail, &tally, Units::Bytes),
            "1024.00 of 1024.00 upload bytes"
        );
        assert_eq!(
            Which::BytesIn.used(&avail, &tally, Units::Kilo),
            "1.00 of 1.00 upload Kb"
        );
        assert_eq!(
            Which::FilesIn.used(&avail, &tally, Units::Bytes),
            "1 of 1 upload file"
        );
        assert!(Which::BytesIn.reached(&avail, &tally));
        assert!(!Which::BytesIn.past(&avail, &tally));
        assert!(!Which::BytesOut.reached(&avail, &tally));
        assert_eq!(
            site_bytes(1.0, 0.0, true, Units::Bytes),
            "bytes:\tunlimited"
        );
        assert_eq!(
            site_bytes(512.0, 1024.0, true, Units::Kilo),
            "Kb:\t\t0.50/1.00"
        );
        assert_eq!(site_files(1, 1), "files:\t1/1");
    }
}
