//! mod_ls.c: directory listings.

mod columns;
mod fake;
pub mod listing;
pub mod status;

use crate::module::CommandClass as Cl;
use crate::module::CommandGroup::Dirs;
use crate::module::{CommandSpec, Handler, Module, PathArg};

/// mod_ls.c.
pub static MODULE: Module = Module {
    spec: &oxftpd_config::modules::mod_ls::MODULE,
    commands: &[
        CommandSpec::new("LIST", Handler::Narrow(listing::list))
            .denied_with(listing::empty_listing)
            .group(Dirs)
            .class(Cl::DIRS)
            .path(PathArg::AfterOptions)
            .opens_data()
            .help("[<sp> pathname]"),
        CommandSpec::new("NLST", Handler::Narrow(listing::nlst))
            .group(Dirs)
            .class(Cl::DIRS)
            .path(PathArg::AfterOptions)
            .opens_data()
            .help("[<sp> (pathname)]"),
        CommandSpec::new("STAT", Handler::Narrow(status::stat))
            .group(Dirs)
            .class(Cl::INFO)
            .path(PathArg::AfterOptions)
            .busy_answered()
            .help("[<sp> pathname]"),
    ],
    ..Module::DEFAULT
};
