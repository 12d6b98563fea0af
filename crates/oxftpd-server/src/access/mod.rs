//! Access control: `<Limit>` evaluation, address and group patterns, `<Directory>` matching.

pub mod address;
pub mod directories;
pub mod groups;
pub mod limit;
