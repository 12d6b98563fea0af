//! `oxftpd`: the daemon, with proftpd's command line.

use std::process::ExitCode;

use clap::Parser;
use oxftpd::cli::Cli;
use oxftpd::{daemon, info};

fn main() -> ExitCode {
    let cli = Cli::parse();
    oxftpd::modules::install();
    if cli.version >= 2 || cli.version_status {
        print!("{}", info::version_status());
        return ExitCode::SUCCESS;
    }
    if cli.version == 1 {
        print!("{}", info::version());
        return ExitCode::SUCCESS;
    }
    if cli.settings {
        print!("{}", info::settings());
        return ExitCode::SUCCESS;
    }
    if cli.list {
        print!("{}", info::modules());
        return ExitCode::SUCCESS;
    }
    if cli.persistent == Some(1) {
        eprintln!(
            "oxftpd: -p 1 (persistent passwd) is not supported: oxftpd looks users up through \
             NSS at each login, so changes to /etc/passwd apply at once"
        );
        return ExitCode::FAILURE;
    }
    let source = match daemon::source(&cli) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("oxftpd: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    if cli.configtest {
        if let daemon::Source::Embedded(_) = source {
            eprintln!(
                "oxftpd: -t: no configuration file to check: no -c FILE was given and {} does \
                 not exist (without a file, oxftpd serves its built-in default)",
                daemon::SYSTEM_CONFIG
            );
            return ExitCode::FAILURE;
        }
        println!("Checking syntax of configuration file");
    }
    let generation = match daemon::load(&source, &cli) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("{e}");
            if cli.configtest {
                eprintln!("Syntax check failed");
            }
            return ExitCode::FAILURE;
        }
    };
    if cli.configtest {
        // What was accepted but does nothing here (e.g. LoadModule of a module we lack).
        for w in generation.config.warnings() {
            eprintln!("warning: {w}");
        }
        println!("Syntax OK");
        return ExitCode::SUCCESS;
    }
    match daemon::run(&cli, source, generation) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("oxftpd: {e:#}");
            ExitCode::FAILURE
        }
    }
}
