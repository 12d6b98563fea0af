//! The command-class filter of `ExtendedLog path CLASSES`, read as ProFTPD 1.3.8 reads it:
//! names separated by commas (or `|`, if any), each may be negated with `!`; `NONE` and `ALL`
//! reset the sets; unknown commands are logged only by a plain `ALL`.

use crate::module::CommandClass;

/// Which classes an `ExtendedLog` logs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Filter {
    /// Classes logged.
    pub included: CommandClass,
    /// Classes never logged.
    pub excluded: CommandClass,
}

impl Filter {
    /// No filter written: every class but `CONNECT` and `EXIT` (ProFTPD logs "all commands").
    pub const ALL: Filter = Filter {
        included: CommandClass::ALL,
        excluded: CommandClass::NONE,
    };

    /// Parses the classes argument; `None` names an unknown class.
    pub fn parse(rules: &str) -> Option<Filter> {
        let delim = if rules.contains('|') { '|' } else { ',' };
        let mut incl = CommandClass::NONE;
        let mut excl = CommandClass::NONE;
        for name in rules.split(delim) {
            let (neg, bare) = match name.strip_prefix('!') {
                Some(b) => (true, b),
                None => (false, name),
            };
            if bare.eq_ignore_ascii_case("NONE") {
                if neg {
                    incl = CommandClass::ALL;
                    excl = CommandClass::NONE;
                } else {
                    incl = CommandClass::NONE;
                }
            } else if bare.eq_ignore_ascii_case("ALL") {
                if neg {
                    incl = CommandClass::NONE;
                    excl = CommandClass::ALL;
                } else {
                    incl = CommandClass::ALL;
                }
            } else {
                let class = CommandClass::from_name(bare)?;
                if neg {
                    incl = incl.without(class);
                    excl = excl.with(class);
                } else {
                    incl = incl.with(class);
                }
            }
        }
        Some(Filter {
            included: incl,
            excluded: excl,
        })
    }

    /// Whether a command of `class` is logged; `known` is false for a verb no module has.
    pub fn logs(self, class: CommandClass, known: bool) -> bool {
        if class == CommandClass::NONE {
            return self.included == CommandClass::ALL;
        }
        let pseudo = class.intersects(CommandClass::CONNECT.with(CommandClass::EXIT));
        if !known && !pseudo {
            return self.included == CommandClass::ALL;
        }
        self.included.intersects(class) && !self.excluded.intersects(class)
    }

    /// Whether it logs nothing (`NONE`).
    pub fn is_none(self) -> bool {
        self.included == CommandClass::NONE
    }
}

#[cfg(test)]
mod tests {
    use super::Filter;
    use crate::module::CommandClass as C;

    #[test]
    fn reads_as_proftpd() {
        let f = Filter::parse("READ,WRITE").unwrap_or(Filter::ALL);
        assert!(f.logs(C::READ, true) && f.logs(C::WRITE.with(C::MISC), true));
        assert!(!f.logs(C::AUTH, true));
        let f = Filter::parse("ALL,!AUTH").unwrap_or(Filter::ALL);
        assert!(!f.logs(C::AUTH, true) && f.logs(C::DIRS, true) && !f.logs(C::EXIT, true));
        let f = Filter::parse("!NONE").unwrap_or(Filter::ALL);
        assert!(f.logs(C::INFO, true));
        let f = Filter::parse("NONE").unwrap_or(Filter::ALL);
        assert!(f.is_none() && !f.logs(C::INFO, true));
        let f = Filter::parse("EXIT|CONNECT").unwrap_or(Filter::ALL);
        assert!(f.logs(C::EXIT, false) && f.logs(C::CONNECT, false) && !f.logs(C::READ, true));
        assert!(Filter::parse("BOGUS").is_none());
        assert!(
            Filter::ALL.logs(C::MISC, false)
                && !Filter::parse("MISC")
                    .unwrap_or(Filter::ALL)
                    .logs(C::MISC, false)
        );
    }
}
