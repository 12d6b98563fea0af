//! mod_ratio's arithmetic and texts: the session's tallies (files and KB up and down), the
//! rule in force, and the credit they leave, as 1.3.8 computes and words them.

use oxftpd_config::modules::mod_ratio::{Rule, View};

/// Uploads and downloads: files and KB.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Files uploaded.
    pub files_up: i64,
    /// KB uploaded.
    pub kb_up: i64,
    /// Files downloaded.
    pub files_down: i64,
    /// KB downloaded.
    pub kb_down: i64,
}

/// A rule applied to a tally: the credits left and the texts (`1:3F`, `2:1B`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ratio {
    /// File ratio (0: none).
    pub frate: i64,
    /// Byte ratio (0: none).
    pub brate: i64,
    /// Initial file credit.
    pub fcred: i64,
    /// Initial byte credit (KB).
    pub bcred: i64,
    /// Files still to download.
    pub files: i64,
    /// KB still to download.
    pub kb: i64,
    /// `1:NF` or `N:1F`.
    pub ftext: String,
    /// `1:NB` or `N:1B`.
    pub btext: String,
}

impl Ratio {
    /// `rule` over `t` (ProFTPD's `update_ratios`).
    pub fn of(rule: Option<&Rule>, t: &Tally) -> Ratio {
        let (frate, fcred, brate, bcred) = rule.map_or((0, 0, 0, 0), |r| {
            (r.file_ratio, r.file_credit, r.byte_ratio, r.byte_credit)
        });
        let (files, ftext) = if frate >= 0 {
            (
                frate * t.files_up + fcred - t.files_down,
                format!("1:{frate}F"),
            )
        } else {
            (
                t.files_up / -frate + fcred - t.files_down,
                format!("{}:1F", -frate),
            )
        };
        let (kb, btext) = if brate >= 0 {
            (brate * t.kb_up + bcred - t.kb_down, format!("1:{brate}B"))
        } else {
            (
                t.kb_up / -brate + bcred - t.kb_down,
                format!("{}:1B", -brate),
            )
        };
        Ratio {
            frate,
            brate,
            fcred,
            bcred,
            files,
            kb,
            ftext,
            btext,
        }
    }

    /// Whether the rule limits anything.
    pub fn enforced(&self) -> bool {
        self.frate != 0 || self.brate != 0
    }
}

/// The lines after PASS, CWD, LIST, NLST, RETR and STOR.
pub fn summary(view: &View, t: &Tally, r: &Ratio) -> Vec<String> {
    let head = format!(
        "Down: {} Files ({}mb)  Up: {} Files ({}mb)",
        t.files_down,
        t.kb_down / 1024,
        t.files_up,
        t.kb_up / 1024
    );
    if !r.enforced() {
        return vec![format!("{head}  {}", view.leech_msg)];
    }
    let mut line = head;
    if r.frate != 0 {
        line.push_str(&format!("   {} CR: {}", r.ftext, r.files));
    }
    if r.brate != 0 {
        line.push_str(&format!("   {} CR: {}", r.btext, r.kb / 1024));
    }
    let mut out = vec![line];
    if r.frate != 0 && r.files < 0 {
        out.push(view.file_msg.clone());
    }
    if r.brate != 0 && r.kb < 0 {
        out.push(view.byte_msg.clone());
    }
    out
}

/// `SITE RATIO`'s lines.
pub fn site(t: &Tally, r: &Ratio) -> Vec<String> {
    let mut out = vec![format!(
        "Current Ratio: ( -{}/{} +{}/{} ({} {} {} {}) = {}/{}{}{} )",
        t.files_down,
        t.kb_down / 1024,
        t.files_up,
        t.kb_up / 1024,
        r.frate,
        r.fcred,
        r.brate,
        r.bcred,
        r.files,
        r.kb / 1024,
        if r.frate != 0 && r.files < 1 {
            " [NO F]"
        } else {
            ""
        },
        if r.brate != 0 && r.kb / 1024 < 5 {
            " [LO B]"
        } else {
            ""
        },
    )];
    if r.frate != 0 {
        out.push(format!(
            "Files: {}  Down: {}  Up: {}  CR: {} file{}",
            r.ftext,
            t.files_down,
            t.files_up,
            r.files,
            if r.files != 1 { "s" } else { "" }
        ));
    }
    if r.brate != 0 {
        out.push(format!(
            "Bytes: {}  Down: {}mb  Up: {}mb  CR: {} Mbytes",
            r.btext,
            t.kb_down / 1024,
            t.kb_up / 1024,
            r.kb / 1024
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(f: i64, fc: i64, b: i64, bc: i64) -> Rule {
        Rule {
            who: "*".into(),
            file_ratio: f,
            file_credit: fc,
            byte_ratio: b,
            byte_credit: bc,
        }
    }

    #[test]
    fn the_faqs_arithmetic() {
        // 1:3 files with 5 files of credit: 2 up and 4 down leave 3*2 + 5 - 4 = 7.
        let t = Tally {
            files_up: 2,
            files_down: 4,
            ..Tally::default()
        };
        let r = Ratio::of(Some(&rule(3, 5, 0, 0)), &t);
        assert_eq!((r.files, r.ftext.as_str()), (7, "1:3F"));
        // 2:1 (written -2): two uploads earn one download.
        let r = Ratio::of(Some(&rule(-2, 0, 0, 0)), &t);
        assert_eq!((r.files, r.ftext.as_str()), (-3, "2:1F"));
        let t = Tally {
            kb_up: 10,
            kb_down: 1,
            ..Tally::default()
        };
        let r = Ratio::of(Some(&rule(0, 0, 5, 2_355_200)), &t);
        assert_eq!(r.kb, 5 * 10 + 2_355_200 - 1);
        assert!(!Ratio::of(None, &t).enforced());
    }
}
