//! Access control: `<Limit>` evaluation, address and group patterns, `<Directory>` matching.

pub mod address;
pub mod class;
pub mod conditions;
pub mod directories;
pub mod ftpaccess;
pub mod groups;
pub mod hiding;
pub mod limit;
