//! Directive tables, one file per ProFTPD module.

use crate::registry::{Args, Contexts, DirectiveSpec};

pub mod mod_auth;
pub mod mod_auth_file;
pub mod mod_auth_pam;
pub mod mod_auth_unix;
pub mod mod_ban;
pub mod mod_case;
pub mod mod_copy;
pub mod mod_core;
pub mod mod_ctrls;
pub mod mod_ctrls_admin;
pub mod mod_deflate;
pub mod mod_delay;
pub mod mod_digest;
pub mod mod_dso;
pub mod mod_facl;
pub mod mod_facts;
pub mod mod_ident;
pub mod mod_ifsession;
pub mod mod_lang;
pub mod mod_log;
pub mod mod_ls;
pub mod mod_proxy_protocol;
pub mod mod_quotatab;
pub mod mod_ratio;
pub mod mod_readme;
pub mod mod_rewrite;
pub mod mod_rlimit;
pub mod mod_site;
pub mod mod_site_misc;
pub mod mod_tls;
pub mod mod_unique_id;
pub mod mod_wrap;
pub mod mod_wrap2;
pub mod mod_xfer;

/// Builds one directive spec that is fully implemented.
pub(crate) const fn d(
    name: &'static str,
    contexts: Contexts,
    args: Args,
    multi: bool,
    summary: &'static str,
) -> DirectiveSpec {
    DirectiveSpec::new(name, contexts, args, multi, summary)
}

/// Builds one directive spec that is only partly implemented.
pub(crate) const fn partial(
    name: &'static str,
    contexts: Contexts,
    args: Args,
    multi: bool,
    missing: &'static str,
    summary: &'static str,
) -> DirectiveSpec {
    DirectiveSpec::new(name, contexts, args, multi, summary).partial(missing)
}
