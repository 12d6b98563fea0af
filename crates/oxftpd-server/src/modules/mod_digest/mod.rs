//! mod_digest.c: HASH and the X… checksum commands.

pub mod digest;

use crate::module::CommandClass as Cl;
use crate::module::CommandGroup::Read;
use crate::module::{CommandSpec, Feat, Handler, Module};

/// mod_digest.c.
pub static MODULE: Module = Module {
    spec: &oxftpd_config::modules::mod_digest::MODULE,
    commands: &[
        CommandSpec::new("HASH", Handler::Narrow(digest::hash))
            .group(Read)
            .class(Cl::READ.with(Cl::INFO))
            .feat(Feat::When(
                digest::engine_on,
                "HASH CRC32;MD5;SHA-1*;SHA-256;SHA-512;",
            ))
            .help("<sp> pathname"),
        CommandSpec::new("XCRC", Handler::Narrow(digest::xcrc))
            .group(Read)
            .class(Cl::READ.with(Cl::INFO))
            .feat(Feat::When(digest::engine_on, "XCRC"))
            .help("<sp> pathname [<sp> start <sp> end]"),
        CommandSpec::new("MD5", Handler::Narrow(digest::md5))
            .group(Read)
            .class(Cl::READ.with(Cl::INFO))
            .feat(Feat::When(digest::engine_on, "MD5"))
            .help("<sp> pathname"),
        CommandSpec::new("XMD5", Handler::Narrow(digest::xmd5))
            .group(Read)
            .class(Cl::READ.with(Cl::INFO))
            .feat(Feat::When(digest::engine_on, "XMD5"))
            .help("<sp> pathname [<sp> start <sp> end]"),
        CommandSpec::new("XSHA", Handler::Narrow(digest::xsha))
            .group(Read)
            .class(Cl::READ.with(Cl::INFO))
            .feat(Feat::When(digest::engine_on, "XSHA"))
            .help("<sp> pathname [<sp> start <sp> end]"),
        CommandSpec::new("XSHA1", Handler::Narrow(digest::xsha1))
            .group(Read)
            .class(Cl::READ.with(Cl::INFO))
            .feat(Feat::When(digest::engine_on, "XSHA1"))
            .help("<sp> pathname [<sp> start <sp> end]"),
        CommandSpec::new("XSHA256", Handler::Narrow(digest::xsha256))
            .group(Read)
            .class(Cl::READ.with(Cl::INFO))
            .feat(Feat::When(digest::engine_on, "XSHA256"))
            .help("<sp> pathname [<sp> start <sp> end]"),
        CommandSpec::new("XSHA512", Handler::Narrow(digest::xsha512))
            .group(Read)
            .class(Cl::READ.with(Cl::INFO))
            .feat(Feat::When(digest::engine_on, "XSHA512"))
            .help("<sp> pathname [<sp> start <sp> end]"),
    ],
    ..Module::DEFAULT
};
