//! What a `<Limit>` check decided (`access/limit.rs` decides; `module/replies.rs` words it).

/// The outcome of a command check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The command may run.
    Allowed,
    /// A `<Limit>` denies it.
    Denied,
    /// The target is hidden and `IgnoreHidden on`: act as if it did not exist.
    Hidden,
}
