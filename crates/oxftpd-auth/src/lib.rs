//! oxftpd-auth.
