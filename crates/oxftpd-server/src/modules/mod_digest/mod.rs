//! mod_digest.c: HASH and the X… checksum commands.

pub mod digest;

use crate::module::CommandGroup::Read;
use crate::module::{CommandSpec, Handler, Module};

/// mod_digest.c.
pub static MODULE: Module = Module {
    spec: &oxftpd_config::modules::mod_digest::MODULE,
    commands: &[
        CommandSpec {
            name: "HASH",
            groups: &[Read],
            feat: Some("HASH CRC32;MD5;SHA-1*;SHA-256;SHA-512;"),
            help: "<sp> pathname",
            handler: Handler::User(digest::hash),
        },
        CommandSpec {
            name: "XCRC",
            groups: &[Read],
            feat: Some("XCRC"),
            help: "<sp> pathname",
            handler: Handler::User(digest::xcrc),
        },
        CommandSpec {
            name: "MD5",
            groups: &[Read],
            feat: Some("MD5"),
            help: "<sp> pathname",
            handler: Handler::User(digest::md5),
        },
        CommandSpec {
            name: "XMD5",
            groups: &[Read],
            feat: Some("XMD5"),
            help: "<sp> pathname",
            handler: Handler::User(digest::xmd5),
        },
        CommandSpec {
            name: "XSHA",
            groups: &[Read],
            feat: Some("XSHA"),
            help: "<sp> pathname",
            handler: Handler::User(digest::xsha),
        },
        CommandSpec {
            name: "XSHA1",
            groups: &[Read],
            feat: Some("XSHA1"),
            help: "<sp> pathname",
            handler: Handler::User(digest::xsha1),
        },
        CommandSpec {
            name: "XSHA256",
            groups: &[Read],
            feat: Some("XSHA256"),
            help: "<sp> pathname",
            handler: Handler::User(digest::xsha256),
        },
        CommandSpec {
            name: "XSHA512",
            groups: &[Read],
            feat: Some("XSHA512"),
            help: "<sp> pathname",
            handler: Handler::User(digest::xsha512),
        },
    ],
    ..Module::DEFAULT
};
