//! One directory entry as a `LIST` line (ProFTPD's mod_ls, `ls -l` style) or as MLSx facts
//! (ProFTPD's mod_facts, RFC 3659 §7), written into a caller's buffer without allocating.
//!
//! Names are written as given, as ProFTPD does: a name holding CR or LF goes out raw on the
//! data connection (captured: the directory `a\rb` listed as `… a\rb\r\n`).

use std::fmt;

use crate::num::{
    push_hex_upper, push_i64_right, push_octal, push_str_left, push_u64, push_u64_right,
    push_u64_zero,
};
use crate::time::{Civil, write_timestamp};

/// What kind of entry a name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// The directory being listed, shown as `.` (MLSD `type=cdir`).
    CurrentDir,
    /// Its parent, shown as `..` (MLSD `type=pdir`).
    ParentDir,
    /// A symbolic link (not followed).
    Symlink,
    /// Anything else, with its `ls` type letter: `p` FIFO, `s` socket, `b`/`c` devices.
    Other(char),
}

impl Kind {
    /// Whether MLSx treats it as a directory (no `size` fact).
    fn is_dir(self) -> bool {
        matches!(self, Kind::Dir | Kind::CurrentDir | Kind::ParentDir)
    }
}

/// The plain facts of one directory entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts<'a> {
    /// The name as shown (last component for LIST/MLSD, full path for MLST).
    pub name: &'a str,
    /// The entry's kind.
    pub kind: Kind,
    /// `st_mode`, type bits included; only the low 12 bits are shown.
    pub mode: u32,
    /// Hard link count.
    pub nlink: u64,
    /// Owner id.
    pub uid: u32,
    /// Group id.
    pub gid: u32,
    /// Owner name, or `None` to show the id.
    pub owner: Option<&'a str>,
    /// Group name, or `None` to show the id.
    pub group: Option<&'a str>,
    /// Size in bytes.
    pub size: u64,
    /// Modification time, Unix seconds.
    pub mtime: i64,
    /// Symlink target to show as `name -> target` in LIST.
    pub link_target: Option<&'a str>,
    /// Device number (MLSx `unique`).
    pub dev: u64,
    /// Inode number (MLSx `unique`).
    pub ino: u64,
}

/// The clock a listing is made against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListClock {
    /// The time of the listing, Unix seconds (ProFTPD takes it once per listing).
    pub now: i64,
    /// Seconds east of UTC to show times in: 0 for `TimesGMT on` (the default).
    pub utc_offset: i32,
}

/// ProFTPD's "recent" window: older entries show the year instead of the time.
const SIX_MONTHS: i64 = 180 * 24 * 60 * 60;

const MONTHS: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

/// Appends one `LIST` line, CR LF included, as ProFTPD's mod_ls writes it:
/// `{perms} {nlink:>3} {owner:<8} {group:<8} {size:>8} {Mon} {dd:>2} {HH:MM|yyyy} {name}`.
///
/// The time column shows `HH:MM` unless the entry is more than 180 days older than
/// `clock.now`, then ` yyyy` (right-aligned in 5); entries in the future always show `HH:MM`
/// (mod_ls only tests `now - mtime > 180 days`; captured: a file dated 400 days ahead
/// listed as `Dec 29 09:33`).
pub fn write_list_line(f: &Facts<'_>, clock: &ListClock, out: &mut Vec<u8>) {
    write_perms(f.kind, f.mode, out);
    out.push(b' ');
    push_u64_right(out, f.nlink, 3);
    out.push(b' ');
    push_name_or_id(out, f.owner, f.uid);
    out.push(b' ');
    push_name_or_id(out, f.group, f.gid);
    out.push(b' ');
    push_u64_right(out, f.size, 8);
    out.push(b' ');
    let local = Civil::from_unix(f.mtime.saturating_add(i64::from(clock.utc_offset)));
    out.extend_from_slice(MONTHS[(local.month as usize).saturating_sub(1) % 12]);
    out.push(b' ');
    push_u64_right(out, u64::from(local.day), 2);
    out.push(b' ');
    if clock.now.saturating_sub(f.mtime) > SIX_MONTHS {
        push_i64_right(out, local.year, 5);
    } else {
        push_u64_zero(out, u64::from(local.hour), 2);
        out.push(b':');
        push_u64_zero(out, u64::from(local.minute), 2);
    }
    out.push(b' ');
    out.extend_from_slice(f.name.as_bytes());
    if let (Kind::Symlink, Some(target)) = (f.kind, f.link_target) {
        out.extend_from_slice(b" -> ");
        out.extend_from_slice(target.as_bytes());
    }
    out.extend_from_slice(b"\r\n");
}

/// Appends one `ListStyle Windows` line (mod_ls): `MM-DD-YY  HH:MMAM`, then `<DIR>` in 12
/// columns for a directory or the size in 21, a space and the name:
/// `12-07-26  05:16PM       <DIR>          sub`, `12-07-26  05:16PM                   14 a.txt`.
pub fn write_windows_line(f: &Facts<'_>, clock: &ListClock, out: &mut Vec<u8>) {
    let t = Civil::from_unix(f.mtime.saturating_add(i64::from(clock.utc_offset)));
    push_u64_zero(out, u64::from(t.month), 2);
    out.push(b'-');
    push_u64_zero(out, u64::from(t.day), 2);
    out.push(b'-');
    push_u64_zero(out, t.year.rem_euclid(100) as u64, 2);
    out.extend_from_slice(b"  ");
    let hour12 = match t.hour % 12 {
        0 => 12,
        h => h,
    };
    push_u64_zero(out, u64::from(hour12), 2);
    out.push(b':');
    push_u64_zero(out, u64::from(t.minute), 2);
    out.extend_from_slice(if t.hour < 12 { b"AM" } else { b"PM" });
    if f.kind.is_dir() {
        out.extend_from_slice(b"       <DIR>          ");
    } else {
        out.extend_from_slice(&[b' '; 12]);
        push_u64_right(out, f.size, 9);
        out.push(b' ');
    }
    out.extend_from_slice(f.name.as_bytes());
    out.extend_from_slice(b"\r\n");
}

/// Appends the ten-character `ls` mode string, e.g. `-rwsr-xr-x`, `drwxrwxrwt`.
fn write_perms(kind: Kind, mode: u32, out: &mut Vec<u8>) {
    match kind {
        Kind::File => out.push(b'-'),
        Kind::Dir | Kind::CurrentDir | Kind::ParentDir => out.push(b'd'),
        Kind::Symlink => out.push(b'l'),
        Kind::Other(c) => {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
    }
    let bit = |m: u32, c: u8| if mode & m != 0 { c } else { b'-' };
    let special = |x: u32, s: u32, on: u8, off: u8| match (mode & x != 0, mode & s != 0) {
        (true, true) => on,
        (false, true) => off,
        (true, false) => b'x',
        (false, false) => b'-',
    };
    out.extend_from_slice(&[
        bit(0o400, b'r'),
        bit(0o200, b'w'),
        special(0o100, 0o4000, b's', b'S'),
        bit(0o040, b'r'),
        bit(0o020, b'w'),
        special(0o010, 0o2000, b's', b'S'),
        bit(0o004, b'r'),
        bit(0o002, b'w'),
        special(0o001, 0o1000, b't', b'T'),
    ]);
}

/// Appends a name, or the numeric id when there is none, left-aligned in 8 columns.
fn push_name_or_id(out: &mut Vec<u8>, name: Option<&str>, id: u32) {
    match name {
        Some(n) => push_str_left(out, n.as_bytes(), 8),
        None => {
            let start = out.len();
            push_u64(out, u64::from(id));
            let len = out.len() - start;
            out.resize(out.len() + 8usize.saturating_sub(len), b' ');
        }
    }
}

/// A selection of MLSx facts (`OPTS MLST`).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct FactSet(u16);

impl FactSet {
    /// `modify`: last modification, `YYYYMMDDHHMMSS` UTC.
    pub const MODIFY: FactSet = FactSet(1);
    /// `perm`: what the user may do (RFC 3659 §7.5.5).
    pub const PERM: FactSet = FactSet(1 << 1);
    /// `size`: bytes (never shown for directories).
    pub const SIZE: FactSet = FactSet(1 << 2);
    /// `type`: `file`, `dir`, `cdir`, `pdir`, `OS.unix=symlink`.
    pub const TYPE: FactSet = FactSet(1 << 3);
    /// `unique`: `{dev:X}U{ino:X}`.
    pub const UNIQUE: FactSet = FactSet(1 << 4);
    /// `UNIX.group`: numeric gid.
    pub const UNIX_GROUP: FactSet = FactSet(1 << 5);
    /// `UNIX.groupname`: group name.
    pub const UNIX_GROUPNAME: FactSet = FactSet(1 << 6);
    /// `UNIX.mode`: octal permission bits with a leading 0.
    pub const UNIX_MODE: FactSet = FactSet(1 << 7);
    /// `UNIX.owner`: numeric uid.
    pub const UNIX_OWNER: FactSet = FactSet(1 << 8);
    /// `UNIX.ownername`: owner name.
    pub const UNIX_OWNERNAME: FactSet = FactSet(1 << 9);
    /// No facts.
    pub const NONE: FactSet = FactSet(0);
    /// Every fact: ProFTPD's default selection.
    pub const ALL: FactSet = FactSet((1 << 10) - 1);

    /// Whether every fact in `other` is selected.
    pub fn contains(self, other: FactSet) -> bool {
        self.0 & other.0 == other.0
    }

    /// The FEAT line: `MLST modify*;perm*;…;` with `*` on the selected facts.
    pub fn feat_line(self) -> String {
        self.feat_line_of(FactSet::ALL)
    }

    /// The FEAT line naming only the facts `offered` (`FactsOptions NoNames` offers no names).
    pub fn feat_line_of(self, offered: FactSet) -> String {
        let mut s = String::from("MLST ");
        for (name, fact) in FACT_NAMES.into_iter().filter(|(_, f)| offered.contains(*f)) {
            s.push_str(name);
            if self.contains(fact) {
                s.push('*');
            }
            s.push(';');
        }
        s
    }
}

impl std::ops::BitOr for FactSet {
    type Output = FactSet;
    fn bitor(self, rhs: FactSet) -> FactSet {
        FactSet(self.0 | rhs.0)
    }
}

impl FactSet {
    /// These facts without those in `other`.
    pub fn without(self, other: FactSet) -> FactSet {
        FactSet(self.0 & !other.0)
    }
}

impl std::ops::BitOrAssign for FactSet {
    fn bitor_assign(&mut self, rhs: FactSet) {
        self.0 |= rhs.0;
    }
}

impl Default for FactSet {
    fn default() -> FactSet {
        FactSet::ALL
    }
}

impl fmt::Debug for FactSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = FACT_NAMES
            .iter()
            .filter(|(_, fact)| self.contains(*fact))
            .map(|(n, _)| n);
        f.debug_set().entries(names).finish()
    }
}

/// The facts in ProFTPD's output order, with their spelling.
const FACT_NAMES: [(&str, FactSet); 10] = [
    ("modify", FactSet::MODIFY),
    ("perm", FactSet::PERM),
    ("size", FactSet::SIZE),
    ("type", FactSet::TYPE),
    ("unique", FactSet::UNIQUE),
    ("UNIX.group", FactSet::UNIX_GROUP),
    ("UNIX.groupname", FactSet::UNIX_GROUPNAME),
    ("UNIX.mode", FactSet::UNIX_MODE),
    ("UNIX.owner", FactSet::UNIX_OWNER),
    ("UNIX.ownername", FactSet::UNIX_OWNERNAME),
];

/// The known facts named in an `OPTS MLST` argument, in the client's order (repeats kept),
/// as ProFTPD reads it: each name must end in `;` (a last name without one is ignored),
/// case does not matter, unknown names and empty ones are skipped.
fn opts_mlst_names(arg: &str) -> impl Iterator<Item = (&'static str, FactSet)> + '_ {
    let terminated = match arg.rfind(';') {
        Some(i) => &arg[..i],
        None => "",
    };
    terminated.split(';').filter_map(fact_entry)
}

fn fact_entry(name: &str) -> Option<(&'static str, FactSet)> {
    FACT_NAMES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .copied()
}

/// The fact called `name` (any case), as `FactsDefault` and `OPTS MLST` name them.
pub fn fact_named(name: &str) -> Option<FactSet> {
    fact_entry(name).map(|(_, f)| f)
}

/// The facts an `OPTS MLST` argument selects (an empty or absent argument selects none).
pub fn parse_opts_mlst(arg: &str) -> FactSet {
    opts_mlst_names(arg).fold(FactSet::NONE, |acc, (_, f)| acc | f)
}

/// The text of ProFTPD's `200` reply to `OPTS MLST {arg}`: `MLST OPTS` followed, when any
/// fact is known, by a space and the known facts each with `;`, in the client's order.
///
/// Captured: `OPTS MLST TYPE;bogus;Size;UNIX.mode` → `200 MLST OPTS type;size;`,
/// `OPTS MLST type;type;` → `200 MLST OPTS type;type;`, `OPTS MLST` → `200 MLST OPTS`.
pub fn opts_mlst_reply(arg: &str) -> String {
    let mut s = String::from("MLST OPTS");
    for (i, (name, _)) in opts_mlst_names(arg).enumerate() {
        if i == 0 {
            s.push(' ');
        }
        s.push_str(name);
        s.push(';');
    }
    s
}

/// Appends the selected facts and the name, `fact=value;…; name`, in ProFTPD's order
/// (no leading space, no line end).
///
/// `perm` is the `perm` fact's value (the caller decides it from access checks: ProFTPD gives
/// `adfrw` for a writable file, `flcdmpe` for a writable directory). A missing owner or group
/// name shows the numeric id, as LIST does; ProFTPD 1.3.8 instead shows the logged-in
/// user's own name there (captured: a file of uid 4242 listed by `tester` had
/// `UNIX.owner=4242;UNIX.ownername=tester;`), which a caller can copy by passing that name. An MLSD line is this plus CR LF ([`write_mlsd_line`]); an MLST
/// line is a space, this (with the full path as name) and CR LF.
pub fn write_mlsx_facts(f: &Facts<'_>, selected: FactSet, perm: &str, out: &mut Vec<u8>) {
    if selected.contains(FactSet::MODIFY) {
        out.extend_from_slice(b"modify=");
        write_timestamp(f.mtime, out);
        out.push(b';');
    }
    if selected.contains(FactSet::PERM) {
        out.extend_from_slice(b"perm=");
        out.extend_from_slice(perm.as_bytes());
        out.push(b';');
    }
    // A link shown as the directory it points to keeps its own size (mod_facts looks at the
    // link's lstat for everything but its type and identity); so does a directory whose mode
    // `DirFakeMode` replaced with a plain file's (mod_facts overwrites the whole st_mode).
    let not_a_dir_mode = !matches!(f.mode & 0o170000, 0 | 0o040000);
    if selected.contains(FactSet::SIZE) && (!f.kind.is_dir() || not_a_dir_mode) {
        out.extend_from_slice(b"size=");
        push_u64(out, f.size);
        out.push(b';');
    }
    if selected.contains(FactSet::TYPE) {
        out.extend_from_slice(b"type=");
        match (f.kind, f.link_target) {
            // `FactsOptions UseSlink`: RFC 3659's example form, which FileZilla reads.
            (Kind::Symlink, Some(target)) => {
                out.extend_from_slice(b"OS.unix=slink:");
                out.extend_from_slice(target.as_bytes());
            }
            (kind, _) => out.extend_from_slice(match kind {
                Kind::File | Kind::Other(_) => b"file".as_slice(),
                Kind::Dir => b"dir",
                Kind::CurrentDir => b"cdir",
                Kind::ParentDir => b"pdir",
                Kind::Symlink => b"OS.unix=symlink",
            }),
        }
        out.push(b';');
    }
    if selected.contains(FactSet::UNIQUE) {
        out.extend_from_slice(b"unique=");
        push_hex_upper(out, f.dev);
        out.push(b'U');
        push_hex_upper(out, f.ino);
        out.push(b';');
    }
    if selected.contains(FactSet::UNIX_GROUP) {
        out.extend_from_slice(b"UNIX.group=");
        push_u64(out, u64::from(f.gid));
        out.push(b';');
    }
    if selected.contains(FactSet::UNIX_GROUPNAME) {
        out.extend_from_slice(b"UNIX.groupname=");
        push_name(out, f.group, f.gid);
        out.push(b';');
    }
    if selected.contains(FactSet::UNIX_MODE) {
        out.extend_from_slice(b"UNIX.mode=0");
        push_octal(out, f.mode & 0o7777);
        out.push(b';');
    }
    if selected.contains(FactSet::UNIX_OWNER) {
        out.extend_from_slice(b"UNIX.owner=");
        push_u64(out, u64::from(f.uid));
        out.push(b';');
    }
    if selected.contains(FactSet::UNIX_OWNERNAME) {
        out.extend_from_slice(b"UNIX.ownername=");
        push_name(out, f.owner, f.uid);
        out.push(b';');
    }
    out.push(b' ');
    out.extend_from_slice(f.name.as_bytes());
}

/// Appends one MLSD line: the facts, the name and CR LF.
pub fn write_mlsd_line(f: &Facts<'_>, selected: FactSet, perm: &str, out: &mut Vec<u8>) {
    write_mlsx_facts(f, selected, perm, out);
    out.extend_from_slice(b"\r\n");
}

/// Appends one MLST reply line: a space, the facts, the name (the full path) and CR LF, to
/// go between `250-Start of list for {arg}` and `250 End of list`.
pub fn write_mlst_line(f: &Facts<'_>, selected: FactSet, perm: &str, out: &mut Vec<u8>) {
    out.push(b' ');
    write_mlsx_facts(f, selected, perm, out);
    out.extend_from_slice(b"\r\n");
}

/// Appends one NLST line: the name and CR LF.
pub fn write_nlst_line(name: &str, out: &mut Vec<u8>) {
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"\r\n");
}

/// Appends a name, or the numeric id.
fn push_name(out: &mut Vec<u8>, name: Option<&str>, id: u32) {
    match name {
        Some(n) => out.extend_from_slice(n.as_bytes()),
        None => push_u64(out, u64::from(id)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `date -u` when the ProFTPD 1.3.8 captures below were listed: 2026-11-24 09:34:01.
    const NOW: i64 = 1_795_512_841;
    /// 2026-11-24 09:32:18 UTC, the mtime of most captured entries.
    const T0: i64 = 1_795_512_738;
    const GMT: ListClock = ListClock {
        now: NOW,
        utc_offset: 0,
    };

    fn facts(name: &'static str, kind: Kind, mode: u32) -> Facts<'static> {
        Facts {
            name,
            kind,
            mode,
            nlink: 1,
            uid: 1234,
            gid: 1234,
            owner: Some("tester"),
            group: Some("testgrp"),
            size: 0,
            mtime: T0,
            link_target: None,
            dev: 0xFE00,
            ino: 0x98E07B,
        }
    }

    fn list(f: &Facts<'_>, clock: &ListClock) -> String {
        let mut v = Vec::new();
        write_list_line(f, clock, &mut v);
        String::from_utf8(v).unwrap()
    }

    fn mlsd(f: &Facts<'_>, sel: FactSet, perm: &str) -> String {
        let mut v = Vec::new();
        write_mlsd_line(f, sel, perm, &mut v);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn list_lines_match_proftpd_captures() {
        let a = Facts {
            size: 6,
            ..facts("a.txt", Kind::File, 0o104755)
        };
        assert_eq!(
            list(&a, &GMT),
            "-rwsr-xr-x   1 tester   testgrp         6 Nov 24 09:32 a.txt\r\n"
        );
        let big = Facts {
            uid: 0,
            gid: 0,
            owner: None,
            group: None,
            size: 123_456_789,
            mtime: 1_577_934_245,
            ..facts("big.bin", Kind::File, 0o102640)
        };
        assert_eq!(
            list(&big, &GMT),
            "-rw-r-S---   1 0        0        123456789 Jan  2  2020 big.bin\r\n"
        );
        assert_eq!(
            list(&facts("fifo", Kind::Other('p'), 0o010644), &GMT),
            "prw-r--r--   1 tester   testgrp         0 Nov 24 09:32 fifo\r\n"
        );
        let link = Facts {
            size: 5,
            link_target: Some("a.txt"),
            ..facts("link", Kind::Symlink, 0o120777)
        };
        assert_eq!(
            list(&link, &GMT),
            "lrwxrwxrwx   1 tester   testgrp         5 Nov 24 09:32 link -> a.txt\r\n"
        );
        let sub = Facts {
            nlink: 2,
            size: 4096,
            ..facts("sub", Kind::Dir, 0o041777)
        };
        assert_eq!(
            list(&sub, &GMT),
            "drwxrwxrwt   2 tester   testgrp      4096 Nov 24 09:32 sub\r\n"
        );
        let old = Facts {
            mtime: 1_778_232_738,
            ..facts("old200", Kind::File, 0o100644)
        };
        assert_eq!(
            list(&old, &GMT),
            "-rw-r--r--   1 tester   testgrp         0 May  8  2026 old200\r\n"
        );
        let lead = facts(" lead", Kind::File, 0o100644);
        assert_eq!(
            list(&lead, &GMT),
            "-rw-r--r--   1 tester   testgrp         0 Nov 24 09:32  lead\r\n"
        );
    }

    #[test]
    fn future_dates_show_the_time() {
        // Captured: 30 days ahead → `Dec 24 09:32`; 400 days ahead → `Dec 29 09:33`.
        let soon = Facts {
            mtime: 1_798_104_738,
            ..facts("future", Kind::File, 0o100644)
        };
        assert_eq!(
            list(&soon, &GMT),
            "-rw-r--r--   1 tester   testgrp         0 Dec 24 09:32 future\r\n"
        );
        let far = Facts {
            mtime: 1_830_072_780,
            ..facts("farfuture", Kind::File, 0o100644)
        };
        assert_eq!(
            list(&far, &GMT),
            "-rw-r--r--   1 tester   testgrp         0 Dec 29 09:33 farfuture\r\n"
        );
    }

    #[test]
    fn six_month_boundary() {
        // Captured: 180 days minus 2 minutes old → time; plus 2 minutes → year. mod_ls
        // compares `now - mtime > 180 days`, so exactly 180 days still shows the time.
        let at = |mtime| {
            list(
                &Facts {
                    mtime,
                    ..facts("f", Kind::File, 0o100644)
                },
                &GMT,
            )
        };
        assert!(
            at(NOW - SIX_MONTHS).ends_with(" May 28 09:34 f\r\n"),
            "{}",
            at(NOW - SIX_MONTHS)
        );
        assert!(at(NOW - SIX_MONTHS - 1).ends_with(" May 28  2026 f\r\n"));
    }

    #[test]
    fn utc_offset_shifts_the_shown_time_only() {
        let clock = ListClock {
            now: NOW,
            utc_offset: -10 * 3600,
        };
        let f = facts("a", Kind::File, 0o100644);
        assert_eq!(
            list(&f, &clock),
            "-rw-r--r--   1 tester   testgrp         0 Nov 23 23:32 a\r\n"
        );
        let clock = ListClock {
            now: NOW,
            utc_offset: 5 * 3600 + 1800,
        };
        assert!(list(&f, &clock).ends_with(" Nov 24 15:02 a\r\n"));
    }

    #[test]
    fn perms_letters_and_wide_columns() {
        let f = Facts {
            nlink: 12_345,
            owner: Some("averylongname"),
            group: None,
            gid: 4_000_000_000,
            ..facts("x", Kind::Other('c'), 0o027222)
        };
        assert_eq!(
            list(&f, &GMT),
            "c-wS-wS-wT 12345 averylongname 4000000000        0 Nov 24 09:32 x\r\n"
        );
        // A symlink without a target shows no arrow; a file with one ignores it.
        let l = facts("l", Kind::Symlink, 0o120777);
        assert!(list(&l, &GMT).ends_with(" l\r\n"));
        let not_link = Facts {
            link_target: Some("t"),
            ..facts("n", Kind::File, 0o644)
        };
        assert!(list(&not_link, &GMT).ends_with(" n\r\n"));
    }

    #[test]
    fn windows_lines_as_mod_ls_prints_them() {
        let mut out = Vec::new();
        let dir = Facts {
            mtime: 1_796_663_760, // 2026-12-07 17:16:00 UTC
            ..facts("sub", Kind::Dir, 0o040755)
        };
        write_windows_line(&dir, &GMT, &mut out);
        let file = Facts {
            mtime: 1_796_618_160, // 2026-12-07 04:36:00 UTC
            size: 14,
            ..facts("a.txt", Kind::File, 0o100644)
        };
        write_windows_line(&file, &GMT, &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "12-07-26  05:16PM       <DIR>          sub\r\n12-07-26  04:36AM                   14 a.txt\r\n"
        );
    }

    #[test]
    fn mlsd_lines_match_proftpd_captures() {
        let a = Facts {
            size: 6,
            ..facts("a.txt", Kind::File, 0o104755)
        };
        assert_eq!(
            mlsd(&a, FactSet::ALL, "adfrw"),
            "modify=20261124093218;perm=adfrw;size=6;type=file;unique=FE00U98E07B;UNIX.group=1234;UNIX.groupname=testgrp;UNIX.mode=04755;UNIX.owner=1234;UNIX.ownername=tester; a.txt\r\n"
        );
        let cdir = Facts {
            ino: 0x98E075,
            ..facts(".", Kind::CurrentDir, 0o040755)
        };
        assert_eq!(
            mlsd(&cdir, FactSet::ALL, "flcdmpe"),
            "modify=20261124093218;perm=flcdmpe;type=cdir;unique=FE00U98E075;UNIX.group=1234;UNIX.groupname=testgrp;UNIX.mode=0755;UNIX.owner=1234;UNIX.ownername=tester; .\r\n"
        );
        let pdir = Facts {
            uid: 0,
            gid: 0,
            owner: None,
            group: None,
            ino: 0x98E074,
            ..facts("..", Kind::ParentDir, 0o040755)
        };
        assert_eq!(
            mlsd(&pdir, FactSet::ALL, "fle"),
            "modify=20261124093218;perm=fle;type=pdir;unique=FE00U98E074;UNIX.group=0;UNIX.groupname=0;UNIX.mode=0755;UNIX.owner=0;UNIX.ownername=0; ..\r\n"
        );
        let link = Facts {
            size: 5,
            ..facts("link", Kind::Symlink, 0o120777)
        };
        assert_eq!(
            mlsd(&link, FactSet::ALL, "adfrw"),
            "modify=20261124093218;perm=adfrw;size=5;type=OS.unix=symlink;unique=FE00U98E07B;UNIX.group=1234;UNIX.groupname=testgrp;UNIX.mode=0777;UNIX.owner=1234;UNIX.ownername=tester; link\r\n"
        );
        // FactsOptions UseSlink names the target in the type.
        let slink = Facts {
            size: 5,
            link_target: Some("/data/a.txt"),
            ..facts("link", Kind::Symlink, 0o120777)
        };
        assert!(mlsd(&slink, FactSet::ALL, "adfrw").contains(";type=OS.unix=slink:/data/a.txt;"));
        // ShowSymlinks off: a link to a directory is typed dir but keeps its own size.
        let as_dir = Facts {
            size: 5,
            ..facts("link", Kind::Dir, 0o120777)
        };
        assert!(mlsd(&as_dir, FactSet::ALL, "adfr").contains(";size=5;type=dir;"));
        let sub = Facts {
            ino: 0x98E076,
            size: 4096,
            ..facts("sub", Kind::Dir, 0o041777)
        };
        assert_eq!(
            mlsd(&sub, FactSet::ALL, "flcdmpe"),
            "modify=20261124093218;perm=flcdmpe;type=dir;unique=FE00U98E076;UNIX.group=1234;UNIX.groupname=testgrp;UNIX.mode=01777;UNIX.owner=1234;UNIX.ownername=tester; sub\r\n"
        );
        let fifo = Facts {
            ino: 0x98E080,
            ..facts("fifo", Kind::Other('p'), 0o010644)
        };
        assert_eq!(
            mlsd(&fifo, FactSet::ALL, "adfrw"),
            "modify=20261124093218;perm=adfrw;size=0;type=file;unique=FE00U98E080;UNIX.group=1234;UNIX.groupname=testgrp;UNIX.mode=0644;UNIX.owner=1234;UNIX.ownername=tester; fifo\r\n"
        );
    }

    #[test]
    fn selected_facts_only_in_fixed_order() {
        // Captured after `OPTS MLST type;size;`: ` size=6;type=file; /tmp/pf/home/data/a.txt`.
        let a = Facts {
            size: 6,
            ..facts("/tmp/pf/home/data/a.txt", Kind::File, 0o104755)
        };
        let mut v = Vec::new();
        write_mlst_line(&a, parse_opts_mlst("type;size;"), "adfrw", &mut v);
        assert_eq!(v, b" size=6;type=file; /tmp/pf/home/data/a.txt\r\n");
        // Captured after `OPTS MLST unix.mode;modify;UNIX.OWNERNAME;perm;unique;`.
        let sel = parse_opts_mlst("unix.mode;modify;UNIX.OWNERNAME;perm;unique;");
        let mut v = Vec::new();
        write_mlsx_facts(&a, sel, "adfrw", &mut v);
        assert_eq!(
            v,
            b"modify=20261124093218;perm=adfrw;unique=FE00U98E07B;UNIX.mode=04755;UNIX.ownername=tester; /tmp/pf/home/data/a.txt".as_slice()
        );
        // Captured after `OPTS MLST`: `  /tmp/pf/home/data/a.txt` (two spaces).
        let mut v = vec![b' '];
        write_mlsx_facts(&a, parse_opts_mlst(""), "adfrw", &mut v);
        assert_eq!(v, b"  /tmp/pf/home/data/a.txt");
    }

    #[test]
    fn opts_mlst_parsing_and_echo() {
        assert_eq!(parse_opts_mlst("type;size;"), FactSet::TYPE | FactSet::SIZE);
        assert_eq!(parse_opts_mlst("size;type"), FactSet::SIZE);
        assert_eq!(
            parse_opts_mlst("TYPE;bogus;Size;UNIX.mode"),
            FactSet::TYPE | FactSet::SIZE
        );
        assert_eq!(parse_opts_mlst(""), FactSet::NONE);
        let all = "modify;perm;size;type;unique;UNIX.group;UNIX.groupname;UNIX.mode;UNIX.owner;UNIX.ownername;";
        assert_eq!(parse_opts_mlst(all), FactSet::ALL);
        // Echoes captured from ProFTPD 1.3.8.
        assert_eq!(opts_mlst_reply("type;size;"), "MLST OPTS type;size;");
        assert_eq!(opts_mlst_reply("size;type;"), "MLST OPTS size;type;");
        assert_eq!(
            opts_mlst_reply("TYPE;bogus;Size;UNIX.mode"),
            "MLST OPTS type;size;"
        );
        assert_eq!(
            opts_mlst_reply("unix.mode;modify;UNIX.OWNERNAME;perm;unique;"),
            "MLST OPTS UNIX.mode;modify;UNIX.ownername;perm;unique;"
        );
        assert_eq!(opts_mlst_reply("size;type"), "MLST OPTS size;");
        assert_eq!(opts_mlst_reply("size;;type;"), "MLST OPTS size;type;");
        assert_eq!(opts_mlst_reply("type;type;"), "MLST OPTS type;type;");
        assert_eq!(opts_mlst_reply(""), "MLST OPTS");
        assert_eq!(opts_mlst_reply(all), format!("MLST OPTS {all}"));
    }

    #[test]
    fn feat_lines() {
        // Captured FEAT lines: the default, then after `OPTS MLST type;size;`.
        assert_eq!(
            FactSet::ALL.feat_line(),
            "MLST modify*;perm*;size*;type*;unique*;UNIX.group*;UNIX.groupname*;UNIX.mode*;UNIX.owner*;UNIX.ownername*;"
        );
        assert_eq!(
            (FactSet::TYPE | FactSet::SIZE).feat_line(),
            "MLST modify;perm;size*;type*;unique;UNIX.group;UNIX.groupname;UNIX.mode;UNIX.owner;UNIX.ownername;"
        );
        assert_eq!(FactSet::default(), FactSet::ALL);
        assert_eq!(
            format!("{:?}", FactSet::TYPE | FactSet::MODIFY),
            "{\"modify\", \"type\"}"
        );
    }

    #[test]
    fn nlst_lines_are_bare_names() {
        // Captured `NLST *`: names as they are, hidden names not matched by `*`.
        let mut v = Vec::new();
        write_nlst_line(" lead", &mut v);
        write_nlst_line("sp  ace", &mut v);
        assert_eq!(v, b" lead\r\nsp  ace\r\n");
    }

    #[test]
    fn writes_without_reallocating_a_warm_buffer() {
        let mut v = Vec::with_capacity(4096);
        let cap = v.capacity();
        let a = facts("a.txt", Kind::File, 0o100644);
        for _ in 0..10 {
            write_list_line(&a, &GMT, &mut v);
            write_mlsd_line(&a, FactSet::ALL, "adfrw", &mut v);
        }
        assert_eq!(v.capacity(), cap);
    }
}
