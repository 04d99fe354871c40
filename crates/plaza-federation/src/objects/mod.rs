//! Remote things as the federation library handles them: fetched, verified and cached.

pub mod actor;
pub mod content;
pub mod group;
pub mod person;
