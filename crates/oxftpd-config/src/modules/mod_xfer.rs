//! mod_xfer.c: uploads, downloads, restarts and the transfer log.

use super::d;
use crate::registry::{Args, Contexts as C, DirectiveSpec, ModuleSpec};

#[path = "xfer_rate.rs"]
pub mod rate;

const SAD: C = C::SERVERS_ANON_DIR_FTPACCESS;

/// The mod_xfer.c module.
pub static MODULE: ModuleSpec = ModuleSpec {
    name: "mod_xfer.c",
    directives: DIRECTIVES,
};

static DIRECTIVES: &[DirectiveSpec] = &[
    d(
        "MaxRetrieveFileSize",
        SAD,
        Args::range(1, 4),
        true,
        "largest file a download may send (per user, group or class)",
    ),
    d(
        "MaxStoreFileSize",
        SAD,
        Args::range(1, 4),
        true,
        "largest file an upload may write (per user, group or class)",
    ),
    d(
        "AllowRetrieveRestart",
        SAD,
        Args::flag(),
        false,
        "honour REST before RETR",
    ),
    d(
        "AllowStoreRestart",
        SAD,
        Args::flag(),
        false,
        "honour REST before STOR/APPE",
    ),
    d(
        "HiddenStores",
        C::SERVERS_ANON_DIR,
        Args::range(1, 2),
        false,
        "upload to a hidden temporary name, then rename",
    ),
    d(
        "DeleteAbortedStores",
        SAD,
        Args::flag(),
        false,
        "remove partial files of aborted uploads",
    ),
    d(
        "TimeoutNoTransfer",
        C::SERVERS_ANON,
        Args::duration(),
        false,
        "seconds a session may go without a transfer",
    ),
    d(
        "TimeoutStalled",
        C::SERVERS_ANON,
        Args::duration(),
        false,
        "seconds a data transfer may stall",
    ),
    d(
        "TransferOptions",
        C::SERVERS,
        Args::at_least(1).checked(crate::check::transfer_options),
        false,
        "AllowSymlinkUpload (uploads through a link that leads nowhere), IgnoreASCII (TYPE A moves bytes unchanged)",
    ),
    d(
        "UseSendfile",
        SAD,
        Args::range(1, 2).checked(crate::trace::check_use_sendfile),
        false,
        "whether downloads use sendfile(2) (off: the buffered path), or how much one call sends",
    ),
    d(
        "TransferLog",
        C::SERVERS_ANON,
        Args::path(),
        false,
        "xferlog-format transfer log",
    ),
    d(
        "TransferRate",
        SAD,
        Args::range(2, 4).checked(rate::check_rate),
        true,
        "pace transfers of the listed commands: kbytes[:free-bytes] a second (per user, group or class)",
    ),
    d(
        "MaxTransfersPerHost",
        SAD,
        Args::range(2, 3).checked(rate::check_limit),
        true,
        "most transfers of the listed commands at once from one client address",
    ),
    d(
        "MaxTransfersPerUser",
        SAD,
        Args::range(2, 3).checked(rate::check_limit),
        true,
        "most transfers of the listed commands at once by one user",
    ),
    d(
        "TransferRateVirtualHost",
        C::SERVERS,
        Args::exact(2).checked(rate::check_vhost_cap),
        true,
        "oxftpd: kbytes a second shared fairly by every session of the server",
    ),
    d(
        "TransferRateUser",
        C::SERVERS_ANON,
        Args::range(2, 4).checked(rate::check_user_cap),
        true,
        "oxftpd: kbytes a second shared fairly by all sessions of one user (per user, group or class)",
    ),
    d(
        "TransferRateClass",
        C::SERVERS,
        Args::exact(3).checked(rate::check_class_cap),
        true,
        "oxftpd: kbytes a second shared fairly by every session of a <Class>",
    ),
];

/// mod_xfer's settings in force for one scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// `MaxRetrieveFileSize` rules of the most specific level that has any, in file order.
    pub max_retrieve_file_size: Vec<Vec<String>>,
    /// `MaxStoreFileSize` rules of the most specific level that has any, in file order.
    pub max_store_file_size: Vec<Vec<String>>,
    /// `AllowRetrieveRestart` (on by default).
    pub allow_retrieve_restart: bool,
    /// `AllowStoreRestart` (off by default).
    pub allow_store_restart: bool,
    /// `HiddenStores`: the prefix and suffix of the temporary name, `None` when off.
    pub hidden_stores: Option<(String, String)>,
    /// `DeleteAbortedStores` (off by default).
    pub delete_aborted_stores: bool,
    /// `TransferLog` path (`none` as written).
    pub transfer_log: Option<String>,
    /// Every `TransferLog` path of the scope, most specific first.
    pub transfer_logs: Vec<String>,
    /// `TimeoutNoTransfer` seconds, when set.
    pub timeout_no_transfer: Option<u64>,
    /// `TimeoutStalled` seconds, when set.
    pub timeout_stalled: Option<u64>,
    /// `UseSendfile` (on by default).
    pub use_sendfile: crate::trace::UseSendfile,
    /// Every `TransferRate` of the scope, most specific level first.
    pub transfer_rates: Vec<rate::Rate>,
    /// Every `TransferRateVirtualHost`, `TransferRateUser` and `TransferRateClass`.
    pub rate_caps: Vec<rate::Cap>,
    /// Every `MaxTransfersPerHost`, most specific level first.
    pub max_transfers_per_host: Vec<rate::TransferLimit>,
    /// Every `MaxTransfersPerUser`, most specific level first.
    pub max_transfers_per_user: Vec<rate::TransferLimit>,
    /// `TransferOptions AllowSymlinkUpload`.
    pub allow_symlink_upload: bool,
    /// `TransferOptions IgnoreASCII`.
    pub ignore_ascii: bool,
}

/// `HiddenStores on|off|prefix [suffix]`: the prefix and suffix, `None` when off.
fn hidden_stores(args: &[String]) -> Option<(String, String)> {
    let first = args.first()?;
    match crate::parse_flag(first) {
        Some(false) => None,
        Some(true) => Some((".in.".into(), ".".into())),
        None => Some((
            first.clone(),
            args.get(1).cloned().unwrap_or_else(|| ".".into()),
        )),
    }
}

/// Every row of a `MaxTransfersPer*` directive, most specific level first.
fn limits(m: &crate::Merged<'_>, name: &'static str) -> Vec<rate::TransferLimit> {
    m.all(name)
        .filter_map(|d| rate::limit(&d.args).ok())
        .collect()
}

impl View {
    /// Reads mod_xfer's settings from a merged scope.
    pub fn read(m: &crate::Merged<'_>) -> View {
        let rules = |name| {
            m.nearest(name)
                .into_iter()
                .map(|d| d.args.clone())
                .collect()
        };
        View {
            max_retrieve_file_size: rules("MaxRetrieveFileSize"),
            max_store_file_size: rules("MaxStoreFileSize"),
            allow_retrieve_restart: m.flag("AllowRetrieveRestart").unwrap_or(true),
            allow_store_restart: m.flag("AllowStoreRestart").unwrap_or(false),
            hidden_stores: m.args("HiddenStores").and_then(|a| hidden_stores(&a)),
            delete_aborted_stores: m.flag("DeleteAbortedStores").unwrap_or(false),
            transfer_log: m.arg("TransferLog", 0),
            transfer_logs: m.all_first("TransferLog"),
            timeout_no_transfer: m.duration("TimeoutNoTransfer"),
            timeout_stalled: m.duration("TimeoutStalled"),
            use_sendfile: m
                .args("UseSendfile")
                .and_then(|a| crate::trace::parse_use_sendfile(&a).ok())
                .unwrap_or(crate::trace::UseSendfile::On),
            transfer_rates: m
                .ranked("TransferRate")
                .into_iter()
                .filter_map(|(p, d)| rate::rate(&d.args, p).ok())
                .collect(),
            rate_caps: [
                "TransferRateVirtualHost",
                "TransferRateUser",
                "TransferRateClass",
            ]
            .into_iter()
            .flat_map(|name| {
                m.all(name)
                    .filter_map(|d| rate::cap(name, &d.args, rate::location(d)).ok())
                    .collect::<Vec<_>>()
            })
            .collect(),
            max_transfers_per_host: limits(m, "MaxTransfersPerHost"),
            max_transfers_per_user: limits(m, "MaxTransfersPerUser"),
            allow_symlink_upload: transfer_option(m, "AllowSymlinkUpload")
                || transfer_option(m, "AllowSymlinkUploads"),
            ignore_ascii: transfer_option(m, "IgnoreASCII"),
        }
    }
}

/// Whether any `TransferOptions` line of the scope names `option` (any case).
fn transfer_option(m: &crate::Merged<'_>, option: &str) -> bool {
    m.all_args("TransferOptions")
        .iter()
        .flatten()
        .any(|o| o.eq_ignore_ascii_case(option))
}

/// Every `TransferLog` path a server may write to (its own, `<Global>`'s, each `<Anonymous>`
/// block's; `none` left out), in that order, with where each was written.
pub fn transfer_log_files(server: &crate::Server) -> Vec<crate::Located<String>> {
    let own = crate::Merged::of(&server.scope(None));
    let anon: Vec<crate::Merged<'_>> = server
        .anonymous()
        .iter()
        .map(|a| crate::Merged::of_block(a.block()))
        .collect();
    std::iter::once(&own)
        .chain(anon.iter())
        .flat_map(|m| m.all("TransferLog").collect::<Vec<_>>())
        .filter_map(|d| {
            let path = d.arg(0).filter(|p| !p.eq_ignore_ascii_case("none"))?;
            Some(crate::Located {
                value: path.to_string(),
                at: d.clone(),
            })
        })
        .collect()
}
