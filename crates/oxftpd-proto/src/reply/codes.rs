//! Reply codes by name: RFC 959 section 4.2 and the extensions ProFTPD 1.3.8 answers with
//! (RFC 2228 security, RFC 2389 FEAT, RFC 2428 EPSV/EPRT, RFC 3659 MLST/SIZE/MDTM, RFC 4217
//! FTPS). The names follow the RFCs' texts; ProFTPD's own headers name them by number
//! (`R_550`), which says nothing at the call site.

// 1yz: positive preliminary.

/// 110: restart marker reply (RFC 959).
pub const RESTART_MARKER: u16 = 110;
/// 120: service ready in nnn minutes (RFC 959).
pub const SERVICE_READY_SOON: u16 = 120;
/// 125: data connection already open; transfer starting (RFC 959).
pub const DATA_ALREADY_OPEN: u16 = 125;
/// 150: file status okay; about to open data connection (RFC 959).
pub const OPENING_DATA: u16 = 150;

// 2yz: positive completion.

/// 200: command okay (RFC 959).
pub const COMMAND_OK: u16 = 200;
/// 202: command not implemented, superfluous at this site (RFC 959).
pub const SUPERFLUOUS: u16 = 202;
/// 211: system status, or system help reply; FEAT's list (RFC 959, RFC 2389).
pub const SYSTEM_STATUS: u16 = 211;
/// 212: directory status (RFC 959).
pub const DIRECTORY_STATUS: u16 = 212;
/// 213: file status; SIZE and MDTM answers (RFC 959, RFC 3659).
pub const FILE_STATUS: u16 = 213;
/// 214: help message (RFC 959).
pub const HELP_MESSAGE: u16 = 214;
/// 215: NAME system type (RFC 959).
pub const SYSTEM_TYPE: u16 = 215;
/// 220: service ready for new user (RFC 959).
pub const SERVICE_READY: u16 = 220;
/// 221: service closing control connection (RFC 959).
pub const CLOSING_CONTROL: u16 = 221;
/// 225: data connection open; no transfer in progress (RFC 959).
pub const DATA_OPEN: u16 = 225;
/// 226: closing data connection; requested file action successful (RFC 959).
pub const CLOSING_DATA: u16 = 226;
/// 227: entering passive mode (RFC 959).
pub const PASSIVE_MODE: u16 = 227;
/// 229: entering extended passive mode (RFC 2428).
pub const EXTENDED_PASSIVE_MODE: u16 = 229;
/// 230: user logged in, proceed (RFC 959).
pub const LOGGED_IN: u16 = 230;
/// 232: user logged in, authorized by security data exchange (RFC 2228).
pub const LOGGED_IN_AUTHORIZED: u16 = 232;
/// 234: security data exchange complete; `AUTH TLS` accepted (RFC 2228, RFC 4217).
pub const SECURITY_EXCHANGE_COMPLETE: u16 = 234;
/// 235: security data exchange completed successfully (RFC 2228).
pub const SECURITY_EXCHANGE_SUCCESSFUL: u16 = 235;
/// 250: requested file action okay, completed (RFC 959).
pub const FILE_ACTION_OK: u16 = 250;
/// 251: the `MD5` command's answer (draft-twine-ftpmd5, as mod_digest sends it).
pub const MD5_DIGEST: u16 = 251;
/// 257: "PATHNAME" created (RFC 959).
pub const PATHNAME_CREATED: u16 = 257;

// 3yz: positive intermediate.

/// 331: user name okay, need password (RFC 959).
pub const NEED_PASSWORD: u16 = 331;
/// 332: need account for login (RFC 959).
pub const NEED_ACCOUNT: u16 = 332;
/// 334: security mechanism accepted, send security data (RFC 2228).
pub const SECURITY_MECHANISM_OK: u16 = 334;
/// 335: security data acceptable, more is required (RFC 2228).
pub const SECURITY_DATA_MORE: u16 = 335;
/// 350: requested file action pending further information (RFC 959).
pub const PENDING_FURTHER_INFO: u16 = 350;

// 4yz: transient negative completion.

/// 421: service not available, closing control connection (RFC 959).
pub const SERVICE_NOT_AVAILABLE: u16 = 421;
/// 425: can't open data connection (RFC 959).
pub const CANT_OPEN_DATA: u16 = 425;
/// 426: connection closed; transfer aborted (RFC 959).
pub const TRANSFER_ABORTED: u16 = 426;
/// 431: need some unavailable resource to process security (RFC 2228).
pub const SECURITY_RESOURCE_UNAVAILABLE: u16 = 431;
/// 450: requested file action not taken, file unavailable (e.g. busy) (RFC 959).
pub const FILE_ACTION_NOT_TAKEN: u16 = 450;
/// 451: requested action aborted: local error in processing (RFC 959).
pub const LOCAL_ERROR: u16 = 451;
/// 452: requested action not taken, insufficient storage space (RFC 959).
pub const INSUFFICIENT_STORAGE: u16 = 452;

// 5yz: permanent negative completion.

/// 500: syntax error, command unrecognized (RFC 959).
pub const SYNTAX_ERROR: u16 = 500;
/// 501: syntax error in parameters or arguments (RFC 959).
pub const SYNTAX_ERROR_ARGUMENTS: u16 = 501;
/// 502: command not implemented (RFC 959).
pub const NOT_IMPLEMENTED: u16 = 502;
/// 503: bad sequence of commands (RFC 959).
pub const BAD_SEQUENCE: u16 = 503;
/// 504: command not implemented for that parameter (RFC 959).
pub const NOT_IMPLEMENTED_FOR_PARAMETER: u16 = 504;
/// 522: network protocol not supported (RFC 2428); mod_tls also refuses unprotected data
/// commands with it.
pub const NETWORK_PROTOCOL_NOT_SUPPORTED: u16 = 522;
/// 530: not logged in (RFC 959).
pub const NOT_LOGGED_IN: u16 = 530;
/// 532: need account for storing files (RFC 959).
pub const NEED_ACCOUNT_FOR_STORING: u16 = 532;
/// 533: command protection level denied for policy reasons (RFC 2228).
pub const PROTECTION_DENIED: u16 = 533;
/// 534: request denied for policy reasons (RFC 2228).
pub const DENIED_FOR_POLICY: u16 = 534;
/// 535: failed security check (RFC 2228).
pub const FAILED_SECURITY_CHECK: u16 = 535;
/// 536: requested PROT level not supported by mechanism (RFC 2228).
pub const PROT_LEVEL_NOT_SUPPORTED: u16 = 536;
/// 550: requested action not taken, file unavailable (RFC 959).
pub const FILE_UNAVAILABLE: u16 = 550;
/// 551: requested action aborted, page type unknown (RFC 959).
pub const PAGE_TYPE_UNKNOWN: u16 = 551;
/// 552: requested file action aborted, exceeded storage allocation (RFC 959).
pub const EXCEEDED_STORAGE: u16 = 552;
/// 553: requested action not taken, file name not allowed (RFC 959).
pub const FILE_NAME_NOT_ALLOWED: u16 = 553;
/// 554: requested action not taken: invalid REST parameter (RFC 1123 4.1.3.4, RFC 3659).
pub const INVALID_REST_PARAMETER: u16 = 554;

// 6yz: protected replies.

/// 631: integrity protected reply (RFC 2228).
pub const INTEGRITY_PROTECTED: u16 = 631;
/// 632: confidentiality and integrity protected reply (RFC 2228).
pub const PRIVATE_PROTECTED: u16 = 632;
/// 633: confidentiality protected reply (RFC 2228).
pub const CONFIDENTIAL_PROTECTED: u16 = 633;
