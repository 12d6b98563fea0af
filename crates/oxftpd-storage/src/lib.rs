//! oxftpd-storage.
