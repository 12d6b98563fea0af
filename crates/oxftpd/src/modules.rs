//! The modules of this build: the server's built-in ones, plus the module crates the binary
//! was built with, each behind its cargo feature (on by default).

use std::sync::Once;

use oxftpd_server::module::Module;

/// The module crates compiled in.
const CRATES: &[&Module] = &[
    #[cfg(feature = "mod_prometheus")]
    &oxftpd_mod_prometheus::MODULE,
    #[cfg(feature = "mod_sql")]
    &oxftpd_mod_sql::MODULE,
    #[cfg(feature = "mod_sql")]
    &oxftpd_mod_sql::SQLITE,
    #[cfg(feature = "mod_sql")]
    &oxftpd_mod_sql::POSTGRES,
    #[cfg(feature = "mod_sql")]
    &oxftpd_mod_sql::MYSQL,
    #[cfg(feature = "mod_sql")]
    &oxftpd_mod_sql::PASSWD,
    #[cfg(feature = "mod_sftp")]
    &oxftpd_mod_sftp::MODULE,
    #[cfg(feature = "mod_redis")]
    &oxftpd_mod_redis::MODULE,
    #[cfg(feature = "mod_ldap")]
    &oxftpd_mod_ldap::MODULE,
    #[cfg(feature = "mod_radius")]
    &oxftpd_mod_radius::MODULE,
    #[cfg(feature = "mod_auth_otp")]
    &oxftpd_mod_auth_otp::MODULE,
];

/// Adds the module crates to the server's list; call before anything reads the list (the
/// configuration, `-l`, the docs). Later calls do nothing.
pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if let Err(e) = oxftpd_server::modules::install(CRATES) {
            // Only a programming error gets here (a module named twice, or a lookup before
            // install): say so loudly rather than run without the module.
            eprintln!("oxftpd: {e}");
            std::process::exit(70);
        }
    });
}

/// Every module crate oxftpd has, and whether this build contains it (`-V`).
pub fn crates() -> Vec<(bool, &'static str)> {
    vec![
        (cfg!(feature = "mod_prometheus"), "mod_prometheus.c"),
        (cfg!(feature = "mod_sql"), "mod_sql.c"),
        (cfg!(feature = "mod_sql"), "mod_sql_sqlite.c"),
        (cfg!(feature = "mod_sql"), "mod_sql_postgres.c"),
        (cfg!(feature = "mod_sql"), "mod_sql_mysql.c"),
        (cfg!(feature = "mod_sql"), "mod_sql_passwd.c"),
        (cfg!(feature = "mod_sftp"), "mod_sftp.c"),
        (cfg!(feature = "mod_redis"), "mod_redis.c"),
        (cfg!(feature = "mod_ldap"), "mod_ldap.c"),
        (cfg!(feature = "mod_radius"), "mod_radius.c"),
        (cfg!(feature = "mod_auth_otp"), "mod_auth_otp.c"),
    ]
}

/// Every module of this build, as `oxftpd -l` lists them.
pub fn all() -> &'static [&'static Module] {
    install();
    oxftpd_server::modules::all()
}
