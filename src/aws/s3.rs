//! `--from-aws`: a bucket's current configuration read live with read-only S3 calls (GetBucketLocation,
//! GetBucketPolicy, GetBucketEncryption, GetPublicAccessBlock, GetBucketLogging, GetBucketVersioning,
//! GetBucketOwnershipControls), into the same [`BucketState`] the inventory files give.
//!
//! "Not configured" answers (NoSuchBucketPolicy and its kin) are facts, and become `None`; any other
//! failure of a call leaves the whole bucket out, reported, so the plan falls back to its fail-safe
//! for a bucket whose state is unknown instead of trusting half of it.

use super::{error_line, AwsError, AwsOptions, ErrorKind};
use crate::error::InputError;
use crate::inventory::{self, BucketState, Ctx, EncryptionState, LiveTarget, SOURCE_AWS_API};
use crate::model::BlockPublicAccess;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::Client;
use std::collections::BTreeMap;

/// Buckets read at once: enough to hide latency, few enough not to be throttled.
const IN_FLIGHT: usize = 16;

/// Reads every target's configuration. Per-bucket failures are returned as errors (file `s3://NAME`,
/// path the call); a failure that would hit every call (no credentials, endpoint unreachable) stops
/// the read with an [`AwsError`]. The result is sorted by bucket name.
pub fn read_buckets(
    targets: &[LiveTarget],
    options: &AwsOptions,
) -> Result<(Vec<BucketState>, Vec<InputError>), AwsError> {
    if targets.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    super::runtime()?.block_on(read_all(targets, options))
}

async fn read_all(
    targets: &[LiveTarget],
    options: &AwsOptions,
) -> Result<(Vec<BucketState>, Vec<InputError>), AwsError> {
    let config = super::sdk_config(options).await;
    // GetBucketLocation answers from any region; the other calls must go to the bucket's own region
    // (S3 answers a 301 otherwise), so one client per region is built once the locations are known.
    let home = client(&config, options, None);
    let mut states = BTreeMap::new();
    let mut errors = Vec::new();
    for chunk in targets.chunks(IN_FLIGHT) {
        let mut set = tokio::task::JoinSet::new();
        for (i, target) in chunk.iter().enumerate() {
            let home = home.clone();
            let config = config.clone();
            let options = options.clone();
            let target = target.clone();
            set.spawn(async move { (i, read_one(&home, &config, &options, &target).await) });
        }
        let mut results = Vec::new();
        while let Some(joined) = set.join_next().await {
            results.push(joined.map_err(|e| AwsError(format!("an S3 read task failed: {e}")))?);
        }
        // Tasks finish in any order; errors are reported in input order.
        results.sort_by_key(|(i, _)| *i);
        for (_, result) in results {
            match result {
                Ok(state) => {
                    states.insert(state.name.clone(), state);
                }
                Err(Failure::Bucket(e)) => errors.push(e),
                Err(Failure::Fatal(e)) => return Err(e),
            }
        }
    }
    Ok((states.into_values().collect(), errors))
}

fn client(config: &aws_config::SdkConfig, options: &AwsOptions, region: Option<&str>) -> Client {
    let mut builder = aws_sdk_s3::config::Builder::from(config);
    if let Some(region) = region {
        builder = builder.region(aws_sdk_s3::config::Region::new(region.to_string()));
    }
    if options.endpoint_url.is_some() {
        // Local and private endpoints rarely resolve bucket subdomains.
        builder = builder.force_path_style(true);
    }
    Client::from_conf(builder.build())
}

enum Failure {
    Bucket(InputError),
    Fatal(AwsError),
}

/// Turns a failed call into a [`Failure`], or `Ok(None)` when its code means "not configured".
fn failed<E, R>(
    bucket: &str,
    call: &str,
    not_configured: &[&str],
    err: SdkError<E, R>,
) -> Result<Option<std::convert::Infallible>, Failure>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    if let Some(code) = err.code() {
        if not_configured.contains(&code) {
            return Ok(None);
        }
        if code == "NoSuchBucket" {
            return Err(Failure::Bucket(InputError::new(
                format!("s3://{bucket}"),
                None,
                call,
                "the bucket does not exist (NoSuchBucket)",
            )));
        }
    }
    match error_line(call, &err) {
        ErrorKind::Call(line) => Err(Failure::Bucket(InputError::new(
            format!("s3://{bucket}"),
            None,
            call,
            format!("{line}; the bucket is left out, so its state stays unknown"),
        ))),
        ErrorKind::Fatal(e) => Err(Failure::Fatal(e)),
    }
}

/// Sends one read of `bucket` (with its expected owner); `None` when S3 answers with one of the
/// "not configured" codes, a [`Failure`] (returned early) for any other error.
macro_rules! get {
    ($client:expr, $method:ident, $bucket:expr, $owner:expr, $name:literal, [$($code:literal),*]) => {
        match $client.$method().bucket($bucket).set_expected_bucket_owner($owner.clone()).send().await {
            Ok(out) => Some(out),
            Err(err) => match failed($bucket, $name, &[$($code),*], err)? {
                None => None,
                Some(never) => match never {},
            },
        }
    };
}

/// [`get!`] as an async block, for the calls that run concurrently.
macro_rules! get_async {
    ($client:expr, $method:ident, $bucket:expr, $owner:expr, $name:literal, [$($code:literal),*]) => {
        async { Ok::<_, Failure>(get!($client, $method, $bucket, $owner, $name, [$($code),*])) }
    };
}

async fn read_one(
    home: &Client,
    config: &aws_config::SdkConfig,
    options: &AwsOptions,
    target: &LiveTarget,
) -> Result<BucketState, Failure> {
    let bucket = target.bucket.as_str();
    let owner = target.account_id.clone();
    let location = get!(
        home,
        get_bucket_location,
        bucket,
        owner,
        "GetBucketLocation",
        []
    );
    let region = region_of(
        location
            .as_ref()
            .and_then(|l| l.location_constraint())
            .map(|c| c.as_str()),
    );
    let ctx = Ctx {
        file: format!("s3://{bucket}"),
        line: None,
    };
    inventory::check(
        crate::validate::region(&region),
        "GetBucketLocation.LocationConstraint",
        &ctx,
    )
    .map_err(Failure::Bucket)?;
    let s3 = client(config, options, Some(&region));
    let (policy, encryption, pab, logging, versioning, ownership) = tokio::join!(
        get_async!(
            s3,
            get_bucket_policy,
            bucket,
            owner,
            "GetBucketPolicy",
            ["NoSuchBucketPolicy"]
        ),
        get_async!(
            s3,
            get_bucket_encryption,
            bucket,
            owner,
            "GetBucketEncryption",
            ["ServerSideEncryptionConfigurationNotFoundError"]
        ),
        get_async!(
            s3,
            get_public_access_block,
            bucket,
            owner,
            "GetPublicAccessBlock",
            ["NoSuchPublicAccessBlockConfiguration"]
        ),
        get_async!(
            s3,
            get_bucket_logging,
            bucket,
            owner,
            "GetBucketLogging",
            []
        ),
        get_async!(
            s3,
            get_bucket_versioning,
            bucket,
            owner,
            "GetBucketVersioning",
            []
        ),
        get_async!(
            s3,
            get_bucket_ownership_controls,
            bucket,
            owner,
            "GetBucketOwnershipControls",
            ["OwnershipControlsNotFoundError"]
        ),
    );
    let (policy, encryption, pab, logging, versioning, ownership) = (
        policy?,
        encryption?,
        pab?,
        logging?,
        versioning?,
        ownership?,
    );

    let mut state = BucketState::empty(bucket.to_string(), SOURCE_AWS_API);
    state.account_id = target.account_id.clone();
    state.region = Some(region);
    let bad = Failure::Bucket;
    if let Some(text) = policy.as_ref().and_then(|p| p.policy()) {
        let value = serde_json::Value::String(text.to_string());
        state.policy =
            Some(inventory::policy(&value, "GetBucketPolicy.Policy", &ctx).map_err(bad)?);
    }
    let default = encryption
        .as_ref()
        .and_then(|e| e.server_side_encryption_configuration())
        .and_then(|c| c.rules().first());
    if let Some(rule) = default {
        if let Some(by_default) = rule.apply_server_side_encryption_by_default() {
            let path = "GetBucketEncryption.ServerSideEncryptionConfiguration.Rules[0]";
            state.encryption = Some(EncryptionState {
                sse_algorithm: inventory::sse_algorithm(
                    by_default.sse_algorithm().as_str(),
                    path,
                    &ctx,
                )
                .map_err(bad)?,
                kms_key_id: by_default
                    .kms_master_key_id()
                    .filter(|k| !k.is_empty())
                    .map(|k| inventory::kms_key(k, path, &ctx))
                    .transpose()
                    .map_err(bad)?,
                bucket_key_enabled: rule.bucket_key_enabled().unwrap_or(false),
            });
        }
    }
    if let Some(c) = pab
        .as_ref()
        .and_then(|p| p.public_access_block_configuration())
    {
        state.public_access_block = Some(BlockPublicAccess {
            block_public_acls: c.block_public_acls().unwrap_or(false),
            ignore_public_acls: c.ignore_public_acls().unwrap_or(false),
            block_public_policy: c.block_public_policy().unwrap_or(false),
            restrict_public_buckets: c.restrict_public_buckets().unwrap_or(false),
        });
    }
    if let Some(target_bucket) = logging
        .as_ref()
        .and_then(|l| l.logging_enabled())
        .map(|l| l.target_bucket())
    {
        state.logging_target = Some(
            inventory::bucket_name(
                target_bucket,
                "GetBucketLogging.LoggingEnabled.TargetBucket",
                &ctx,
            )
            .map_err(bad)?,
        );
    }
    if let Some(status) = versioning.as_ref().and_then(|v| v.status()) {
        state.versioning =
            inventory::versioning(status.as_str(), "GetBucketVersioning.Status", &ctx)
                .map_err(bad)?;
    }
    if let Some(rule) = ownership
        .as_ref()
        .and_then(|o| o.ownership_controls())
        .and_then(|c| c.rules().first())
    {
        state.object_ownership = Some(
            inventory::object_ownership(
                rule.object_ownership().as_str(),
                "GetBucketOwnershipControls.OwnershipControls.Rules[0].ObjectOwnership",
                &ctx,
            )
            .map_err(bad)?,
        );
    }
    Ok(state)
}

/// The region a `LocationConstraint` names: empty means us-east-1, and `EU` is eu-west-1's old name.
fn region_of(constraint: Option<&str>) -> String {
    match constraint {
        None | Some("") => "us-east-1".to_string(),
        Some("EU") => "eu-west-1".to_string(),
        Some(other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_constraints_name_regions() {
        assert_eq!(region_of(None), "us-east-1");
        assert_eq!(region_of(Some("")), "us-east-1");
        assert_eq!(region_of(Some("EU")), "eu-west-1");
        assert_eq!(region_of(Some("eu-central-1")), "eu-central-1");
    }
}
