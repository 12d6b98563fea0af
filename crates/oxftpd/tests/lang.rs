//! `LANG` (RFC 2640) as ProFTPD 1.3.8's mod_lang answers it: one language offered (the
//! default, as no translated catalog matches an installed locale), refused after login, and
//! the `LANG` FEAT line with `*` on the language in use. Replies observed on loopback.

mod wire;

use wire::{Raw, server};

fn feat_lang(c: &mut Raw) -> Option<String> {
    c.cmd("FEAT")
        .lines()
        .find(|l| l.starts_with(" LANG"))
        .map(str::to_string)
}

/// The default language, from `LANG`'s own answer.
fn default_lang(c: &mut Raw) -> String {
    let r = c.cmd("LANG");
    r.strip_prefix("200 Using default language ")
        .unwrap_or_else(|| panic!("LANG: {r}"))
        .to_string()
}

#[test]
fn lang_before_login_offers_the_default_language() {
    let (s, _) = server("");
    let mut c = Raw::connect(s.addr());
    let default = default_lang(&mut c);
    let tag = default.replacen('_', "-", 1);
    assert_eq!(feat_lang(&mut c), Some(format!(" LANG {tag}*")));
    assert_eq!(
        c.cmd(&format!("LANG {tag}")),
        format!("200 Using language {tag}")
    );
    let lower = default.to_ascii_lowercase();
    assert_eq!(
        c.cmd(&format!("LANG {lower}")),
        format!("200 Using language {lower}")
    );
    // The language chosen is still the one marked.
    assert_eq!(feat_lang(&mut c), Some(format!(" LANG {tag}*")));
    assert_eq!(c.cmd("LANG xx-YY"), "504 Language xx-YY not supported");
    assert_eq!(c.cmd("LANG a b"), "501 Invalid number of parameters");
}

#[test]
fn lang_after_login_is_refused() {
    let (s, _) = server("");
    let mut c = Raw::login(s.addr());
    assert_eq!(c.cmd("LANG"), "500 Unable to handle command");
    assert_eq!(c.cmd("LANG en"), "500 Unable to handle command");
}

#[test]
fn lang_engine_off_removes_the_command_and_feature() {
    let (s, _) = server("LangEngine off");
    let mut c = Raw::connect(s.addr());
    assert_eq!(c.cmd("LANG"), "500 LANG not understood");
    assert_eq!(c.cmd("LANG en"), "500 LANG not understood");
    assert_eq!(feat_lang(&mut c), None);
}

#[test]
fn a_lang_default_this_system_cannot_use_is_dropped() {
    let (s, _) = server("LangDefault xx_YY");
    let mut c = Raw::connect(s.addr());
    let default = default_lang(&mut c);
    assert_ne!(default, "xx_YY");
    assert_eq!(c.cmd("LANG xx_YY"), "504 Language xx_YY not supported");
}

#[test]
fn help_does_not_know_lang() {
    let (s, _) = server("");
    let mut c = Raw::login(s.addr());
    assert_eq!(c.cmd("HELP LANG"), "502 Unknown command 'LANG'");
    assert_eq!(c.cmd("HELP MFMT"), "502 Unknown command 'MFMT'");
}
