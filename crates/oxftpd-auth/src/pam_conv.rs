//! A PAM transaction whose conversation is someone else's (SSH keyboard-interactive,
//! mod_sftp_pam): each batch of prompts the PAM stack asks is handed to a callback, which
//! returns the answers (or `None` to give up). Runs `pam_authenticate` then
//! `pam_acct_mgmt`, on the caller's (blocking) thread.

// This file calls libpam through the functions `pam_ffi` loaded: unsafe code is allowed
// here only, each block with a SAFETY comment saying why it is sound.
#![allow(unsafe_code)]

use std::ffi::{CStr, CString, c_int, c_void};

use crate::pam_ffi::{
    BUF_ERR, CONV_ERR, Conv, Handle, ITEM_RHOST, ITEM_RUSER, ITEM_TTY, Message, PROMPT_ECHO_OFF,
    PROMPT_ECHO_ON, PamFailure, Response, SUCCESS, lib,
};

/// `PAM_ERROR_MSG`.
const ERROR_MSG: c_int = 3;
/// `PAM_TEXT_INFO`.
const TEXT_INFO: c_int = 4;

/// One message of a conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prompt {
    /// A question; `echo` says whether the answer may be shown as typed.
    Ask {
        /// The prompt text (`Password: `).
        text: String,
        /// `PAM_PROMPT_ECHO_ON`.
        echo: bool,
    },
    /// Information for the user (`PAM_TEXT_INFO`); needs no answer.
    Info(String),
    /// An error message (`PAM_ERROR_MSG`); needs no answer.
    Error(String),
}

/// What the stack is told besides the user.
pub struct Interactive<'a> {
    /// The service name (`SFTPPAMServiceName`, `sshd` by default).
    pub service: &'a str,
    /// The user.
    pub user: &'a str,
    /// `PAM_TTY` (`None` with `SFTPPAMOptions NoTTY`).
    pub tty: Option<String>,
    /// `PAM_RHOST`, the client's address.
    pub rhost: Option<String>,
}

/// The callback's answers: one per prompt (informational messages get an empty one).
pub type Answers = Option<Vec<String>>;

struct State<'f> {
    ask: &'f mut dyn FnMut(&[Prompt]) -> Answers,
}

unsafe extern "C" fn converse(
    n: c_int,
    msgs: *mut *const Message,
    out: *mut *mut Response,
    appdata: *mut c_void,
) -> c_int {
    if n <= 0 || msgs.is_null() || out.is_null() || appdata.is_null() {
        return CONV_ERR;
    }
    let n = n as usize;
    let mut prompts = Vec::with_capacity(n);
    // SAFETY: libpam passes `n` valid message pointers (Linux-PAM's array of pointers) whose
    // texts are NUL-terminated C strings, alive for the duration of this call.
    unsafe {
        for i in 0..n {
            let m = *msgs.add(i);
            if m.is_null() {
                return CONV_ERR;
            }
            let text = if (*m).msg.is_null() {
                String::new()
            } else {
                CStr::from_ptr((*m).msg).to_string_lossy().into_owned()
            };
            prompts.push(match (*m).style {
                PROMPT_ECHO_OFF => Prompt::Ask { text, echo: false },
                PROMPT_ECHO_ON => Prompt::Ask { text, echo: true },
                ERROR_MSG => Prompt::Error(text),
                TEXT_INFO => Prompt::Info(text),
                _ => return CONV_ERR,
            });
        }
    }
    // SAFETY: appdata is the `State` `authenticate` passed, alive for the transaction, and
    // only this thread (the one running the PAM calls) uses it.
    let state = unsafe { &mut *(appdata as *mut State<'_>) };
    let Some(answers) = (state.ask)(&prompts) else {
        return CONV_ERR;
    };
    // SAFETY: PAM frees the array and each answer with free(): allocate them with calloc
    // and strdup.
    unsafe {
        let resp = libc::calloc(n, std::mem::size_of::<Response>()) as *mut Response;
        if resp.is_null() {
            return BUF_ERR;
        }
        for (i, p) in prompts.iter().enumerate() {
            if !matches!(p, Prompt::Ask { .. }) {
                continue;
            }
            let answer = answers.get(i).map(String::as_str).unwrap_or("");
            let Ok(c) = CString::new(answer) else {
                for j in 0..i {
                    libc::free((*resp.add(j)).resp as *mut c_void);
                }
                libc::free(resp as *mut c_void);
                return CONV_ERR;
            };
            let r = &mut *resp.add(i);
            r.resp = libc::strdup(c.as_ptr());
            if r.resp.is_null() {
                for j in 0..i {
                    libc::free((*resp.add(j)).resp as *mut c_void);
                }
                libc::free(resp as *mut c_void);
                return BUF_ERR;
            }
        }
        *out = resp;
    }
    SUCCESS
}

/// Runs `pam_authenticate` and `pam_acct_mgmt` for `req`, asking `ask` whatever the stack
/// asks; `Ok` when both succeed, else the stage that failed and PAM's reason.
pub fn authenticate(
    req: &Interactive<'_>,
    ask: &mut dyn FnMut(&[Prompt]) -> Answers,
) -> Result<(), String> {
    run(req, ask).map_err(|f| match f {
        PamFailure::Unavailable(text) => text,
        PamFailure::Stage { stage, text, .. } => format!("PAM {stage}: {text}"),
    })
}

fn run(req: &Interactive<'_>, ask: &mut dyn FnMut(&[Prompt]) -> Answers) -> Result<(), PamFailure> {
    let lib = lib().map_err(PamFailure::Unavailable)?;
    let to_c = |s: &str| {
        CString::new(s).map_err(|_| PamFailure::Unavailable("NUL in a PAM argument".into()))
    };
    let service = to_c(req.service)?;
    let user = to_c(req.user)?;
    let mut state = State { ask };
    let conv = Conv {
        conv: converse,
        appdata: &mut state as *mut State<'_> as *mut c_void,
    };
    let mut h: Handle = std::ptr::null_mut();
    // SAFETY: service and user are C strings and conv (with the state it points at) lives
    // on this frame until pam_end below.
    let rc = unsafe { (lib.start)(service.as_ptr(), user.as_ptr(), &conv, &mut h) };
    if rc != SUCCESS || h.is_null() {
        return Err(PamFailure::Stage {
            stage: "start",
            code: rc,
            text: format!("pam_start failed ({rc})"),
        });
    }
    let tty = req.tty.as_deref().map(to_c).transpose()?;
    let rhost = req.rhost.as_deref().map(to_c).transpose()?;
    // SAFETY: h is live until pam_end; items are copied by libpam; pam_strerror returns a
    // static string.
    unsafe {
        if let Some(t) = &tty {
            (lib.set_item)(h, ITEM_TTY, t.as_ptr() as *const c_void);
        }
        if let Some(r) = &rhost {
            (lib.set_item)(h, ITEM_RHOST, r.as_ptr() as *const c_void);
        }
        (lib.set_item)(h, ITEM_RUSER, user.as_ptr() as *const c_void);
        let mut rc = (lib.authenticate)(h, 0);
        let mut stage = "auth";
        if rc == SUCCESS {
            rc = (lib.acct_mgmt)(h, 0);
            stage = "account";
        }
        let result = if rc == SUCCESS {
            Ok(())
        } else {
            let p = (lib.strerror)(h, rc);
            let text = if p.is_null() {
                format!("PAM error {rc}")
            } else {
                CStr::from_ptr(p).to_string_lossy().into_owned()
            };
            Err(PamFailure::Stage {
                stage,
                code: rc,
                text,
            })
        };
        (lib.end)(h, rc);
        result
    }
}
