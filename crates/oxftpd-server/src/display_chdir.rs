//! `DisplayChdir file [once]`: the file's lines, `%` variables expanded, ahead of the 250
//! reply to CWD/CDUP (ProFTPD's layout: `250-first`, ` next`…, `250 CWD command successful`).

use crate::messages::{Vars, expand};
use crate::session::{Ctx, LoggedIn};

/// The lines to show on entering the virtual directory `dir`; empty when there is no
/// `DisplayChdir`, the file is unreadable, or it was shown before with the once flag.
pub async fn lines(ctx: &Ctx, user: &mut LoggedIn, dir: &str) -> Vec<String> {
    let real = user.real_path(dir);
    let scope = crate::directories::scope_for(ctx, user, &real);
    let Some(d) = scope.directive("DisplayChdir") else {
        return Vec::new();
    };
    let Some(file) = d.arg(0) else {
        return Vec::new();
    };
    let once = d
        .arg(1)
        .is_some_and(|f| oxftpd_config::parse_flag(f) == Some(true));
    let vpath = user.resolve_from(dir, file);
    if once && user.chdir_shown.contains(&vpath) {
        return Vec::new();
    }
    let Some((bytes, _)) = crate::session_files::read_small(&user.fs, &vpath).await else {
        return Vec::new();
    };
    if once {
        user.chdir_shown.insert(vpath);
    }
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let vars = Vars {
        user: Some(&user.login_name),
        cwd: Some(dir),
    };
    text.lines().map(|l| expand(ctx, &vars, l)).collect()
}
