//! oxftpd-server.
