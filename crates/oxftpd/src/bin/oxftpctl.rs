//! `oxftpctl`: administer oxftpd. Subcommands: `passwd` (edit `AuthUserFile`/
//! `AuthGroupFile` files, as ProFTPD's `ftpasswd`), `cert` (a self-signed certificate and key
//! for testing FTPS locally), `hostkey` (an Ed25519 SSH host key for `SFTPHostKey`),
//! `reload` (SIGHUP) and `restart` (SIGUSR2: start the installed
//! binary with the listening sockets, keep running sessions); over the control socket
//! (`oxftpd::ctl`): `who`, `count`, `top`, `kick`, `shut`; and `check` (as `oxftpd -t`).

// This file calls libc (or other C APIs): unsafe code is allowed here only, each block
// with a SAFETY comment saying why it is sound.
#![allow(unsafe_code)]

use std::io::BufRead;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};
use oxftpd_auth::crypt::{self, HashScheme};
use oxftpd_auth::entries::{GroupEntry, PasswdEntry};
use oxftpd_auth::passwd_file::{Change, GroupFile, PasswdFile};
use oxftpd_auth::shells;

const PROGRAM: &str = "oxftpctl";
/// `ftpasswd`'s default output files, relative to the current directory.
const DEFAULT_PASSWD_FILE: &str = "./ftpd.passwd";
const DEFAULT_GROUP_FILE: &str = "./ftpd.group";

/// Control and administer oxftpd.
#[derive(Debug, Parser)]
#[command(name = "oxftpctl", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create, change or delete entries in AuthUserFile/AuthGroupFile files (as ftpasswd).
    Passwd(PasswdArgs),
    /// Re-read the configuration (SIGHUP to the daemon named by the PidFile).
    Reload(SignalArgs),
    /// Start the installed binary with the listening sockets; running sessions finish in
    /// the old process (SIGUSR2 to the daemon named by the PidFile).
    Restart(SignalArgs),
    /// Create a self-signed certificate and private key (PEM) for testing FTPS.
    Cert(CertArgs),
    /// Who is connected, per vhost (over the control socket).
    Who(oxftpd::ctl::who::WhoArgs),
    /// Sessions per vhost and per <Class> (over the control socket).
    Count(oxftpd::ctl::count::CountArgs),
    /// A live view of the sessions, like ftptop (over the control socket).
    Top(oxftpd::ctl::top::TopArgs),
    /// End the sessions of a user, an address or a <Class> (over the control socket).
    Kick(oxftpd::ctl::kick::KickArgs),
    /// Refuse logins to one vhost or all from a time on, as ftpshut (over the control socket).
    Shut(oxftpd::ctl::shut::ShutArgs),
    /// Check a configuration as `oxftpd -t` does.
    Check(oxftpd::ctl::check::CheckArgs),
    /// Create an Ed25519 SSH host key (OpenSSH format) for SFTPHostKey.
    Hostkey(HostkeyArgs),
    /// Print a man page (oxftpd.8, oxftpctl.8, oxftpd.conf.5) in roff, for packaging.
    #[command(hide = true)]
    Man {
        /// Which page.
        #[arg(value_parser = oxftpd::man::PAGES)]
        page: String,
    },
}

/// `oxftpctl hostkey`: where to write the key.
#[derive(Debug, Args)]
struct HostkeyArgs {
    /// Private key file to write (mode 0600; the public key goes to FILE.pub).
    #[arg(long, default_value = "./oxftpd_host_ed25519_key")]
    key: PathBuf,
    /// Replace existing files.
    #[arg(long)]
    force: bool,
}

/// `oxftpctl cert`: output files and the names the certificate is valid for.
#[derive(Debug, Args)]
struct CertArgs {
    /// Certificate file to write (TLSRSACertificateFile / TLSECCertificateFile).
    #[arg(long, default_value = "./oxftpd.crt")]
    cert: PathBuf,
    /// Private key file to write (mode 0600).
    #[arg(long, default_value = "./oxftpd.key")]
    key: PathBuf,
    /// Host names (and IP addresses) the certificate names.
    #[arg(long = "name", default_values_t = vec!["localhost".to_string(), "127.0.0.1".to_string()])]
    names: Vec<String>,
    /// Replace existing files.
    #[arg(long)]
    force: bool,
}

/// Which daemon to signal.
#[derive(Debug, Args)]
struct SignalArgs {
    /// The daemon's PidFile (default: the configuration's PidFile, else /run/oxftpd.pid).
    #[arg(long, value_name = "FILE")]
    pid_file: Option<PathBuf>,
    /// The daemon's configuration, to find its PidFile.
    #[arg(short = 'c', long = "config", value_name = "FILE")]
    config: Option<PathBuf>,
}

/// The PidFile to read: `--pid-file`, the configuration's `PidFile`, or ProFTPD's default.
fn pid_file_of(args: &SignalArgs) -> Result<PathBuf> {
    if let Some(p) = &args.pid_file {
        return Ok(p.clone());
    }
    let system = PathBuf::from(oxftpd::daemon::SYSTEM_CONFIG);
    let config = args
        .config
        .clone()
        .or_else(|| system.exists().then_some(system));
    if let Some(conf) = &config {
        let config = oxftpd_server::parse_config(conf, &[])
            .map_err(|e| anyhow::anyhow!("{}: {e}", conf.display()))?;
        if let Some(p) = oxftpd_config::modules::mod_core::Daemon::of(&config).pid_file {
            return Ok(PathBuf::from(p));
        }
    }
    Ok(oxftpd::daemon::default_pid_file())
}

/// Sends `sig` to the pid in the PidFile.
fn send(args: &SignalArgs, sig: rustix::process::Signal, what: &str) -> Result<()> {
    let path = pid_file_of(args)?;
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("reading PidFile {}", path.display()))?;
    let pid: i32 = text
        .trim()
        .parse()
        .with_context(|| format!("PidFile {} holds no pid", path.display()))?;
    let Some(pid) = rustix::process::Pid::from_raw(pid) else {
        bail!("PidFile {} holds pid 0", path.display());
    };
    rustix::process::kill_process(pid, sig)
        .with_context(|| format!("signalling pid {}", pid.as_raw_nonzero()))?;
    println!(
        "{PROGRAM}: {what} requested of pid {}",
        pid.as_raw_nonzero()
    );
    Ok(())
}

/// Password hash scheme for new passwords.
#[derive(Debug, Clone, Copy, Default, ValueEnum)]
enum HashArg {
    /// SHA-512 crypt (`$6$`).
    #[default]
    Sha512,
    /// yescrypt (`$y$`).
    Yescrypt,
}

impl From<HashArg> for HashScheme {
    fn from(h: HashArg) -> Self {
        match h {
            HashArg::Sha512 => HashScheme::Sha512,
            HashArg::Yescrypt => HashScheme::Yescrypt,
        }
    }
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("mode").required(true).args(["passwd", "group"])))]
struct PasswdArgs {
    /// Edit a passwd(5)-format AuthUserFile (default file ./ftpd.passwd).
    #[arg(long)]
    passwd: bool,
    /// Edit a group(5)-format AuthGroupFile (default file ./ftpd.group).
    #[arg(long)]
    group: bool,
    /// User or group name.
    #[arg(long)]
    name: String,
    /// File to edit instead of the default.
    #[arg(long)]
    file: Option<PathBuf>,
    /// Numeric user id.
    #[arg(long, conflicts_with = "group")]
    uid: Option<u32>,
    /// Numeric group id (for --passwd, defaults to --uid).
    #[arg(long)]
    gid: Option<u32>,
    /// Home directory (absolute).
    #[arg(long, conflicts_with = "group")]
    home: Option<String>,
    /// Login shell (only checked by RequireValidShell; /bin/false is usual).
    #[arg(long, conflicts_with = "group")]
    shell: Option<String>,
    /// Description of the user.
    #[arg(long, conflicts_with = "group")]
    gecos: Option<String>,
    /// Read the password from one line of standard input instead of the terminal.
    #[arg(long)]
    stdin: bool,
    /// Hash scheme for the new password.
    #[arg(long, value_enum, default_value_t = HashArg::Sha512, conflicts_with = "group")]
    hash: HashArg,
    /// Delete the user.
    #[arg(long, conflicts_with = "group")]
    delete_user: bool,
    /// Disable the user's password (prefix '!').
    #[arg(short = 'l', long, conflicts_with_all = ["group", "unlock", "delete_user"])]
    lock: bool,
    /// Re-enable a locked password.
    #[arg(short = 'u', long, conflicts_with_all = ["group", "delete_user"])]
    unlock: bool,
    /// Change only the password of an existing user.
    #[arg(long, conflicts_with = "group")]
    change_password: bool,
    /// Group member (repeatable); replaces the member list.
    #[arg(short = 'm', long, conflicts_with = "passwd")]
    member: Vec<String>,
    /// Add one member to an existing group.
    #[arg(long, conflicts_with = "passwd")]
    add_member: Option<String>,
    /// Remove one member from a group.
    #[arg(long, conflicts_with = "passwd")]
    delete_member: Option<String>,
    /// Delete the group.
    #[arg(long, conflicts_with = "passwd")]
    delete_group: bool,
}

fn main() {
    oxftpd::modules::install();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Passwd(args) => passwd(&args),
        Command::Reload(args) => send(&args, rustix::process::Signal::HUP, "reload"),
        Command::Restart(args) => send(&args, rustix::process::Signal::USR2, "restart"),
        Command::Cert(args) => cert(&args),
        Command::Hostkey(args) => hostkey(&args),
        Command::Who(args) => oxftpd::ctl::who::run(&args),
        Command::Count(args) => oxftpd::ctl::count::run(&args),
        Command::Top(args) => oxftpd::ctl::top::run(&args),
        Command::Kick(args) => oxftpd::ctl::kick::run(&args),
        Command::Shut(args) => oxftpd::ctl::shut::run(&args),
        Command::Man { page } => {
            print!("{}", man_page(&page));
            Ok(())
        }
        Command::Check(args) => match oxftpd::ctl::check::run(&args) {
            Ok(true) => Ok(()),
            Ok(false) => std::process::exit(1),
            Err(e) => Err(e),
        },
    };
    if let Err(e) = result {
        eprintln!("{PROGRAM}: {e:#}");
        std::process::exit(1);
    }
}

/// One of the man pages.
fn man_page(page: &str) -> String {
    use clap::CommandFactory;
    match page {
        "oxftpctl.8" => oxftpd::man::program_page(
            &Cli::command(),
            8,
            "\\fBoxftpd\\fR(8), \\fBoxftpd.conf\\fR(5), \\fBftpasswd\\fR(8), \\fBftpdctl\\fR(8), \\fBftpwho\\fR(1)",
        ),
        "oxftpd.conf.5" => oxftpd::man::config_page(),
        _ => oxftpd::man::oxftpd_page(),
    }
}

fn cert(args: &CertArgs) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let generated = rcgen::generate_simple_self_signed(args.names.clone())
        .context("generating the certificate")?;
    let write = |path: &Path, text: &str, mode: u32| -> Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .create_new(!args.force)
            .mode(mode)
            .open(path)
            .map_err(|e| {
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    anyhow::anyhow!(
                        "{} already exists; use --force to replace it",
                        path.display()
                    )
                } else {
                    anyhow::Error::new(e).context(path.display().to_string())
                }
            })?;
        f.write_all(text.as_bytes())
            .with_context(|| format!("{}", path.display()))
    };
    write(&args.key, &generated.key_pair.serialize_pem(), 0o600)?;
    write(&args.cert, &generated.cert.pem(), 0o644)?;
    println!(
        "{PROGRAM}: wrote {} and {} (self-signed, for testing only)",
        args.cert.display(),
        args.key.display()
    );
    println!(
        "  TLSEngine on\n  TLSECCertificateFile {}\n  TLSECCertificateKeyFile {}",
        args.cert.display(),
        args.key.display()
    );
    Ok(())
}

fn passwd(args: &PasswdArgs) -> Result<()> {
    if args.passwd {
        passwd_mode(args)
    } else {
        group_mode(args)
    }
}

fn report(change: Change) {
    match change {
        Change::Created => println!("{PROGRAM}: entry created"),
        Change::Updated => println!("{PROGRAM}: entry updated"),
    }
}

fn passwd_mode(args: &PasswdArgs) -> Result<()> {
    let path = args
        .file
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_PASSWD_FILE));
    let mut file = PasswdFile::load(&path)?;
    let name = args.name.as_str();

    if args.delete_user {
        file.remove_user(name)?;
        file.save()?;
        println!("{PROGRAM}: entry deleted");
        return Ok(());
    }
    if args.lock || args.unlock {
        if args.lock {
            file.lock_user(name)?;
        } else {
            file.unlock_user(name)?;
        }
        file.save()?;
        report(Change::Updated);
        return Ok(());
    }
    if args.change_password {
        if file.user(name)?.is_none() {
            bail!("no such user {name} in {}", path.display());
        }
        let hash = new_hash(args)?;
        file.set_hash(name, &hash)?;
        file.save()?;
        report(Change::Updated);
        return Ok(());
    }

    let Some(uid) = args.uid else {
        bail!("--passwd: missing required argument: --uid");
    };
    let Some(home) = &args.home else {
        bail!("--passwd: missing required argument: --home");
    };
    let Some(shell) = &args.shell else {
        bail!("--passwd: missing required argument: --shell");
    };
    let gid = args.gid.unwrap_or_else(|| {
        eprintln!("{PROGRAM}: --passwd: missing --gid argument: default gid set to uid");
        uid
    });
    let home = normalize_home(home)?;
    if !Path::new(&home).is_dir() {
        eprintln!("{PROGRAM}: warning: --home {home} is not an existing directory");
    }
    if !shells::valid_shell(shell, Path::new(shells::DEFAULT_SHELLS_FILE)) {
        eprintln!(
            "{PROGRAM}: {shell} is not among the valid system shells; \"RequireValidShell off\" may be required"
        );
    }
    let hash = new_hash(args)?;
    let change = file.set_user(&PasswdEntry {
        name: name.to_owned(),
        hash,
        uid,
        gid,
        gecos: args.gecos.clone().unwrap_or_default(),
        home,
        shell: shell.clone(),
    })?;
    file.save()?;
    report(change);
    Ok(())
}

/// An absolute home without a trailing slash (as ftpasswd stores it).
fn normalize_home(home: &str) -> Result<String> {
    if !home.starts_with('/') {
        bail!("relative path given for home directory: {home}");
    }
    let trimmed = home.trim_end_matches('/');
    Ok(if trimmed.is_empty() { "/" } else { trimmed }.to_owned())
}

fn group_mode(args: &PasswdArgs) -> Result<()> {
    let path = args
        .file
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_GROUP_FILE));
    let mut file = GroupFile::load(&path)?;
    let name = args.name.as_str();

    if args.delete_group {
        file.remove_group(name)?;
        file.save()?;
        println!("{PROGRAM}: entry deleted");
        return Ok(());
    }
    let existing = file.group(name)?;
    let gid = match (args.gid, &existing) {
        (Some(gid), _) => gid,
        (None, Some(g)) if args.add_member.is_some() || args.delete_member.is_some() => g.gid,
        _ => bail!("--group: missing required argument: --gid"),
    };
    let mut members = if args.member.is_empty() {
        existing
            .as_ref()
            .map(|g| g.members.clone())
            .unwrap_or_default()
    } else {
        args.member.clone()
    };
    if let Some(m) = &args.delete_member {
        members.retain(|x| x != m);
    }
    if let Some(m) = &args.add_member {
        members.push(m.clone());
    }
    let mut unique: Vec<String> = Vec::with_capacity(members.len());
    for m in members {
        if !unique.contains(&m) {
            unique.push(m);
        }
    }
    let change = file.set_group(&GroupEntry {
        name: name.to_owned(),
        password: existing.map(|g| g.password).unwrap_or_else(|| "x".into()),
        gid,
        members: unique,
    })?;
    file.save()?;
    report(change);
    Ok(())
}

fn new_hash(args: &PasswdArgs) -> Result<String> {
    let password = if args.stdin {
        read_stdin_line()?
    } else {
        prompt_twice()?
    };
    Ok(crypt::hash_password(&password, args.hash.into())?)
}

fn read_stdin_line() -> Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading password from stdin")?;
    Ok(strip_line_end(line))
}

fn strip_line_end(mut s: String) -> String {
    while s.ends_with('\n') || s.ends_with('\r') {
        s.pop();
    }
    s
}

/// Asks twice on the terminal, echo off; up to three tries to type the same.
fn prompt_twice() -> Result<String> {
    for _ in 0..3 {
        let first = tty::read_password("Password: ")?;
        let second = tty::read_password("Re-type password: ")?;
        if first == second {
            return Ok(first);
        }
        eprintln!("Passwords do not match.  Please try again.");
    }
    bail!("passwords did not match")
}

/// Reading a line from the controlling terminal without echo.
mod tty {
    use std::fs::{File, OpenOptions};
    use std::io::{BufRead, BufReader, Write};
    use std::os::fd::AsRawFd;

    use anyhow::{Context, Result};

    /// Restores the terminal's settings when dropped.
    struct EchoOff<'a> {
        tty: &'a File,
        saved: libc::termios,
    }

    impl<'a> EchoOff<'a> {
        fn new(tty: &'a File) -> Result<Self> {
            let fd = tty.as_raw_fd();
            let mut saved = std::mem::MaybeUninit::<libc::termios>::zeroed();
            // SAFETY: fd is an open terminal; saved is a valid termios buffer.
            if unsafe { libc::tcgetattr(fd, saved.as_mut_ptr()) } != 0 {
                return Err(std::io::Error::last_os_error()).context("tcgetattr /dev/tty");
            }
            // SAFETY: tcgetattr succeeded and filled it.
            let saved = unsafe { saved.assume_init() };
            let mut quiet = saved;
            quiet.c_lflag &= !libc::ECHO;
            quiet.c_lflag |= libc::ECHONL;
            // SAFETY: fd is open; quiet is a valid termios.
            if unsafe { libc::tcsetattr(fd, libc::TCSAFLUSH, &quiet) } != 0 {
                return Err(std::io::Error::last_os_error()).context("tcsetattr /dev/tty");
            }
            Ok(EchoOff { tty, saved })
        }
    }

    impl Drop for EchoOff<'_> {
        fn drop(&mut self) {
            // SAFETY: the fd is still open (borrowed); saved came from tcgetattr.
            unsafe { libc::tcsetattr(self.tty.as_raw_fd(), libc::TCSAFLUSH, &self.saved) };
        }
    }

    pub(super) fn read_password(prompt: &str) -> Result<String> {
        let tty = OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/tty")
            .context("unable to open /dev/tty (use --stdin)")?;
        (&tty).write_all(prompt.as_bytes())?;
        (&tty).flush()?;
        let _echo_off = EchoOff::new(&tty)?;
        let mut line = String::new();
        BufReader::new(&tty).read_line(&mut line)?;
        Ok(super::strip_line_end(line))
    }
}

/// Writes `text` to `path` with `mode`, refusing to replace a file unless `force`.
fn write_new(path: &Path, text: &str, mode: u32, force: bool) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .create_new(!force)
        .mode(mode)
        .open(path)
        .with_context(|| format!("{}", path.display()))?;
    f.write_all(text.as_bytes())
        .with_context(|| format!("{}", path.display()))
}

#[cfg(feature = "mod_sftp")]
fn hostkey(args: &HostkeyArgs) -> Result<()> {
    let mut seed = [0u8; 32];
    // SAFETY: getrandom(2) writes at most `seed.len()` bytes into the buffer it is given.
    let n = unsafe { libc::getrandom(seed.as_mut_ptr().cast(), seed.len(), 0) };
    if usize::try_from(n).ok() != Some(seed.len()) {
        bail!("getrandom: {}", std::io::Error::last_os_error());
    }
    let (private, public) = oxftpd_mod_sftp::hostkey::ed25519(&seed, "oxftpd host key")
        .map_err(|e| anyhow::anyhow!(e))?;
    write_new(&args.key, &private, 0o600, args.force)?;
    let pub_path = PathBuf::from(format!("{}.pub", args.key.display()));
    write_new(&pub_path, &format!("{public}\n"), 0o644, args.force)?;
    println!(
        "{PROGRAM}: wrote {} and {}",
        args.key.display(),
        pub_path.display()
    );
    println!("  SFTPEngine on\n  SFTPHostKey {}", args.key.display());
    Ok(())
}

#[cfg(not(feature = "mod_sftp"))]
fn hostkey(_: &HostkeyArgs) -> Result<()> {
    bail!("this build has no mod_sftp (cargo feature mod_sftp)")
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn home_is_normalized() {
        assert_eq!(normalize_home("/srv/ftp/").unwrap(), "/srv/ftp");
        assert_eq!(normalize_home("/").unwrap(), "/");
        assert!(normalize_home("srv").is_err());
    }

    #[test]
    fn line_ends_are_stripped() {
        assert_eq!(strip_line_end("pw \r\n".into()), "pw ");
        assert_eq!(strip_line_end("pw".into()), "pw");
    }
}
