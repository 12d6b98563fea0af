//! Which levels of which channels a trace writes (`Trace channel:level …`).

use oxftpd_config::trace::{DEFAULT_CHANNELS, TraceLine};

/// The channels a trace writes, each with its range of levels.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Levels {
    channels: Vec<(String, u32, u32)>,
}

impl Levels {
    /// Applies one `Trace` line on top of what is set: `DEFAULT` sets every default channel,
    /// later words override earlier ones, level `0` silences a channel.
    pub fn apply(&mut self, line: &TraceLine) {
        for c in &line.channels {
            if c.channel == "DEFAULT" {
                for name in DEFAULT_CHANNELS {
                    self.set(name, c.min, c.max);
                }
            } else {
                self.set(&c.channel, c.min, c.max);
            }
        }
    }

    fn set(&mut self, channel: &str, min: u32, max: u32) {
        match self.channels.iter_mut().find(|(n, _, _)| n == channel) {
            Some(entry) => *entry = (entry.0.clone(), min, max),
            None => self.channels.push((channel.to_string(), min, max)),
        }
    }

    /// Whether no channel writes anything.
    pub fn is_empty(&self) -> bool {
        self.channels.iter().all(|&(_, _, max)| max == 0)
    }

    /// Whether a message of `level` on `channel` is written.
    pub fn takes(&self, channel: &str, level: u32) -> bool {
        level > 0
            && self
                .channels
                .iter()
                .any(|(n, min, max)| n == channel && (*min..=*max).contains(&level))
    }
}

#[cfg(test)]
mod tests {
    use super::Levels;
    use oxftpd_config::trace::parse_trace;

    fn levels(lines: &[&str]) -> Levels {
        let mut l = Levels::default();
        for line in lines {
            let words: Vec<String> = line.split_whitespace().map(str::to_string).collect();
            l.apply(&parse_trace(&words).expect("valid Trace line"));
        }
        l
    }

    #[test]
    fn default_covers_the_default_channels_and_zero_silences_one() {
        let l = levels(&["DEFAULT:10 fsio:0"]);
        assert!(l.takes("command", 7));
        assert!(l.takes("response", 1));
        assert!(!l.takes("command", 11));
        assert!(!l.takes("fsio", 8));
        assert!(!l.takes("tls", 1), "tls is not a default channel");
        assert!(!l.takes("command", 0));
    }

    #[test]
    fn ranges_and_later_lines_override() {
        let l = levels(&["DEFAULT:7-10", "tls:5"]);
        assert!(!l.takes("data", 6));
        assert!(l.takes("data", 8));
        assert!(l.takes("tls", 5));
        assert!(levels(&["DEFAULT:0"]).is_empty());
        assert!(!levels(&["command:1"]).is_empty());
    }
}
