//! mod_case.c (third-party, github.com/Castaglia/proftpd-mod_case): with `CaseEngine on` and
//! `CaseIgnore` naming the command, a path argument that names nothing is matched against the
//! directory's entries case-insensitively, component by component, and the command goes on
//! with the names found (a `PRE_CMD` rewrite of its argument). An exact name always wins.

pub mod matcher;

use std::collections::HashMap;
use std::fs::File;
use std::sync::Arc;

use oxftpd_config::Config;

use crate::module::Module;
use crate::module::hooks::{Hook, On, Phase};

/// mod_case.c.
pub static MODULE: Module = Module {
    spec: &oxftpd_config::modules::mod_case::MODULE,
    hooks: &[
        Hook::new(Phase::Pre, On::Verb("APPE"), matcher::pre_cmd),
        Hook::new(Phase::Pre, On::Verb("CWD"), matcher::pre_cmd),
        Hook::new(Phase::Pre, On::Verb("XCWD"), matcher::pre_cmd),
        Hook::new(Phase::Pre, On::Verb("DELE"), matcher::pre_cmd),
        Hook::new(Phase::Pre, On::Verb("LIST"), matcher::pre_cmd),
        Hook::new(Phase::Pre, On::Verb("MDTM"), matcher::pre_cmd),
        Hook::new(Phase::Pre, On::Verb("MKD"), matcher::pre_cmd),
        Hook::new(Phase::Pre, On::Verb("XMKD"), matcher::pre_cmd),
        Hook::new(Phase::Pre, On::Verb("MLSD"), matcher::pre_cmd),
        Hook::new(Phase::Pre, On::Verb("MLST"), matcher::pre_cmd),
        Hook::new(Phase::Pre, On::Verb("NLST"), matcher::pre_cmd),
        Hook::new(Phase::Pre, On::Verb("RETR"), matcher::pre_cmd),
        Hook::new(Phase::Pre, On::Verb("RMD"), matcher::pre_cmd),
        Hook::new(Phase::Pre, On::Verb("XRMD"), matcher::pre_cmd),
        Hook::new(Phase::Pre, On::Verb("RNFR"), matcher::pre_cmd),
        Hook::new(Phase::Pre, On::Verb("RNTO"), matcher::pre_cmd),
        Hook::new(Phase::Pre, On::Verb("SIZE"), matcher::pre_cmd),
        Hook::new(Phase::Pre, On::Verb("STAT"), matcher::pre_cmd),
        Hook::new(Phase::Pre, On::Verb("STOR"), matcher::pre_cmd),
        Hook::new(Phase::Pre, On::Verb("SITE"), matcher::pre_site),
    ],
    open: Some(open),
    ..Module::DEFAULT
};

/// The `CaseLog` files of a loaded configuration, by server index.
#[derive(Default)]
pub struct CaseLogs(HashMap<usize, Arc<File>>);

impl CaseLogs {
    /// Writes one line to server `index`'s `CaseLog`, if it has one.
    pub fn write(&self, index: usize, message: &str) {
        if let Some(f) = self.0.get(&index) {
            let _ = crate::module::log::write(f, "mod_case/0.8", message);
        }
    }
}

/// Opens every server's `CaseLog` (as root) when its `CaseEngine` is on.
fn open(
    config: &Config,
    state: &mut crate::module::state::ModuleState,
) -> Result<(), crate::StartError> {
    state.insert(CaseLogs(crate::module::log::open_per_server(
        config,
        "mod_case: CaseLog",
        |m| {
            let view = oxftpd_config::modules::mod_case::View::read(m);
            view.log.filter(|_| view.engine)
        },
    )));
    Ok(())
}
