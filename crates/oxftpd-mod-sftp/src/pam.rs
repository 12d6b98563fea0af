//! mod_sftp_pam.c: SSH keyboard-interactive logins through the PAM stack. With
//! `SFTPPAMEngine on`, the prompts of the service `SFTPPAMServiceName` (`sshd` by default)
//! go to the client as keyboard-interactive requests and its answers back to PAM; when
//! `pam_authenticate` and `pam_acct_mgmt` succeed, the user is logged in as for a public
//! key (looked up through `AuthOrder`, then `<Limit LOGIN>`, `DefaultRoot`, …). The module
//! is also a name for `AuthOrder` (`mod_sftp_pam.c* mod_auth_unix.c`, as ProFTPD's docs
//! write it) that answers no password check of its own.

use std::sync::mpsc;
use std::time::Duration;

use oxftpd_auth::pam_conv::{self, Interactive, Prompt};
use oxftpd_auth::{AuthError, AuthProvider, Flow, Identity, UnixProvider};
use oxftpd_config::{Args, Contexts, DirectiveSpec, Merged, ModuleSpec, Server};
use oxftpd_server::StartError;
use oxftpd_server::context::Shared;
use oxftpd_server::module::Module;

/// mod_sftp_pam.c.
pub static MODULE: Module = Module {
    spec: &SPEC,
    auth: Some(provider),
    ..Module::DEFAULT
};

static SPEC: ModuleSpec = ModuleSpec {
    name: "mod_sftp_pam.c",
    directives: &[
        DirectiveSpec::new(
            "SFTPPAMEngine",
            Contexts::SERVERS,
            Args::flag(),
            false,
            "keyboard-interactive logins through PAM",
        ),
        DirectiveSpec::new(
            "SFTPPAMOptions",
            Contexts::SERVERS,
            Args::at_least(1).checked(check_options),
            false,
            "NoTTY (no PAM_TTY), NoInfoMsgs (PAM's information messages are not shown to the client)",
        ),
        DirectiveSpec::new(
            "SFTPPAMServiceName",
            Contexts::SERVERS,
            Args::exact(1),
            false,
            "the PAM service (sshd by default)",
        ),
    ],
};

fn check_options(args: &[String]) -> Result<(), String> {
    for a in args {
        if !["NoTTY", "NoInfoMsgs", "NoRadioMsgs"]
            .iter()
            .any(|o| o.eq_ignore_ascii_case(a))
        {
            return Err(format!(
                "SFTPPAMOption '{a}' is not supported (NoTTY, NoInfoMsgs, NoRadioMsgs)"
            ));
        }
    }
    Ok(())
}

/// mod_sftp_pam's settings of one server.
#[derive(Debug, Clone)]
pub struct PamSettings {
    /// `SFTPPAMServiceName`.
    pub service: String,
    /// `SFTPPAMOptions NoTTY`.
    pub no_tty: bool,
    /// `SFTPPAMOptions NoInfoMsgs`.
    pub no_info: bool,
}

impl PamSettings {
    /// The settings where `SFTPPAMEngine on`, else `None`.
    pub fn read(m: &Merged<'_>) -> Option<PamSettings> {
        if !m.flag("SFTPPAMEngine").unwrap_or(false) {
            return None;
        }
        let options = m.args("SFTPPAMOptions").unwrap_or_default();
        let has = |o: &str| options.iter().any(|w| w.eq_ignore_ascii_case(o));
        Some(PamSettings {
            service: m
                .arg("SFTPPAMServiceName", 0)
                .unwrap_or_else(|| "sshd".to_string()),
            no_tty: has("NoTTY"),
            no_info: has("NoInfoMsgs"),
        })
    }
}

/// One step of a conversation, as the SSH side sees it.
#[derive(Debug)]
pub enum Step {
    /// Questions for the client, with the information text to show above them.
    Ask {
        /// `PAM_TEXT_INFO` and `PAM_ERROR_MSG` texts.
        instructions: String,
        /// The prompts, and whether each answer may echo.
        prompts: Vec<(String, bool)>,
    },
    /// PAM has decided.
    Done(Result<(), String>),
}

/// A PAM transaction under way on the daemon's privileged pool.
pub struct Conversation {
    answers: mpsc::SyncSender<Vec<String>>,
    steps: tokio::sync::mpsc::UnboundedReceiver<Step>,
}

impl Conversation {
    /// Starts the transaction for `user`; the client has `limit` to answer each batch.
    pub fn start(
        shared: &std::sync::Arc<Shared>,
        settings: &PamSettings,
        user: &str,
        rhost: String,
        limit: Duration,
    ) -> Conversation {
        let (answers_tx, answers_rx) = mpsc::sync_channel::<Vec<String>>(1);
        let (steps_tx, steps_rx) = tokio::sync::mpsc::unbounded_channel();
        let service = settings.service.clone();
        let no_info = settings.no_info;
        let tty = (!settings.no_tty).then(|| format!("/dev/sftpd{}", std::process::id()));
        let user = user.to_string();
        let done_tx = steps_tx.clone();
        let shared = shared.clone();
        let work = move || {
            let req = Interactive {
                service: &service,
                user: &user,
                tty,
                rhost: Some(rhost),
            };
            let mut info = String::new();
            let mut ask = |batch: &[Prompt]| -> pam_conv::Answers {
                let mut prompts = Vec::new();
                for p in batch {
                    match p {
                        Prompt::Ask { text, echo } => prompts.push((text.clone(), *echo)),
                        Prompt::Info(t) | Prompt::Error(t) if !no_info => {
                            info.push_str(t);
                            info.push('\n');
                        }
                        _ => {}
                    }
                }
                if prompts.is_empty() {
                    // Messages only: shown with the next questions.
                    return Some(vec![String::new(); batch.len()]);
                }
                let asked = prompts.len();
                let instructions = std::mem::take(&mut info);
                steps_tx
                    .send(Step::Ask {
                        instructions,
                        prompts,
                    })
                    .ok()?;
                let given = answers_rx.recv_timeout(limit).ok()?;
                if given.len() != asked {
                    return None;
                }
                // One answer per message: the questions' in order, empty for the others.
                let mut given = given.into_iter();
                Some(
                    batch
                        .iter()
                        .map(|p| match p {
                            Prompt::Ask { .. } => given.next().unwrap_or_default(),
                            _ => String::new(),
                        })
                        .collect(),
                )
            };
            pam_conv::authenticate(&req, &mut ask)
        };
        tokio::spawn(async move {
            let result = match shared.pool.run(&shared.daemon_cred, work).await {
                Ok(r) => r,
                Err(e) => Err(format!("PAM could not run: {e}")),
            };
            let _ = done_tx.send(Step::Done(result));
        });
        Conversation {
            answers: answers_tx,
            steps: steps_rx,
        }
    }

    /// The next step (questions, or the decision).
    pub async fn next(&mut self) -> Step {
        self.steps
            .recv()
            .await
            .unwrap_or_else(|| Step::Done(Err("the PAM conversation ended".to_string())))
    }

    /// The client's answers to the last questions.
    pub fn answer(&self, answers: Vec<String>) {
        let _ = self.answers.try_send(answers);
    }
}

/// mod_sftp_pam.c in `AuthOrder`: checks no password itself (its keyboard-interactive
/// logins are decided by PAM and vouched for); a PAM user is a system user, so look-ups
/// are the system's (as mod_auth_pam.c's), which lets it stand first and authoritative
/// (`mod_sftp_pam.c* mod_auth_unix.c`, as ProFTPD's docs write it).
struct PassOn(UnixProvider);

impl AuthProvider for PassOn {
    fn module(&self) -> &'static str {
        "mod_sftp_pam.c"
    }
    fn authenticate(&self, _user: &str, _password: &str) -> Flow<Identity> {
        Flow::Continue
    }
    fn lookup(&self, user: &str) -> Flow<Identity> {
        self.0.lookup(user)
    }
    fn user_name(&self, uid: u32) -> Option<String> {
        self.0.user_name(uid)
    }
    fn group_name(&self, gid: u32) -> Option<String> {
        self.0.group_name(gid)
    }
    fn group_id(&self, name: &str) -> Option<u32> {
        self.0.group_id(name)
    }
    fn user_id(&self, name: &str) -> Option<u32> {
        self.0.user_id(name)
    }
}

fn provider(_server: &Server) -> Result<Option<Box<dyn AuthProvider>>, StartError> {
    Ok(Some(Box::new(PassOn(UnixProvider::new()))))
}

/// The error a refused PAM conversation counts as (a wrong password).
pub fn refused() -> AuthError {
    AuthError::BadPassword
}
