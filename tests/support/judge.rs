//! Judges a bucket policy request by request with the crate's evaluator (`tfremedy::evaluate`), the
//! way a reviewer asks: is the attacker denied, does everyone who should keep access keep it? A
//! [`Matrix`] is a list of named requests, each with what the policy must answer; [`Matrix::judge`]
//! prints every row it judged (so a test log names the request matrix) and fails on the first wrong
//! answer, or on a request the evaluator cannot decide exactly.

use serde_json::Value;
use tfremedy::evaluate::{Decision, Policy, Principal, Request};

/// What the policy alone must answer for a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// An explicit deny: nothing else can allow it.
    Denied,
    /// No explicit deny (an identity policy or this policy may allow it).
    NotDenied,
    /// Allowed by a statement of this policy, and not denied.
    Allowed,
}

/// One request of the matrix.
#[derive(Debug, Clone)]
pub struct Row {
    pub name: String,
    pub request: Request,
    pub expect: Expect,
}

/// A named set of requests on one bucket.
#[derive(Debug, Clone, Default)]
pub struct Matrix {
    pub rows: Vec<Row>,
}

/// A caller of the matrix: who, from where, over which transport.
#[derive(Debug, Clone)]
pub struct Caller {
    pub label: String,
    pub principal: Principal,
    /// `aws:PrincipalArn` (the role's ARN for a session), absent for anonymous and services.
    pub principal_arn: Option<String>,
    pub source_ip: Option<String>,
    pub tls: Option<&'static str>,
    pub secure: bool,
    pub service: bool,
    pub extra: Vec<(String, String)>,
}

impl Caller {
    /// An IAM role session of `account`, from `ip`, over TLS 1.3.
    pub fn role(label: &str, account: &str, role: &str, ip: &str) -> Caller {
        let role_arn = format!("arn:aws:iam::{account}:role/{role}");
        Caller {
            label: label.into(),
            principal: Principal::role_session(&role_arn, "session"),
            principal_arn: Some(role_arn),
            source_ip: Some(ip.into()),
            tls: Some("1.3"),
            secure: true,
            service: false,
            extra: Vec::new(),
        }
    }

    /// An IAM user of `account`, from `ip`, over TLS 1.3.
    pub fn user(label: &str, account: &str, user: &str, ip: &str) -> Caller {
        let arn = format!("arn:aws:iam::{account}:user/{user}");
        Caller {
            label: label.into(),
            principal: Principal::aws(&arn),
            principal_arn: Some(arn),
            source_ip: Some(ip.into()),
            tls: Some("1.3"),
            secure: true,
            service: false,
            extra: Vec::new(),
        }
    }

    /// An anonymous caller from `ip`, over TLS 1.3.
    pub fn anonymous(label: &str, ip: &str) -> Caller {
        Caller {
            label: label.into(),
            principal: Principal::Anonymous,
            principal_arn: None,
            source_ip: Some(ip.into()),
            tls: Some("1.3"),
            secure: true,
            service: false,
            extra: Vec::new(),
        }
    }

    /// An AWS service principal acting for the bucket owner (no source IP of the Internet).
    pub fn service(label: &str, service: &str) -> Caller {
        Caller {
            label: label.into(),
            principal: Principal::service(service),
            principal_arn: None,
            source_ip: None,
            tls: Some("1.2"),
            secure: true,
            service: true,
            extra: Vec::new(),
        }
    }

    pub fn with(mut self, key: &str, value: &str) -> Caller {
        self.extra.push((key.into(), value.into()));
        self
    }

    pub fn tls(mut self, version: Option<&'static str>, secure: bool) -> Caller {
        self.tls = version;
        self.secure = secure;
        self
    }

    /// This caller doing `action` on `resource`.
    pub fn request_on(&self, action: &str, resource: &str) -> Request {
        let mut r = Request::new(self.principal.clone(), action, resource)
            .with(
                "aws:SecureTransport",
                if self.secure { "true" } else { "false" },
            )
            .with(
                "aws:PrincipalIsAWSService",
                if self.service { "true" } else { "false" },
            )
            .with("aws:ViaAWSService", "false");
        if let Some(arn) = &self.principal_arn {
            r = r.with("aws:PrincipalArn", arn.as_str());
            let account = arn.split(':').nth(4).unwrap_or_default();
            r = r.with("aws:PrincipalAccount", account);
        }
        if let Some(ip) = &self.source_ip {
            r = r.with("aws:SourceIp", ip.as_str());
        }
        if let Some(tls) = self.tls {
            r = r.with("s3:TlsVersion", tls);
        }
        for (k, v) in &self.extra {
            r = r.with(k.as_str(), v.as_str());
        }
        r
    }
}

/// The resource an S3 action is checked on: the bucket for bucket-level actions, an object otherwise.
pub fn resource_for(bucket: &str, action: &str) -> String {
    let bucket_level = [
        "s3:ListBucket",
        "s3:GetBucketPolicy",
        "s3:PutBucketPolicy",
        "s3:DeleteBucketPolicy",
        "s3:GetBucketAcl",
        "s3:PutBucketAcl",
        "s3:GetBucketLocation",
        "s3:DeleteBucket",
        "s3:PutEncryptionConfiguration",
        "s3:PutBucketPublicAccessBlock",
    ];
    if bucket_level.contains(&action) {
        format!("arn:aws:s3:::{bucket}")
    } else {
        format!("arn:aws:s3:::{bucket}/some/key.txt")
    }
}

impl Matrix {
    /// Adds `caller` doing each of `actions` on `bucket`, each expected to get `expect`.
    pub fn add(&mut self, caller: &Caller, bucket: &str, actions: &[&str], expect: Expect) {
        for action in actions {
            self.rows.push(Row {
                name: format!("{} {action}", caller.label),
                request: caller.request_on(action, &resource_for(bucket, action)),
                expect,
            });
        }
    }

    /// Judges every row against `policy`, printing the matrix; panics on a wrong or undecidable
    /// answer, naming the row.
    pub fn judge(&self, what: &str, policy: &Value) {
        let policy = Policy::parse(policy)
            .unwrap_or_else(|e| panic!("{what}: the policy cannot be evaluated: {e}\n{policy:#}"));
        eprintln!(
            "request matrix judged on {what} ({} requests):",
            self.rows.len()
        );
        for row in &self.rows {
            let decision = policy
                .evaluate(&row.request)
                .unwrap_or_else(|e| panic!("{what}: {}: {e}", row.name));
            let ok = match row.expect {
                Expect::Denied => decision.is_explicit_deny(),
                Expect::NotDenied => !decision.is_explicit_deny(),
                Expect::Allowed => decision.is_allow(),
            };
            let answer = match &decision {
                Decision::ExplicitDeny { sid, .. } => format!("denied by {sid:?}"),
                Decision::Allow { sid, .. } => format!("allowed by {sid:?}"),
                Decision::NotApplicable => "not addressed".to_string(),
            };
            eprintln!("  {:<60} expected {:?}: {answer}", row.name, row.expect);
            assert!(
                ok,
                "{what}: {}: expected {:?}, got {answer}",
                row.name, row.expect
            );
        }
    }
}
