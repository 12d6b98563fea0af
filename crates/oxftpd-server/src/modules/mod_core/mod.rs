//! mod_core.c: navigation, directories, data-connection setup, and the session basics.

pub mod class;
pub mod data;
pub mod dirs;
pub mod display_chdir;
pub mod files;
pub mod filters;
pub mod ftpaccess;
pub mod hiding;
pub mod host;
pub mod info;
pub mod opts;
pub mod rename;
pub mod trace;

use crate::module::CommandGroup::{Dirs, Read, Write};
use crate::module::hooks::{Hook, On, Phase};
use crate::module::{CommandSpec, Handler, Module};
use crate::modules::mod_facts::facts;

/// mod_core.c.
pub static MODULE: Module = Module {
    spec: &oxftpd_config::modules::mod_core::MODULE,
    commands: &[
        CommandSpec {
            name: "CWD",
            groups: &[Dirs],
            feat: Some("TVFS"),
            help: "<sp> pathname",
            handler: Handler::User(dirs::cwd),
        },
        CommandSpec {
            name: "XCWD",
            groups: &[Dirs],
            feat: None,
            help: "<sp> pathname",
            handler: Handler::User(dirs::xcwd),
        },
        CommandSpec {
            name: "CDUP",
            groups: &[Dirs],
            feat: None,
            help: "(up one directory)",
            handler: Handler::User(dirs::cdup),
        },
        CommandSpec {
            name: "XCUP",
            groups: &[Dirs],
            feat: None,
            help: "(up one directory)",
            handler: Handler::User(dirs::xcup),
        },
        CommandSpec {
            name: "SMNT",
            groups: &[],
            feat: None,
            help: "<sp> pathname",
            handler: Handler::Any(opts::smnt),
        },
        CommandSpec {
            name: "QUIT",
            groups: &[],
            feat: None,
            help: "(close control connection)",
            handler: Handler::Session(info::quit),
        },
        CommandSpec {
            name: "PORT",
            groups: &[],
            feat: None,
            help: "<sp> h1,h2,h3,h4,p1,p2",
            handler: Handler::User(data::port),
        },
        CommandSpec {
            name: "PASV",
            groups: &[],
            feat: None,
            help: "(returns address/port)",
            handler: Handler::User(data::pasv),
        },
        CommandSpec {
            name: "EPRT",
            groups: &[],
            feat: Some("EPRT"),
            help: "<sp> |proto|addr|port|",
            handler: Handler::User(data::eprt),
        },
        CommandSpec {
            name: "EPSV",
            groups: &[],
            feat: Some("EPSV"),
            help: "[<sp> proto|ALL]",
            handler: Handler::User(data::epsv),
        },
        CommandSpec {
            name: "RNFR",
            groups: &[Write],
            feat: None,
            help: "<sp> pathname",
            handler: Handler::User(rename::rnfr),
        },
        CommandSpec {
            name: "RNTO",
            groups: &[Write],
            feat: None,
            help: "<sp> pathname",
            handler: Handler::User(rename::rnto),
        },
        CommandSpec {
            name: "DELE",
            groups: &[Write],
            feat: None,
            help: "<sp> pathname",
            handler: Handler::User(files::dele),
        },
        CommandSpec {
            name: "MDTM",
            groups: &[Dirs, Read],
            feat: Some("MDTM"),
            help: "<sp> pathname",
            handler: Handler::User(facts::mdtm),
        },
        CommandSpec {
            name: "RMD",
            groups: &[Write],
            feat: None,
            help: "<sp> pathname",
            handler: Handler::User(dirs::rmd),
        },
        CommandSpec {
            name: "XRMD",
            groups: &[Write],
            feat: None,
            help: "<sp> pathname",
            handler: Handler::User(dirs::xrmd),
        },
        CommandSpec {
            name: "MKD",
            groups: &[Write],
            feat: None,
            help: "<sp> pathname",
            handler: Handler::User(dirs::mkd),
        },
        CommandSpec {
            name: "XMKD",
            groups: &[Write],
            feat: None,
            help: "<sp> pathname",
            handler: Handler::User(dirs::mkd),
        },
        CommandSpec {
            name: "PWD",
            groups: &[Dirs],
            feat: None,
            help: "(returns current working directory)",
            handler: Handler::User(dirs::pwd),
        },
        CommandSpec {
            name: "XPWD",
            groups: &[Dirs],
            feat: None,
            help: "(returns current working directory)",
            handler: Handler::User(dirs::pwd),
        },
        CommandSpec {
            name: "SIZE",
            groups: &[Read],
            feat: Some("SIZE"),
            help: "<sp> pathname",
            handler: Handler::User(files::size),
        },
        CommandSpec {
            name: "CSID",
            groups: &[],
            feat: Some("CSID"),
            help: "<sp> client-identity",
            handler: Handler::User(info::csid),
        },
        CommandSpec {
            name: "SYST",
            groups: &[],
            feat: None,
            help: "(returns system type)",
            handler: Handler::Any(info::syst),
        },
        CommandSpec {
            name: "HELP",
            groups: &[],
            feat: None,
            help: "[<sp> command]",
            handler: Handler::Any(info::help),
        },
        CommandSpec {
            name: "NOOP",
            groups: &[],
            feat: None,
            help: "(no operation)",
            handler: Handler::Any(info::noop),
        },
        CommandSpec {
            name: "HOST",
            groups: &[],
            feat: Some("HOST"),
            help: "<sp> hostname",
            handler: Handler::Login(host::host),
        },
        CommandSpec {
            name: "FEAT",
            groups: &[],
            feat: None,
            help: "(returns feature list)",
            handler: Handler::Any(info::feat),
        },
        CommandSpec {
            name: "OPTS",
            groups: &[],
            feat: Some("UTF8"),
            help: "<sp> command [<sp> options]",
            handler: Handler::Any(opts::opts),
        },
        CommandSpec {
            name: "CLNT",
            groups: &[],
            feat: Some("CLNT"),
            help: "<sp> client-name",
            handler: Handler::Any(opts::clnt),
        },
    ],
    // Filters first: they judge the argument as sent, before .ftpaccess files are re-read.
    // The trace of a command comes first, so a refused one is traced too.
    hooks: &[
        Hook::new(Phase::Pre, On::AnyCommand, trace::pre_cmd),
        Hook::new(Phase::Pre, On::AnyCommand, filters::pre_cmd),
        Hook::new(Phase::Pre, On::AnyCommand, ftpaccess::pre_cmd),
        Hook::new(Phase::Log, On::AnyCommand, trace::log_cmd),
        Hook::new(Phase::LogErr, On::AnyCommand, trace::log_cmd),
    ],
    events: Some(trace::on_event),
    open: Some(trace::open),
    ..Module::DEFAULT
};
