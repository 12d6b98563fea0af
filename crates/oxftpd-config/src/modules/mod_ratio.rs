//! mod_ratio.c: upload/download ratios per user, group, anonymous login or host, with the
//! FAQ's four numbers (file ratio, initial file credit, byte ratio, initial byte credit).
//! Past ProFTPD, the tallies persist across sessions and restarts in the counter store.

use super::d;
use crate::registry::{Args, Contexts as C, DirectiveSpec, ModuleSpec};

/// The mod_ratio.c module.
pub static MODULE: ModuleSpec = ModuleSpec {
    name: "mod_ratio.c",
    directives: DIRECTIVES,
};

const W: C = C::SERVERS_ANON_DIR;

static DIRECTIVES: &[DirectiveSpec] = &[
    d("Ratios", W, Args::flag(), false, "enforce ratios"),
    d(
        "UserRatio",
        W,
        Args::exact(5).checked(check_ratio),
        true,
        "name|* file-ratio file-credit byte-ratio byte-credit (KB)",
    ),
    d(
        "GroupRatio",
        W,
        Args::exact(5).checked(check_ratio),
        true,
        "group file-ratio file-credit byte-ratio byte-credit (KB)",
    ),
    d(
        "AnonRatio",
        W,
        Args::exact(5).checked(check_ratio),
        true,
        "anonymous-name|* file-ratio file-credit byte-ratio byte-credit (KB)",
    ),
    d(
        "HostRatio",
        W,
        Args::exact(5).checked(check_ratio),
        true,
        "host-or-address-pattern file-ratio file-credit byte-ratio byte-credit (KB)",
    ),
    d(
        "FileRatioErrMsg",
        W,
        Args::at_least(1),
        false,
        "the refusal when the file credit is used up",
    ),
    d(
        "ByteRatioErrMsg",
        W,
        Args::at_least(1),
        false,
        "the refusal when the byte credit is used up",
    ),
    d(
        "LeechRatioMsg",
        W,
        Args::at_least(1),
        false,
        "the text for a login without a ratio",
    ),
    d(
        "CwdRatioMsg",
        W,
        Args::at_least(1),
        true,
        "a line added to CWD's reply",
    ),
    d(
        "SaveRatios",
        W,
        Args::flag(),
        false,
        "also keep the tallies in RatioFile (ProFTPD's user|up-files|up-KB|down-files|down-KB lines); they persist in the counter store either way",
    ),
    d(
        "RatioFile",
        W,
        Args::exact(1).checked(crate::check::abs_path),
        false,
        "the file SaveRatios writes",
    ),
    d(
        "RatioTempFile",
        W,
        Args::exact(1).checked(crate::check::abs_path),
        false,
        "the temporary file RatioFile is written through",
    ),
];

fn check_ratio(args: &[String]) -> Result<(), String> {
    for a in &args[1..] {
        a.parse::<i64>()
            .map_err(|_| format!("'{a}' is not a whole number"))?;
    }
    Ok(())
}

/// One `UserRatio`/`GroupRatio`/`AnonRatio`/`HostRatio` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The name, group, anonymous name or host pattern.
    pub who: String,
    /// File ratio (negative: N uploads earn one download... as ProFTPD's `N:1`).
    pub file_ratio: i64,
    /// Initial file credit.
    pub file_credit: i64,
    /// Byte ratio.
    pub byte_ratio: i64,
    /// Initial byte credit, in KB.
    pub byte_credit: i64,
}

impl Rule {
    fn of(args: &[String]) -> Option<Rule> {
        let n = |i: usize| args.get(i)?.parse::<i64>().ok();
        Some(Rule {
            who: args.first()?.clone(),
            file_ratio: n(1)?,
            file_credit: n(2)?,
            byte_ratio: n(3)?,
            byte_credit: n(4)?,
        })
    }
}

/// A message directive's words, unquoted ones joined by spaces.
fn text(m: &crate::Merged<'_>, name: &'static str) -> Option<String> {
    m.args(name).map(|a| a.join(" "))
}

/// mod_ratio's settings for one scope.
#[derive(Debug, Clone, Default)]
pub struct View {
    /// `Ratios`.
    pub enabled: bool,
    /// `HostRatio` lines, in order.
    pub host: Vec<Rule>,
    /// `AnonRatio` lines.
    pub anon: Vec<Rule>,
    /// `UserRatio` lines.
    pub user: Vec<Rule>,
    /// `GroupRatio` lines.
    pub group: Vec<Rule>,
    /// `FileRatioErrMsg`.
    pub file_msg: String,
    /// `ByteRatioErrMsg`.
    pub byte_msg: String,
    /// `LeechRatioMsg`.
    pub leech_msg: String,
    /// `CwdRatioMsg` lines.
    pub cwd_msgs: Vec<String>,
    /// `SaveRatios`.
    pub save: bool,
    /// `RatioFile`.
    pub file: Option<String>,
    /// `RatioTempFile`.
    pub temp_file: Option<String>,
}

impl View {
    /// Reads mod_ratio's settings from a merged scope.
    pub fn read(m: &crate::Merged<'_>) -> View {
        let rules = |name: &'static str| -> Vec<Rule> {
            m.all(name).filter_map(|d| Rule::of(&d.args)).collect()
        };
        View {
            enabled: m.flag("Ratios").unwrap_or(false),
            host: rules("HostRatio"),
            anon: rules("AnonRatio"),
            user: rules("UserRatio"),
            group: rules("GroupRatio"),
            file_msg: text(m, "FileRatioErrMsg").unwrap_or_else(|| {
                "Too few files uploaded to earn file -- please upload more.".into()
            }),
            byte_msg: text(m, "ByteRatioErrMsg").unwrap_or_else(|| {
                "Too few bytes uploaded to earn more data -- please upload.".into()
            }),
            leech_msg: text(m, "LeechRatioMsg").unwrap_or_else(|| "10,000,000:1  CR: LEECH".into()),
            cwd_msgs: m.all("CwdRatioMsg").map(|d| d.args.join(" ")).collect(),
            save: m.flag("SaveRatios").unwrap_or(false),
            file: m.arg("RatioFile", 0),
            temp_file: m.arg("RatioTempFile", 0),
        }
    }
}
