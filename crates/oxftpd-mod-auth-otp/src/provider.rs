//! mod_auth_otp.c in `AuthOrder`: the password is a one-time code.
//!
//! The user's Base32 secret (and, for HOTP, counter) come from mod_sql's named query
//! (`AuthOTPTable sql:/get/update`, with `%{0}` the user and `%{1}` the next counter, bound as
//! parameters). A code that matches the current moving factor, or one step behind or ahead
//! (clock skew, an unsynchronised HOTP token), vouches for the password ([`Flow::Vouch`]): the
//! account is the rest of `AuthOrder`'s, as ProFTPD's `getpwnam` is answered by another module.
//! A HOTP match moves the stored counter on. No table row, a code that does not match, or a
//! table that cannot be read leave the login to the rest of the chain (ProFTPD declines);
//! listed with `*`, mod_auth_otp then ends the chain with `530`. An empty code is refused.

use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use oxftpd_auth::{AuthError, AuthProvider, Flow, Identity};
use oxftpd_mod_sql::query::{self, Var};

use crate::otp::{self, STEP_SECS};
use crate::settings::OtpSettings;

/// The module name in `AuthOrder`.
pub const MODULE: &str = "mod_auth_otp.c";

/// One server's one-time passwords.
pub struct OtpProvider {
    s: Arc<OtpSettings>,
    /// Serialises HOTP read-and-move-on within the process (`AuthOTPTableLock` across them).
    hotp: Mutex<()>,
}

/// The row of a user.
struct Entry {
    secret: Vec<u8>,
    counter: u64,
}

impl OtpProvider {
    /// The provider for one server's settings.
    pub fn new(s: Arc<OtpSettings>) -> OtpProvider {
        OtpProvider {
            s,
            hotp: Mutex::new(()),
        }
    }

    fn log(&self, message: &str) {
        crate::log::line(self.s.log.as_deref(), message);
    }

    /// Runs named query `name` with `%{0}` = `user` and `%{1}` = `next`.
    fn run(
        &self,
        name: &str,
        user: &str,
        next: Option<u64>,
    ) -> Result<Vec<Vec<Option<String>>>, String> {
        let q = self
            .s
            .sql
            .queries
            .get(name)
            .ok_or_else(|| format!("no SQLNamedQuery '{name}'"))?;
        let db = oxftpd_mod_sql::pool_for(&self.s.sql).map_err(|e| e.to_string())?;
        let resolve = |v: Var<'_>| match v {
            Var::Long("0") => Some(user.to_string()),
            Var::Long("1") => next.map(|n| n.to_string()),
            _ => None,
        };
        let stmt = query::bind(&q.statement(), db.kind(), &resolve);
        db.fetch_blocking(stmt).map_err(|e| e.to_string())
    }

    /// The user's row: `Ok(None)` when the table has none (or an unusable one).
    fn entry(&self, user: &str) -> Result<Option<Entry>, String> {
        let rows = self.run(&self.s.get.clone(), user, None)?;
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        let Some(text) = row.first().cloned().flatten() else {
            return Ok(None);
        };
        let Some(secret) = otp::decode_secret(&text) else {
            self.log(&format!(
                "error base32-decoding the secret of user '{user}' in AuthOTPTable"
            ));
            return Ok(None);
        };
        let counter = row
            .get(1)
            .cloned()
            .flatten()
            .and_then(|c| c.trim().parse::<u64>().ok())
            .unwrap_or(0);
        Ok(Some(Entry { secret, counter }))
    }

    /// The moving factor that `code` matches: now, one step behind, or one step ahead.
    fn matches(&self, e: &Entry, code: &str) -> Option<u64> {
        let algo = self.s.algorithm;
        let now = if algo.is_totp() {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or_default()
                / STEP_SECS
        } else {
            e.counter
        };
        [Some(now), now.checked_sub(1), now.checked_add(1)]
            .into_iter()
            .flatten()
            .find(|f| format!("{:06}", otp::code(algo, &e.secret, *f)) == code)
    }

    fn check(&self, user: &str, code: &str) -> Flow<Identity> {
        let entry = match self.entry(user) {
            Ok(Some(e)) => e,
            Ok(None) => {
                self.log(&format!("user '{user}' has no OTP info in AuthOTPTable"));
                if self.s.options.require_table_entry {
                    self.log(&format!(
                        "FAILED: user '{user}' does not have entry in OTP tables"
                    ));
                }
                return Flow::Continue;
            }
            Err(e) => {
                self.log(&format!(
                    "unable to retrieve OTP info for user '{user}': {e}"
                ));
                tracing::warn!(target: "mod_auth_otp", "AuthOTPTable for '{user}': {e}");
                return Flow::Continue;
            }
        };
        if self.matches(&entry, code).is_none() {
            self.log(&format!("FAILED: user '{user}' provided invalid OTP code"));
            return Flow::Continue;
        }
        self.log(&format!("SUCCESS: user '{user}' provided valid OTP code"));
        if !self.s.algorithm.is_totp()
            && let Err(e) = self.run(&self.s.update.clone(), user, Some(entry.counter + 1))
        {
            self.log(&format!(
                "error updating AuthOTPTable for HOTP counter for user '{user}': {e}"
            ));
        }
        Flow::Vouch
    }
}

impl AuthProvider for OtpProvider {
    fn module(&self) -> &'static str {
        MODULE
    }

    fn authenticate(&self, user: &str, code: &str) -> Flow<Identity> {
        if code.is_empty() {
            self.log(&format!("FAILED: user '{user}' provided invalid OTP code"));
            return Flow::Break(Err(AuthError::BadPassword));
        }
        if self.s.algorithm.is_totp() {
            return self.check(user, code);
        }
        // A HOTP counter is read and moved on as one step, by one login at a time.
        let _held = self.hotp.lock().unwrap_or_else(|p| p.into_inner());
        let _file = self.s.lock.as_ref().and_then(|p| {
            let f = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(p)
                .map_err(|e| {
                    self.log(&format!(
                        "failed to open AuthOTPTableLock {}: {e}",
                        p.display()
                    ))
                })
                .ok()?;
            f.lock()
                .map_err(|e| self.log(&format!("failed to write-lock AuthOTPTable: {e}")))
                .ok()?;
            Some(f)
        });
        self.check(user, code)
    }

    fn answers_lookups(&self) -> bool {
        false
    }

    fn lookup(&self, _user: &str) -> Flow<Identity> {
        Flow::Continue
    }

    fn user_name(&self, _uid: u32) -> Option<String> {
        None
    }

    fn group_name(&self, _gid: u32) -> Option<String> {
        None
    }

    fn group_id(&self, _name: &str) -> Option<u32> {
        None
    }

    fn user_id(&self, _name: &str) -> Option<u32> {
        None
    }
}
