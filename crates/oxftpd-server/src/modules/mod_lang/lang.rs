//! LANG (RFC 2640 section 4), as ProFTPD's mod_lang answers it.
//!
//! RFC 2640 4.1: "The LANG command allows a user-PI to specify the language to be used in
//! the descriptive text portion of responses". oxftpd carries no translated catalogs, so the
//! one language offered is the default: `LangDefault`, else the daemon's `LANG` environment
//! when it names a locale this system has, else `en_US` — the list mod_lang builds when no
//! catalog's locale is installed. Like mod_lang, LANG is refused after login (a chrooted
//! session could no longer read the catalogs).

use oxftpd_proto::reply::codes;

use crate::module::{CommandError, HandlerFuture};
use crate::session::{Ctx, State};

/// mod_lang's fallback language.
const FALLBACK: &str = "en_US";

/// Whether `LangEngine` is on (the default).
pub fn lang_engine(ctx: &Ctx) -> bool {
    ctx.server.cfg.lang.engine
}

/// Whether the C library would accept `name` as a locale: the built-in ones, or one
/// compiled under /usr/lib/locale.
fn locale_installed(name: &str) -> bool {
    if name.is_empty() || name.contains('/') {
        return false;
    }
    let base = name.split(['.', '@']).next().unwrap_or("");
    if base == "C" || base == "POSIX" {
        return true;
    }
    let normalized = match name.split_once('.') {
        Some((lang, codeset)) => {
            format!("{lang}.{}", codeset.to_ascii_lowercase().replace('-', ""))
        }
        None => name.to_string(),
    };
    let dir = std::path::Path::new("/usr/lib/locale");
    dir.join(name).is_dir() || dir.join(&normalized).is_dir()
}

/// The default language: the environment's `LANG` when this system has that locale, else
/// `en_US`. mod_lang keeps a `LangDefault` only when a translated catalog for it exists (and
/// its locale is installed); oxftpd has no catalogs, so only a `LangDefault` naming that same
/// language stays, and any other is dropped with a notice, as mod_lang drops it.
pub fn default_lang(ctx: &Ctx) -> String {
    // The bare `C` and `POSIX` locales name no language: mod_lang offers `en_US` then.
    let base = match std::env::var("LANG") {
        Ok(env) if env != "C" && env != "POSIX" && locale_installed(&env) => env,
        _ => FALLBACK.to_string(),
    };
    match ctx.server.cfg.lang.default.as_deref() {
        Some(lang) if !lang.eq_ignore_ascii_case(&base) => {
            tracing::debug!("LangDefault '{lang}' is not a supported language, ignoring");
            base
        }
        _ => base,
    }
}

/// The languages offered; a client's tag matches one case-insensitively, `-` for `_`.
fn supported(offered: &[String], tag: &str) -> bool {
    let underscored = tag.replacen('-', "_", 1);
    offered
        .iter()
        .any(|l| l.eq_ignore_ascii_case(tag) || l.eq_ignore_ascii_case(&underscored))
}

/// The FEAT line: `LANG` and each offered language in RFC 1766 form, `*` on the current one.
pub fn feature(ctx: &Ctx) -> Option<String> {
    if !lang_engine(ctx) {
        return None;
    }
    let default = default_lang(ctx);
    let current = ctx
        .ext
        .get::<Chosen>()
        .and_then(|c| c.0.clone())
        .unwrap_or_else(|| default.clone());
    let offered = [default];
    let list: Vec<String> = offered
        .iter()
        .map(|l| {
            let tag = l.replacen('_', "-", 1);
            let star = current.eq_ignore_ascii_case(&tag) || current.eq_ignore_ascii_case(l);
            if star { format!("{tag}*") } else { tag }
        })
        .collect();
    Some(format!("LANG {}", list.join(";")))
}

/// `LANG [tag]`.
pub fn lang<'a>(ctx: &'a mut Ctx, state: &'a mut State, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        if !lang_engine(ctx) {
            return Err(CommandError::bad_argument(
                codes::SYNTAX_ERROR,
                "LANG not understood",
            ));
        }
        if matches!(state, State::LoggedIn(_)) {
            return Err(CommandError::bad_argument(
                codes::SYNTAX_ERROR,
                "Unable to handle command",
            ));
        }
        let words: Vec<&str> = arg
            .map(|a| a.split_whitespace().collect())
            .unwrap_or_default();
        let default = default_lang(ctx);
        match words.as_slice() {
            [] => {
                ctx.ext.get_or_default::<Chosen>().0 = None;
                Ok(ctx
                    .reply(
                        codes::COMMAND_OK,
                        format!("Using default language {default}"),
                    )
                    .await?)
            }
            [tag] if supported(&[default], tag) => {
                ctx.ext.get_or_default::<Chosen>().0 = Some((*tag).to_string());
                Ok(ctx
                    .reply(codes::COMMAND_OK, format!("Using language {tag}"))
                    .await?)
            }
            [tag] => Err(CommandError::bad_argument(
                codes::NOT_IMPLEMENTED_FOR_PARAMETER,
                format!("Language {tag} not supported"),
            )),
            _ => Err(CommandError::MissingArgument),
        }
    })
}

/// The language chosen with `LANG`, `None` for the default.
#[derive(Default)]
struct Chosen(Option<String>);

#[cfg(test)]
mod tests {
    use super::{locale_installed, supported};

    #[test]
    fn builtin_locales() {
        assert!(locale_installed("C"));
        assert!(locale_installed("C.UTF-8"));
        assert!(locale_installed("POSIX"));
        assert!(!locale_installed("xx_YY.UTF-8"));
        assert!(!locale_installed("../etc"));
    }

    #[test]
    fn tags_match_locale_names() {
        let offered = ["en_US".to_string()];
        assert!(supported(&offered, "en-US"));
        assert!(supported(&offered, "EN_us"));
        assert!(!supported(&offered, "en"));
        assert!(supported(&["C.UTF-8".to_string()], "c.utf-8"));
    }
}
