//! `DirFakeUser`, `DirFakeGroup` and `DirFakeMode`: the owner, group and mode listings
//! (LIST, STAT, MLSD, MLST) show instead of the real ones, as mod_ls and mod_facts do.
//!
//! Where each is looked up follows ProFTPD 1.3.8 (observed): MLSD and MLST take all three from
//! the listed directory (or the object's own) context; LIST takes the owner and group from the
//! session's current directory and the mode from each entry's own context; STAT of a
//! directory takes the owner and group from that directory.

use std::sync::Arc;

use oxftpd_storage::{Kind, Metadata};

use crate::session::{Ctx, LoggedIn};

/// One faked id: the name shown and, when the name is known, its id.
#[derive(Clone, Debug)]
pub(crate) struct FakeId {
    /// The name listings show.
    pub name: Arc<str>,
    /// Its id (MLSD's `UNIX.owner`/`UNIX.group`); `None` keeps the real one.
    pub id: Option<u32>,
}

/// What listings of one directory fake; all `None` when nothing is configured.
#[derive(Clone, Debug, Default)]
pub(crate) struct Fake {
    pub user: Option<FakeId>,
    pub group: Option<FakeId>,
    pub mode: Option<u32>,
}

impl Fake {
    /// The `DirFake*` settings in force for the directory `vpath`; `~` names the logged-in
    /// user (or their primary group).
    pub(crate) fn for_dir(ctx: &Ctx, user: &LoggedIn, vpath: &str) -> Fake {
        let cfg = crate::access::directories::cfg_for(ctx, user, vpath);
        let auth = &ctx.server.auth;
        let id = &user.identity;
        let fake_user = cfg.ls.fake_user.as_deref().map(|n| {
            if n == "~" {
                FakeId {
                    name: Arc::from(id.name.as_str()),
                    id: Some(id.uid),
                }
            } else {
                FakeId {
                    name: Arc::from(n),
                    id: auth.user_id(n),
                }
            }
        });
        let fake_group = cfg.ls.fake_group.as_deref().map(|n| {
            if n == "~" {
                let name = auth
                    .group_name(id.gid)
                    .unwrap_or_else(|| Arc::from(id.gid.to_string().as_str()));
                FakeId {
                    name,
                    id: Some(id.gid),
                }
            } else {
                FakeId {
                    name: Arc::from(n),
                    id: auth.group_id(n),
                }
            }
        });
        Fake {
            user: fake_user,
            group: fake_group,
            mode: cfg.ls.fake_mode,
        }
    }

    /// The owner and group only (LIST and STAT look the mode up per entry).
    pub(crate) fn without_mode(self) -> Fake {
        Fake { mode: None, ..self }
    }

    /// Whether anything is faked.
    pub(crate) fn is_set(&self) -> bool {
        self.user.is_some() || self.group.is_some() || self.mode.is_some()
    }

    /// An entry's attributes as a listing shows them. LIST (`list_line`) gives a directory
    /// the search bit wherever the faked mode lets read; MLSD and MLST show the mode as
    /// written, and (as mod_facts, which overwrites the whole `st_mode`) with no type bits
    /// left to say "directory", so a directory gets a `size` fact.
    pub(crate) fn apply(&self, meta: &Metadata, list_line: bool) -> Metadata {
        let mut m = meta.clone();
        if let Some(id) = self.user.as_ref().and_then(|u| u.id) {
            m.uid = id;
        }
        if let Some(id) = self.group.as_ref().and_then(|g| g.id) {
            m.gid = id;
        }
        if let Some(mode) = self.mode {
            m.mode = if list_line { mode } else { mode | 0o100000 };
            if list_line && meta.kind == Kind::Dir {
                for (r, x) in [(0o400, 0o100), (0o040, 0o010), (0o004, 0o001)] {
                    if mode & r != 0 {
                        m.mode |= x;
                    }
                }
            }
        }
        m
    }
}

/// Whether the configuration or a `.ftpaccess` file the session has read sets `DirFakeMode`
/// anywhere: when not, a listing skips [`entry_mode`] (a scope lookup per entry).
pub(crate) fn may_fake_mode(ctx: &Ctx, user: &LoggedIn) -> bool {
    ctx.server.config().mentions_anywhere(&["DirFakeMode"])
        || user.ftpaccess.mentions("DirFakeMode")
}

/// The `DirFakeMode` in force for the entry `name` of directory `dir` (virtual path), merged
/// uncached so that a listing does not push the session's directories out of its cache.
pub(crate) fn entry_mode(ctx: &Ctx, user: &LoggedIn, dir: &str, name: &str) -> Option<u32> {
    let vpath = user.resolve_from(dir, name);
    let scope = crate::access::directories::scope_for(ctx, user, &user.real_path(&vpath));
    oxftpd_config::modules::mod_ls::View::read(&oxftpd_config::Merged::of(&scope)).fake_mode
}
