//! `QuotaTallyTable store:`: the tallies in the counter store (space `quota.tally`, key
//! `kind:name`), one atomic add per change, so sessions on every node sharing the store (a
//! SQL database or Redis) count into the same tally without a lost update. Bytes are whole
//! numbers there (ProFTPD's `double`s hold whole byte counts too).

use super::table::{Delta, Figures, Kind};
use crate::store::{CounterStore, StoreError};

const SPACE: &str = "quota.tally";
const NAMES: [&str; 6] = [
    "bytes_in",
    "bytes_out",
    "bytes_xfer",
    "files_in",
    "files_out",
    "files_xfer",
];

fn whole(v: f64) -> i64 {
    // `as` saturates (and makes NaN 0), which is what a tally wants.
    v.round() as i64
}

/// Adds `d` to the tally of `kind`/`name` and returns the figures after (a zero `d` reads it).
pub async fn add(
    store: &dyn CounterStore,
    kind: Kind,
    name: &str,
    d: &Delta,
) -> Result<Figures, StoreError> {
    let deltas = [
        whole(d.bytes_in),
        whole(d.bytes_out),
        whole(d.bytes_xfer),
        d.files_in,
        d.files_out,
        d.files_xfer,
    ];
    let v = store
        .add(
            SPACE.into(),
            format!("{}:{name}", kind as u32),
            NAMES
                .iter()
                .zip(deltas)
                .map(|(n, d)| (n.to_string(), d))
                .collect(),
            None,
        )
        .await?;
    let at = |i: usize| v.get(i).copied().unwrap_or(0).max(0);
    let files = |i: usize| u32::try_from(at(i)).unwrap_or(u32::MAX);
    Ok(Figures {
        bytes_in: at(0) as f64,
        bytes_out: at(1) as f64,
        bytes_xfer: at(2) as f64,
        files_in: files(3),
        files_out: files(4),
        files_xfer: files(5),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::memory::MemoryStore;

    #[tokio::test]
    async fn tallies_add_up_per_row() {
        let store = MemoryStore::default();
        let d = Delta {
            bytes_in: 100.0,
            files_in: 1,
            ..Delta::default()
        };
        add(&store, Kind::User, "alice", &d).await.expect("add");
        let f = add(&store, Kind::User, "alice", &d).await.expect("add");
        assert_eq!((f.bytes_in, f.files_in, f.bytes_out), (200.0, 2, 0.0));
        let other = add(&store, Kind::Group, "alice", &Delta::default())
            .await
            .expect("read");
        assert_eq!(other, Figures::default());
    }
}
