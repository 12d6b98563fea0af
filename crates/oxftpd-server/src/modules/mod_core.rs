//! mod_core.c: navigation, directories, data-connection setup, and the session basics.

use crate::commands::{data, dirs, files, info};
use crate::module::CommandGroup::{Dirs, Write};
use crate::module::{CommandSpec, Handler, Module};

/// mod_core.c.
pub static MODULE: Module = Module {
    spec: &oxftpd_config::modules::mod_core::MODULE,
    commands: &[
        CommandSpec {
            name: "CWD",
            groups: &[Dirs],
            feat: None,
            help: "<sp> pathname",
            handler: Handler::User(dirs::cwd),
        },
        CommandSpec {
            name: "XCWD",
            groups: &[Dirs],
            feat: None,
            help: "<sp> pathname",
            handler: Handler::User(dirs::cwd),
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
            handler: Handler::User(dirs::cdup),
        },
        CommandSpec {
            name: "QUIT",
            groups: &[],
            feat: None,
            help: "(close control connection)",
            handler: Handler::Any(info::quit),
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
            name: "DELE",
            groups: &[Write],
            feat: None,
            help: "<sp> pathname",
            handler: Handler::User(files::dele),
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
            handler: Handler::User(dirs::rmd),
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
            groups: &[crate::module::CommandGroup::Read],
            feat: Some("SIZE"),
            help: "<sp> pathname",
            handler: Handler::User(files::size),
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
            name: "FEAT",
            groups: &[],
            feat: None,
            help: "(returns feature list)",
            handler: Handler::Any(info::feat),
        },
    ],
};
