//! A person (or any non-group actor) on another server, cached in `persons`.

use crate::AppData;

use activitypub_federation::config::Data;
use activitypub_federation::traits::{Actor, Object};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use plaza_db::person::{self, PersonRow, RemotePerson};
use plaza_db::{instance, transaction};
use url::Url;

use crate::domain_of;
use crate::inbox_error::InboxError;
use crate::protocol::actor::{RemoteActor, RemoteEndpoints};
use crate::protocol::{Image, PublicKey};

/// A cached actor.
#[derive(Debug, Clone)]
pub struct ApubPerson {
    /// The stored row.
    pub row: PersonRow,
    id: Url,
}

impl ApubPerson {
    fn new(row: PersonRow) -> Result<Self, InboxError> {
        let id =
            Url::parse(&row.ap_id).map_err(|e| InboxError::Refused(format!("stored id: {e}")))?;
        Ok(Self { row, id })
    }
}

#[async_trait]
impl Object for ApubPerson {
    type DataType = AppData;
    type Kind = RemoteActor;
    type Error = InboxError;

    fn id(&self) -> &Url {
        &self.id
    }

    fn last_refreshed_at(&self) -> Option<DateTime<Utc>> {
        // Local people never need refetching.
        if self.row.local {
            return Some(Utc::now());
        }
        self.row.fetched_at.map(|at| at.and_utc())
    }

    async fn read_from_id(
        id: Url,
        data: &Data<Self::DataType>,
    ) -> Result<Option<Self>, InboxError> {
        let mut pooled = data.db.get().await?;
        person::find_by_ap_id(&mut pooled.conn(), id.as_str())
            .await?
            .map(Self::new)
            .transpose()
    }

    async fn into_json(self, _: &Data<Self::DataType>) -> Result<RemoteActor, InboxError> {
        let id = self.id.clone();
        let inbox =
            Url::parse(&self.row.inbox_url).map_err(|e| InboxError::Refused(e.to_string()))?;
        Ok(RemoteActor {
            kind: if self.row.bot { "Service" } else { "Person" }.to_owned(),
            preferred_username: self.row.name.clone(),
            name: self.row.display_name.clone(),
            summary: self.row.bio_html.clone(),
            icon: self.row.avatar_url.clone().map(Image::new),
            inbox,
            endpoints: Some(RemoteEndpoints {
                shared_inbox: self
                    .row
                    .shared_inbox_url
                    .as_deref()
                    .and_then(|u| Url::parse(u).ok()),
            }),
            public_key: PublicKey::main_key(id.as_str(), &self.row.public_key),
            followers: None,
            posting_restricted_to_mods: None,
            attributed_to: None,
            moderators: None,
            id,
        })
    }

    async fn verify(
        json: &RemoteActor,
        expected_domain: &Url,
        _: &Data<Self::DataType>,
    ) -> Result<(), InboxError> {
        super::verify_actor_document(json, expected_domain)?;
        if json.kind == "Group" {
            return Err(InboxError::Refused(
                "a group cannot act as a person here".into(),
            ));
        }
        Ok(())
    }

    async fn from_json(json: RemoteActor, data: &Data<Self::DataType>) -> Result<Self, InboxError> {
        let domain = domain_of(&json.id)
            .ok_or_else(|| InboxError::Refused("actor id has no host".into()))?;
        let sanitized_bio =
            plaza_core::markdown::sanitize_description(json.summary.as_deref()).await;
        let shared_inbox = json
            .endpoints
            .as_ref()
            .and_then(|e| e.shared_inbox.as_ref())
            .map(Url::as_str);
        let avatar = json.icon.as_ref().map(|i| i.url.as_str());
        let row = transaction!(&data.db, InboxError, |conn| {
            let host = instance::upsert(conn, &domain).await?;
            Ok(person::upsert_remote(
                conn,
                &RemotePerson {
                    ap_id: json.id.as_str(),
                    instance_id: host.id,
                    name: &json.preferred_username,
                    display_name: json.name.as_deref(),
                    bio_html: sanitized_bio.as_deref(),
                    avatar_url: avatar,
                    inbox_url: json.inbox.as_str(),
                    shared_inbox_url: shared_inbox,
                    public_key: &json.public_key.public_key_pem,
                    bot: json.kind == "Service" || json.kind == "Application",
                },
            )
            .await?)
        })?;
        Self::new(row)
    }
}

impl Actor for ApubPerson {
    fn public_key_pem(&self) -> &str {
        &self.row.public_key
    }

    fn private_key_pem(&self) -> Option<String> {
        self.row.private_key.clone()
    }

    fn inbox(&self) -> Url {
        Url::parse(&self.row.inbox_url).unwrap_or_else(|_| self.id.clone())
    }

    fn shared_inbox(&self) -> Option<Url> {
        self.row
            .shared_inbox_url
            .as_deref()
            .and_then(|u| Url::parse(u).ok())
    }
}
