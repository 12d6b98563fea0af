//! ProFTPD's command classes (`CL_AUTH`, `CL_READ`, … in 1.3.8's `include/modules.h`): the
//! logging categories `ExtendedLog` filters on.

use std::fmt;

/// A set of command classes, with ProFTPD's bit values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct CommandClass(u16);

/// Each class with its `ExtendedLog` name.
const NAMED: &[(CommandClass, &str)] = &[
    (CommandClass::AUTH, "AUTH"),
    (CommandClass::INFO, "INFO"),
    (CommandClass::DIRS, "DIRS"),
    (CommandClass::READ, "READ"),
    (CommandClass::WRITE, "WRITE"),
    (CommandClass::MISC, "MISC"),
    (CommandClass::SEC, "SEC"),
    (CommandClass::CONNECT, "CONNECT"),
    (CommandClass::EXIT, "EXIT"),
    (CommandClass::SSH, "SSH"),
    (CommandClass::SFTP, "SFTP"),
];

impl CommandClass {
    /// `CL_NONE`: no class.
    pub const NONE: CommandClass = CommandClass(0x0000);
    /// `CL_AUTH`: USER, PASS.
    pub const AUTH: CommandClass = CommandClass(0x0001);
    /// `CL_INFO`: informational commands (PWD, SYST, …).
    pub const INFO: CommandClass = CommandClass(0x0002);
    /// `CL_DIRS`: directory commands (LIST, CWD, …).
    pub const DIRS: CommandClass = CommandClass(0x0004);
    /// `CL_READ`: file reading (RETR).
    pub const READ: CommandClass = CommandClass(0x0008);
    /// `CL_WRITE`: writing (STOR, MKD, …).
    pub const WRITE: CommandClass = CommandClass(0x0010);
    /// `CL_MISC`: miscellaneous (RNFR/RNTO, SITE, …).
    pub const MISC: CommandClass = CommandClass(0x0020);
    /// `CL_SEC`: RFC 2228 security commands.
    pub const SEC: CommandClass = CommandClass(0x0040);
    /// `CL_CONNECT`: session start.
    pub const CONNECT: CommandClass = CommandClass(0x0080);
    /// `CL_DISCONNECT` (`EXIT` in `ExtendedLog`): session end.
    pub const EXIT: CommandClass = CommandClass(0x0100);
    /// `CL_SSH`: SSH requests.
    pub const SSH: CommandClass = CommandClass(0x0200);
    /// `CL_SFTP`: SFTP requests.
    pub const SFTP: CommandClass = CommandClass(0x0400);
    /// `CL_ALL`: every class but `CONNECT` and `EXIT`.
    pub const ALL: CommandClass = CommandClass(
        0x0001 | 0x0002 | 0x0004 | 0x0008 | 0x0010 | 0x0020 | 0x0040 | 0x0200 | 0x0400,
    );

    /// Both sets.
    pub const fn with(self, other: CommandClass) -> CommandClass {
        CommandClass(self.0 | other.0)
    }

    /// Whether every class of `other` is in this set.
    pub const fn contains(self, other: CommandClass) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether the sets share a class.
    pub const fn intersects(self, other: CommandClass) -> bool {
        self.0 & other.0 != 0
    }

    /// The raw bits, as ProFTPD has them.
    pub const fn bits(self) -> u16 {
        self.0
    }

    /// The class `ExtendedLog` names so (`SECURE` and `DISCONNECT` are accepted too).
    pub fn from_name(name: &str) -> Option<CommandClass> {
        let up = name.to_ascii_uppercase();
        match up.as_str() {
            "NONE" => Some(CommandClass::NONE),
            "ALL" => Some(CommandClass::ALL),
            "SECURE" => Some(CommandClass::SEC),
            "DISCONNECT" => Some(CommandClass::EXIT),
            _ => NAMED.iter().find(|(_, n)| *n == up).map(|(c, _)| *c),
        }
    }

    /// The names of the classes in this set, in ProFTPD's bit order.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        NAMED
            .iter()
            .filter(move |(c, _)| self.contains(*c))
            .map(|(_, n)| *n)
    }
}

impl fmt::Display for CommandClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == CommandClass::NONE {
            return f.write_str("NONE");
        }
        let names: Vec<&str> = self.names().collect();
        f.write_str(&names.join("|"))
    }
}

#[cfg(test)]
mod tests {
    use super::CommandClass;

    #[test]
    fn names_round_trip() {
        let c = CommandClass::INFO.with(CommandClass::DIRS);
        assert_eq!(c.to_string(), "INFO|DIRS");
        assert_eq!(CommandClass::NONE.to_string(), "NONE");
        for n in ["AUTH", "misc", "Sec", "EXIT", "sftp"] {
            let c = CommandClass::from_name(n).unwrap_or_else(|| panic!("{n}"));
            assert!(c.to_string().eq_ignore_ascii_case(n));
        }
        assert_eq!(CommandClass::from_name("secure"), Some(CommandClass::SEC));
        assert_eq!(CommandClass::from_name("FOO"), None);
        assert!(CommandClass::ALL.contains(CommandClass::SEC));
        assert!(!CommandClass::ALL.intersects(CommandClass::CONNECT.with(CommandClass::EXIT)));
        assert_eq!(CommandClass::ALL.bits(), 0x067f);
    }
}
