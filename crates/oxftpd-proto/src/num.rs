//! Allocation-free decimal, octal and hex formatting into byte buffers.

/// Renders `n` in decimal into the tail of `buf`, returning the start index.
fn render_dec(mut n: u64, buf: &mut [u8; 20]) -> usize {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return i;
        }
    }
}

/// Appends `n` in decimal.
pub(crate) fn push_u64(out: &mut Vec<u8>, n: u64) {
    let mut buf = [0u8; 20];
    let start = render_dec(n, &mut buf);
    out.extend_from_slice(&buf[start..]);
}

/// Appends `n` in decimal, right-aligned (space-padded on the left) to `width`.
pub(crate) fn push_u64_right(out: &mut Vec<u8>, n: u64, width: usize) {
    let mut buf = [0u8; 20];
    let start = render_dec(n, &mut buf);
    let digits = buf.len() - start;
    out.resize(out.len() + width.saturating_sub(digits), b' ');
    out.extend_from_slice(&buf[start..]);
}

/// Appends `n` in decimal, zero-padded on the left to `width`.
pub(crate) fn push_u64_zero(out: &mut Vec<u8>, n: u64, width: usize) {
    let mut buf = [0u8; 20];
    let start = render_dec(n, &mut buf);
    let digits = buf.len() - start;
    out.resize(out.len() + width.saturating_sub(digits), b'0');
    out.extend_from_slice(&buf[start..]);
}

/// Appends a signed `n` in decimal, right-aligned to `width` (as C's `%5d`).
pub(crate) fn push_i64_right(out: &mut Vec<u8>, n: i64, width: usize) {
    let mut buf = [0u8; 20];
    let start = render_dec(n.unsigned_abs(), &mut buf);
    let len = buf.len() - start + usize::from(n < 0);
    out.resize(out.len() + width.saturating_sub(len), b' ');
    if n < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(&buf[start..]);
}

/// Appends `s` left-aligned and space-padded to `width` (as C's `%-8s`).
pub(crate) fn push_str_left(out: &mut Vec<u8>, s: &[u8], width: usize) {
    out.extend_from_slice(s);
    out.resize(out.len() + width.saturating_sub(s.len()), b' ');
}

/// Appends `n` in upper-case hexadecimal without leading zeros (as C's `%lX`).
pub(crate) fn push_hex_upper(out: &mut Vec<u8>, n: u64) {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut buf = [0u8; 16];
    let mut i = buf.len();
    let mut n = n;
    loop {
        i -= 1;
        buf[i] = DIGITS[(n & 0xf) as usize];
        n >>= 4;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// Appends `n` in octal without leading zeros (as C's `%o`).
pub(crate) fn push_octal(out: &mut Vec<u8>, n: u32) {
    let mut buf = [0u8; 11];
    let mut i = buf.len();
    let mut n = n;
    loop {
        i -= 1;
        buf[i] = b'0' + (n & 7) as u8;
        n >>= 3;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(f: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut v = Vec::new();
        f(&mut v);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn decimal_forms() {
        assert_eq!(run(|o| push_u64(o, 0)), "0");
        assert_eq!(run(|o| push_u64(o, u64::MAX)), "18446744073709551615");
        assert_eq!(run(|o| push_u64_right(o, 6, 8)), "       6");
        assert_eq!(run(|o| push_u64_right(o, 123456789, 8)), "123456789");
        assert_eq!(run(|o| push_u64_zero(o, 7, 2)), "07");
        assert_eq!(run(|o| push_u64_zero(o, 2026, 4)), "2026");
        assert_eq!(run(|o| push_i64_right(o, 2020, 5)), " 2020");
        assert_eq!(run(|o| push_i64_right(o, -5, 5)), "   -5");
        assert_eq!(run(|o| push_str_left(o, b"tester", 8)), "tester  ");
        assert_eq!(run(|o| push_str_left(o, b"longername", 8)), "longername");
    }

    #[test]
    fn hex_and_octal() {
        assert_eq!(run(|o| push_hex_upper(o, 0xfe00)), "FE00");
        assert_eq!(run(|o| push_hex_upper(o, 0)), "0");
        assert_eq!(run(|o| push_hex_upper(o, u64::MAX)), "FFFFFFFFFFFFFFFF");
        assert_eq!(run(|o| push_octal(o, 0o4755)), "4755");
        assert_eq!(run(|o| push_octal(o, 0)), "0");
    }
}
