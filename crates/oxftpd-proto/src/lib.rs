//! oxftpd-proto.
