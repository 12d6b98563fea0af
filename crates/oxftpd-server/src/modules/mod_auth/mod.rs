//! mod_auth.c: USER and PASS.

pub mod anonymous;
pub mod client_limits;
pub mod empty_passwords;
pub mod user_pass;
pub mod wtmp;

use crate::module::CommandGroup::Login;
use crate::module::hooks::{Hook, On, Phase};
use crate::module::{CommandSpec, Handler, Module};
use crate::modules::mod_core::opts;

/// mod_auth.c.
pub static MODULE: Module = Module {
    spec: &oxftpd_config::modules::mod_auth::MODULE,
    commands: &[
        CommandSpec {
            name: "USER",
            groups: &[Login],
            feat: None,
            help: "<sp> username",
            handler: Handler::Login(user_pass::user),
        },
        CommandSpec {
            name: "PASS",
            groups: &[Login],
            feat: None,
            help: "<sp> password",
            handler: Handler::Login(user_pass::pass),
        },
        CommandSpec {
            name: "ACCT",
            groups: &[],
            feat: None,
            help: "is not implemented",
            handler: Handler::Any(opts::acct),
        },
        CommandSpec {
            name: "REIN",
            groups: &[],
            feat: None,
            help: "is not implemented",
            handler: Handler::Any(opts::rein),
        },
    ],
    hooks: &[Hook::new(
        Phase::Pre,
        On::Verb("PASS"),
        empty_passwords::pre_pass,
    )],
    admit: Some(client_limits::admit_login),
    events: Some(wtmp::on_event),
    ..Module::DEFAULT
};
