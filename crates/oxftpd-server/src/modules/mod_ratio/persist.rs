//! Where ratio tallies live: four counters per user (`ratio` space of the counter store),
//! changed only by atomic adds, so several sessions of one user, several processes or nodes on
//! one store never lose a transfer; and, with `SaveRatios`, ProFTPD's `RatioFile` (one
//! `user|files-up|KB-up|files-down|KB-down` line per user) rewritten through `RatioTempFile`.

use oxftpd_config::modules::mod_ratio::View;

use super::stats::Tally;
use crate::session::{Ctx, LoggedIn};

const SPACE: &str = "ratio";
const NAMES: [&str; 4] = ["files_up", "kb_up", "files_down", "kb_down"];

fn tally_of(values: &[i64]) -> Tally {
    let v = |i: usize| values.get(i).copied().unwrap_or(0);
    Tally {
        files_up: v(0),
        kb_up: v(1),
        files_down: v(2),
        kb_down: v(3),
    }
}

/// `user`'s tally (zero when the store has none, or cannot be reached: logged).
pub async fn load(ctx: &Ctx, user: &str) -> Tally {
    add(ctx, user, Tally::default()).await
}

/// Adds `d` to `user`'s tally in one atomic step; the tally after it.
pub async fn add(ctx: &Ctx, user: &str, d: Tally) -> Tally {
    let store = match crate::module::store::of(ctx).await {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!("mod_ratio: counter store: {e}");
            return Tally::default();
        }
    };
    let deltas = NAMES
        .iter()
        .zip([d.files_up, d.kb_up, d.files_down, d.kb_down])
        .map(|(n, v)| (n.to_string(), v))
        .collect();
    match store
        .add(SPACE.into(), user.to_string(), deltas, None)
        .await
    {
        Ok(values) => tally_of(&values),
        Err(e) => {
            tracing::warn!("mod_ratio: counter store: {e}");
            Tally::default()
        }
    }
}

/// Writes `user`'s line into `RatioFile` (through `RatioTempFile`) with the session user's
/// credentials, as ProFTPD's session writes it.
pub async fn save_file(ctx: &Ctx, login: &LoggedIn, view: &View, user: &str, t: Tally) {
    let (Some(file), Some(temp)) = (view.file.clone(), view.temp_file.clone()) else {
        return;
    };
    let line = format!(
        "{user}|{}|{}|{}|{}",
        t.files_up, t.kb_up, t.files_down, t.kb_down
    );
    let user = user.to_string();
    let done = ctx
        .shared
        .pool
        .run(login.fs.credentials(), move || -> std::io::Result<()> {
            let old = match std::fs::read_to_string(&file) {
                Ok(s) => s,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
                Err(e) => return Err(e),
            };
            let mut out = String::with_capacity(old.len() + line.len() + 1);
            let mut found = false;
            for l in old.lines() {
                if l.split('|').next() == Some(user.as_str()) {
                    if !found {
                        out.push_str(&line);
                        out.push('\n');
                    }
                    found = true;
                } else {
                    out.push_str(l);
                    out.push('\n');
                }
            }
            if !found {
                out.push_str(&line);
                out.push('\n');
            }
            std::fs::write(&temp, &out)?;
            std::fs::write(&file, &out)
        })
        .await;
    match done {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::warn!("mod_ratio: RatioFile: {e}"),
        Err(e) => tracing::warn!("mod_ratio: RatioFile: {e}"),
    }
}

/// `user`'s line of `RatioFile` (read with the session user's credentials), if any.
pub async fn read_file(ctx: &Ctx, login: &LoggedIn, view: &View, user: &str) -> Option<Tally> {
    let file = view.file.clone()?;
    let user = user.to_string();
    let text = ctx
        .shared
        .pool
        .run(login.fs.credentials(), move || {
            std::fs::read_to_string(&file)
        })
        .await
        .ok()?
        .ok()?;
    text.lines().find_map(|l| {
        let f: Vec<&str> = l.trim_end().split('|').collect();
        let n = |i: usize| f.get(i).and_then(|v| v.trim().parse::<i64>().ok());
        (f.first() == Some(&user.as_str())).then(|| Tally {
            files_up: n(1).unwrap_or(0),
            kb_up: n(2).unwrap_or(0),
            files_down: n(3).unwrap_or(0),
            kb_down: n(4).unwrap_or(0),
        })
    })
}
