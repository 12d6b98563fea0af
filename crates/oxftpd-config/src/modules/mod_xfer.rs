//! mod_xfer.c: uploads, downloads, restarts and the transfer log.

use super::d;
use crate::check as c;
use crate::registry::{Args, Contexts as C, DirectiveSpec, ModuleSpec};

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
        Args::exact(1).checked(c::timeout),
        false,
        "seconds a session may go without a transfer",
    ),
    d(
        "TimeoutStalled",
        C::SERVERS_ANON,
        Args::exact(1).checked(c::timeout),
        false,
        "seconds a data transfer may stall",
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
        Args::exact(1).checked(c::abs_path_or_none),
        false,
        "xferlog-format transfer log",
    ),
];
