//! Reading bucket inventories: every AWS Config shape, Terraform state and plan JSON (with child
//! modules), gzip, directories, stdin, which input wins, and the exact file and JSON path of bad
//! input.

#![allow(clippy::unwrap_used)]

use flate2::write::GzEncoder;
use flate2::Compression;
use pretty_assertions::assert_eq;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use tfremedy::error::InputError;
use tfremedy::inventory::{read_inventory, BucketState, EncryptionState};
use tfremedy::model::BlockPublicAccess;

const KMS: &str = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/inventory")
}

fn fixture(name: &str) -> String {
    fixtures().join(name).display().to_string()
}

fn fixture_text(name: &str) -> String {
    std::fs::read_to_string(fixtures().join(name)).unwrap()
}

fn read(inputs: &[&str]) -> (Vec<BucketState>, Vec<InputError>) {
    let inputs: Vec<String> = inputs.iter().map(|s| s.to_string()).collect();
    read_inventory(&inputs, &mut std::io::empty())
}

/// Reads inputs expected to give no errors.
fn ok(inputs: &[&str]) -> Vec<BucketState> {
    let (buckets, errors) = read(inputs);
    assert_eq!(errors, vec![], "{inputs:?}");
    buckets
}

fn read_stdin(content: &[u8]) -> (Vec<BucketState>, Vec<InputError>) {
    read_inventory(
        &["-".to_string()],
        &mut std::io::Cursor::new(content.to_vec()),
    )
}

fn gzip(content: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::default());
    enc.write_all(content).unwrap();
    enc.finish().unwrap()
}

fn write(dir: &Path, name: &str, content: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path.display().to_string()
}

fn five_statement_policy() -> Value {
    serde_json::from_str(&fixture_text("policy-five-statements.json")).unwrap()
}

fn statement_ids(state: &BucketState) -> Vec<String> {
    state.policy.as_ref().unwrap()["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["Sid"].as_str().unwrap().to_string())
        .collect()
}

/// The data bucket as every Config fixture describes it.
fn data_bucket(source: &'static str) -> BucketState {
    BucketState {
        name: "example-data-bucket".to_string(),
        account_id: Some("123456789012".to_string()),
        region: Some("us-east-1".to_string()),
        policy: Some(five_statement_policy()),
        encryption: Some(EncryptionState {
            sse_algorithm: "aws:kms".to_string(),
            kms_key_id: Some(KMS.to_string()),
            bucket_key_enabled: true,
        }),
        public_access_block: Some(BlockPublicAccess {
            block_public_acls: true,
            ignore_public_acls: true,
            block_public_policy: true,
            restrict_public_buckets: true,
        }),
        logging_target: Some("example-logs-bucket".to_string()),
        versioning: Some("Enabled".to_string()),
        object_ownership: Some("BucketOwnerEnforced".to_string()),
        source,
    }
}

fn logs_bucket(source: &'static str) -> BucketState {
    BucketState {
        name: "example-logs-bucket".to_string(),
        account_id: Some("123456789012".to_string()),
        region: Some("us-east-1".to_string()),
        policy: None,
        encryption: Some(EncryptionState {
            sse_algorithm: "AES256".to_string(),
            kms_key_id: None,
            bucket_key_enabled: false,
        }),
        public_access_block: None,
        logging_target: None,
        versioning: None,
        object_ownership: Some("BucketOwnerPreferred".to_string()),
        source,
    }
}

#[test]
fn batch_get_with_string_configuration_and_supplementary_values() {
    let buckets = ok(&[&fixture("config-batch-get.json")]);
    // The security group is ignored; the result is sorted by name.
    assert_eq!(
        buckets,
        vec![data_bucket("aws-config"), logs_bucket("aws-config")]
    );
}

#[test]
fn history_with_objects_keeps_the_newest_item_whatever_the_order() {
    let newest = data_bucket("aws-config");
    assert_eq!(ok(&[&fixture("config-history.json")]), vec![newest.clone()]);

    // Oldest first (`--chronological-order Forward`): the same answer.
    let mut doc: Value = serde_json::from_str(&fixture_text("config-history.json")).unwrap();
    doc["configurationItems"].as_array_mut().unwrap().reverse();
    let dir = tempfile::tempdir().unwrap();
    let forward = write(dir.path(), "forward.json", doc.to_string().as_bytes());
    assert_eq!(ok(&[&forward]), vec![newest]);
}

#[test]
fn a_deleted_item_removes_the_bucket() {
    let mut doc: Value = serde_json::from_str(&fixture_text("config-history.json")).unwrap();
    let items = doc["configurationItems"].as_array_mut().unwrap();
    let mut deleted = items[0].clone();
    deleted["configurationItemStatus"] = "ResourceDeleted".into();
    deleted["configurationItemCaptureTime"] = "2024-06-01T00:00:00.000000+00:00".into();
    deleted["configuration"] = Value::Null;
    deleted["supplementaryConfiguration"] = serde_json::json!({});
    items.push(deleted);
    let dir = tempfile::tempdir().unwrap();
    let later = write(dir.path(), "deleted.json", doc.to_string().as_bytes());
    // Alone, and after an input that described the bucket.
    assert_eq!(ok(&[&later]), vec![]);
    assert_eq!(
        ok(&[&fixture("config-batch-get.json"), &later]),
        vec![logs_bucket("aws-config")]
    );
}

#[test]
fn select_resource_config_results_are_json_strings() {
    let buckets = ok(&[&fixture("config-select.json")]);
    let selected_fields = BucketState {
        name: "example-logs-bucket".to_string(),
        account_id: None,
        region: Some("us-east-1".to_string()),
        policy: None,
        encryption: None,
        public_access_block: None,
        logging_target: None,
        versioning: Some("Enabled".to_string()),
        object_ownership: None,
        source: "aws-config",
    };
    assert_eq!(buckets, vec![data_bucket("aws-config"), selected_fields]);
}

#[test]
fn snapshot_file_reads_like_batch_get() {
    assert_eq!(
        ok(&[&fixture("config-snapshot.json")]),
        ok(&[&fixture("config-batch-get.json")])
    );
}

#[test]
fn bare_items_arrays_and_change_notifications() {
    let doc: Value = serde_json::from_str(&fixture_text("config-snapshot.json")).unwrap();
    let item = doc["configurationItems"][0].clone();
    let dir = tempfile::tempdir().unwrap();
    let bare = write(dir.path(), "bare.json", item.to_string().as_bytes());
    let array = write(
        dir.path(),
        "array.json",
        Value::Array(vec![item.clone()]).to_string().as_bytes(),
    );
    let notification = serde_json::json!({
        "configurationItem": item,
        "messageType": "ConfigurationItemChangeNotification",
        "notificationCreationTime": "2024-05-01T10:00:05.000Z",
        "recordVersion": "1.3"
    });
    let notification = write(dir.path(), "n.json", notification.to_string().as_bytes());
    for input in [bare, array, notification] {
        assert_eq!(ok(&[&input]), vec![data_bucket("aws-config")], "{input}");
    }
}

#[test]
fn terraform_state_with_a_child_module() {
    let buckets = ok(&[&fixture("terraform-show-state.json")]);
    let data = BucketState {
        account_id: None,
        ..data_bucket("terraform-state")
    };
    let logs = BucketState {
        account_id: None,
        ..logs_bucket("terraform-state")
    };
    // The data source's bucket is not read.
    assert_eq!(buckets, vec![data, logs]);
}

#[test]
fn terraform_plan_reads_the_prior_state() {
    let buckets = ok(&[&fixture("terraform-show-plan.json")]);
    let aes256 = Some(EncryptionState {
        sse_algorithm: "AES256".to_string(),
        kms_key_id: None,
        bucket_key_enabled: false,
    });
    let data = BucketState {
        name: "example-data-bucket".to_string(),
        account_id: None,
        region: Some("us-east-1".to_string()),
        policy: None,
        encryption: aes256.clone(),
        public_access_block: Some(BlockPublicAccess {
            block_public_acls: true,
            ignore_public_acls: true,
            block_public_policy: false,
            restrict_public_buckets: false,
        }),
        logging_target: None,
        // The plan would enable it; today it is suspended.
        versioning: Some("Suspended".to_string()),
        object_ownership: None,
        source: "terraform-state",
    };
    let logs = BucketState {
        name: "example-logs-bucket".to_string(),
        public_access_block: None,
        versioning: None,
        ..data.clone()
    };
    assert_eq!(buckets, vec![data, logs]);

    // Without a prior state, the planned values are all there is; the policy of a bucket whose
    // name is unknown until apply is skipped.
    let mut doc: Value = serde_json::from_str(&fixture_text("terraform-show-plan.json")).unwrap();
    doc.as_object_mut().unwrap().remove("prior_state");
    let dir = tempfile::tempdir().unwrap();
    let planned = write(dir.path(), "planned.json", doc.to_string().as_bytes());
    let buckets = ok(&[&planned]);
    assert_eq!(buckets.len(), 2);
    assert_eq!(buckets[0].versioning.as_deref(), Some("Enabled"));
    assert_eq!(buckets[0].public_access_block, None);
}

#[test]
fn raw_state_file() {
    let state = serde_json::json!({
        "version": 4,
        "terraform_version": "1.9.5",
        "serial": 7,
        "lineage": "2d1f3a4b-0000-1111-2222-333344445555",
        "outputs": {},
        "resources": [
            {"mode": "managed", "type": "aws_s3_bucket", "name": "this", "module": "module.data",
             "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
             "instances": [{"schema_version": 0, "attributes": {"bucket": "example-data-bucket", "region": "eu-west-1", "policy": ""}}]},
            {"mode": "managed", "type": "aws_s3_bucket_versioning", "name": "this", "module": "module.data",
             "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
             "instances": [{"schema_version": 0, "attributes": {"bucket": "example-data-bucket", "versioning_configuration": [{"status": "Enabled", "mfa_delete": ""}]}}]}
        ]
    });
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "terraform.tfstate",
        state.to_string().as_bytes(),
    );
    let buckets = ok(&[&path]);
    assert_eq!(buckets.len(), 1);
    assert_eq!(buckets[0].region.as_deref(), Some("eu-west-1"));
    assert_eq!(buckets[0].versioning.as_deref(), Some("Enabled"));
    assert_eq!(buckets[0].policy, None);
}

#[test]
fn five_statement_policy_comes_back_whole_from_every_source() {
    let expected = vec![
        "DenyInsecureTransport",
        "AllowCloudFrontRead",
        "AllowAnalyticsRoleList",
        "DenyUnencryptedUploads",
        "AllowPartnerPut",
    ];
    for name in [
        "config-batch-get.json",
        "config-history.json",
        "config-snapshot.json",
        "config-select.json",
        "terraform-show-state.json",
    ] {
        let buckets = ok(&[&fixture(name)]);
        let data = buckets
            .iter()
            .find(|b| b.name == "example-data-bucket")
            .unwrap();
        assert_eq!(statement_ids(data), expected, "{name}");
        assert_eq!(data.policy, Some(five_statement_policy()), "{name}");
    }
}

#[test]
fn gzip_is_recognised_by_content() {
    let compressed = gzip(fixture_text("config-snapshot.json").as_bytes());
    let dir = tempfile::tempdir().unwrap();
    // Named like plain JSON: the magic bytes decide.
    let path = write(dir.path(), "snapshot.json", &compressed);
    let expected = ok(&[&fixture("config-batch-get.json")]);
    assert_eq!(ok(&[&path]), expected);
    let (buckets, errors) = read_stdin(&compressed);
    assert_eq!(errors, vec![]);
    assert_eq!(buckets, expected);
}

#[test]
fn stdin_and_json_lines() {
    let doc: Value = serde_json::from_str(&fixture_text("config-batch-get.json")).unwrap();
    let lines: String = doc["baseConfigurationItems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| format!("{item}\n"))
        .collect();
    let (buckets, errors) = read_stdin(lines.as_bytes());
    assert_eq!(errors, vec![]);
    assert_eq!(
        buckets,
        vec![data_bucket("aws-config"), logs_bucket("aws-config")]
    );
}

#[test]
fn directory_in_sorted_order_later_wins() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("b");
    std::fs::create_dir(&sub).unwrap();
    write(
        dir.path(),
        "a-state.json",
        fixture_text("terraform-show-state.json").as_bytes(),
    );
    write(
        &sub,
        "snapshot.json.gz",
        &gzip(fixture_text("config-snapshot.json").as_bytes()),
    );
    write(dir.path(), ".hidden.json", b"not json");
    write(dir.path(), "notes.txt", b"not json either");
    let root = dir.path().display().to_string();
    // The Config snapshot (b/) comes after the state (a-state.json): it wins.
    assert_eq!(
        ok(&[&root]),
        vec![data_bucket("aws-config"), logs_bucket("aws-config")]
    );
    // Between inputs, too: the later one wins, whole.
    let both = ok(&[
        &fixture("config-batch-get.json"),
        &fixture("terraform-show-state.json"),
    ]);
    assert!(both.iter().all(|b| b.source == "terraform-state"));
    assert!(both.iter().all(|b| b.account_id.is_none()));

    let empty = tempfile::tempdir().unwrap();
    let (buckets, errors) = read(&[&empty.path().display().to_string()]);
    assert_eq!(buckets, vec![]);
    assert_eq!(errors.len(), 1);
    assert!(errors[0].message.starts_with("directory has no .json"));
}

/// The one error of reading `content` as a file, with the file name checked.
fn one_error(content: &[u8]) -> InputError {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "input.json", content);
    let (_, errors) = read(&[&path]);
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = errors.into_iter().next().unwrap();
    assert_eq!(e.file, path);
    e
}

#[test]
fn empty_truncated_and_other_json_are_errors() {
    let e = one_error(b"  \n");
    assert_eq!((e.path.as_str(), e.line), ("$", None));
    assert!(
        e.message.starts_with("empty input: expected AWS Config"),
        "{e}"
    );

    let text = fixture_text("config-batch-get.json");
    let e = one_error(&text.as_bytes()[..text.len() / 2]);
    assert_eq!(e.path, "$");
    assert!(e.message.starts_with("invalid JSON (truncated?)"), "{e}");

    // A GuardDuty finding is JSON, but not an inventory.
    let finding = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/findings/discovery-s3-maliciousipcaller-custom.json"),
    )
    .unwrap();
    let e = one_error(&finding);
    assert_eq!(e.path, "$");
    assert!(e.message.starts_with("expected AWS Config"), "{e}");
    assert!(e.message.contains("found an object with keys"), "{e}");

    let e = one_error(b"[1, 2]");
    assert_eq!(e.path, "$");
    assert!(e.message.ends_with("found an array"), "{e}");

    let e = one_error(br#"[{"resourceType": "AWS::S3::Bucket", "resourceName": "example-x"}, 3]"#);
    assert_eq!(e.path, "$[1]");
    assert!(e.message.ends_with("found a number"), "{e}");

    let e = one_error(br#"{"configurationItems": {"resourceType": "AWS::S3::Bucket"}}"#);
    assert_eq!(e.path, "$.configurationItems");
    assert_eq!(
        e.message,
        "expected an array of configuration items, found an object"
    );
}

#[test]
fn a_policy_that_is_not_json_names_its_path_and_leaves_the_bucket_out() {
    let mut doc: Value = serde_json::from_str(&fixture_text("config-batch-get.json")).unwrap();
    doc["baseConfigurationItems"][0]["supplementaryConfiguration"]["BucketPolicy"] =
        r#"{"policyText":"{\"Version\": \"2012-10-17\", \"Statement\": ["}"#.into();
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "bad-policy.json", doc.to_string().as_bytes());
    let (buckets, errors) = read(&[&path]);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].file, path);
    assert_eq!(
        errors[0].path,
        "$.baseConfigurationItems[0].supplementaryConfiguration.BucketPolicy.policyText"
    );
    assert!(
        errors[0].message.starts_with("expected a bucket policy"),
        "{}",
        errors[0]
    );
    assert_eq!(buckets, vec![logs_bucket("aws-config")]);

    let mut doc: Value = serde_json::from_str(&fixture_text("terraform-show-state.json")).unwrap();
    doc["values"]["root_module"]["child_modules"][0]["resources"][1]["values"]["policy"] =
        "{not json".into();
    let path = write(dir.path(), "bad-tf-policy.json", doc.to_string().as_bytes());
    let (buckets, errors) = read(&[&path]);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        errors[0].path,
        "$.values.root_module.child_modules[0].resources[1].values.policy"
    );
    assert_eq!(buckets.len(), 1);
    assert_eq!(buckets[0].name, "example-logs-bucket");
}

#[test]
fn bad_values_are_errors_with_their_paths() {
    let doc: Value = serde_json::from_str(&fixture_text("config-snapshot.json")).unwrap();
    let cases: &[(&str, Value, &str, &str)] = &[
        (
            "awsAccountId",
            "12345".into(),
            "$.configurationItems[0].awsAccountId",
            "expected a 12-digit AWS account id",
        ),
        (
            "awsRegion",
            "moon-1".into(),
            "$.configurationItems[0].awsRegion",
            "expected an AWS region",
        ),
        (
            "resourceName",
            "bad\"name".into(),
            "$.configurationItems[0].resourceName",
            "expected an S3 bucket name",
        ),
        (
            "configuration",
            "{\"name\":".into(),
            "$.configurationItems[0].configuration",
            "expected the configuration",
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (key, value, path, message) in cases {
        let mut doc = doc.clone();
        doc["configurationItems"][0][*key] = value.clone();
        let file = write(dir.path(), "bad.json", doc.to_string().as_bytes());
        let (buckets, errors) = read(&[&file]);
        assert_eq!(errors.len(), 1, "{key}: {errors:?}");
        assert_eq!(errors[0].path, *path, "{key}");
        assert!(errors[0].message.starts_with(message), "{}", errors[0]);
        assert_eq!(buckets, vec![logs_bucket("aws-config")], "{key}");
    }

    // Legacy bucket names are accepted.
    let mut legacy = doc.clone();
    legacy["configurationItems"][0]["resourceName"] = "Legacy_Bucket".into();
    let file = write(dir.path(), "legacy.json", legacy.to_string().as_bytes());
    assert!(ok(&[&file]).iter().any(|b| b.name == "Legacy_Bucket"));

    // A bad line of JSON Lines is reported with its line; the good lines are read.
    let e = {
        let (buckets, errors) = read_stdin(b"{\"resourceType\": \"AWS::S3::Bucket\", \"resourceName\": \"example-one\"}\n{\"resourceType\": \"AWS::S3::Bucket\", \"resourceName\": \"a\"}\n");
        assert_eq!(buckets.len(), 1);
        assert_eq!(errors.len(), 1);
        errors.into_iter().next().unwrap()
    };
    assert_eq!(
        (e.file.as_str(), e.line, e.path.as_str()),
        ("-", Some(2), "$.resourceName")
    );
}
