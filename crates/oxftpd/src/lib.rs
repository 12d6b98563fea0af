//! oxftpd binaries.
