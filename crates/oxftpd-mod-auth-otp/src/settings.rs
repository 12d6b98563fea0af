//! mod_auth_otp's settings for one server.

use std::path::PathBuf;
use std::sync::Arc;

use oxftpd_config::{Merged, Server};
use oxftpd_mod_sql::settings::SqlSettings;

use crate::otp::Algorithm;

/// A setting error with where it was written.
pub type Located = (Option<oxftpd_config::Directive>, String);

/// `AuthOTPOptions`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// `FTPStandardResponse`: USER keeps its usual `331` text.
    pub standard_response: bool,
    /// `RequireTableEntry`: a user without a table row is refused (when `mod_auth_otp.c*`).
    pub require_table_entry: bool,
}

impl Options {
    /// Parses the option words.
    pub fn parse(args: &[String]) -> Result<Options, String> {
        let mut o = Options::default();
        for a in args {
            match a.as_str() {
                "FTPStandardResponse" | "StandardResponse" => o.standard_response = true,
                "RequireTableEntry" => o.require_table_entry = true,
                "DisplayVerificationCode" => {
                    return Err("DisplayVerificationCode only changes mod_sftp's keyboard-interactive prompt, which oxftpd's mod_sftp does not offer for one-time passwords".into());
                }
                other => return Err(format!("unknown AuthOTPOption: '{other}'")),
            }
        }
        Ok(o)
    }
}

/// Parses `sql:/select-query/update-query`.
pub fn parse_table(text: &str) -> Result<(String, String), String> {
    let rest = text.strip_prefix("sql:/").ok_or_else(|| {
        format!("badly formatted parameter '{text}': expected sql:/select/update")
    })?;
    match rest.split_once('/') {
        Some((get, update)) if !get.is_empty() && !update.is_empty() && !update.contains('/') => {
            Ok((get.to_string(), update.to_string()))
        }
        _ => Err(format!(
            "badly formatted parameter '{text}': expected sql:/select/update"
        )),
    }
}

/// mod_auth_otp's settings for one server.
#[derive(Debug, Clone)]
pub struct OtpSettings {
    /// `AuthOTPAlgorithm`.
    pub algorithm: Algorithm,
    /// `AuthOTPOptions`.
    pub options: Options,
    /// The named query that reads a user's secret (and HOTP counter).
    pub get: String,
    /// The named query that stores a user's next HOTP counter.
    pub update: String,
    /// mod_sql's settings (its connection and named queries).
    pub sql: Arc<SqlSettings>,
    /// `AuthOTPTableLock`.
    pub lock: Option<PathBuf>,
    /// `AuthOTPLog`.
    pub log: Option<PathBuf>,
}

impl OtpSettings {
    /// The settings of `server`; `Ok(None)` unless `AuthOTPEngine on`. The engine without an
    /// `AuthOTPTable`, or with queries mod_sql does not have, is a configuration error.
    pub fn from_server(server: &Server) -> Result<Option<OtpSettings>, Located> {
        let m = Merged::of(&server.scope(None));
        if m.flag("AuthOTPEngine") != Some(true) {
            return Ok(None);
        }
        let engine = m.one("AuthOTPEngine").cloned();
        let Some(table) = m.one("AuthOTPTable") else {
            return Err((engine, "AuthOTPEngine on needs an AuthOTPTable".into()));
        };
        let (get, update) = parse_table(&table.args[0]).map_err(|e| (Some(table.clone()), e))?;
        let sql = oxftpd_mod_sql::settings::SqlSettings::from_server(server)?.ok_or_else(|| {
            (
                Some(table.clone()),
                "AuthOTPTable needs mod_sql (SQLEngine and SQLConnectInfo) for its queries"
                    .to_string(),
            )
        })?;
        for q in [&get, &update] {
            if !sql.queries.contains_key(q) {
                return Err((Some(table.clone()), format!("no SQLNamedQuery '{q}'")));
            }
        }
        let algorithm = match m.one("AuthOTPAlgorithm") {
            Some(d) => Algorithm::parse(&d.args[0]).map_err(|e| (Some(d.clone()), e))?,
            None => Algorithm::TotpSha1,
        };
        let options = match m.one("AuthOTPOptions") {
            Some(d) => Options::parse(&d.args).map_err(|e| (Some(d.clone()), e))?,
            None => Options::default(),
        };
        Ok(Some(OtpSettings {
            algorithm,
            options,
            get,
            update,
            sql: Arc::new(sql),
            lock: m.arg("AuthOTPTableLock", 0).map(PathBuf::from),
            log: m
                .arg("AuthOTPLog", 0)
                .filter(|p| !p.eq_ignore_ascii_case("none"))
                .map(PathBuf::from),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_and_options() {
        assert_eq!(
            parse_table("sql:/get-totp/update-totp"),
            Ok(("get-totp".into(), "update-totp".into()))
        );
        assert!(parse_table("file:/x").is_err());
        assert!(parse_table("sql:/only").is_err());
        assert!(parse_table("sql://x").is_err());
        let o = Options::parse(&["StandardResponse".into(), "RequireTableEntry".into()]).unwrap();
        assert!(o.standard_response && o.require_table_entry);
        assert!(Options::parse(&["DisplayVerificationCode".into()]).is_err());
        assert!(Options::parse(&["Bogus".into()]).is_err());
    }
}
