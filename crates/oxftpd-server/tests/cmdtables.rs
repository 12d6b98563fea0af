//! Every command row and every SITE row has the group and class ProFTPD 1.3.8's cmdtables
//! give it (the facts are in `data/proftpd-1.3.8-cmdtables.tsv`).

use oxftpd_server::module::{CommandClass, CommandGroup};
use oxftpd_server::modules;

/// One CMD row of a 1.3.8 cmdtable.
struct Fact {
    module: String,
    table: String,
    command: String,
    group: Option<String>,
    class: CommandClass,
}

fn facts() -> Vec<Fact> {
    let text = include_str!("data/proftpd-1.3.8-cmdtables.tsv");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 5, "five tab-separated fields: {l:?}");
            let class = f[4].split('|').fold(CommandClass::NONE, |acc, n| {
                acc.with(CommandClass::from_name(n).unwrap_or_else(|| panic!("class {n:?}")))
            });
            Fact {
                module: f[0].to_string(),
                table: f[1].to_string(),
                command: f[2].to_string(),
                group: (f[3] != "-").then(|| f[3].to_string()),
                class,
            }
        })
        .collect()
}

/// Compares one of our rows with every 1.3.8 row of that name; the disagreements as text.
fn compare(
    facts: &[Fact],
    table: &str,
    name: &str,
    group: Option<CommandGroup>,
    class: CommandClass,
) -> Vec<String> {
    let theirs: Vec<&Fact> = facts
        .iter()
        .filter(|f| f.table == table && f.command == name)
        .collect();
    if theirs.is_empty() {
        return vec![format!("{name}: no such row in 1.3.8's cmdtables")];
    }
    let ours = group.map(|g| g.name().to_string());
    let mut wrong = Vec::new();
    for f in theirs {
        if f.group != ours {
            wrong.push(format!(
                "{name}: group {:?}, {} says {:?}",
                ours, f.module, f.group
            ));
        }
        if f.class != class {
            wrong.push(format!(
                "{name}: class {class}, {} says {}",
                f.module, f.class
            ));
        }
    }
    wrong
}

#[test]
fn every_row_has_the_group_and_class_of_1_3_8() {
    let facts = facts();
    let mut wrong = Vec::new();
    for row in modules::commands() {
        wrong.extend(compare(&facts, "cmdtab", row.name, row.group, row.class));
    }
    for row in modules::site_commands() {
        let name = row.limit_name();
        wrong.extend(compare(&facts, "site", &name, row.group, row.class));
    }
    assert!(
        wrong.is_empty(),
        "rows that disagree with 1.3.8:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_fixture_covers_every_module_with_commands() {
    let facts = facts();
    for m in modules::MODULES {
        if m.commands.is_empty() && m.site.is_empty() {
            continue;
        }
        assert!(
            facts.iter().any(|f| f.module == m.name()),
            "{} has rows but no 1.3.8 facts",
            m.name()
        );
    }
}
