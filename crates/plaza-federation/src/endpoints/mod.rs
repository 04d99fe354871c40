//! The ActivityPub documents served at each public URL.

pub mod activities;
pub mod context;
pub mod group;
pub mod instance;
pub mod objects;
pub mod person;
