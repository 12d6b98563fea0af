//! ProFTPD's group and user expressions: `a,b,!c` means in a, and in b, and not in c.

/// A parsed AND-list of names, each possibly negated with `!`.
pub struct GroupExpr<'a> {
    terms: Vec<(bool, &'a str)>,
}

impl<'a> GroupExpr<'a> {
    /// Builds an expression from its comma-separated parts.
    pub fn new(parts: &'a [String]) -> Self {
        let terms = parts
            .iter()
            .flat_map(|p| p.split(','))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| match t.strip_prefix('!') {
                Some(name) => (true, name),
                None => (false, t),
            })
            .collect();
        GroupExpr { terms }
    }

    /// Whether a member of `names` satisfies every term.
    pub fn matches<S: AsRef<str>>(&self, names: &[S]) -> bool {
        self.terms
            .iter()
            .all(|(negated, name)| names.iter().any(|n| n.as_ref() == *name) != *negated)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn and_list_with_negation() {
        let parts = vec!["users,!staff".to_string()];
        let e = GroupExpr::new(&parts);
        assert!(e.matches(&["users"]));
        assert!(!e.matches(&["users", "staff"]));
        assert!(!e.matches(&["other"]));
        let none: Vec<String> = Vec::new();
        assert!(GroupExpr::new(&none).matches(&["x"]));
    }
}
