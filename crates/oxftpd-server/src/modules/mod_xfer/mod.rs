//! mod_xfer.c: transfer parameters and file transfers.

pub mod limits;
pub mod max_transfers;
pub mod mode;
pub mod params;
pub mod range;
pub mod rate;
pub mod transfer;
pub mod xferlog;

use crate::module::CommandClass as Cl;
use crate::module::CommandGroup::{Read, Write};
use crate::module::hooks::{Hook, On, Phase};
use crate::module::{ArgFilter, CommandSpec, Feat, Handler, LimitRule, Module, PathArg};

/// mod_xfer.c.
pub static MODULE: Module = Module {
    spec: &oxftpd_config::modules::mod_xfer::MODULE,
    commands: &[
        CommandSpec::new("TYPE", Handler::Conn(params::type_))
            .class(Cl::MISC)
            .path(PathArg::Cwd)
            .limit(LimitRule::Exempt)
            .help("<sp> type-code (A, I, L 7, L 8)"),
        CommandSpec::new("STRU", Handler::Conn(params::stru))
            .class(Cl::MISC)
            .path(PathArg::Cwd)
            .limit(LimitRule::Exempt)
            .help("is not implemented (always F)"),
        // mod_deflate.c's MODE row (same group and class) is this one: `MODE Z`.
        CommandSpec::new("MODE", Handler::Conn(mode::mode))
            .class(Cl::MISC)
            .path(PathArg::Cwd)
            .limit(LimitRule::Exempt)
            .feat(Feat::When(mode::deflate_engine, "MODE Z"))
            .help("is not implemented (always S)"),
        CommandSpec::new("RETR", Handler::Narrow(transfer::retr))
            .group(Read)
            .class(Cl::READ)
            .opens_data()
            .help("<sp> pathname"),
        CommandSpec::new("STOR", Handler::Narrow(transfer::stor))
            .group(Write)
            .class(Cl::WRITE)
            .opens_data()
            .filter(ArgFilter::Path)
            .help("<sp> pathname"),
        CommandSpec::new("APPE", Handler::Narrow(transfer::appe))
            .group(Write)
            .class(Cl::WRITE)
            .opens_data()
            .filter(ArgFilter::Path)
            .help("<sp> pathname"),
        CommandSpec::new("STOU", Handler::Narrow(transfer::stou))
            .group(Write)
            .class(Cl::WRITE)
            .opens_data()
            .filter(ArgFilter::Path)
            .help("(store unique filename)"),
        CommandSpec::new("REST", Handler::Narrow(params::rest))
            .class(Cl::MISC)
            .path(PathArg::Cwd)
            .feat(Feat::Line("REST STREAM"))
            .help("<sp> byte-count"),
        CommandSpec::new("RANG", Handler::Narrow(range::rang))
            .class(Cl::MISC)
            .path(PathArg::Cwd)
            .feat(Feat::Line("RANG STREAM"))
            .help("<sp> start-point <sp> end-point"),
        CommandSpec::new("ALLO", Handler::Narrow(params::allo))
            .class(Cl::MISC)
            .path(PathArg::Cwd)
            .help("<sp> size"),
        CommandSpec::new("ABOR", Handler::Narrow(transfer::abor))
            .class(Cl::MISC)
            .path(PathArg::Cwd)
            .help("(abort current operation)"),
    ],
    hooks: &[
        Hook::new(Phase::Pre, On::Verb("RETR"), max_transfers::check),
        Hook::new(Phase::Pre, On::Verb("STOR"), max_transfers::check),
        Hook::new(Phase::Pre, On::Verb("APPE"), max_transfers::check),
        Hook::new(Phase::Pre, On::Verb("STOU"), max_transfers::check),
        Hook::new(Phase::Post, On::Verb("RETR"), max_transfers::done),
        Hook::new(Phase::Post, On::Verb("STOR"), max_transfers::done),
        Hook::new(Phase::Post, On::Verb("APPE"), max_transfers::done),
        Hook::new(Phase::Post, On::Verb("STOU"), max_transfers::done),
        Hook::new(Phase::PostErr, On::Verb("RETR"), max_transfers::done),
        Hook::new(Phase::PostErr, On::Verb("STOR"), max_transfers::done),
        Hook::new(Phase::PostErr, On::Verb("APPE"), max_transfers::done),
        Hook::new(Phase::PostErr, On::Verb("STOU"), max_transfers::done),
    ],
    events: Some(xferlog::on_event),
    open: Some(xferlog::open),
    ..Module::DEFAULT
};
