//! mod_core.c: navigation, directories, data-connection setup, and the session basics.

pub mod class;
pub mod command_rate;
pub mod data;
pub mod dirs;
pub mod display_chdir;
pub mod files;
pub mod filters;
pub mod ftpaccess;
pub use crate::access::hiding;
pub mod host;
pub mod info;
pub mod opts;
pub mod rename;
pub mod scoreboard;
pub mod trace;

use crate::module::CommandClass as Cl;
use crate::module::CommandGroup::{Dirs, Read, Write};
use crate::module::hooks::{Hook, On, Phase};
use crate::module::{ArgFilter, CommandSpec, Feat, Handler, LimitRule, Module, PathArg, TlsRule};
use crate::modules::mod_facts::facts;

/// mod_core.c: groups and classes as its 1.3.8 cmdtable (SMNT is mod_xfer's there).
pub static MODULE: Module = Module {
    spec: &oxftpd_config::modules::mod_core::MODULE,
    commands: &[
        CommandSpec::new("CWD", Handler::Narrow(dirs::cwd))
            .group(Dirs)
            .class(Cl::DIRS)
            .feat(Feat::Line("TVFS"))
            .help("<sp> pathname"),
        CommandSpec::new("XCWD", Handler::Narrow(dirs::xcwd))
            .group(Dirs)
            .class(Cl::DIRS)
            .alias_of("CWD")
            .help("<sp> pathname"),
        CommandSpec::new("CDUP", Handler::Narrow(dirs::cdup))
            .group(Dirs)
            .class(Cl::DIRS)
            .path(PathArg::Parent)
            .help("(up one directory)"),
        CommandSpec::new("XCUP", Handler::Narrow(dirs::xcup))
            .group(Dirs)
            .class(Cl::DIRS)
            .alias_of("CDUP")
            .path(PathArg::Parent)
            .help("(up one directory)"),
        CommandSpec::new("SMNT", Handler::Conn(opts::smnt))
            .class(Cl::MISC)
            .unimplemented("is not implemented"),
        CommandSpec::new("QUIT", Handler::ConnUser(info::quit))
            .class(Cl::INFO)
            .tls(TlsRule::Exempt)
            .limit(LimitRule::Exempt)
            .help("(close control connection)"),
        CommandSpec::new("PORT", Handler::Narrow(data::port))
            .class(Cl::MISC)
            .path(PathArg::Cwd)
            .busy_refused()
            .limit(LimitRule::NotInAll)
            .help("<sp> h1,h2,h3,h4,p1,p2"),
        CommandSpec::new("PASV", Handler::Narrow(data::pasv))
            .class(Cl::MISC)
            .path(PathArg::Cwd)
            .busy_refused()
            .limit(LimitRule::NotInAll)
            .help("(returns address/port)"),
        CommandSpec::new("EPRT", Handler::Narrow(data::eprt))
            .class(Cl::MISC)
            .path(PathArg::Cwd)
            .busy_refused()
            .limit(LimitRule::NotInAll)
            .feat(Feat::Line("EPRT"))
            .help("<sp> |proto|addr|port|"),
        CommandSpec::new("EPSV", Handler::Narrow(data::epsv))
            .class(Cl::MISC)
            .path(PathArg::Cwd)
            .busy_refused()
            .limit(LimitRule::NotInAll)
            .feat(Feat::Line("EPSV"))
            .help("(returns port |||port|)"),
        CommandSpec::new("RNFR", Handler::Narrow(rename::rnfr))
            .group(Write)
            .class(Cl::MISC.with(Cl::WRITE))
            .busy_refused()
            .filter(ArgFilter::Path)
            .help("<sp> pathname"),
        CommandSpec::new("RNTO", Handler::Narrow(rename::rnto))
            .group(Write)
            .class(Cl::MISC.with(Cl::WRITE))
            .busy_refused()
            .filter(ArgFilter::Path)
            .help("<sp> pathname"),
        CommandSpec::new("DELE", Handler::Narrow(files::dele))
            .group(Write)
            .class(Cl::WRITE)
            .filter(ArgFilter::Path)
            .help("<sp> pathname"),
        CommandSpec::new("MDTM", Handler::Narrow(facts::mdtm))
            .group(Dirs)
            .class(Cl::INFO.with(Cl::DIRS))
            .feat(Feat::Line("MDTM"))
            .help("<sp> pathname"),
        CommandSpec::new("RMD", Handler::Narrow(dirs::rmd))
            .group(Write)
            .class(Cl::DIRS.with(Cl::WRITE))
            .filter(ArgFilter::Path)
            .help("<sp> pathname"),
        CommandSpec::new("XRMD", Handler::Narrow(dirs::xrmd))
            .group(Write)
            .class(Cl::DIRS.with(Cl::WRITE))
            .alias_of("RMD")
            .filter(ArgFilter::Path)
            .help("<sp> pathname"),
        CommandSpec::new("MKD", Handler::Narrow(dirs::mkd))
            .group(Write)
            .class(Cl::DIRS.with(Cl::WRITE))
            .filter(ArgFilter::Path)
            .help("<sp> pathname"),
        CommandSpec::new("XMKD", Handler::Narrow(dirs::mkd))
            .group(Write)
            .class(Cl::DIRS.with(Cl::WRITE))
            .alias_of("MKD")
            .filter(ArgFilter::Path)
            .help("<sp> pathname"),
        CommandSpec::new("PWD", Handler::Narrow(dirs::pwd))
            .group(Dirs)
            .class(Cl::INFO.with(Cl::DIRS))
            .path(PathArg::Cwd)
            .help("(returns current working directory)"),
        CommandSpec::new("XPWD", Handler::Narrow(dirs::pwd))
            .group(Dirs)
            .class(Cl::INFO.with(Cl::DIRS))
            .alias_of("PWD")
            .path(PathArg::Cwd)
            .help("(returns current working directory)"),
        CommandSpec::new("SIZE", Handler::Narrow(files::size))
            .group(Read)
            .class(Cl::INFO)
            .feat(Feat::Line("SIZE"))
            .help("<sp> pathname"),
        CommandSpec::new("SYST", Handler::Conn(info::syst))
            .class(Cl::INFO)
            .path(PathArg::Cwd)
            .tls(TlsRule::Exempt)
            .limit(LimitRule::Exempt)
            .help("(returns system type)"),
        CommandSpec::new("HELP", Handler::ConnUser(info::help))
            .class(Cl::INFO)
            .path(PathArg::Cwd)
            .help("[<sp> command]"),
        CommandSpec::new("NOOP", Handler::ConnUser(info::noop))
            .class(Cl::MISC)
            .path(PathArg::Cwd)
            .busy_answered()
            .help("(no operation)"),
        // 1.3.8 has two CMD rows for HOST (CL_MISC, then CL_AUTH); the later one is
        // dispatched first.
        CommandSpec::new("HOST", Handler::Login(host::host))
            .class(Cl::AUTH)
            .tls(TlsRule::Exempt)
            .feat(Feat::Line("HOST"))
            .help("<cp> hostname"),
        CommandSpec::new("FEAT", Handler::Conn(info::feat))
            .class(Cl::INFO)
            .path(PathArg::Cwd)
            .tls(TlsRule::Exempt)
            .help("(returns feature list)"),
        CommandSpec::new("OPTS", Handler::ConnUser(opts::opts))
            .class(Cl::MISC)
            .path(PathArg::Cwd)
            .limit(LimitRule::NotInAll)
            .feat(Feat::Line("UTF8"))
            .help("<sp> command [<sp> options]"),
        CommandSpec::new("CLNT", Handler::Conn(opts::clnt))
            .class(Cl::INFO)
            .tls(TlsRule::Exempt)
            .feat(Feat::Line("CLNT"))
            .help("<cp> client-info"),
        CommandSpec::new("CSID", Handler::Narrow(info::csid))
            .class(Cl::INFO)
            .feat(Feat::Line("CSID"))
            .help("<sp> client-identity"),
    ],
    // The trace first, so a refused command is traced too; then the filters: they judge the
    // argument as sent, before .ftpaccess files are re-read.
    hooks: &[
        Hook::new(Phase::Pre, On::AnyLine, command_rate::pre_any),
        Hook::new(Phase::Pre, On::AnyCommand, trace::pre_cmd),
        Hook::new(Phase::Pre, On::AnyCommand, rename::pre_cmd),
        Hook::new(Phase::Post, On::Verb("RNTO"), rename::post_rnto),
        Hook::new(Phase::PostErr, On::Verb("RNTO"), rename::post_rnto),
        Hook::new(Phase::Pre, On::AnyCommand, filters::pre_cmd),
        Hook::new(Phase::Pre, On::AnyCommand, ftpaccess::pre_cmd),
        Hook::new(Phase::Pre, On::AnyCommand, scoreboard::pre_cmd),
        Hook::new(Phase::Log, On::AnyCommand, scoreboard::log_cmd),
        Hook::new(Phase::LogErr, On::AnyCommand, scoreboard::log_cmd),
        Hook::new(Phase::Log, On::AnyCommand, trace::log_cmd),
        Hook::new(Phase::LogErr, On::AnyCommand, trace::log_cmd),
    ],
    events: Some(on_event),
    open: Some(trace::open),
    connect: &[crate::module::ConnectHook::new(
        crate::module::ConnectStage::Classify,
        class::on_connect,
    )],
    ..Module::DEFAULT
};

/// mod_core's event handler: the session's trace when it opens (first, so the scoreboard's
/// work is traced too), then the scoreboard's entry.
fn on_event<'a>(
    ctx: &'a mut crate::session::Ctx,
    event: &'a crate::module::events::Event<'a>,
) -> crate::module::events::EventFuture<'a> {
    Box::pin(async move {
        trace::on_event(ctx, event).await;
        scoreboard::on_event(ctx, event).await;
    })
}
