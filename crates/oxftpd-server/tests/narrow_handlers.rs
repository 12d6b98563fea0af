//! No command or SITE handler gets the whole session but those that change the login state
//! (`Handler::Login`: USER, PASS, AUTH, HOST, SITE's dispatch): a logged-in one gets the
//! command's narrow context (`HandlerCtx`: identity, the effective configuration for its
//! target, and a `Session` handle whose methods are what it may change), one allowed before
//! login the `Session` handle (docs/DESIGN.md, "What a handler is given"); and only the engine
//! reaches through a handle to the session behind it.

use std::path::{Path, PathBuf};

use oxftpd_server::module::{Handler, SiteHandler};

#[test]
fn logged_in_handlers_take_the_narrow_context() {
    let mut wide: Vec<String> = oxftpd_server::modules::commands()
        .filter(|c| {
            matches!(
                c.handler,
                Handler::User(_) | Handler::Any(_) | Handler::Session(_)
            )
        })
        .map(|c| c.name.to_string())
        .collect();
    wide.extend(
        oxftpd_server::modules::site_commands()
            .filter(|s| matches!(s.handler, SiteHandler::User(_) | SiteHandler::Any(_)))
            .map(|s| format!("SITE {}", s.name)),
    );
    assert!(
        wide.is_empty(),
        "these rows still hand their handler the whole session (use Handler::Narrow / \
         SiteHandler::Narrow with a HandlerCtx, or Handler::Conn / ConnUser / SiteHandler::Conn \
         with a Session handle): {wide:?}"
    );
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn only_the_engine_reaches_behind_a_session_handle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let offenders: Vec<String> = files
        .iter()
        .filter_map(|p| {
            let rel = p
                .strip_prefix(&src)
                .ok()?
                .to_string_lossy()
                .replace('\\', "/");
            let allowed = rel.starts_with("engine/") || rel == "module/context.rs";
            let text = std::fs::read_to_string(p).ok()?;
            (!allowed && text.contains("engine_ctx(")).then_some(rel)
        })
        .collect();
    assert!(
        offenders.is_empty(),
        "outside engine/, a handler changes its session only through Session's methods: {offenders:?}"
    );
}
