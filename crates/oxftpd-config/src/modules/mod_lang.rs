//! mod_lang.c: the `LANG` command (RFC 2640).

use super::{d, partial};
use crate::registry::{Args, Contexts as C, DirectiveSpec, ModuleSpec};

/// The mod_lang.c module.
pub static MODULE: ModuleSpec = ModuleSpec {
    name: "mod_lang.c",
    directives: DIRECTIVES,
};

static DIRECTIVES: &[DirectiveSpec] = &[
    d(
        "LangEngine",
        C::SERVERS,
        Args::flag(),
        false,
        "enable the LANG command and its FEAT line",
    ),
    partial(
        "LangDefault",
        C::SERVERS,
        Args::exact(1),
        false,
        "there are no translated catalogs, so (as mod_lang without one) only the environment's language is kept; another is dropped",
        "the language LANG reports and resets to",
    ),
];

/// mod_lang's settings in force for one scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// `LangEngine` (on by default).
    pub engine: bool,
    /// `LangDefault` language.
    pub default: Option<String>,
}

impl View {
    /// Reads mod_lang's settings from a merged scope.
    pub fn read(m: &crate::Merged<'_>) -> View {
        View {
            engine: m.flag("LangEngine").unwrap_or(true),
            default: m.arg("LangDefault", 0),
        }
    }
}
