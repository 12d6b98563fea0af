//! `QuotaTallyTable store:`: the tallies in the counter store (space `quota.tally`, key
//! `kind:name`), one atomic add per change, so sessions on every node sharing the store (a
//! SQL database or Redis) count into the same tally without a lost update. Bytes are whole
//! numbers there (ProFTPD's `double`s hold whole byte counts too); a tally that would go below
//! zero is brought back to zero by a second add.

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
    let key = format!("{}:{name}", kind as u32);
    let mut v = store
        .add(
            SPACE.into(),
            key.clone(),
            NAMES
                .iter()
                .zip(deltas)
                .map(|(n, d)| (n.to_string(), d))
                .collect(),
            None,
        )
        .await?;
    // A tally never goes below zero (a DELE of a file counted before the quota began): what
    // went below is added back, as the file table's read-change-write clamps it.
    let below: Vec<(String, i64)> = NAMES
        .iter()
        .zip(&v)
        .filter(|(_, value)| **value < 0)
        .map(|(n, value)| (n.to_string(), -value))
        .collect();
    if !below.is_empty() {
        let fixed = store.add(SPACE.into(), key, below.clone(), None).await?;
        for ((name, _), after) in below.iter().zip(fixed) {
            if let Some(i) = NAMES.iter().position(|n| n == name) {
                v[i] = after;
            }
        }
    }
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
        // Below zero is floored at zero, and the next upload counts from there.
        let dele = Delta {
            bytes_in: -500.0,
            files_in: -1,
            ..Delta::default()
        };
        let f = add(&store, Kind::User, "alice", &dele).await.expect("add");
        assert_eq!((f.bytes_in, f.files_in), (0.0, 1));
        let f = add(&store, Kind::User, "alice", &d).await.expect("add");
        assert_eq!((f.bytes_in, f.files_in), (100.0, 2));
    }
}
