//! The few libpam calls a password check needs, loaded at run time with `dlopen`.
//!
//! Loading `libpam.so.0` at run time keeps the build free of libpam's headers and the
//! binary free of a hard link to it: a host without PAM simply has no PAM provider.

// This file calls libc (or other C APIs): unsafe code is allowed here only, each block
// with a SAFETY comment saying why it is sound.
#![allow(unsafe_code)]

use std::ffi::{CStr, CString, c_char, c_int, c_void};
use std::sync::OnceLock;

/// `PAM_SUCCESS`.
pub const SUCCESS: c_int = 0;
/// `PAM_USER_UNKNOWN`.
pub const USER_UNKNOWN: c_int = 10;
/// `PAM_CONV_ERR`.
pub(crate) const CONV_ERR: c_int = 19;
/// `PAM_BUF_ERR`.
pub(crate) const BUF_ERR: c_int = 5;
/// `PAM_SILENT`.
pub(crate) const SILENT: c_int = 0x8000;
/// `PAM_ESTABLISH_CRED`.
const ESTABLISH_CRED: c_int = 0x2;
/// `PAM_DELETE_CRED`.
const DELETE_CRED: c_int = 0x4;
/// `PAM_TTY` item.
pub(crate) const ITEM_TTY: c_int = 3;
/// `PAM_RHOST` item.
pub(crate) const ITEM_RHOST: c_int = 4;
/// `PAM_RUSER` item.
pub(crate) const ITEM_RUSER: c_int = 8;
/// `PAM_PROMPT_ECHO_OFF`.
pub(crate) const PROMPT_ECHO_OFF: c_int = 1;
/// `PAM_PROMPT_ECHO_ON`.
pub(crate) const PROMPT_ECHO_ON: c_int = 2;

#[repr(C)]
pub(crate) struct Message {
    pub(crate) style: c_int,
    pub(crate) msg: *const c_char,
}

#[repr(C)]
pub(crate) struct Response {
    pub(crate) resp: *mut c_char,
    retcode: c_int,
}

pub(crate) type ConvFn =
    unsafe extern "C" fn(c_int, *mut *const Message, *mut *mut Response, *mut c_void) -> c_int;

#[repr(C)]
pub(crate) struct Conv {
    pub(crate) conv: ConvFn,
    pub(crate) appdata: *mut c_void,
}

pub(crate) type Handle = *mut c_void;

type StartFn =
    unsafe extern "C" fn(*const c_char, *const c_char, *const Conv, *mut Handle) -> c_int;
type StepFn = unsafe extern "C" fn(Handle, c_int) -> c_int;
type SetItemFn = unsafe extern "C" fn(Handle, c_int, *const c_void) -> c_int;
type StrErrorFn = unsafe extern "C" fn(Handle, c_int) -> *const c_char;

pub(crate) struct Lib {
    pub(crate) start: StartFn,
    pub(crate) end: StepFn,
    pub(crate) authenticate: StepFn,
    pub(crate) acct_mgmt: StepFn,
    setcred: StepFn,
    open_session: StepFn,
    close_session: StepFn,
    pub(crate) set_item: SetItemFn,
    pub(crate) strerror: StrErrorFn,
}

pub(crate) fn lib() -> Result<&'static Lib, String> {
    static LIB: OnceLock<Result<Lib, String>> = OnceLock::new();
    LIB.get_or_init(load).as_ref().map_err(Clone::clone)
}

fn load() -> Result<Lib, String> {
    // SAFETY: dlopen with a static C string; the handle is kept for the life of the process.
    let h = unsafe { libc::dlopen(c"libpam.so.0".as_ptr(), libc::RTLD_NOW) };
    if h.is_null() {
        return Err("libpam.so.0 cannot be loaded (is libpam0g installed?)".to_string());
    }
    let sym = |name: &CStr| -> Result<*mut c_void, String> {
        // SAFETY: h is a live dlopen handle and name a valid C string.
        let p = unsafe { libc::dlsym(h, name.as_ptr()) };
        if p.is_null() {
            Err(format!("libpam.so.0 has no {}", name.to_string_lossy()))
        } else {
            Ok(p)
        }
    };
    // SAFETY: each symbol is transmuted to the signature libpam documents for it.
    unsafe {
        Ok(Lib {
            start: std::mem::transmute::<*mut c_void, StartFn>(sym(c"pam_start")?),
            end: std::mem::transmute::<*mut c_void, StepFn>(sym(c"pam_end")?),
            authenticate: std::mem::transmute::<*mut c_void, StepFn>(sym(c"pam_authenticate")?),
            acct_mgmt: std::mem::transmute::<*mut c_void, StepFn>(sym(c"pam_acct_mgmt")?),
            setcred: std::mem::transmute::<*mut c_void, StepFn>(sym(c"pam_setcred")?),
            open_session: std::mem::transmute::<*mut c_void, StepFn>(sym(c"pam_open_session")?),
            close_session: std::mem::transmute::<*mut c_void, StepFn>(sym(c"pam_close_session")?),
            set_item: std::mem::transmute::<*mut c_void, SetItemFn>(sym(c"pam_set_item")?),
            strerror: std::mem::transmute::<*mut c_void, StrErrorFn>(sym(c"pam_strerror")?),
        })
    }
}

/// Answers every prompt with the password (echo on or off); informational messages get no answer.
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
    // SAFETY: PAM frees the array and each answer with free(): allocate them with calloc/strdup.
    unsafe {
        let resp = libc::calloc(n, std::mem::size_of::<Response>()) as *mut Response;
        if resp.is_null() {
            return BUF_ERR;
        }
        let password = appdata as *const c_char;
        for i in 0..n {
            // Linux-PAM passes an array of pointers to messages.
            let m = *msgs.add(i);
            if m.is_null() {
                continue;
            }
            let r = &mut *resp.add(i);
            if (*m).style == PROMPT_ECHO_OFF || (*m).style == PROMPT_ECHO_ON {
                r.resp = libc::strdup(password);
                if r.resp.is_null() {
                    for j in 0..i {
                        libc::free((*resp.add(j)).resp as *mut c_void);
                    }
                    libc::free(resp as *mut c_void);
                    return BUF_ERR;
                }
            }
        }
        *out = resp;
    }
    SUCCESS
}

/// Where a PAM transaction stopped.
#[derive(Debug)]
pub enum PamFailure {
    /// libpam is not there.
    Unavailable(String),
    /// A stage failed with a PAM code; the text is pam_strerror's.
    Stage {
        /// `auth`, `account`, `setcred`, `session`.
        stage: &'static str,
        /// The PAM return code.
        code: c_int,
        /// pam_strerror's text.
        text: String,
    },
}

/// What a PAM login needs to tell the stack.
pub struct Request<'a> {
    /// The service name (`AuthPAMConfig`).
    pub service: &'a str,
    /// The user.
    pub user: &'a str,
    /// The password.
    pub password: &'a str,
    /// `PAM_TTY` (`None` with `AuthPAMOptions NoTTY`).
    pub tty: Option<String>,
    /// `PAM_RHOST`, the client's address.
    pub rhost: Option<String>,
}

/// An open PAM transaction whose session stage is open: what `pam_close_session`,
/// `pam_setcred(PAM_DELETE_CRED)` and `pam_end` need at logout.
pub struct Open {
    lib: &'static Lib,
    handle: Handle,
    /// The conversation's answer buffer (NUL-terminated); zeroed once the login is done.
    password: Box<[u8]>,
    /// libpam keeps a pointer to the conversation; keep it where it is.
    _conv: Box<Conv>,
}

// SAFETY: a PAM handle may move between threads as long as only one uses it at a time;
// `Open` is owned (not shared) and every call takes `&mut self` or `self`.
unsafe impl Send for Open {}

impl Open {
    /// Runs the session's close stage and ends the transaction.
    pub fn close(mut self) {
        self.end();
    }

    fn end(&mut self) {
        if self.handle.is_null() {
            return;
        }
        // SAFETY: the handle is live until pam_end, after which it is nulled.
        unsafe {
            let rc = (self.lib.close_session)(self.handle, SILENT);
            (self.lib.setcred)(self.handle, DELETE_CRED | SILENT);
            (self.lib.end)(self.handle, rc);
        }
        self.handle = std::ptr::null_mut();
    }
}

impl Drop for Open {
    fn drop(&mut self) {
        self.end();
    }
}

/// Runs auth, account, credentials and opens the session stage; the transaction stays open
/// until the returned [`Open`] is closed (or dropped).
pub fn open(req: &Request<'_>) -> Result<Open, PamFailure> {
    let lib = lib().map_err(PamFailure::Unavailable)?;
    let to_c = |s: &str| {
        CString::new(s).map_err(|_| PamFailure::Unavailable("NUL in a PAM argument".into()))
    };
    let service = to_c(req.service)?;
    let user = to_c(req.user)?;
    let password: Box<[u8]> = to_c(req.password)?.into_bytes_with_nul().into_boxed_slice();
    let conv = Box::new(Conv {
        conv: converse,
        appdata: password.as_ptr() as *mut c_void,
    });
    let mut h: Handle = std::ptr::null_mut();
    // SAFETY: all pointers are valid C strings / live boxes that outlive the transaction
    // (they move into `Open`, which ends it).
    let rc = unsafe { (lib.start)(service.as_ptr(), user.as_ptr(), &*conv, &mut h) };
    if rc != SUCCESS || h.is_null() {
        return Err(PamFailure::Stage {
            stage: "start",
            code: rc,
            text: format!("pam_start failed ({rc})"),
        });
    }
    let mut open = Open {
        lib,
        handle: h,
        password,
        _conv: conv,
    };
    let fail = |stage: &'static str, code: c_int| PamFailure::Stage {
        stage,
        code,
        // SAFETY: h is live; pam_strerror returns a static string.
        text: unsafe {
            let p = (lib.strerror)(h, code);
            if p.is_null() {
                format!("PAM error {code}")
            } else {
                CStr::from_ptr(p).to_string_lossy().into_owned()
            }
        },
    };
    let tty = req.tty.as_deref().map(to_c).transpose()?;
    let rhost = req.rhost.as_deref().map(to_c).transpose()?;
    // SAFETY: h is a live handle; items are copied by libpam.
    let result = unsafe {
        if let Some(t) = &tty {
            (lib.set_item)(h, ITEM_TTY, t.as_ptr() as *const c_void);
        }
        if let Some(r) = &rhost {
            (lib.set_item)(h, ITEM_RHOST, r.as_ptr() as *const c_void);
        }
        (lib.set_item)(h, ITEM_RUSER, user.as_ptr() as *const c_void);
        let mut rc = (lib.authenticate)(h, SILENT);
        let mut stage = "auth";
        if rc == SUCCESS {
            rc = (lib.acct_mgmt)(h, SILENT);
            stage = "account";
        }
        if rc == SUCCESS {
            rc = (lib.setcred)(h, ESTABLISH_CRED | SILENT);
            stage = "setcred";
        }
        if rc == SUCCESS {
            rc = (lib.open_session)(h, SILENT);
            stage = "session";
            if rc != SUCCESS {
                (lib.setcred)(h, DELETE_CRED | SILENT);
            }
        }
        if rc == SUCCESS {
            Ok(())
        } else {
            let failure = fail(stage, rc);
            (lib.end)(h, rc);
            open.handle = std::ptr::null_mut();
            Err(failure)
        }
    };
    // The password is no longer needed: later conversations get an empty answer.
    open.password.fill(0);
    result.map(|()| open)
}
