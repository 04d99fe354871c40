//! Whoever signs an incoming activity: a person, or a group announcing to its followers.

use crate::AppData;

use activitypub_federation::config::Data;
use activitypub_federation::traits::{Actor, Object};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use url::Url;

use crate::inbox_error::InboxError;
use crate::objects::group::ApubGroup;
use crate::objects::person::ApubPerson;
use crate::protocol::actor::RemoteActor;

/// A person or a group.
#[derive(Debug, Clone)]
pub enum ApubActor {
    /// Anyone but a group.
    Person(ApubPerson),
    /// A group.
    Group(ApubGroup),
}

#[async_trait]
impl Object for ApubActor {
    type DataType = AppData;
    type Kind = RemoteActor;
    type Error = InboxError;

    fn id(&self) -> &Url {
        match self {
            ApubActor::Person(p) => p.id(),
            ApubActor::Group(g) => g.id(),
        }
    }

    fn last_refreshed_at(&self) -> Option<DateTime<Utc>> {
        match self {
            ApubActor::Person(p) => p.last_refreshed_at(),
            ApubActor::Group(g) => g.last_refreshed_at(),
        }
    }

    async fn read_from_id(
        id: Url,
        data: &Data<Self::DataType>,
    ) -> Result<Option<Self>, InboxError> {
        if let Some(person) = ApubPerson::read_from_id(id.clone(), data).await? {
            return Ok(Some(ApubActor::Person(person)));
        }
        Ok(ApubGroup::read_from_id(id, data)
            .await?
            .map(ApubActor::Group))
    }

    async fn into_json(self, data: &Data<Self::DataType>) -> Result<RemoteActor, InboxError> {
        match self {
            ApubActor::Person(p) => p.into_json(data).await,
            ApubActor::Group(g) => g.into_json(data).await,
        }
    }

    async fn verify(
        json: &RemoteActor,
        expected_domain: &Url,
        data: &Data<Self::DataType>,
    ) -> Result<(), InboxError> {
        if json.kind == "Group" {
            ApubGroup::verify(json, expected_domain, data).await
        } else {
            ApubPerson::verify(json, expected_domain, data).await
        }
    }

    async fn from_json(json: RemoteActor, data: &Data<Self::DataType>) -> Result<Self, InboxError> {
        if json.kind == "Group" {
            Ok(ApubActor::Group(ApubGroup::from_json(json, data).await?))
        } else {
            Ok(ApubActor::Person(ApubPerson::from_json(json, data).await?))
        }
    }
}

impl Actor for ApubActor {
    fn public_key_pem(&self) -> &str {
        match self {
            ApubActor::Person(p) => p.public_key_pem(),
            ApubActor::Group(g) => g.public_key_pem(),
        }
    }

    fn private_key_pem(&self) -> Option<String> {
        match self {
            ApubActor::Person(p) => p.private_key_pem(),
            ApubActor::Group(g) => g.private_key_pem(),
        }
    }

    fn inbox(&self) -> Url {
        match self {
            ApubActor::Person(p) => p.inbox(),
            ApubActor::Group(g) => g.inbox(),
        }
    }

    fn shared_inbox(&self) -> Option<Url> {
        match self {
            ApubActor::Person(p) => p.shared_inbox(),
            ApubActor::Group(g) => g.shared_inbox(),
        }
    }
}
