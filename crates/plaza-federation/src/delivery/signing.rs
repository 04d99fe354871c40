//! Glue for the federation library's signer: a stored activity (raw JSON) and the local actor
//! that signs it, as the types `SendActivityTask::prepare` asks for. Neither is ever received or
//! fetched, so those trait methods refuse.

use crate::AppData;

use activitypub_federation::config::Data;
use activitypub_federation::error::Error as LibError;
use activitypub_federation::traits::{Activity, Actor, Object};
use async_trait::async_trait;
use plaza_core::Context;
use serde::Serialize;
use url::Url;

/// An activity as stored in the queue: its JSON body, with the id and actor it carries.
#[derive(Debug, Serialize)]
pub struct StoredActivity {
    #[serde(skip)]
    id: Url,
    #[serde(skip)]
    actor: Url,
    #[serde(flatten)]
    body: serde_json::Map<String, serde_json::Value>,
}

impl StoredActivity {
    /// Parses a stored body; its `id` and `actor` must match what the queue recorded.
    pub fn parse(id: &str, actor: &str, body: &str) -> Result<Self, String> {
        let id = Url::parse(id).map_err(|e| format!("activity id: {e}"))?;
        let actor = Url::parse(actor).map_err(|e| format!("actor id: {e}"))?;
        let body: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(body).map_err(|e| format!("stored activity: {e}"))?;
        Ok(Self { id, actor, body })
    }

    /// Its id and actor only, for the library's checks before sending: the body is sent as
    /// stored, so building it as a map only to serialize it again would be wasted. The body must
    /// still be JSON.
    pub fn checked(id: &str, actor: &str, body: &str) -> Result<Self, String> {
        let id = Url::parse(id).map_err(|e| format!("activity id: {e}"))?;
        let actor = Url::parse(actor).map_err(|e| format!("actor id: {e}"))?;
        serde_json::from_str::<serde::de::IgnoredAny>(body)
            .map_err(|e| format!("stored activity: {e}"))?;
        Ok(Self {
            id,
            actor,
            body: serde_json::Map::new(),
        })
    }
}

#[async_trait]
impl Activity for StoredActivity {
    type DataType = AppData;
    type Error = LibError;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        &self.actor
    }

    async fn verify(&self, _: &Data<Self::DataType>) -> Result<(), LibError> {
        Err(LibError::Other(
            "a stored outgoing activity is never received".into(),
        ))
    }

    async fn receive(self, _: &Data<Self::DataType>) -> Result<(), LibError> {
        Err(LibError::Other(
            "a stored outgoing activity is never received".into(),
        ))
    }
}

/// A local actor's id and private key.
#[derive(Clone)]
pub struct Signer {
    id: Url,
    private_key_pem: String,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// A signer for an actor id and its PEM private key.
    pub fn new(id: &str, private_key_pem: String) -> Result<Self, String> {
        Ok(Self {
            id: Url::parse(id).map_err(|e| format!("actor id: {e}"))?,
            private_key_pem,
        })
    }

    /// The PEM private key.
    pub fn private_key(&self) -> &str {
        &self.private_key_pem
    }

    /// The key in the form the worker signs with.
    pub async fn signing_key(&self) -> Result<super::http::SigningKey, String> {
        super::http::SigningKey::parse(self.id.clone(), self.private_key_pem.clone()).await
    }

    /// The instance actor, which signs fetches.
    pub fn instance(ctx: &Context) -> Result<Self, String> {
        Self::new(
            &ctx.urls.instance_actor(),
            ctx.instance_keys().private_pem.clone(),
        )
    }
}

#[async_trait]
impl Object for Signer {
    type DataType = AppData;
    type Kind = ();
    type Error = LibError;

    fn id(&self) -> &Url {
        &self.id
    }

    async fn read_from_id(_: Url, _: &Data<Self::DataType>) -> Result<Option<Self>, LibError> {
        Ok(None)
    }

    async fn into_json(self, _: &Data<Self::DataType>) -> Result<(), LibError> {
        Ok(())
    }

    async fn verify(_: &(), _: &Url, _: &Data<Self::DataType>) -> Result<(), LibError> {
        Err(LibError::Other("a signer is never fetched".into()))
    }

    async fn from_json(_: (), _: &Data<Self::DataType>) -> Result<Self, LibError> {
        Err(LibError::Other("a signer is never fetched".into()))
    }
}

impl Actor for Signer {
    fn public_key_pem(&self) -> &str {
        ""
    }

    fn private_key_pem(&self) -> Option<String> {
        Some(self.private_key_pem.clone())
    }

    fn inbox(&self) -> Url {
        self.id.clone()
    }
}
