//! Mapping between a session's virtual paths and real paths under its root.

/// The real path of `vpath` (absolute, normalised) under `root`.
pub fn real_of(root: &str, vpath: &str) -> String {
    if root == "/" {
        return vpath.to_string();
    }
    if vpath == "/" {
        return root.to_string();
    }
    format!("{}{}", root.trim_end_matches('/'), vpath)
}

/// The virtual path of real path `real` when it lies under `root`.
pub fn virtual_of(root: &str, real: &str) -> Option<String> {
    let root = root.trim_end_matches('/');
    if root.is_empty() {
        return oxftpd_proto::path::resolve("/", real).ok();
    }
    let rest = real.strip_prefix(root)?;
    if rest.is_empty() {
        return Some("/".to_string());
    }
    if !rest.starts_with('/') {
        return None;
    }
    oxftpd_proto::path::resolve("/", rest).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_both_ways() {
        assert_eq!(real_of("/srv/ftp", "/"), "/srv/ftp");
        assert_eq!(real_of("/srv/ftp/", "/a/b"), "/srv/ftp/a/b");
        assert_eq!(real_of("/", "/a"), "/a");
        assert_eq!(virtual_of("/srv/ftp", "/srv/ftp/a").as_deref(), Some("/a"));
        assert_eq!(virtual_of("/srv/ftp", "/srv/ftp").as_deref(), Some("/"));
        assert_eq!(virtual_of("/srv/ftp", "/srv/ftpx"), None);
        assert_eq!(virtual_of("/", "/home/a").as_deref(), Some("/home/a"));
    }
}
