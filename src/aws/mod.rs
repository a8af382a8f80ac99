//! Live reads from AWS through the AWS SDK for Rust (cargo feature `aws`, on by default).
//!
//! Only read-only calls are made, ever: tfremedy writes Terraform for humans to review and never
//! changes AWS itself. The SDK is async; the rest of tfremedy is not, so each command that reads from
//! AWS runs its calls on one current-thread tokio runtime built here. The calls are network-bound, so
//! concurrency (several requests in flight) matters and a second core does not.
//!
//! Credentials and region come from the SDK's standard chain (environment, shared config and
//! credentials files with profiles, SSO, credential_process, container and instance roles), so
//! tfremedy behaves like the AWS CLI. Credentials are never printed: error lines carry the service's
//! error code and message only.

pub mod guardduty;
pub mod s3;
mod wire;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use std::time::Duration;

/// How to reach AWS: what the command line says, the standard chain for the rest.
#[derive(Debug, Clone, Default)]
pub struct AwsOptions {
    /// `--profile`: a named profile of the shared config files.
    pub profile: Option<String>,
    /// `--region`: overrides the chain's region.
    pub region: Option<String>,
    /// `--endpoint-url`: a VPC or FIPS endpoint, or a local test server.
    pub endpoint_url: Option<String>,
}

/// Something that stops every live read: no credentials, an unreachable endpoint, a bad option.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct AwsError(pub String);

/// The one runtime of a command's AWS calls.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, AwsError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| AwsError(format!("starting the AWS client runtime: {e}")))
}

/// Loads the shared SDK configuration. Throttling and transient errors are retried by the SDK's
/// standard policy, capped at 5 attempts so that a throttled run ends in seconds, not minutes.
pub(crate) async fn sdk_config(options: &AwsOptions) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::standard().with_max_attempts(5))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(10))
                .operation_attempt_timeout(Duration::from_secs(30))
                .build(),
        );
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &options.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(url) = &options.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    let config = loader.load().await;
    if config.region().is_some() {
        return config;
    }
    // No region anywhere in the chain: S3's bucket-location call and STS still answer from us-east-1.
    config
        .into_builder()
        .region(Region::from_static("us-east-1"))
        .build()
}

/// The account of the caller's credentials (STS GetCallerIdentity, which needs no permission).
pub fn caller_account(options: &AwsOptions) -> Result<String, AwsError> {
    runtime()?.block_on(async {
        let config = sdk_config(options).await;
        let sts = aws_sdk_sts::Client::new(&config);
        let out = sts.get_caller_identity().send().await.map_err(|e| {
            error_line("sts:GetCallerIdentity", &e).into_error("sts:GetCallerIdentity")
        })?;
        let account = out.account().unwrap_or_default().to_string();
        crate::validate::account_id(&account)
            .map_err(|e| AwsError(format!("sts:GetCallerIdentity: {e}")))?;
        Ok(account)
    })
}

/// Checks `--endpoint-url` before anything is read: an absolute http(s) URL without credentials in it.
pub fn check_endpoint_url(url: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| format!("expected an http:// or https:// URL, found {url:?}"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.is_empty() {
        return Err(format!("expected a host after the scheme, found {url:?}"));
    }
    if authority.contains('@') {
        return Err("the URL must not carry credentials (user:password@)".to_string());
    }
    Ok(())
}

/// One clear line for a failed call: what was asked, and why it failed, in the words of the service
/// when it answered (its error code and message), else the transport's. Never the request's headers.
pub(crate) fn error_line<E, R>(call: &str, err: &SdkError<E, R>) -> ErrorKind
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    let chain = chain_text(err);
    match err {
        SdkError::ServiceError(service) => {
            let e = service.err();
            let code = e.code().unwrap_or("Unknown");
            let message = e.message().unwrap_or_default();
            let line = match code {
                "AccessDenied" | "AccessDeniedException" | "AllAccessDisabled" => {
                    format!("access denied ({code}: {message}); the caller needs read permission for it")
                }
                "ExpiredToken" | "ExpiredTokenException" | "InvalidClientTokenId"
                | "UnrecognizedClientException" | "InvalidAccessKeyId" | "SignatureDoesNotMatch" => {
                    return ErrorKind::Fatal(AwsError(format!(
                        "{call}: the AWS credentials were rejected ({code}): refresh them (aws sso login, or new keys) and run again"
                    )))
                }
                _ if message.is_empty() => code.to_string(),
                _ => format!("{code}: {message}"),
            };
            ErrorKind::Call(line)
        }
        _ if chain.contains("credentials") || chain.contains("no providers in chain") => {
            ErrorKind::Fatal(AwsError(format!(
                "{call}: no AWS credentials: the standard chain (environment, profile, SSO, credential_process, \
                 container or instance role) found none; set AWS_PROFILE or run aws sso login"
            )))
        }
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => ErrorKind::Fatal(AwsError(format!(
            "{call}: could not reach AWS: {chain}"
        ))),
        _ => ErrorKind::Fatal(AwsError(format!("{call}: {chain}"))),
    }
}

/// How bad a failed call is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ErrorKind {
    /// This call failed (access denied to one bucket, say); the others may still work. The message
    /// does not repeat the call's name.
    Call(String),
    /// Every call would fail the same way (no credentials, no network): stop.
    Fatal(AwsError),
}

impl ErrorKind {
    /// Either kind as one line that names the call, for calls whose failure stops the run.
    pub(crate) fn into_error(self, call: &str) -> AwsError {
        match self {
            ErrorKind::Call(line) => AwsError(format!("{call}: {line}")),
            ErrorKind::Fatal(e) => e,
        }
    }
}

/// The error and its causes on one line, as `a: b: c`.
fn chain_text(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p == &text) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_urls_are_checked() {
        assert!(check_endpoint_url("http://127.0.0.1:5000").is_ok());
        assert!(check_endpoint_url("https://s3.us-east-1.amazonaws.com/").is_ok());
        assert!(check_endpoint_url("ftp://x").is_err());
        assert!(check_endpoint_url("https://").is_err());
        assert!(check_endpoint_url("https://key:secret@host").is_err());
    }
}
