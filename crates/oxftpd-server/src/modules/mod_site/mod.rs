//! mod_site.c: SITE, which runs the SITE rows of every module's table, and its own HELP,
//! CHGRP and CHMOD.

pub mod args;
pub mod site;

use crate::module::CommandClass as Cl;
use crate::module::CommandGroup::Write;
use crate::module::{CommandSpec, Handler, Module, PathArg, SiteHandler, SiteHelp, SiteSpec};

/// mod_site.c. Its `site_commands` rows carry no group; CHGRP and CHMOD are checked as
/// `WRITE` (1.3.8's `core_chgrp`/`core_chmod`).
pub static MODULE: Module = Module {
    spec: &oxftpd_config::modules::mod_site::MODULE,
    commands: &[CommandSpec::new("SITE", Handler::Login(site::site))
        .class(Cl::MISC)
        .path(PathArg::LastWordAfterFirst)
        .help("<sp> string")],
    site: &[
        SiteSpec::new("HELP", SiteHandler::Conn(site::help))
            .help(SiteHelp::Listed("[<sp> site-command]")),
        SiteSpec::new("CHGRP", SiteHandler::Narrow(site::chgrp))
            .group(Write)
            .help(SiteHelp::Listed("<sp> group <sp> pathname")),
        SiteSpec::new("CHMOD", SiteHandler::Narrow(site::chmod))
            .group(Write)
            .help(SiteHelp::Listed("<sp> mode <sp> pathname")),
    ],
    ..Module::DEFAULT
};
