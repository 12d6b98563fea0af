//! `docs/directives.md`, generated from the module tables so it can't drift from the code.

use oxftpd_config::{REJECTED, Status};

/// The whole page.
pub fn directives_markdown() -> String {
    let mut s = String::from(
        "# Directives\n\n\
         Generated from the module tables (`crates/oxftpd-config/src/modules/`) by\n\
         `OXFTPD_BLESS=1 cargo test -p oxftpd --test directives_doc`; a test fails when this page\n\
         and the tables disagree.\n\n\
         Every directive oxftpd accepts is listed under its ProFTPD module, with its status:\n\
         **implemented** (as ProFTPD documents it) or **partial** (what is missing is said).\n\
         A directive not listed here is a configuration error naming file and line; the ones\n\
         under *Rejected* get an error that says why oxftpd does not support them.\n",
    );
    for module in crate::modules::all() {
        let spec = module.spec;
        if spec.directives.is_empty() {
            continue;
        }
        s.push_str(&format!(
            "\n## {}\n\n| directive | contexts | status | what it does |\n|---|---|---|---|\n",
            spec.name
        ));
        for d in spec.directives {
            let status = match d.status {
                Status::Implemented => "implemented".to_string(),
                Status::Partial(what) => format!("partial: {what}"),
            };
            s.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                d.name,
                d.contexts.names().join(", "),
                status,
                d.summary
            ));
        }
    }
    s.push_str(
        "\n## Control actions\n\n\
         What `ftpdctl ACTION` (and `oxftpctl`) can ask over the control socket (mod_ctrls), \
         each module's actions as its table lists them; `in oxftpd` says how oxftpd's answer \
         differs from ProFTPD's, when it does.\n\n\
         | action | module | what it does | in oxftpd |\n|---|---|---|---|\n",
    );
    for (module, c) in oxftpd_server::modules::controls() {
        s.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            c.name,
            module.name(),
            c.desc,
            if c.note.is_empty() {
                "as ProFTPD"
            } else {
                c.note
            }
        ));
    }
    s.push_str("\n## Rejected\n\n| directive | why |\n|---|---|\n");
    for (name, why) in REJECTED {
        s.push_str(&format!("| `{name}` | {why} |\n"));
    }
    s
}
