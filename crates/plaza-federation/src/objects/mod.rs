//! Remote things as the federation library handles them: fetched, verified and cached.

pub mod content;
pub mod person;
