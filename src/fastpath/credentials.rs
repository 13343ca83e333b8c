//! Credentials for a run: the SDK's provider chain behind one cache that every engine thread's
//! clients share (the SDK path through `CachedProvider`, the fast path directly), refreshed before they
//! expire, never waited on for more than CREDENTIALS_TIMEOUT, refused when they arrive expired.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant, SystemTime};

use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{future, ProvideCredentials, SharedCredentialsProvider};
use aws_credential_types::Credentials;
use aws_smithy_runtime_api::client::identity::Identity;

/// Refresh this long before expiry: the SDK's lazy cache uses the same margin.
const REFRESH_BEFORE_EXPIRY: Duration = Duration::from_secs(10);
/// Credentials that arrive already inside the margin are kept this long before the provider is asked
/// again: a helper that always hands out short-lived credentials must not run once per request.
const MIN_REFRESH_INTERVAL: Duration = Duration::from_secs(5);
/// A provider (a credential_process, SSO, the instance role) that does not answer within this long
/// is an error, not a hang.
pub const CREDENTIALS_TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Debug)]
pub struct CredentialCache {
    provider: SharedCredentialsProvider,
    /// The identity and when it was fetched.
    current: RwLock<Option<(Identity, Instant)>>,
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
        let credentials = provide_in_time(&self.provider).await?;
        let identity: Identity = credentials.into();
        *self.current.write().unwrap_or_else(|e| e.into_inner()) =
            Some((identity.clone(), Instant::now()));
        Ok(identity)
    }

    fn fresh(&self) -> Option<Identity> {
        let current = self.current.read().unwrap_or_else(|e| e.into_inner());
        let (identity, fetched) = current.as_ref()?;
        let now = SystemTime::now();
        match identity.expiration() {
            Some(expiry) if expiry <= now => None,
            Some(expiry)
                if expiry <= now + REFRESH_BEFORE_EXPIRY
                    && fetched.elapsed() >= MIN_REFRESH_INTERVAL =>
            {
                None
            }
            _ => Some(identity.clone()),
        }
    }
}

/// The cache in front of a provider, as a provider: the SDK path's clients ask it for every request
/// (the SDK's own cache treats credentials inside its 10 s margin as expired), and it asks the chain
/// only as often as the cache does.
#[derive(Debug)]
pub struct CachedProvider(pub Arc<CredentialCache>);

impl ProvideCredentials for CachedProvider {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async move {
            let identity = self.0.identity().await?;
            identity.data::<Credentials>().cloned().ok_or_else(|| {
                CredentialsError::unhandled("the cached identity holds no AWS credentials")
            })
        })
    }
}

/// Credentials from `provider` within CREDENTIALS_TIMEOUT, refused when they have already expired.
pub async fn provide_in_time(
    provider: &SharedCredentialsProvider,
) -> Result<aws_credential_types::Credentials, CredentialsError> {
    let credentials = tokio::time::timeout(CREDENTIALS_TIMEOUT, provider.provide_credentials())
        .await
        .map_err(|_| CredentialsError::provider_timed_out(CREDENTIALS_TIMEOUT))??;
    if let Some(expiry) = credentials.expiry() {
        if expiry <= SystemTime::now() {
            let at = expiry
                .duration_since(SystemTime::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            return Err(CredentialsError::invalid_configuration(format!(
                "the credentials provided expired at {at} (seconds since 1970): renew them"
            )));
        }
    }
    Ok(credentials)
}
