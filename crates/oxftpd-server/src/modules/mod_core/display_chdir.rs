//! `DisplayChdir file [once]`: the file's lines, `%` variables expanded, ahead of the 250
//! reply to CWD/CDUP (ProFTPD's layout: `250-first`, ` next`…, `250 CWD command successful`).

use crate::messages::{Vars, expand};
use crate::session::{Ctx, LoggedIn};

/// The lines to show on entering the virtual directory `dir`; empty when there is no
/// `DisplayChdir`, the file is unreadable, or it was shown before with the once flag.
pub async fn lines(ctx: &Ctx, user: &mut LoggedIn, dir: &str) -> Vec<String> {
    let cfg = crate::access::directories::cfg_for(ctx, user, dir);
    let Some((file, once)) = &cfg.core.display_chdir else {
        return Vec::new();
    };
    let once = *once;
    let vpath = user.resolve_from(dir, file);
    if once && user.chdir_shown.contains(&vpath) {
        return Vec::new();
    }
    let Some((bytes, free_kb)) = read_with_free_space(&user.fs, &vpath).await else {
        return Vec::new();
    };
    if once {
        user.chdir_shown.insert(vpath);
    }
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let vars = Vars {
        user: Some(&user.login_name),
        cwd: Some(dir),
        free_kb,
    };
    text.lines().map(|l| expand(ctx, &vars, l)).collect()
}

/// The display file's first [`MAX_SMALL_FILE`](crate::session_files::MAX_SMALL_FILE) bytes
/// and the KiB free on its file system, read under the session's credentials.
async fn read_with_free_space(fs: &oxftpd_storage::Fs, vpath: &str) -> Option<(Vec<u8>, u64)> {
    use std::io::Read;
    let (file, _) = fs.open_read(vpath, 0).await.ok()?;
    fs.pool()
        .run(fs.credentials(), move || {
            let free =
                rustix::fs::fstatvfs(&file).map_or(0, |st| crate::messages::kb_available(&st));
            let mut buf = Vec::new();
            file.take(crate::session_files::MAX_SMALL_FILE)
                .read_to_end(&mut buf)
                .map(|_| (buf, free))
        })
        .await
        .ok()?
        .ok()
}
