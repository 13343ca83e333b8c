//! Where DynamoDB calls go (region, profile, endpoint) and the SDK configuration for them, shared by
//! load runs and the admin commands.

use std::sync::Arc;
use std::time::Duration;

use aws_config::environment::EnvironmentVariableCredentialsProvider;
use aws_config::meta::credentials::CredentialsProviderChain;
use aws_config::profile::ProfileFileCredentialsProvider;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use aws_runtime::env_config::file::EnvConfigFiles;
use aws_sdk_dynamodb::config::ProvideCredentials;
use aws_types::os_shim_internal::{Env, Fs};

use crate::error::{root_cause, ConfigError, EngineError};
use crate::fastpath::credentials::{CachedProvider, CredentialCache};

/// Connection timeout: an unreachable endpoint must fail fast with a clear message.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// One attempt may take this long before it counts as a Timeout error.
pub(crate) const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Connection {
    pub region: String,
    pub profile: Option<String>,
    /// Saved (in the result JSON) without user and password.
    #[serde(serialize_with = "serialize_redacted")]
    pub endpoint_url: Option<String>,
}

/// `url` without its user and password (`http://user:secret@host` -> `http://host`): what ddbload
/// prints and saves, never the secret.
pub fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://{}", &rest[at + 1..]),
        None => url.to_owned(),
    }
}

fn serialize_redacted<S: serde::Serializer>(url: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    match url {
        Some(url) => s.serialize_some(&redacted(url)),
        None => s.serialize_none(),
    }
}

/// Whether the SDK retries on its own. Load runs retry themselves (to count every throttled attempt
/// and keep the SDK's shared retry token bucket out of the test); admin calls use the SDK's retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retries {
    Engine,
    Sdk,
}

impl Connection {
    pub fn validate(&self) -> Result<(), ConfigError> {
        let region_ok = !self.region.is_empty()
            && self
                .region
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !region_ok {
            return Err(ConfigError::new(
                "--region",
                format!("invalid value {:?}", self.region),
            ));
        }
        if let Some(url) = &self.endpoint_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() < 10 {
                return Err(ConfigError::new(
                    "--endpoint-url",
                    format!(
                        "must be an http:// or https:// URL, got {:?}",
                        redacted(url)
                    ),
                ));
            }
        }
        if let Some(profile) = &self.profile {
            if profile.trim().is_empty() {
                return Err(ConfigError::new("--profile", "must not be empty"));
            }
        }
        Ok(())
    }

    /// Where requests go, for messages.
    pub fn label(&self) -> String {
        self.endpoint_url
            .as_deref()
            .map(redacted)
            .unwrap_or_else(|| format!("dynamodb.{}.amazonaws.com", self.region))
    }

    /// Loads the AWS configuration and checks that credentials resolve. A named profile wins over
    /// environment credentials (as in the AWS CLI); otherwise the standard credential chain is used.
    pub async fn sdk_config(&self, retries: Retries) -> Result<SdkConfig, EngineError> {
        if let Some(profile) = &self.profile {
            check_profile_exists(profile).await?;
        }
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(self.region.clone()))
            .retry_config(match retries {
                Retries::Engine => RetryConfig::disabled(),
                Retries::Sdk => RetryConfig::standard(),
            })
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(CONNECT_TIMEOUT)
                    .operation_attempt_timeout(ATTEMPT_TIMEOUT)
                    .build(),
            );
        if let Some(profile) = &self.profile {
            loader = loader.profile_name(profile).credentials_provider(
                ProfileFileCredentialsProvider::builder()
                    .profile_name(profile)
                    .build(),
            );
        } else if self.endpoint_url.as_deref().is_some_and(is_loopback) {
            loader = loader.credentials_provider(offline_credentials());
        }
        if let Some(url) = &self.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        let sdk = loader.load().await;
        let chain = sdk.credentials_provider().ok_or_else(|| {
            EngineError::Credentials("no AWS credentials provider is configured".into())
        })?;
        // Every client of this config shares one cache in front of the chain: a credential_process
        // runs once per refresh, not once per request or per client.
        let cache = Arc::new(CredentialCache::new(chain));
        cache
            .identity()
            .await
            .map_err(|err| EngineError::Credentials(self.credentials_message(&err)))?;
        Ok(sdk
            .into_builder()
            .credentials_provider(SharedCredentialsProvider::new(CachedProvider(cache)))
            .build())
    }

    /// One short line: which source was tried, why it failed, and how to fix it.
    fn credentials_message(&self, err: &(dyn std::error::Error + 'static)) -> String {
        let cause = root_cause(err, 160);
        match &self.profile {
            Some(profile) => format!(
                "--profile {profile}: no usable credentials in that profile ({cause}); check it with \
                 `aws configure list --profile {profile}`"
            ),
            None => format!(
                "no AWS credentials found (tried environment variables, the default profile, SSO and \
                 the instance role: {cause}); set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, pass \
                 --profile, or run `aws configure`"
            ),
        }
    }

    pub async fn client(&self, retries: Retries) -> Result<aws_sdk_dynamodb::Client, EngineError> {
        Ok(aws_sdk_dynamodb::Client::new(
            &self.sdk_config(retries).await?,
        ))
    }
}

/// Whether `url` points at this machine (localhost, 127.0.0.0/8, ::1): an offline endpoint.
pub fn is_loopback(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = &rest[..rest.find('/').unwrap_or(rest.len())];
    let host_port = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let host = match host_port.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or(""),
        None => host_port.split(':').next().unwrap_or(""),
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Credentials for an endpoint on this machine: the environment's or the default profile's when
/// there are any, else dummy ones (an offline endpoint does not check them). Never the instance
/// metadata service, which would make every offline start wait for a network timeout.
fn offline_credentials() -> CredentialsProviderChain {
    CredentialsProviderChain::first_try(
        "Environment",
        EnvironmentVariableCredentialsProvider::new(),
    )
    .or_else("Profile", ProfileFileCredentialsProvider::builder().build())
    .or_else("Offline", OfflineCredentials)
}

/// Dummy credentials, announced once per process on stderr.
#[derive(Debug)]
struct OfflineCredentials;

impl ProvideCredentials for OfflineCredentials {
    fn provide_credentials<'a>(
        &'a self,
    ) -> aws_credential_types::provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        static ANNOUNCED: std::sync::Once = std::sync::Once::new();
        ANNOUNCED.call_once(|| {
            eprintln!(
                "ddbload: no AWS credentials are configured; using dummy ones for the local endpoint"
            );
        });
        aws_credential_types::provider::future::ProvideCredentials::ready(Ok(Credentials::new(
            "ddbload-offline",
            "ddbload-offline",
            None,
            None,
            "ddbload-offline",
        )))
    }
}

/// A misspelt --profile must not fall back to other credentials: it is refused by name.
async fn check_profile_exists(profile: &str) -> Result<(), EngineError> {
    let loaded =
        aws_config::profile::load(&Fs::real(), &Env::real(), &EnvConfigFiles::default(), None)
            .await;
    let missing = |found: String| {
        EngineError::Config(ConfigError::new(
            "--profile",
            format!("profile {profile:?} is not in ~/.aws/config or ~/.aws/credentials{found}"),
        ))
    };
    match loaded {
        Ok(set) if set.get_profile(profile).is_some() => Ok(()),
        Ok(set) => {
            let mut names: Vec<&str> = set.profiles().collect();
            names.sort_unstable();
            Err(missing(if names.is_empty() {
                String::new()
            } else {
                format!(" (profiles there: {})", names.join(", "))
            }))
        }
        Err(err) => Err(missing(format!(
            " (the files could not be read: {})",
            root_cause(&err, 120)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_endpoints_are_told_from_remote_ones() {
        for url in [
            "http://127.0.0.1:8000",
            "http://localhost:8000/",
            "http://[::1]:8000",
            "http://user:pw@127.0.0.2:1",
            "https://LOCALHOST",
        ] {
            assert!(is_loopback(url), "{url}");
        }
        for url in [
            "https://dynamodb.us-east-1.amazonaws.com",
            "http://10.0.0.1:8000",
            "http://127.0.0.1.example.com",
            "http://localhost@evil.example.com",
        ] {
            assert!(!is_loopback(url), "{url}");
        }
    }
}
