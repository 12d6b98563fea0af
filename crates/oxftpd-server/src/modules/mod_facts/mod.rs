//! mod_facts.c: MLSD, MLST, MFMT, MFF.

pub mod facts;
pub mod mlsx;

use crate::module::CommandGroup::{Dirs, Write};
use crate::module::{CommandSpec, Handler, Module};

/// mod_facts.c.
pub static MODULE: Module = Module {
    spec: &oxftpd_config::modules::mod_facts::MODULE,
    commands: &[
        CommandSpec {
            name: "MLSD",
            groups: &[Dirs],
            feat: None,
            help: "[<sp> pathname]",
            handler: Handler::User(mlsx::mlsd),
        },
        CommandSpec {
            name: "MLST",
            groups: &[Dirs],
            feat: Some(
                "MLST modify*;perm*;size*;type*;unique*;UNIX.group*;UNIX.groupname*;UNIX.mode*;UNIX.owner*;UNIX.ownername*;",
            ),
            help: "[<sp> pathname]",
            handler: Handler::User(mlsx::mlst),
        },
        CommandSpec {
            name: "MFMT",
            groups: &[Write],
            feat: Some("MFMT"),
            help: "<sp> YYYYMMDDHHMMSS <sp> path",
            handler: Handler::User(facts::mfmt),
        },
        CommandSpec {
            name: "MFF",
            groups: &[Write],
            feat: Some("MFF modify;UNIX.group;UNIX.mode;"),
            help: "<sp> fact=value; path",
            handler: Handler::User(facts::mff),
        },
    ],
    ..Module::DEFAULT
};
