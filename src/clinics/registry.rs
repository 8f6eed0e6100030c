//! The in-memory view of all clinics that the connect path reads without touching the database.
//! A background task reloads it when the database's registry generation changes, so a clinic
//! added or renamed by the CLI (another process) is served within about a second.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use crate::store::{Store, StoreError};
use crate::tenancy::{
    ApiKeyInfo, NewApiKey, OrgId, Organization, Slug, UnknownSlugPolicy, hash_api_key,
    looks_like_api_key,
};

#[derive(Debug, Default)]
pub struct Snapshot {
    pub generation: i64,
    by_slug: HashMap<Slug, Arc<Organization>>,
    by_id: HashMap<OrgId, Arc<Organization>>,
    default: Option<Arc<Organization>>,
    default_is_explicit: bool,
}

impl Snapshot {
    pub fn orgs(&self) -> impl Iterator<Item = &Arc<Organization>> {
        self.by_id.values()
    }

    pub fn org(&self, id: OrgId) -> Option<&Arc<Organization>> {
        self.by_id.get(&id)
    }
}

/// How a WebSocket path resolved.
#[derive(Debug, Clone)]
pub enum Resolution {
    Org {
        org: Arc<Organization>,
        /// The call id from the path, if the path carried one.
        call_id: Option<String>,
        /// The slug the path named, or `None` when the default org was used.
        slug: Option<String>,
    },
    UnknownSlug {
        slug: String,
        call_id: Option<String>,
    },
    /// No clinic exists (or none is default) to serve a path without a slug.
    NoDefault { call_id: Option<String> },
    /// More segments than any URL form has.
    BadPath,
}

pub struct OrgRegistry {
    store: Store,
    aliases: BTreeMap<Slug, OrgId>,
    policy: UnknownSlugPolicy,
    current: RwLock<Arc<Snapshot>>,
}

impl OrgRegistry {
    pub async fn load(
        store: Store,
        aliases: BTreeMap<Slug, OrgId>,
        policy: UnknownSlugPolicy,
    ) -> Result<Arc<Self>, StoreError> {
        let registry = Arc::new(Self {
            store,
            aliases,
            policy,
            current: RwLock::new(Arc::new(Snapshot {
                generation: i64::MIN,
                ..Snapshot::default()
            })),
        });
        registry.refresh().await?;
        let snapshot = registry.snapshot();
        for (alias, id) in &registry.aliases {
            if !snapshot.by_id.contains_key(id) {
                tracing::warn!(%alias, org_id = %id, "slug map entry points at no clinic in the database");
            }
        }
        Ok(registry)
    }

    pub fn snapshot(&self) -> Arc<Snapshot> {
        match self.current.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    pub fn policy(&self) -> UnknownSlugPolicy {
        self.policy
    }

    pub fn default_org(&self) -> Option<(Arc<Organization>, bool)> {
        let snapshot = self.snapshot();
        snapshot
            .default
            .clone()
            .map(|org| (org, snapshot.default_is_explicit))
    }

    /// Reloads when the database generation moved; returns whether it did.
    pub async fn refresh(&self) -> Result<bool, StoreError> {
        let generation = self.store.registry_generation().await?;
        if generation == self.snapshot().generation {
            return Ok(false);
        }
        let orgs = self.store.list_orgs().await?;
        let explicit_default = self.store.default_org_id().await?;
        let mut by_slug = HashMap::with_capacity(orgs.len());
        let mut by_id = HashMap::with_capacity(orgs.len());
        // Oldest first, so the fallback default is the oldest clinic.
        let oldest = orgs.first().map(|o| o.id);
        for org in orgs {
            let org = Arc::new(org);
            by_slug.insert(org.slug.clone(), Arc::clone(&org));
            by_id.insert(org.id, org);
        }
        let default_id = explicit_default
            .filter(|id| by_id.contains_key(id))
            .or(oldest);
        let snapshot = Snapshot {
            generation,
            default: default_id.and_then(|id| by_id.get(&id).cloned()),
            default_is_explicit: explicit_default.is_some_and(|id| Some(id) == default_id),
            by_slug,
            by_id,
        };
        match self.current.write() {
            Ok(mut guard) => *guard = Arc::new(snapshot),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(snapshot),
        }
        Ok(true)
    }

    /// Reloads as soon as another instance (or the CLI) says the clinics changed, on
    /// PostgreSQL; ends at once on SQLite, where the poll alone serves.
    pub fn spawn_listener(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let weak = Arc::downgrade(self);
        let store = self.store.clone();
        tokio::spawn(async move {
            let mut changes = match store.registry_changes().await {
                Ok(changes) if changes.is_live() => changes,
                Ok(_) => return,
                Err(err) => {
                    tracing::warn!(error = %err, "cannot listen for clinic changes; polling only");
                    return;
                }
            };
            loop {
                if let Err(err) = changes.next().await {
                    tracing::warn!(error = %err, "listening for clinic changes failed; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
                let Some(registry) = weak.upgrade() else {
                    return;
                };
                match registry.refresh().await {
                    Ok(true) => tracing::info!(
                        generation = registry.snapshot().generation,
                        "reloaded clinic registry (notified)"
                    ),
                    Ok(false) => {}
                    Err(err) => tracing::warn!(error = %err, "could not refresh clinic registry"),
                }
            }
        })
    }

    /// Polls for changes until the registry is dropped everywhere else.
    pub fn spawn_refresher(self: &Arc<Self>, every: Duration) -> tokio::task::JoinHandle<()> {
        let weak = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(every);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticker.tick().await;
                let Some(registry) = weak.upgrade() else {
                    return;
                };
                let refreshed = registry.refresh().await;
                if !matches!(refreshed, Ok(false)) {
                    crate::telemetry::metrics::registry_reload(refreshed.is_ok());
                }
                match refreshed {
                    Ok(true) => tracing::info!(
                        generation = registry.snapshot().generation,
                        "reloaded clinic registry"
                    ),
                    Ok(false) => {}
                    Err(err) => tracing::warn!(error = %err, "could not refresh clinic registry"),
                }
            }
        })
    }

    /// A clinic by slug from the database, or from the compatibility slug map.
    /// The clinic a Booking API key belongs to; `None` for a key that is malformed, unknown
    /// or revoked. Only the key's hash is looked up.
    pub async fn by_api_key(&self, key: &str) -> Result<Option<Organization>, StoreError> {
        if !looks_like_api_key(key) {
            return Ok(None);
        }
        self.store.org_for_api_key(&hash_api_key(key)).await
    }

    /// A new Booking API key for the clinic; its secret is in the result and nowhere else.
    pub async fn create_api_key(
        &self,
        org: OrgId,
        label: Option<String>,
    ) -> Result<NewApiKey, StoreError> {
        let key = NewApiKey::generate(label);
        self.store.insert_api_key(org, &key).await?;
        Ok(key)
    }

    pub async fn api_keys(&self, org: OrgId) -> Result<Vec<ApiKeyInfo>, StoreError> {
        self.store.api_keys(org).await
    }

    /// Revokes the clinic's live key with this prefix (effective at once: keys are looked up
    /// per request); false when it has none.
    pub async fn revoke_api_key(&self, org: OrgId, prefix: &str) -> Result<bool, StoreError> {
        self.store.revoke_api_key(org, prefix).await
    }

    pub fn by_slug(&self, raw: &str) -> Option<Arc<Organization>> {
        let slug = Slug::parse(raw).ok()?;
        let snapshot = self.snapshot();
        if let Some(org) = snapshot.by_slug.get(&slug) {
            return Some(Arc::clone(org));
        }
        let id = self.aliases.get(&slug)?;
        snapshot.by_id.get(id).cloned()
    }

    /// The one resolution rule for `/llm-websocket[/{a}[/{b}]]` (empty segments already removed).
    pub fn resolve(&self, segments: &[&str]) -> Resolution {
        let default = |call_id: Option<String>| match self.snapshot().default.clone() {
            Some(org) => Resolution::Org {
                org,
                call_id,
                slug: None,
            },
            None => Resolution::NoDefault { call_id },
        };
        match segments {
            [] => default(None),
            [only] => match self.by_slug(only) {
                Some(org) => Resolution::Org {
                    org,
                    call_id: None,
                    slug: Some((*only).to_owned()),
                },
                None => default(Some((*only).to_owned())),
            },
            [slug, call_id] => match self.by_slug(slug) {
                Some(org) => Resolution::Org {
                    org,
                    call_id: Some((*call_id).to_owned()),
                    slug: Some((*slug).to_owned()),
                },
                None if self.policy == UnknownSlugPolicy::Default => {
                    tracing::warn!(
                        "Unknown org slug '{}': serving the default org (unknown_slug = \"default\")",
                        slug
                    );
                    default(Some((*call_id).to_owned()))
                }
                None => Resolution::UnknownSlug {
                    slug: (*slug).to_owned(),
                    call_id: Some((*call_id).to_owned()),
                },
            },
            _ => Resolution::BadPath,
        }
    }
}
