//! The names of the prepared data set, shared by `prepare` and the workloads.

/// 1 GiB file for the `RETR` workload.
pub const BIG_FILE: &str = "big-1g.bin";
/// Size of [`BIG_FILE`].
pub const BIG_SIZE: u64 = 1 << 30;
/// 1 MiB file for the smoke `RETR`.
pub const SMOKE_FILE: &str = "smoke-1m.bin";
/// Size of [`SMOKE_FILE`].
pub const SMOKE_SIZE: usize = 1 << 20;
/// Seed of [`SMOKE_FILE`]'s content.
pub const SMOKE_SEED: u64 = 1;
/// 4 KiB file fetched by every session of the sessions workload.
pub const SMALL_FILE: &str = "file-4k.bin";
/// Size of [`SMALL_FILE`].
pub const SMALL_SIZE: usize = 4096;
/// Seed of [`SMALL_FILE`]'s content.
pub const SMALL_SEED: u64 = 4;
/// Seed of the chunk repeated through [`BIG_FILE`].
pub const BIG_SEED: u64 = 2;

/// A directory of `entries` empty files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dir {
    /// Its name under the data directory.
    pub name: &'static str,
    /// How many files it holds.
    pub entries: usize,
}

/// 100 entries: listed by every session, and by the smoke listings.
pub const DIR_100: Dir = Dir {
    name: "dir100",
    entries: 100,
};
/// 10,000 entries: the LIST/MLSD timing.
pub const DIR_10K: Dir = Dir {
    name: "dir10k",
    entries: 10_000,
};
/// 1,000,000 entries: the listing under memory watch.
pub const DIR_1M: Dir = Dir {
    name: "dir1m",
    entries: 1_000_000,
};

/// The `i`-th file name of a directory.
pub fn entry_name(i: usize) -> String {
    format!("f{i:07}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sort_in_order() {
        assert_eq!(entry_name(0), "f0000000");
        assert_eq!(entry_name(999_999), "f0999999");
        assert!(entry_name(99) < entry_name(100));
    }
}
