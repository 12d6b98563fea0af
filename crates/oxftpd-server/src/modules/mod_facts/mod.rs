//! mod_facts.c: MLSD, MLST, MFMT, MFF.

pub mod facts;
pub mod mlsx;

use crate::module::CommandClass as Cl;
use crate::module::CommandGroup::{Dirs, Write};
use crate::module::{CommandSpec, Feat, Handler, Module, PathArg};

/// mod_facts.c.
pub static MODULE: Module = Module {
    spec: &oxftpd_config::modules::mod_facts::MODULE,
    commands: &[
        CommandSpec::new("MLSD", Handler::Narrow(mlsx::mlsd))
            .denied_with(crate::modules::mod_ls::listing::empty_listing)
            .group(Dirs)
            .class(Cl::DIRS)
            .opens_data()
            .help("[<sp> pathname]"),
        CommandSpec::new("MLST", Handler::Narrow(mlsx::mlst))
            .group(Dirs)
            .class(Cl::DIRS)
            .feat(Feat::Computed(mlsx::feat))
            .help("[<sp> pathname]"),
        CommandSpec::new("MFMT", Handler::Narrow(facts::mfmt))
            .group(Write)
            .class(Cl::WRITE)
            .path(PathArg::AfterFirstWord)
            .feat(Feat::Line("MFMT"))
            .hidden(),
        CommandSpec::new("MFF", Handler::Narrow(facts::mff))
            .group(Write)
            .class(Cl::WRITE)
            .path(PathArg::AfterFirstWord)
            .feat(Feat::Line("MFF modify;UNIX.group;UNIX.mode;"))
            .hidden(),
    ],
    ..Module::DEFAULT
};
