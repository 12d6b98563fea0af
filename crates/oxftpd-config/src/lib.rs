//! oxftpd-config.
