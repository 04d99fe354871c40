//! The JSON API over real HTTP, against a whole instance with its own database.

mod accounts;
mod bad_input;
mod comments;
mod groups;
mod openapi;
mod outbox;
mod threads;
mod votes;
