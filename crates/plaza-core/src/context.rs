//! Everything an operation needs: storage, URLs and settings. No globals, so several instances
//! can live in one process (the federation tests rely on it).

use std::sync::Arc;
use std::time::Duration;

use plaza_db::{DbPool, instance, person, site};

use crate::keys::KeyPair;
use crate::{CoreError, CoreResult, Heartbeat, Metrics, Urls, Wakeup, keys};

/// Settings the core reads.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The site name given to a new instance.
    pub instance_name: String,
    /// How long an API token stays valid.
    pub token_lifetime: Duration,
    /// Where uploaded pictures are kept, and what is accepted.
    pub media: crate::media::MediaSettings,
    /// Where mail goes out; `None` sends no mail.
    pub mail: Option<crate::mail::MailSettings>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            instance_name: "Plaza".to_owned(),
            token_lifetime: Duration::from_secs(30 * 24 * 3600),
            media: crate::media::MediaSettings::default(),
            mail: None,
        }
    }
}

/// The shared state of one Plaza instance.
#[derive(Clone)]
pub struct Context {
    /// Storage.
    pub db: DbPool,
    /// Public URLs.
    pub urls: Urls,
    /// Settings.
    pub settings: Settings,
    /// Wakes the background tasks when there is work (shared by clones).
    pub wakeup: Wakeup,
    /// The delivery worker's heartbeat, for readiness (shared by clones).
    pub heartbeat: Heartbeat,
    /// Counters and gauges for Prometheus (shared by clones).
    pub metrics: Arc<Metrics>,
    /// Where uploaded pictures are written and read (a bucket's client is shared by clones).
    pub media_store: crate::media::Store,
    local_instance_id: i64,
    instance_keys: KeyPair,
}

impl Context {
    /// Opens the instance: creates the site row on first start and refuses a database that
    /// belongs to another domain (every stored id would point at the wrong host).
    pub async fn open(db: DbPool, urls: Urls, settings: Settings) -> CoreResult<Self> {
        let media_store = crate::media::Store::open(&settings.media.store)?;
        let mut pooled = db.get().await?;
        let conn = &mut pooled.conn();
        let row = match site::get(conn).await? {
            Some(existing) if existing.domain != urls.domain() => {
                return Err(CoreError::Config(format!(
                    "this database belongs to {}, but the public URL says {}: ActivityPub ids cannot change domain, so use the original public URL or a new database",
                    existing.domain,
                    urls.domain()
                )));
            }
            Some(existing) => existing,
            None => site::create(conn, urls.domain(), &settings.instance_name).await?,
        };
        let instance_keys = match (row.public_key, row.private_key) {
            (Some(public_pem), Some(private_pem)) => KeyPair {
                public_pem,
                private_pem,
            },
            _ => {
                let pair = keys::generate().await?;
                let stored = site::set_keys_once(conn, &pair.public_pem, &pair.private_pem).await?;
                match (stored.public_key, stored.private_key) {
                    (Some(public_pem), Some(private_pem)) => KeyPair {
                        public_pem,
                        private_pem,
                    },
                    _ => return Err(CoreError::Internal("instance key not stored".into())),
                }
            }
        };
        // The domain matches; so must the scheme: http and https ids are different ids.
        if let Some(existing) = person::any_local_ap_id(conn).await?
            && !existing.starts_with(urls.base().as_str())
        {
            return Err(CoreError::Config(format!(
                "this database's ids start like {existing}, but the public URL is {}: keep the original scheme",
                urls.base()
            )));
        }
        let local = instance::upsert(conn, urls.domain()).await?;
        drop(pooled);
        Ok(Self {
            db,
            urls,
            settings,
            wakeup: Wakeup::default(),
            heartbeat: Heartbeat::default(),
            metrics: Arc::new(Metrics::default()),
            media_store,
            local_instance_id: local.id,
            instance_keys,
        })
    }

    /// The instance actor's key pair (it signs outgoing fetches).
    pub fn instance_keys(&self) -> &KeyPair {
        &self.instance_keys
    }

    /// The `instances` row of this instance.
    pub fn local_instance_id(&self) -> i64 {
        self.local_instance_id
    }
}
