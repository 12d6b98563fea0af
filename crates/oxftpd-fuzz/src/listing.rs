//! LIST/NLST arguments: `ls` options, name globs, virtual path resolution.

use oxftpd_proto::glob::{has_glob, matches};
use oxftpd_proto::path::resolve;
use oxftpd_server::modules::mod_ls::listing::split_options;

/// Splits options off, matches the first text as a glob against the second, and resolves
/// the first against the second as a directory: a resolved path stays absolute and clean.
pub fn run(data: &[u8]) {
    let (arg, name) = crate::two_texts(data);
    let (_, path) = split_options(Some(&arg));
    if let Some(path) = path {
        assert!(
            arg.ends_with(path),
            "the path is not the tail of the argument"
        );
    }
    let _ = has_glob(&arg);
    let _ = matches(&arg, &name);
    let cwd = if name.starts_with('/') {
        name.clone()
    } else {
        format!("/{name}")
    };
    if let Ok(cwd) = resolve("/", &cwd)
        && let Ok(p) = resolve(&cwd, &arg)
    {
        assert!(p.starts_with('/'), "{p:?} is not absolute");
        assert!(
            !p.split('/').any(|c| c == ".." || c == "."),
            "{p:?} keeps a dot component"
        );
    }
    let words: Vec<String> = arg.split_whitespace().map(str::to_string).collect();
    let _ = oxftpd_config::modules::mod_ls::ListOptions::parse(&words);
}
