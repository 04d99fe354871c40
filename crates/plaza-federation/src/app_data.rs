//! What the federation library hands to every handler and object of an instance: the instance
//! itself, and what belongs to its federation configuration rather than to the core (the
//! outgoing HTTP client, the inbox's limits). Two configurations of one instance (in and out of
//! development mode, as tests build them) each have their own.

use std::ops::Deref;
use std::sync::Arc;

use plaza_core::Context;

use crate::deadline::InboxLimits;
use crate::outgoing::Outgoing;

/// The federation library's app data.
#[derive(Clone)]
pub struct AppData {
    /// The instance.
    pub ctx: Arc<Context>,
    /// The client every outgoing request goes through.
    pub outgoing: Outgoing,
    /// How long one inbox request may work, and what happens after.
    pub inbox: InboxLimits,
}

impl Deref for AppData {
    type Target = Context;

    fn deref(&self) -> &Context {
        &self.ctx
    }
}
