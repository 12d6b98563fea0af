//! mod_copy.c: SITE CPFR, CPTO, COPY (while `CopyEngine on`).

pub mod copy;

use crate::module::CommandGroup::{Read, Write};
use crate::module::{Feat, Module, SiteHandler, SiteHelp, SiteSpec};
use crate::session::Ctx;

/// `CopyEngine` (on by default).
fn engine(ctx: &Ctx) -> bool {
    ctx.server.cfg.copy.engine
}

/// mod_copy.c.
pub static MODULE: Module = Module {
    spec: &oxftpd_config::modules::mod_copy::MODULE,
    site: &[
        SiteSpec::new("CPFR", SiteHandler::Narrow(copy::cpfr))
            .group(Read)
            .help(SiteHelp::Line("CPFR <sp> pathname"))
            .enabled_when(engine),
        SiteSpec::new("CPTO", SiteHandler::Narrow(copy::cpto))
            .group(Write)
            .help(SiteHelp::Line("CPTO <sp> pathname"))
            .enabled_when(engine),
        SiteSpec::new("COPY", SiteHandler::Narrow(copy::copy))
            .group(Write)
            .feat(Feat::Line("SITE COPY"))
            .enabled_when(engine),
    ],
    ..Module::DEFAULT
};
