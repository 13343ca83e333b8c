//! Credentials for the fast path: the SDK's provider chain, cached once for every engine thread and
//! refreshed before they expire (as the SDK's own lazy identity cache does).

use std::sync::RwLock;
use std::time::{Duration, SystemTime};

use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_smithy_runtime_api::client::identity::Identity;

/// Refresh this long before expiry: the SDK's lazy cache uses the same margin.
const REFRESH_BEFORE_EXPIRY: Duration = Duration::from_secs(10);

pub struct CredentialCache {
    provider: SharedCredentialsProvider,
    current: RwLock<Option<Identity>>,
    /// One refresh at a time: other workers, on any thread, wait for it instead of each calling the
    /// provider (a credential_process or the instance role would otherwise be asked once per thread).
    refreshing: tokio::sync::Mutex<()>,
}

impl CredentialCache {
    pub fn new(provider: SharedCredentialsProvider) -> Self {
        Self {
            provider,
            current: RwLock::new(None),
            refreshing: tokio::sync::Mutex::new(()),
        }
    }

    /// Credentials valid for at least the refresh margin, from the cache or the provider.
    pub async fn identity(&self) -> Result<Identity, CredentialsError> {
        if let Some(identity) = self.fresh() {
            return Ok(identity);
        }
        let _only_one = self.refreshing.lock().await;
        if let Some(identity) = self.fresh() {
            return Ok(identity);
        }
        let credentials = self.provider.provide_credentials().await?;
        let identity: Identity = credentials.into();
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Some(identity.clone());
        Ok(identity)
    }

    fn fresh(&self) -> Option<Identity> {
        let current = self.current.read().unwrap_or_else(|e| e.into_inner());
        let identity = current.as_ref()?;
        match identity.expiration() {
            Some(expiry) if expiry <= SystemTime::now() + REFRESH_BEFORE_EXPIRY => None,
            _ => Some(identity.clone()),
        }
    }
}
