//! `tfremedy fetch` and `--from-guardduty` drive the real aws-sdk-guardduty client over HTTP against a
//! loopback endpoint serving recorded GuardDuty API answers (support::http_stub). The recorded
//! GetFindings bodies are the real public samples of tests/fixtures/findings (provenance in its
//! SOURCES.md) in the API's wire form. Shown here: ListFindings pagination, GetFindings batches of at
//! most 50, the conversion (the same finding from the API and from its file gives the same model and
//! byte-identical output), and one clear line for no credentials, a 403, a region without a detector;
//! throttling is retried.

#![cfg(feature = "aws")]
#![allow(clippy::unwrap_used)]

mod support;

use pretty_assertions::assert_eq;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use support::http_stub::{Request, Response, Stub};
use support::{root, tfremedy, tree};

const DETECTOR: &str = "37da5a0204286ccd967d2395320d4dcd";
const SECRET: &str = "stub-secret-key-never-printed";

/// The real samples that are single camelCase findings (the API's own shape).
fn samples() -> Vec<(String, Value)> {
    let dir = root().join("tests/fixtures/findings");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".json") || name.contains("synthetic") {
            continue;
        }
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        if v.get("accountId").is_some() && v.get("schemaVersion").is_some() {
            out.push((path.to_string_lossy().into_owned(), v));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(out.len() >= 10, "expected the real camelCase samples");
    out
}

/// A sample as the GetFindings API sends it. The samples come from EventBridge-shaped exports, where
/// `service.additionalInfo` is an object; on the wire it is `{"value": "<JSON text>", "type": "default"}`.
fn wire(finding: &Value) -> Value {
    let mut f = finding.clone();
    if let Some(info) = f["service"].get("additionalInfo").cloned() {
        if info.get("value").is_none() {
            f["service"]["additionalInfo"] = json!({"value": info.to_string(), "type": "default"});
        }
    }
    f
}

/// Answers ListDetectors, ListFindings (`pages` of ids, chained by nextToken) and GetFindings (the
/// requested ids, in reverse order, as GuardDuty does not promise any).
fn guardduty(findings: Vec<Value>, pages: Vec<usize>) -> impl Fn(&Request) -> Response {
    move |req: &Request| {
        let path = req.path.split('?').next().unwrap_or_default();
        let ids: Vec<String> = findings
            .iter()
            .map(|f| f["id"].as_str().unwrap().to_string())
            .collect();
        match (req.method.as_str(), path) {
            ("GET", "/detector") => Response::json(&json!({"detectorIds": [DETECTOR]})),
            ("POST", p) if p == format!("/detector/{DETECTOR}/findings") => {
                let page: usize = req.json()["nextToken"]
                    .as_str()
                    .map(|t| t.trim_start_matches("page-").parse().unwrap())
                    .unwrap_or(0);
                let start: usize = pages[..page].iter().sum();
                let end = start + pages[page];
                let mut body = json!({"findingIds": ids[start..end]});
                if page + 1 < pages.len() {
                    body["nextToken"] = json!(format!("page-{}", page + 1));
                }
                Response::json(&body)
            }
            ("POST", p) if p == format!("/detector/{DETECTOR}/findings/get") => {
                let wanted: Vec<String> =
                    serde_json::from_value(req.json()["findingIds"].clone()).unwrap();
                let mut out: Vec<Value> = findings
                    .iter()
                    .filter(|f| wanted.iter().any(|w| f["id"] == json!(w)))
                    .map(wire)
                    .collect();
                out.reverse();
                Response::json(&json!({"findings": out}))
            }
            _ => Response::error(
                404,
                "NotFound",
                &format!("not stubbed: {} {}", req.method, req.path),
            ),
        }
    }
}

/// Runs `tfremedy ARGS... --endpoint-url STUB --region us-east-2` (no region with --all-regions) with fake keys (or none) and
/// nothing from the developer's own AWS set-up.
fn run(stub: &Stub, with_keys: bool, args: &[&str]) -> std::process::Output {
    let mut c = tfremedy();
    support::aws_env(
        &mut c,
        with_keys.then_some(("AKIAIOSFODNN7EXAMPLE", SECRET)),
    );
    c.args(args).args(["--endpoint-url", &stub.endpoint]);
    if !args.contains(&"--all-regions") {
        c.args(["--region", "us-east-2"]);
    }
    let out = c.output().unwrap();
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(!all.contains(SECRET), "the secret key was printed");
    out
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The model the reader makes of a finding, without where it was read from.
fn model(finding_json: &Value) -> Value {
    let mut stdin = std::io::empty();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("f.json");
    std::fs::write(&file, finding_json.to_string()).unwrap();
    let outcome = tfremedy::read::read_inputs(&[file.to_string_lossy().into_owned()], &mut stdin);
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    let mut v = serde_json::to_value(&outcome.findings).unwrap();
    for f in v.as_array_mut().unwrap() {
        f.as_object_mut().unwrap().remove("origin");
    }
    v
}

#[test]
fn two_pages_batches_of_fifty_and_the_same_model() {
    // 70 findings: the real samples again and again, each under its own id.
    let samples = samples();
    let findings: Vec<Value> = (0..70)
        .map(|i| {
            let mut f = samples[i % samples.len()].1.clone();
            f["id"] = json!(format!("{:032x}", i + 1));
            f
        })
        .collect();
    let stub = Stub::start(guardduty(findings.clone(), vec![50, 20]));
    let out = run(&stub, true, &["fetch"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("70 finding(s) listed, 70 fetched from us-east-2 (detector 37da5a0204286ccd967d2395320d4dcd)"), "{}", stderr(&out));

    let requests = stub.requests();
    let calls: Vec<(String, String)> = requests
        .iter()
        .map(|r| {
            (
                r.method.clone(),
                r.path.split('?').next().unwrap().to_string(),
            )
        })
        .collect();
    let list = format!("/detector/{DETECTOR}/findings");
    let get = format!("/detector/{DETECTOR}/findings/get");
    assert_eq!(
        calls,
        vec![
            ("GET".into(), "/detector".into()),
            ("POST".into(), list.clone()),
            ("POST".into(), list),
            ("POST".into(), get.clone()),
            ("POST".into(), get),
        ]
    );
    // Pagination: the second ListFindings carries the first page's token; 50 a page is asked for,
    // with the default criteria (not archived; S3 buckets and access keys).
    let first = requests[1].json();
    assert_eq!(first["maxResults"], json!(50));
    assert!(first.get("nextToken").is_none());
    assert_eq!(
        first["findingCriteria"]["criterion"]["service.archived"]["equals"],
        json!(["false"])
    );
    assert_eq!(
        first["findingCriteria"]["criterion"]["resource.resourceType"]["equals"],
        json!(["S3Bucket", "AccessKey"])
    );
    assert_eq!(requests[2].json()["nextToken"], json!("page-1"));
    // Batching: GetFindings with 50 ids, then 20, in the order listed.
    let batch = |r: &Request| r.json()["findingIds"].as_array().unwrap().len();
    assert_eq!((batch(&requests[3]), batch(&requests[4])), (50, 20));
    assert_eq!(
        requests[3].json()["findingIds"][0],
        json!(format!("{:032x}", 1))
    );

    // Conversion: the lines are in listing order (the stub answers in reverse), and each reads as
    // exactly the model its sample file gives.
    let lines: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 70);
    for (i, (line, original)) in lines.iter().zip(&findings).enumerate() {
        assert_eq!(line["id"], original["id"], "line {i}");
        assert_eq!(
            model(line),
            model(original),
            "line {i}: {}",
            samples[i % samples.len()].0
        );
    }
}

#[test]
fn the_same_finding_from_the_api_and_from_its_file_gives_identical_output() {
    let mut compared = 0;
    for (path, finding) in samples() {
        let stub = Stub::start(guardduty(vec![finding.clone()], vec![1]));
        let dir = tempfile::tempdir().unwrap();
        let (from_file, from_api) = (dir.path().join("file"), dir.path().join("api"));
        let o = tfremedy()
            .args(["remediate", &path, "--out"])
            .arg(&from_file)
            .output()
            .unwrap();
        let o2 = run(
            &stub,
            true,
            &[
                "remediate",
                "--from-guardduty",
                "--out",
                &from_api.to_string_lossy(),
            ],
        );
        assert_eq!(o.status.code(), o2.status.code(), "{path}: {}", stderr(&o2));
        assert_eq!(tree(&from_file), tree(&from_api), "{path}");
        if !tree(&from_api).is_empty() {
            compared += 1;
        }
    }
    // Most samples produce code (archived ones and unsupported types do not, either way).
    assert!(compared >= 10, "only {compared} samples produced output");
}

#[test]
fn no_credentials_is_one_line() {
    let stub = Stub::start(guardduty(Vec::new(), vec![0]));
    let out = run(&stub, false, &["fetch"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("no AWS credentials"), "{err}");
    assert!(stub.requests().is_empty(), "nothing may be sent unsigned");
}

#[test]
fn access_denied_is_one_line() {
    let stub = Stub::start(|req: &Request| {
        if req.path.starts_with("/detector") && req.method == "GET" {
            Response::json(&json!({"detectorIds": [DETECTOR]}))
        } else {
            Response::error(
                403,
                "AccessDeniedException",
                "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: guardduty:ListFindings",
            )
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        &stub,
        true,
        &[
            "remediate",
            "--from-guardduty",
            "--out",
            &dir.path().join("out").to_string_lossy(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("guardduty:ListFindings in us-east-2: access denied (AccessDeniedException"),
        "{err}"
    );
    assert!(!dir.path().join("out").exists(), "nothing is written");
    // A 403 is not retried.
    assert_eq!(stub.requests().len(), 2);
}

#[test]
fn throttling_is_retried_then_succeeds() {
    let samples = samples();
    let findings = vec![samples[0].1.clone()];
    let inner = guardduty(findings, vec![1]);
    let throttled = Arc::new(Mutex::new(0));
    let count = throttled.clone();
    let stub = Stub::start(move |req: &Request| {
        if req.path.ends_with("/findings/get") {
            let mut n = count.lock().unwrap();
            if *n < 2 {
                *n += 1;
                return Response::error(429, "TooManyRequestsException", "Rate exceeded");
            }
        }
        inner(req)
    });
    let out = run(&stub, true, &["fetch"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 1);
    let gets = stub
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/findings/get"))
        .count();
    assert_eq!(gets, 3, "two throttled answers, then the one that worked");
}

#[test]
fn a_region_without_a_detector_is_one_line() {
    let stub = Stub::start(|req: &Request| {
        if req.method == "GET" && req.path.starts_with("/detector") {
            Response::json(&json!({"detectorIds": []}))
        } else {
            Response::error(500, "InternalServerErrorException", "unexpected")
        }
    });
    let out = run(&stub, true, &["fetch"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("no GuardDuty detector in us-east-2"), "{err}");
}

#[test]
fn guardduty_options_need_from_guardduty() {
    let dir = tempfile::tempdir().unwrap();
    let o = tfremedy()
        .args([
            "remediate",
            &support::fixture("discovery-s3-maliciousipcaller-custom.json"),
        ])
        .args(["--type", "Discovery:S3/*", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("add --from-guardduty"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn out_file_is_all_or_nothing() {
    let samples = samples();
    let stub = Stub::start(guardduty(vec![samples[0].1.clone()], vec![1]));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("findings.jsonl");
    let out = run(
        &stub,
        true,
        &["fetch", "--out-file", &file.to_string_lossy()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
    assert_eq!(std::fs::read_to_string(&file).unwrap().lines().count(), 1);

    let denied = Stub::start(|_: &Request| Response::error(403, "AccessDeniedException", "no"));
    let file = dir.path().join("denied.jsonl");
    let out = run(
        &denied,
        true,
        &["fetch", "--out-file", &file.to_string_lossy()],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(!file.exists());
}

#[test]
fn a_malformed_region_is_refused_before_any_call() {
    let stub = Stub::start(|_: &Request| Response::error(500, "Unexpected", "no call expected"));
    let out = run(&stub, true, &["fetch", "--region", "moon-base-1x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--region"), "{}", stderr(&out));
    assert!(stub.requests().is_empty());
}

/// The region a request was signed for (SigV4 credential scope: KEY/DATE/REGION/SERVICE/aws4_request).
fn signed_region(req: &Request) -> String {
    let auth = req.header("authorization").unwrap_or_default();
    let scope = auth.split("Credential=").nth(1).unwrap_or_default();
    scope.split('/').nth(2).unwrap_or_default().to_string()
}

#[test]
fn all_regions_reads_the_regions_with_a_detector_and_skips_the_rest() {
    let samples = samples();
    let inner = guardduty(vec![samples[0].1.clone()], vec![1]);
    let stub = Stub::start(move |req: &Request| match signed_region(req).as_str() {
        "us-east-2" => inner(req),
        "af-south-1" => Response::error(
            403,
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        ),
        _ if req.method == "GET" => Response::json(&json!({"detectorIds": []})),
        other => Response::error(500, "Unexpected", &format!("no call expected in {other}")),
    });
    let out = run(&stub, true, &["fetch", "--all-regions"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert_eq!(stdout(&out).lines().count(), 1);
    assert!(
        err.contains("note: af-south-1 skipped: not enabled for this account"),
        "{err}"
    );
    assert!(
        err.contains("note: eu-west-1 skipped: no GuardDuty detector in eu-west-1"),
        "{err}"
    );
    assert!(err.contains("fetched from us-east-2 (detector"), "{err}");
    let listed = stub.requests().iter().filter(|r| r.method == "GET").count();
    assert_eq!(listed, tfremedy::aws::guardduty::REGIONS.len());
}
