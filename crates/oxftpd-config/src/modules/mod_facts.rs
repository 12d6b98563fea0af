//! mod_facts.c: MLSD, MLST, MFMT, MFF.

use super::d;
use crate::check as c;
use crate::registry::{Args, Contexts as C, DirectiveSpec, ModuleSpec};

/// The mod_facts.c module.
pub static MODULE: ModuleSpec = ModuleSpec {
    name: "mod_facts.c",
    directives: DIRECTIVES,
};

static DIRECTIVES: &[DirectiveSpec] = &[
    d(
        "FactsAdvertise",
        C::SERVERS,
        Args::flag(),
        false,
        "list MLST and its facts in the FEAT reply",
    ),
    d(
        "FactsDefault",
        C::SERVERS,
        Args::at_least(1).checked(c::facts_default),
        false,
        "the MLSx facts a session shows until OPTS MLST chooses",
    ),
    d(
        "FactsOptions",
        C::SERVERS,
        Args::at_least(1).checked(c::facts_options),
        false,
        "UseSlink, AdjustedSymlinks, NoNames: how MLSx shows links and owners",
    ),
];

/// mod_facts's settings in force for one scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// `FactsAdvertise` (on by default).
    pub advertise: bool,
    /// `FactsDefault`: the facts a session starts with (all when absent).
    pub default: oxftpd_proto::listing::FactSet,
    /// `FactsOptions UseSlink`: a link's type is `OS.unix=slink:TARGET`.
    pub use_slink: bool,
    /// `FactsOptions AdjustedSymlinks`: link targets shown inside the session's root.
    pub adjusted_symlinks: bool,
    /// `FactsOptions NoNames`: no `UNIX.ownername`/`UNIX.groupname` facts.
    pub no_names: bool,
}

impl View {
    /// Reads mod_facts's settings from a merged scope.
    pub fn read(m: &crate::Merged<'_>) -> View {
        let options = m.args("FactsOptions").unwrap_or_default();
        let has = |o: &str| options.iter().any(|a| a == o);
        View {
            advertise: m.flag("FactsAdvertise").unwrap_or(true),
            default: match m.args("FactsDefault") {
                Some(names) => names
                    .iter()
                    .filter_map(|n| oxftpd_proto::listing::fact_named(n))
                    .fold(oxftpd_proto::listing::FactSet::NONE, |a, f| a | f),
                None => oxftpd_proto::listing::FactSet::ALL,
            },
            use_slink: has("UseSlink"),
            adjusted_symlinks: has("AdjustedSymlinks"),
            no_names: has("NoNames"),
        }
    }
}
