//! How other servers find this one and its actors.

pub mod host_meta;
pub mod nodeinfo;
pub mod software;
pub mod webfinger;
