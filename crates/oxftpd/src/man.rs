//! The man pages `oxftpd(8)`, `oxftpctl(8)` and `oxftpd.conf(5)`, generated from the clap
//! definitions and the directive tables (as `docs/directives.md` is), so they cannot drift
//! from the code. `oxftpctl man NAME` prints one; `man/` holds them for the package, and a test
//! fails when they are stale (`OXFTPD_BLESS=1 cargo test -p oxftpd --test man_pages`).

use std::fmt::Write as _;

use clap::Command;
use oxftpd_config::{REJECTED, Status};

/// The pages there are, by file name.
pub const PAGES: [&str; 3] = ["oxftpd.8", "oxftpctl.8", "oxftpd.conf.5"];

/// Text made safe for roff: backslashes and hyphens escaped, a leading `.` or `'` guarded.
fn esc(text: &str) -> String {
    let mut t = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => t.push_str("\\e"),
            '-' => t.push_str("\\-"),
            // groff reads ASCII: anything else as its Unicode escape.
            c if !c.is_ascii() => {
                let _ = write!(t, "\\[u{:04X}]", u32::from(c));
            }
            c => t.push(c),
        }
    }
    // A line of a multi-line text that starts with a control character is guarded too.
    let t = t.replace("\n.", "\n\\&.").replace("\n'", "\n\\&'");
    if t.starts_with('.') || t.starts_with('\'') {
        format!("\\&{t}")
    } else {
        t
    }
}

/// The page header.
fn title(name: &str, section: u8, what: &str) -> String {
    format!(
        ".TH {} {section} \"\" \"oxftpd {}\" \"{what}\"\n",
        name.to_ascii_uppercase(),
        env!("CARGO_PKG_VERSION")
    )
}

/// One option's `.TP` entry.
fn option(out: &mut String, arg: &clap::Arg) {
    let mut names = Vec::new();
    if let Some(s) = arg.get_short() {
        names.push(format!("\\fB\\-{s}\\fR"));
    }
    if let Some(l) = arg.get_long() {
        names.push(format!("\\fB\\-\\-{}\\fR", esc(l)));
    }
    let value = arg
        .get_value_names()
        .map(|v| {
            v.iter()
                .map(|n| format!(" \\fI{}\\fR", esc(n)))
                .collect::<String>()
        })
        .filter(|_| arg.get_action().takes_values())
        .unwrap_or_default();
    let label = if names.is_empty() {
        format!(
            "\\fI{}\\fR",
            esc(arg.get_id().as_str()).to_ascii_uppercase()
        )
    } else {
        format!("{}{value}", names.join(", "))
    };
    let help = arg
        .get_long_help()
        .or_else(|| arg.get_help())
        .map(|h| esc(&h.to_string()))
        .unwrap_or_default();
    let _ = write!(out, ".TP\n{label}\n{help}\n");
}

/// A command's visible arguments, `--help`/`--version` left out.
fn visible(cmd: &Command) -> impl Iterator<Item = &clap::Arg> {
    cmd.get_arguments().filter(|a| {
        let id = a.get_id().as_str();
        !a.is_hide_set() && id != "help" && id != "version"
    })
}

/// The options of a command.
fn options(out: &mut String, cmd: &Command) {
    for arg in visible(cmd) {
        option(out, arg);
    }
}

/// A program's page from its clap definition: name, synopsis, description, options, and one
/// subsection per subcommand.
pub fn program_page(cmd: &Command, section: u8, see_also: &str) -> String {
    let mut cmd = cmd.clone();
    cmd.build();
    let name = cmd.get_name().to_string();
    let mut out = title(&name, section, "System Administration");
    let about = cmd.get_about().map(|a| a.to_string()).unwrap_or_default();
    let _ = write!(out, ".SH NAME\n{} \\- {}\n", esc(&name), esc(&about));
    let _ = write!(out, ".SH SYNOPSIS\n.B {}\n", esc(&name));
    if cmd.has_subcommands() {
        out.push_str("\\fICOMMAND\\fR [\\fIOPTIONS\\fR]\n");
    } else {
        out.push_str("[\\fIOPTIONS\\fR]\n");
    }
    if let Some(long) = cmd.get_long_about() {
        let _ = write!(out, ".SH DESCRIPTION\n{}\n", esc(&long.to_string()));
    }
    if visible(&cmd).next().is_some() {
        out.push_str(".SH OPTIONS\n");
        options(&mut out, &cmd);
    }
    let subs: Vec<&Command> = cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
        .collect();
    if !subs.is_empty() {
        out.push_str(".SH COMMANDS\n");
        for sub in subs {
            let _ = writeln!(out, ".SS \"{} {}\"", esc(&name), esc(sub.get_name()));
            if let Some(a) = sub.get_long_about().or_else(|| sub.get_about()) {
                let _ = writeln!(out, "{}", esc(&a.to_string()));
            }
            options(&mut out, sub);
        }
    }
    let _ = write!(out, ".SH SEE ALSO\n{see_also}\n");
    out
}

/// `oxftpd.conf(5)`: every directive under its module, with contexts, status and summary;
/// the rejected ones with why.
pub fn config_page() -> String {
    let mut out = title("oxftpd.conf", 5, "File Formats");
    out.push_str(
        ".SH NAME\noxftpd.conf \\- oxftpd's configuration file, in proftpd.conf's language\n\
         .SH DESCRIPTION\n\
         oxftpd reads ProFTPD 1.3.8's configuration language: directives, one per line, in the \
         server context or in \\fB<Global>\\fR, \\fB<VirtualHost>\\fR, \\fB<Anonymous>\\fR, \
         \\fB<Directory>\\fR, \\fB<Limit>\\fR, \\fB<IfUser>\\fR, \\fB<IfGroup>\\fR, \
         \\fB<IfClass>\\fR and \\fB.ftpaccess\\fR files, with \\fB<IfModule>\\fR and \
         \\fB<IfDefine>\\fR. An unknown directive, one in the wrong context or with bad \
         arguments is an error naming the file and line. Below, each directive oxftpd accepts, \
         by the ProFTPD module that brings it.\n",
    );
    for module in crate::modules::all() {
        let spec = module.spec;
        if spec.directives.is_empty() {
            continue;
        }
        let _ = writeln!(out, ".SH {}", esc(spec.name).to_ascii_uppercase());
        for d in spec.directives {
            let status = match d.status {
                Status::Implemented => String::new(),
                Status::Partial(what) => format!(" (partial: {})", esc(what)),
            };
            let _ = write!(
                out,
                ".TP\n\\fB{}\\fR\n{}{status}. Contexts: {}.\n",
                esc(d.name),
                esc(d.summary),
                esc(&d.contexts.names().join(", "))
            );
        }
    }
    out.push_str(
        ".SH REJECTED DIRECTIVES\nThese are refused with a configuration error that says why:\n",
    );
    for (name, why) in REJECTED {
        let _ = write!(out, ".TP\n\\fB{}\\fR\n{}\n", esc(name), esc(why));
    }
    out.push_str(".SH FILES\n/etc/oxftpd/oxftpd.conf\n.SH SEE ALSO\n\\fBoxftpd\\fR(8), \\fBoxftpctl\\fR(8), \\fBproftpd.conf\\fR(5)\n");
    out
}

/// `oxftpd(8)`.
pub fn oxftpd_page() -> String {
    use clap::CommandFactory;
    program_page(
        &crate::cli::Cli::command(),
        8,
        "\\fBoxftpd.conf\\fR(5), \\fBoxftpctl\\fR(8), \\fBproftpd\\fR(8), \\fBftpwho\\fR(1), \\fBftpdctl\\fR(8)",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roff_escapes() {
        assert_eq!(esc("-c FILE"), "\\-c FILE");
        assert_eq!(esc(".hidden"), "\\&.hidden");
        assert_eq!(esc("a\\b"), "a\\eb");
        assert_eq!(esc("a…"), "a\\[u2026]");
    }

    #[test]
    fn the_daemon_page_lists_its_flags() {
        let page = oxftpd_page();
        assert!(page.starts_with(".TH OXFTPD 8 "), "{page}");
        assert!(page.contains("\\fB\\-c\\fR"), "{page}");
        assert!(page.contains(".SH SEE ALSO"), "{page}");
    }

    #[test]
    fn the_config_page_lists_directives_and_rejections() {
        let page = config_page();
        assert!(page.contains("\\fBServerName\\fR"), "the first directive");
        assert!(page.contains(".SH REJECTED DIRECTIVES"));
    }
}
