//! mod_auth.c: USER and PASS.

pub mod anonymous;
pub mod client_limits;
pub mod create_home;
pub mod empty_passwords;
pub mod login;
pub mod user_pass;
pub mod wtmp;

use crate::module::CommandClass as Cl;
use crate::module::hooks::{Hook, On, Phase};
use crate::module::{ArgFilter, CommandSpec, Handler, LimitRule, Module, TlsRule};
use crate::modules::mod_core::opts;

/// mod_auth.c. `<Limit LOGIN>` governs USER and PASS (`access::limit::login_allowed`).
pub static MODULE: Module = Module {
    spec: &oxftpd_config::modules::mod_auth::MODULE,
    commands: &[
        CommandSpec::new("USER", Handler::Login(user_pass::user))
            .class(Cl::AUTH)
            .tls(TlsRule::Credentials)
            .limit(LimitRule::Exempt)
            .help("<sp> username"),
        CommandSpec::new("PASS", Handler::Login(user_pass::pass))
            .class(Cl::AUTH)
            .tls(TlsRule::Credentials)
            .limit(LimitRule::Exempt)
            .filter(ArgFilter::Unfiltered)
            .help("<sp> password"),
        CommandSpec::new("ACCT", Handler::Conn(opts::acct))
            .class(Cl::AUTH)
            .tls(TlsRule::Credentials)
            .unimplemented("is not implemented"),
        CommandSpec::new("REIN", Handler::Conn(opts::rein))
            .class(Cl::AUTH)
            .unimplemented("is not implemented"),
    ],
    hooks: &[Hook::new(
        Phase::Pre,
        On::Verb("PASS"),
        empty_passwords::pre_pass,
    )],
    admit: Some(crate::module::AdmitFn::Now(client_limits::admit_login)),
    events: Some(wtmp::on_event),
    connect: &[crate::module::ConnectHook::new(
        crate::module::ConnectStage::Admit,
        client_limits::on_connect,
    )],
    ..Module::DEFAULT
};
