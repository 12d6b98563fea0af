//! mod_proxy_protocol.c: behind a TCP load balancer (HAProxy's `send-proxy`/`send-proxy-v2`),
//! the PROXY protocol header names the real client, and the session is served as that client's:
//! `<Limit>`, `Allow from`, `<Class>`, bans, `MaxClientsPerHost`, logs and the scoreboard see
//! its address. A passive data connection may then come from the proxy as well as from the
//! client itself (HAProxy forwards the passive ports too).

pub mod accept;

use crate::module::Module;

/// mod_proxy_protocol.c.
pub static MODULE: Module = Module {
    spec: &oxftpd_config::modules::mod_proxy_protocol::MODULE,
    accept: Some(accept::on_accept),
    ..Module::DEFAULT
};
