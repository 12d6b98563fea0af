//! docs/directives.md must say exactly what the module tables say.

#[test]
fn directives_doc_matches_the_tables() {
    let text = oxftpd::docs::directives_markdown();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/directives.md");
    if std::env::var_os("OXFTPD_BLESS").is_some() {
        std::fs::write(&path, &text).expect("write docs/directives.md");
        return;
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == text,
        "docs/directives.md is stale: run OXFTPD_BLESS=1 cargo test -p oxftpd --test directives_doc"
    );
}
