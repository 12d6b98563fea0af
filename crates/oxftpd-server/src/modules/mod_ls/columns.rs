//! `LIST -C`: names in columns, laid out as mod_ls lays them out for a 75-column line.
//!
//! A column is as wide as the longest name rounded up past the next tab stop; the names run
//! down the columns (the first column holds the first rows' worth), and a name is followed by
//! tabs to its column's end, or by the line end when it is the last of its row.

/// The width mod_ls fills.
const LINE: usize = 75;

/// The most tabs between two names.
const MAX_TABS: usize = 5;

/// Writes `names`, in their order, as rows of columns ending in CRLF.
pub(crate) fn write(names: &[String], out: &mut Vec<u8>) {
    if names.is_empty() {
        return;
    }
    let longest = names.iter().map(String::len).max().unwrap_or(0);
    let width = ((longest | 7) + 1).min(LINE);
    let per_row = LINE / width;
    let rows = names.len().div_ceil(per_row);
    for row in 0..rows {
        let mut at = row;
        while let Some(name) = names.get(at) {
            out.extend_from_slice(name.as_bytes());
            at += rows;
            if at < names.len() {
                let tabs = ((width + 7).saturating_sub(name.len()) / 8).min(MAX_TABS);
                out.extend(std::iter::repeat_n(b'\t', tabs));
            } else {
                out.extend_from_slice(b"\r\n");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn laid_out(names: &[&str]) -> String {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let mut out = Vec::new();
        write(&names, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn names_run_down_the_columns() {
        let names: Vec<String> = (1..=10).map(|i| format!("{i:04}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        // Four-letter names: columns of 8, nine to a row; ten names make two rows.
        assert_eq!(
            laid_out(&refs),
            "0001\t0003\t0005\t0007\t0009\r\n0002\t0004\t0006\t0008\t0010\r\n"
        );
    }

    #[test]
    fn a_long_name_takes_a_row_of_its_own() {
        let long = "x".repeat(80);
        assert_eq!(laid_out(&[&long, "b"]), format!("{long}\r\nb\r\n"));
    }

    #[test]
    fn nothing_to_lay_out_writes_nothing() {
        assert_eq!(laid_out(&[]), "");
    }
}
