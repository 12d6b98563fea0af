//! mod_site_misc.c: SITE UTIME, MKDIR, RMDIR, SYMLINK (while `SiteMiscEngine on`).

pub mod misc;

use crate::module::CommandGroup::Write;
use crate::module::{Feat, Module, SiteHandler, SiteHelp, SiteSpec};
use crate::session::Ctx;

/// `SiteMiscEngine` (on by default).
fn engine(ctx: &Ctx) -> bool {
    ctx.server.cfg.site_misc.engine
}

/// mod_site_misc.c. Rows in the order `SITE HELP` lists them (1.3.8 lists its table
/// backwards). SYMLINK's 1.3.8 handler also checks `READ` on the source.
pub static MODULE: Module = Module {
    spec: &oxftpd_config::modules::mod_site_misc::MODULE,
    site: &[
        SiteSpec::new("UTIME", SiteHandler::Narrow(misc::utime))
            .group(Write)
            .help(SiteHelp::Line("UTIME <sp> YYYYMMDDhhmm[ss] <sp> path"))
            .feat(Feat::Line("SITE UTIME"))
            .enabled_when(engine),
        SiteSpec::new("SYMLINK", SiteHandler::Narrow(misc::symlink))
            .group(Write)
            .help(SiteHelp::Line("SYMLINK <sp> source <sp> destination"))
            .feat(Feat::Line("SITE SYMLINK"))
            .enabled_when(engine),
        SiteSpec::new("RMDIR", SiteHandler::Narrow(misc::rmdir))
            .group(Write)
            .help(SiteHelp::Line("RMDIR <sp> path"))
            .feat(Feat::Line("SITE RMDIR"))
            .enabled_when(engine),
        SiteSpec::new("MKDIR", SiteHandler::Narrow(misc::mkdir))
            .group(Write)
            .help(SiteHelp::Line("MKDIR <sp> path"))
            .feat(Feat::Line("SITE MKDIR"))
            .enabled_when(engine),
    ],
    ..Module::DEFAULT
};
