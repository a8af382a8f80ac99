//! Request-by-request checks of whole policies: AWS's documented examples (IAM User Guide pages named
//! in each test) and the S3 bucket-policy statements this crate generates or must keep working.

use super::*;
use serde_json::json;

const BUCKET: &str = "arn:aws:s3:::amzn-s3-demo-bucket";
const OBJECT: &str = "arn:aws:s3:::amzn-s3-demo-bucket/reports/2024.csv";
const ADMIN: &str = "arn:aws:iam::111122223333:user/admin";

fn doc(statements: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn decide(policy: &Value, request: &Request) -> Decision {
    evaluate(policy, request).unwrap_or_else(|e| panic!("{e}"))
}

fn get(principal: Principal) -> Request {
    Request::new(principal, "s3:GetObject", OBJECT)
}

fn admin() -> Request {
    get(Principal::aws(ADMIN))
}

/// An allow-everything statement guarded by `condition`: whether the condition holds for `request`.
fn holds(condition: Value, request: &Request) -> Verdict {
    let policy = doc(json!([{
        "Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*",
        "Condition": condition
    }]));
    evaluate(&policy, request).map(|d| d.is_allow())
}

fn deny(sid: &str, statement: usize) -> Decision {
    Decision::ExplicitDeny {
        sid: Some(sid.to_string()),
        statement,
    }
}

fn allow(sid: &str, statement: usize) -> Decision {
    Decision::Allow {
        sid: Some(sid.to_string()),
        statement,
    }
}

// --- S3 statements that matter here ---------------------------------------------------------------

/// AWS's recommended minimum-TLS statement (S3 User Guide, "Enforcing a minimum version of TLS"), with
/// the value as a JSON number as AWS writes it.
fn tls_policy(version: Value) -> Value {
    doc(json!([{
        "Sid": "EnforceTLSv12orHigher", "Effect": "Deny", "Principal": {"AWS": "*"},
        "Action": "s3:*", "Resource": [BUCKET, format!("{BUCKET}/*")],
        "Condition": {"NumericLessThan": {"s3:TlsVersion": version}}
    }]))
}

#[test]
fn minimum_tls_denies_tls_1_1_and_not_1_2_or_1_3() {
    for version in [json!(1.2), json!("1.2")] {
        let policy = tls_policy(version);
        let over = |tls: &str| decide(&policy, &admin().with("s3:TlsVersion", tls));
        assert_eq!(over("1.1"), deny("EnforceTLSv12orHigher", 0));
        assert_eq!(over("1.0"), deny("EnforceTLSv12orHigher", 0));
        assert_eq!(over("1.2"), Decision::NotApplicable);
        assert_eq!(over("1.3"), Decision::NotApplicable);
        let anonymous = get(Principal::Anonymous).with("s3:TlsVersion", 1.1);
        assert!(decide(&policy, &anonymous).is_explicit_deny());
    }
}

#[test]
fn minimum_tls_covers_the_bucket_and_its_objects_only() {
    let policy = tls_policy(json!(1.2));
    let list =
        Request::new(Principal::aws(ADMIN), "s3:ListBucket", BUCKET).with("s3:TlsVersion", 1.1);
    assert!(decide(&policy, &list).is_explicit_deny());
    let other = Request::new(
        Principal::aws(ADMIN),
        "s3:GetObject",
        "arn:aws:s3:::other/k",
    )
    .with("s3:TlsVersion", 1.1);
    assert_eq!(decide(&policy, &other), Decision::NotApplicable);
}

/// Condition operators page: a missing key makes a non-negated condition false.
#[test]
fn minimum_tls_without_the_key_does_not_deny() {
    assert_eq!(
        decide(&tls_policy(json!(1.2)), &admin()),
        Decision::NotApplicable
    );
}

/// `{"AWS": "*"}` is documented as equivalent to `"*"` for anonymous users only; for a service
/// principal the answer is refused, but only when it matters.
#[test]
fn aws_wildcard_and_a_service_principal() {
    let policy = tls_policy(json!(1.2));
    let cloudfront =
        |tls: f64| get(Principal::service("cloudfront.amazonaws.com")).with("s3:TlsVersion", tls);
    assert_eq!(decide(&policy, &cloudfront(1.3)), Decision::NotApplicable);
    let refused = evaluate(&policy, &cloudfront(1.1)).unwrap_err();
    assert!(refused.reason().contains("{\"AWS\": \"*\"}"), "{refused}");
}

#[test]
fn secure_transport_false_denies_plain_http() {
    for value in [json!("false"), json!(false)] {
        let policy = doc(json!([{
            "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [BUCKET, format!("{BUCKET}/*")],
            "Condition": {"Bool": {"aws:SecureTransport": value}}
        }]));
        let http = admin().with("aws:SecureTransport", false);
        let https = admin().with("aws:SecureTransport", true);
        assert_eq!(decide(&policy, &http), deny("DenyInsecureTransport", 0));
        assert_eq!(decide(&policy, &https), Decision::NotApplicable);
        let service = get(Principal::service("cloudfront.amazonaws.com"))
            .with("aws:SecureTransport", "false");
        assert!(
            decide(&policy, &service).is_explicit_deny(),
            "\"*\" covers service principals"
        );
    }
}

#[test]
fn source_ip_deny_for_one_ipv4_and_one_ipv6_attacker() {
    let policy = doc(json!([{
        "Sid": "DenyAttacker", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": [BUCKET, format!("{BUCKET}/*")],
        "Condition": {"IpAddress": {"aws:SourceIp": ["81.2.69.144/32", "2001:db8:bad::/48"]}}
    }]));
    let from = |ip: &str| decide(&policy, &admin().with("aws:SourceIp", ip));
    assert_eq!(from("81.2.69.144"), deny("DenyAttacker", 0));
    assert_eq!(from("2001:db8:bad:1::7"), deny("DenyAttacker", 0));
    assert_eq!(from("81.2.69.145"), Decision::NotApplicable);
    assert_eq!(from("2001:db8:bae::1"), Decision::NotApplicable);
    // Through a VPC endpoint there is no aws:SourceIp (Condition operators page): no match.
    assert_eq!(decide(&policy, &admin()), Decision::NotApplicable);
}

const BREAK_GLASS: &str = "arn:aws:iam::111122223333:role/break-glass";

/// A network allow-list: deny unless from the office range or the VPC endpoint, an AWS service, or the
/// break-glass role.
fn allow_list_policy() -> Value {
    doc(json!([{
        "Sid": "DenyOutsideNetwork", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": [BUCKET, format!("{BUCKET}/*")],
        "Condition": {
            "NotIpAddress": {"aws:SourceIp": ["198.51.100.0/24", "2001:db8:1::/48"]},
            "StringNotEqualsIfExists": {"aws:SourceVpce": "vpce-1a2b3c4d"},
            "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
            "ArnNotLikeIfExists": {"aws:PrincipalArn": BREAK_GLASS}
        }
    }]))
}

#[test]
fn network_allow_list_spares_office_endpoint_services_and_break_glass() {
    let policy = allow_list_policy();
    let user = |r: Request| {
        r.with("aws:PrincipalArn", ADMIN)
            .with("aws:PrincipalIsAWSService", false)
    };
    let office = user(admin().with("aws:SourceIp", "198.51.100.7"));
    let office_v6 = user(admin().with("aws:SourceIp", "2001:db8:1::42"));
    let endpoint = user(admin().with("aws:SourceVpce", "vpce-1a2b3c4d"));
    let service = get(Principal::service("logging.s3.amazonaws.com"))
        .with("aws:SourceIp", "203.0.113.9")
        .with("aws:PrincipalIsAWSService", true);
    let break_glass = get(Principal::role_session(BREAK_GLASS, "incident-42"))
        .with("aws:SourceIp", "203.0.113.9")
        .with("aws:PrincipalArn", BREAK_GLASS)
        .with("aws:PrincipalIsAWSService", false);
    for spared in [office, office_v6, endpoint, service, break_glass] {
        assert_eq!(
            decide(&policy, &spared),
            Decision::NotApplicable,
            "{spared:?}"
        );
    }
    let outside = user(admin().with("aws:SourceIp", "203.0.113.9"));
    let other_endpoint = user(admin().with("aws:SourceVpce", "vpce-99999999"));
    let anonymous = get(Principal::Anonymous).with("aws:SourceIp", "203.0.113.9");
    for denied in [outside, other_endpoint, anonymous] {
        assert_eq!(
            decide(&policy, &denied),
            deny("DenyOutsideNetwork", 0),
            "{denied:?}"
        );
    }
}

const DISTRIBUTION: &str = "arn:aws:cloudfront::111122223333:distribution/EDFDVBD6EXAMPLE";

/// CloudFront origin access control, as the CloudFront Developer Guide writes it (`AWS:SourceArn`:
/// condition keys are not case sensitive).
fn oac_statement() -> Value {
    json!({
        "Sid": "AllowCloudFrontServicePrincipalReadOnly", "Effect": "Allow",
        "Principal": {"Service": "cloudfront.amazonaws.com"},
        "Action": "s3:GetObject", "Resource": format!("{BUCKET}/*"),
        "Condition": {"StringEquals": {"AWS:SourceArn": DISTRIBUTION}}
    })
}

#[test]
fn cloudfront_oac_grant() {
    let policy = doc(json!([oac_statement()]));
    let cloudfront = get(Principal::service("cloudfront.amazonaws.com"));
    let ours = cloudfront.clone().with("aws:SourceArn", DISTRIBUTION);
    assert_eq!(
        decide(&policy, &ours),
        allow("AllowCloudFrontServicePrincipalReadOnly", 0)
    );
    let theirs = cloudfront.clone().with(
        "aws:sourcearn",
        "arn:aws:cloudfront::444455556666:distribution/EOTHER",
    );
    assert_eq!(decide(&policy, &theirs), Decision::NotApplicable);
    assert_eq!(
        decide(&policy, &cloudfront),
        Decision::NotApplicable,
        "no SourceArn, no match"
    );
    let put = Request::new(
        Principal::service("cloudfront.amazonaws.com"),
        "s3:PutObject",
        OBJECT,
    )
    .with("aws:SourceArn", DISTRIBUTION);
    assert_eq!(decide(&policy, &put), Decision::NotApplicable);
    let anonymous = get(Principal::Anonymous).with("aws:SourceArn", DISTRIBUTION);
    assert_eq!(decide(&policy, &anonymous), Decision::NotApplicable);
    let other_service =
        get(Principal::service("lambda.amazonaws.com")).with("aws:SourceArn", DISTRIBUTION);
    assert_eq!(decide(&policy, &other_service), Decision::NotApplicable);
}

#[test]
fn cloudfront_oac_grant_survives_the_tls_deny_over_tls_1_3() {
    let Value::Object(mut tls) = tls_policy(json!(1.2)) else {
        unreachable!()
    };
    let tls_statement = tls["Statement"][0].clone();
    tls.insert("Statement".into(), json!([tls_statement, oac_statement()]));
    let policy = Value::Object(tls);
    let request = get(Principal::service("cloudfront.amazonaws.com"))
        .with("aws:SourceArn", DISTRIBUTION)
        .with("s3:TlsVersion", "1.3");
    assert_eq!(
        decide(&policy, &request),
        allow("AllowCloudFrontServicePrincipalReadOnly", 1)
    );
}

#[test]
fn cross_account_partner_grant_by_account_id() {
    for partner in ["222233334444", "arn:aws:iam::222233334444:root"] {
        let policy = doc(json!([{
            "Sid": "PartnerRead", "Effect": "Allow", "Principal": {"AWS": [partner]},
            "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": [BUCKET, format!("{BUCKET}/*")]
        }]));
        let allowed = [
            Principal::aws("arn:aws:iam::222233334444:user/etl"),
            Principal::aws("arn:aws:iam::222233334444:root"),
            Principal::role_session("arn:aws:iam::222233334444:role/ops/reader", "job-7"),
        ];
        for principal in allowed {
            assert_eq!(decide(&policy, &get(principal)), allow("PartnerRead", 0));
        }
        let refused = [
            Principal::aws("arn:aws:iam::999988887777:user/etl"),
            Principal::Anonymous,
            Principal::service("cloudfront.amazonaws.com"),
        ];
        for principal in refused {
            assert_eq!(decide(&policy, &get(principal)), Decision::NotApplicable);
        }
        let put = Request::new(
            Principal::aws("arn:aws:iam::222233334444:user/etl"),
            "s3:PutObject",
            OBJECT,
        );
        assert_eq!(decide(&policy, &put), Decision::NotApplicable);
    }
}

// --- Evaluation logic ----------------------------------------------------------------------------

/// Policy evaluation logic: an explicit deny overrides an allow, whatever the order.
#[test]
fn explicit_deny_wins_over_allow() {
    let policy = doc(json!([
        {"Sid": "Read", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": format!("{BUCKET}/*")},
        {"Sid": "NoReports", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": format!("{BUCKET}/reports/*")}
    ]));
    assert_eq!(decide(&policy, &admin()), deny("NoReports", 1));
    let other = Request::new(
        Principal::Anonymous,
        "s3:GetObject",
        format!("{BUCKET}/public/a"),
    );
    assert_eq!(decide(&policy, &other), allow("Read", 0));
    let put = Request::new(
        Principal::Anonymous,
        "s3:PutObject",
        format!("{BUCKET}/public/a"),
    );
    assert_eq!(decide(&policy, &put), Decision::NotApplicable);
}

#[test]
fn a_single_statement_object_and_no_sid() {
    let policy = json!({"Statement": {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}});
    assert_eq!(
        decide(&policy, &admin()),
        Decision::ExplicitDeny {
            sid: None,
            statement: 0
        }
    );
}

/// A definite deny decides even if another statement cannot be evaluated; an undecidable deny blocks
/// an allow from answering.
#[test]
fn undecidable_statements_only_matter_when_they_could_decide() {
    let unknown_deny = json!({"Sid": "Unknown", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*", "Resource": "*"});
    let certain_deny = json!({"Sid": "Certain", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"});
    let grant = json!({"Sid": "Grant", "Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"});
    let service = get(Principal::service("cloudfront.amazonaws.com"));
    let policy = doc(json!([unknown_deny.clone(), certain_deny]));
    assert_eq!(decide(&policy, &service), deny("Certain", 1));
    let policy = doc(json!([grant, unknown_deny]));
    let refused = evaluate(&policy, &service).unwrap_err();
    assert!(
        refused.reason().starts_with("Statement 1 (Unknown)"),
        "{refused}"
    );
}

/// Action page: action names are not case sensitive; Resource ARNs are.
#[test]
fn action_case_is_ignored_and_resource_case_is_not() {
    let policy = doc(
        json!([{"Sid": "S", "Effect": "Allow", "Principal": "*", "Action": "S3:get*", "Resource": format!("{BUCKET}/Reports/*")}]),
    );
    let upper = Request::new(
        Principal::Anonymous,
        "s3:GETOBJECT",
        format!("{BUCKET}/Reports/a"),
    );
    assert!(decide(&policy, &upper).is_allow());
    let lower = Request::new(
        Principal::Anonymous,
        "s3:GetObject",
        format!("{BUCKET}/reports/a"),
    );
    assert_eq!(decide(&policy, &lower), Decision::NotApplicable);
    let single = doc(
        json!([{"Effect": "Allow", "Principal": "*", "Action": "s3:Get?bject", "Resource": "*"}]),
    );
    assert!(decide(&single, &admin()).is_allow());
}

#[test]
fn not_action_and_not_resource() {
    let policy = doc(json!([{
        "Sid": "DenyAllButRead", "Effect": "Deny", "Principal": "*",
        "NotAction": ["s3:GetObject", "s3:List*"], "NotResource": format!("{BUCKET}/scratch/*")
    }]));
    let put = |key: &str| {
        Request::new(
            Principal::aws(ADMIN),
            "s3:PutObject",
            format!("{BUCKET}/{key}"),
        )
    };
    assert_eq!(
        decide(&policy, &put("reports/a")),
        deny("DenyAllButRead", 0)
    );
    assert_eq!(decide(&policy, &put("scratch/a")), Decision::NotApplicable);
    assert_eq!(decide(&policy, &admin()), Decision::NotApplicable);
    let list = Request::new(Principal::aws(ADMIN), "s3:ListBucket", BUCKET);
    assert_eq!(decide(&policy, &list), Decision::NotApplicable);
}

#[test]
fn object_keys_with_colons_and_wildcard_characters_are_literal_text() {
    let policy = doc(
        json!([{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": format!("{BUCKET}/a:*")}]),
    );
    let request = Request::new(
        Principal::Anonymous,
        "s3:GetObject",
        format!("{BUCKET}/a:b*?"),
    );
    assert!(decide(&policy, &request).is_allow());
}

/// A wildcard that would reach across ARN colons: string and segment matching disagree.
#[test]
fn resource_wildcards_across_arn_segments_are_refused() {
    let policy = doc(
        json!([{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "arn:aws:s3*bucket/*"}]),
    );
    assert!(evaluate(&policy, &get(Principal::Anonymous)).is_err());
    let not_arn =
        doc(json!([{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "bucket/*"}]));
    assert!(evaluate(&not_arn, &admin()).is_err());
}

// --- Principal and NotPrincipal --------------------------------------------------------------------

/// Principal page: for anonymous users `"*"` and `{"AWS": "*"}` are equivalent.
#[test]
fn star_and_aws_star_both_cover_anonymous_and_iam_callers() {
    for principal in [json!("*"), json!({"AWS": "*"}), json!({"AWS": ["*"]})] {
        let policy = doc(
            json!([{"Effect": "Allow", "Principal": principal, "Action": "s3:GetObject", "Resource": "*"}]),
        );
        for caller in [
            Principal::Anonymous,
            Principal::aws(ADMIN),
            Principal::role_session("arn:aws:iam::444455556666:role/r", "s"),
        ] {
            assert!(decide(&policy, &get(caller)).is_allow());
        }
    }
}

#[test]
fn role_principals_match_their_sessions_and_users_match_exactly() {
    let policy = doc(
        json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Principal": {"AWS": [
            "arn:aws:iam::111122223333:role/team/reader",
            "arn:aws:iam::111122223333:user/Bob",
            "arn:aws:sts::111122223333:assumed-role/auditor/alice"
        ]}}]),
    );
    let yes = [
        Principal::role_session("arn:aws:iam::111122223333:role/team/reader", "any"),
        Principal::aws("arn:aws:iam::111122223333:user/Bob"),
        Principal::role_session("arn:aws:iam::111122223333:role/auditor", "alice"),
    ];
    for caller in yes {
        assert!(
            decide(&policy, &get(caller.clone())).is_allow(),
            "{caller:?}"
        );
    }
    let no = [
        Principal::aws("arn:aws:iam::111122223333:user/bob"),
        Principal::aws("arn:aws:iam::111122223333:root"),
        Principal::role_session("arn:aws:iam::111122223333:role/auditor", "mallory"),
        Principal::role_session("arn:aws:iam::999988887777:role/team/reader", "any"),
    ];
    for caller in no {
        assert_eq!(
            decide(&policy, &get(caller.clone())),
            Decision::NotApplicable,
            "{caller:?}"
        );
    }
}

/// NotPrincipal page, "IAM user in the same or a different account": everyone but Bob is denied.
#[test]
fn not_principal_deny_spares_a_fully_listed_user() {
    let policy = doc(json!([{
        "Sid": "AllButBob", "Effect": "Deny",
        "NotPrincipal": {"AWS": ["arn:aws:iam::444455556666:user/Bob", "arn:aws:iam::444455556666:root"]},
        "Action": "s3:*", "Resource": [BUCKET, format!("{BUCKET}/*")]
    }]));
    let bob = get(Principal::aws("arn:aws:iam::444455556666:user/Bob"));
    assert_eq!(decide(&policy, &bob), Decision::NotApplicable);
    let root = get(Principal::aws("arn:aws:iam::444455556666:root"));
    assert_eq!(decide(&policy, &root), Decision::NotApplicable);
    for other in [
        Principal::aws(ADMIN),
        Principal::Anonymous,
        Principal::service("cloudfront.amazonaws.com"),
    ] {
        assert_eq!(decide(&policy, &get(other)), deny("AllButBob", 0));
    }
    // Alice shares Bob's account but is not listed: account listed, user not, so AWS "might" spare or
    // deny; refused.
    let alice = get(Principal::aws("arn:aws:iam::444455556666:user/Alice"));
    assert!(evaluate(&policy, &alice).is_err());
}

/// NotPrincipal page, "IAM role in the same or different account": session, role and account listed.
#[test]
fn not_principal_deny_spares_a_fully_listed_role_session_only() {
    let role = "arn:aws:iam::444455556666:role/cross-account-read-only-role";
    let full = doc(json!([{
        "Effect": "Deny", "Action": "s3:*", "Resource": "*",
        "NotPrincipal": {"AWS": [
            "arn:aws:sts::444455556666:assumed-role/cross-account-read-only-role/cross-account-audit-app",
            role, "arn:aws:iam::444455556666:root"
        ]}
    }]));
    let app = get(Principal::role_session(role, "cross-account-audit-app"));
    assert_eq!(decide(&full, &app), Decision::NotApplicable);
    let only_session = doc(json!([{
        "Effect": "Deny", "Action": "s3:*", "Resource": "*",
        "NotPrincipal": {"AWS": "arn:aws:sts::444455556666:assumed-role/cross-account-read-only-role/cross-account-audit-app"}
    }]));
    assert!(
        evaluate(&only_session, &app).is_err(),
        "role and account missing: might deny"
    );
}

/// A legacy origin access identity: its pseudo-account `cloudfront` and a user name with spaces.
#[test]
fn cloudfront_origin_access_identity_user() {
    let oai = "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2QWRUHAPOMQZL";
    let policy = doc(
        json!([{"Sid": "OAI", "Effect": "Allow", "Principal": {"AWS": oai}, "Action": "s3:GetObject", "Resource": format!("{BUCKET}/*")}]),
    );
    assert_eq!(decide(&policy, &get(Principal::aws(oai))), allow("OAI", 0));
    assert_eq!(decide(&policy, &admin()), Decision::NotApplicable);
}

#[test]
fn not_principal_with_allow_is_refused() {
    let policy = doc(
        json!([{"Effect": "Allow", "NotPrincipal": {"AWS": ADMIN}, "Action": "s3:*", "Resource": "*"}]),
    );
    let refused = evaluate(&policy, &admin()).unwrap_err();
    assert!(
        refused.reason().contains("NotPrincipal with Allow"),
        "{refused}"
    );
}

#[test]
fn principal_shapes_that_are_refused() {
    for principal in [
        json!("arn:aws:iam::111122223333:root"),
        json!({"AWS": "arn:aws:iam::111122223333:user/*"}),
        json!({"AWS": "AIDAJQABLZS4A3QDU576Q"}),
        json!({"Everyone": "*"}),
        json!({"Service": "*"}),
        json!({"AWS": []}),
        json!({}),
    ] {
        let policy = doc(
            json!([{"Effect": "Allow", "Principal": principal, "Action": "*", "Resource": "*"}]),
        );
        assert!(evaluate(&policy, &admin()).is_err(), "{principal}");
    }
}

/// CanonicalUser never names an anonymous caller; for anyone else the id-to-account mapping is unknown.
#[test]
fn canonical_user_principals() {
    let policy = doc(
        json!([{"Effect": "Allow", "Principal": {"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}, "Action": "*", "Resource": "*"}]),
    );
    assert_eq!(
        decide(&policy, &get(Principal::Anonymous)),
        Decision::NotApplicable
    );
    assert!(evaluate(&policy, &admin()).is_err());
}

#[test]
fn callers_given_in_an_unsupported_form_are_refused() {
    let policy = doc(
        json!([{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "*", "Resource": "*"}]),
    );
    for caller in [
        Principal::aws("arn:aws:sts::111122223333:assumed-role/r/s"),
        Principal::aws("arn:aws:iam::111122223333:role/r"),
        Principal::aws("111122223333"),
        Principal::role_session("arn:aws:iam::111122223333:user/u", "s"),
    ] {
        assert!(
            evaluate(&policy, &get(caller.clone())).is_err(),
            "{caller:?}"
        );
    }
    let bad_action = Request::new(Principal::Anonymous, "GetObject", OBJECT);
    assert!(evaluate(&policy, &bad_action).is_err());
}

// --- Conditions ------------------------------------------------------------------------------------

/// Condition operators page, Important box: a missing key makes the condition false, but true for a
/// negated operator such as StringNotLike or ArnNotLike; IfExists is true for a missing key.
#[test]
fn missing_keys_fail_plain_operators_and_pass_negated_ones() {
    let bare = admin();
    let cases = [
        (json!({"StringEquals": {"aws:SourceVpce": "vpce-1"}}), false),
        (
            json!({"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}),
            true,
        ),
        (json!({"StringNotLike": {"aws:SourceVpce": "vpce-*"}}), true),
        (
            json!({"ArnNotLike": {"aws:PrincipalArn": BREAK_GLASS}}),
            true,
        ),
        (json!({"ArnLike": {"aws:PrincipalArn": BREAK_GLASS}}), false),
        (
            json!({"NotIpAddress": {"aws:SourceIp": "198.51.100.0/24"}}),
            true,
        ),
        (
            json!({"IpAddress": {"aws:SourceIp": "198.51.100.0/24"}}),
            false,
        ),
        (json!({"NumericNotEquals": {"s3:max-keys": 10}}), true),
        (json!({"NumericLessThan": {"s3:max-keys": 10}}), false),
        (
            json!({"DateNotEquals": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}),
            true,
        ),
        (json!({"Bool": {"aws:SecureTransport": "false"}}), false),
        (
            json!({"BoolIfExists": {"aws:SecureTransport": "false"}}),
            true,
        ),
        (
            json!({"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1"}}),
            true,
        ),
        (
            json!({"StringNotEqualsIfExists": {"aws:SourceVpce": "vpce-1"}}),
            true,
        ),
    ];
    for (condition, expected) in cases {
        assert_eq!(holds(condition.clone(), &bare), Ok(expected), "{condition}");
    }
}

/// Multiple keys or values: values of one key are ORed, a negated operator's values work like AND.
#[test]
fn values_are_ored_and_negated_values_anded() {
    let audit = admin().with("aws:PrincipalTag/role", "audit");
    let other = admin().with("aws:PrincipalTag/role", "dev");
    let listed = json!(["audit", "security"]);
    assert_eq!(
        holds(
            json!({"StringEquals": {"aws:PrincipalTag/role": listed}}),
            &audit
        ),
        Ok(true)
    );
    assert_eq!(
        holds(
            json!({"StringEquals": {"aws:PrincipalTag/role": listed}}),
            &other
        ),
        Ok(false)
    );
    assert_eq!(
        holds(
            json!({"StringNotEquals": {"aws:PrincipalTag/role": listed}}),
            &audit
        ),
        Ok(false)
    );
    assert_eq!(
        holds(
            json!({"StringNotEquals": {"aws:PrincipalTag/role": listed}}),
            &other
        ),
        Ok(true)
    );
}

/// Keys within an operator and operators within a block are ANDed.
#[test]
fn keys_and_operators_are_anded() {
    let both = admin()
        .with("aws:SecureTransport", true)
        .with("aws:SourceIp", "198.51.100.1");
    let one = admin()
        .with("aws:SecureTransport", true)
        .with("aws:SourceIp", "203.0.113.1");
    let condition = json!({
        "Bool": {"aws:SecureTransport": "true"},
        "IpAddress": {"aws:SourceIp": "198.51.100.0/24"}
    });
    assert_eq!(holds(condition.clone(), &both), Ok(true));
    assert_eq!(holds(condition, &one), Ok(false));
    let two_keys =
        json!({"StringEquals": {"aws:SourceVpce": "vpce-1", "aws:SourceAccount": "111122223333"}});
    let r = admin().with("aws:SourceVpce", "vpce-1");
    assert_eq!(holds(two_keys.clone(), &r), Ok(false));
    assert_eq!(
        holds(two_keys, &r.with("aws:SourceAccount", 111122223333_u64)),
        Ok(true)
    );
}

#[test]
fn condition_keys_ignore_case_and_string_values_do_not() {
    let r = admin().with("AWS:PRINCIPALTAG/Role", "Audit");
    assert_eq!(
        holds(
            json!({"StringEquals": {"aws:PrincipalTag/role": "Audit"}}),
            &r
        ),
        Ok(true)
    );
    assert_eq!(
        holds(
            json!({"StringEquals": {"aws:PrincipalTag/role": "audit"}}),
            &r
        ),
        Ok(false)
    );
    assert_eq!(
        holds(
            json!({"StringEqualsIgnoreCase": {"aws:PrincipalTag/role": "AUDIT"}}),
            &r
        ),
        Ok(true)
    );
    assert_eq!(
        holds(
            json!({"StringNotEqualsIgnoreCase": {"aws:PrincipalTag/role": "AUDIT"}}),
            &r
        ),
        Ok(false)
    );
    assert_eq!(
        holds(json!({"StringLike": {"aws:PrincipalTag/role": "Au*"}}), &r),
        Ok(true)
    );
    assert_eq!(
        holds(json!({"StringLike": {"aws:PrincipalTag/role": "au*"}}), &r),
        Ok(false)
    );
    assert_eq!(
        holds(
            json!({"StringEquals": {"aws:PrincipalTag/role": "Au*"}}),
            &r
        ),
        Ok(false),
        "no wildcards in StringEquals"
    );
    let twice = admin()
        .with("aws:SourceVpce", "a")
        .with("AWS:SourceVpce", "b");
    assert!(holds(json!({"StringEquals": {"aws:SourceVpce": "a"}}), &twice).is_err());
}

/// Condition operators page, Numeric example: `s3:max-keys` given as a string "10".
#[test]
fn numeric_operators() {
    let keys = |n: i32| admin().with("s3:max-keys", n);
    let le = json!({"NumericLessThanEquals": {"s3:max-keys": "10"}});
    assert_eq!(holds(le.clone(), &keys(10)), Ok(true));
    assert_eq!(holds(le.clone(), &keys(11)), Ok(false));
    assert_eq!(
        holds(json!({"NumericEquals": {"s3:max-keys": 10}}), &keys(10)),
        Ok(true)
    );
    assert_eq!(
        holds(json!({"NumericEquals": {"s3:max-keys": "10.0"}}), &keys(10)),
        Ok(true)
    );
    assert_eq!(
        holds(
            json!({"NumericNotEquals": {"s3:max-keys": [1, 2]}}),
            &keys(2)
        ),
        Ok(false)
    );
    assert_eq!(
        holds(
            json!({"NumericGreaterThan": {"s3:max-keys": 10}}),
            &keys(10)
        ),
        Ok(false)
    );
    assert_eq!(
        holds(
            json!({"NumericGreaterThanEquals": {"s3:max-keys": 10}}),
            &keys(10)
        ),
        Ok(true)
    );
    assert_eq!(
        holds(json!({"NumericLessThan": {"s3:max-keys": 10}}), &keys(9)),
        Ok(true)
    );
    assert!(holds(le, &admin().with("s3:max-keys", "ten")).is_err());
    assert!(evaluate(&doc(json!([{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*", "Condition": {"NumericLessThan": {"s3:max-keys": "1e3"}}}])), &admin()).is_err());
}

/// Condition operators page, Date example (`aws:TokenIssueTime` after 2020-01-01T00:00:01Z), with
/// ISO 8601 and epoch values on either side.
#[test]
fn date_operators() {
    let issued = |t: &str| admin().with("aws:TokenIssueTime", t);
    let after = json!({"DateGreaterThan": {"aws:TokenIssueTime": "2020-01-01T00:00:01Z"}});
    assert_eq!(
        holds(after.clone(), &issued("2020-06-01T12:00:00Z")),
        Ok(true)
    );
    assert_eq!(
        holds(after.clone(), &issued("2020-01-01T00:00:01Z")),
        Ok(false)
    );
    assert_eq!(holds(after.clone(), &issued("1577836802")), Ok(true));
    assert_eq!(
        holds(after, &admin()),
        Ok(false),
        "an IAM user's access keys have no token time"
    );
    let epoch = json!({"DateLessThanEquals": {"aws:EpochTime": 1577836801}});
    assert_eq!(
        holds(epoch.clone(), &admin().with("aws:EpochTime", "1577836801")),
        Ok(true)
    );
    assert_eq!(
        holds(
            epoch,
            &admin().with("aws:EpochTime", "2020-01-01T00:00:02Z")
        ),
        Ok(false)
    );
    let equals = json!({"DateEquals": {"aws:CurrentTime": "2020-01-01T01:00:00+01:00"}});
    assert_eq!(
        holds(
            equals,
            &admin().with("aws:CurrentTime", "2020-01-01T00:00:00Z")
        ),
        Ok(true)
    );
    assert!(holds(
        json!({"DateLessThan": {"aws:CurrentTime": "2020-01-01"}}),
        &admin()
    )
    .is_err());
}

#[test]
fn bool_values_must_be_true_or_false() {
    assert!(holds(json!({"Bool": {"aws:SecureTransport": "True"}}), &admin()).is_err());
    assert!(holds(
        json!({"Bool": {"aws:SecureTransport": "false"}}),
        &admin().with("aws:SecureTransport", "no")
    )
    .is_err());
    assert_eq!(
        holds(
            json!({"Bool": {"aws:SecureTransport": true}}),
            &admin().with("aws:SecureTransport", "true")
        ),
        Ok(true)
    );
}

/// Condition operators page, IP example mixing IPv4 and IPv6 ranges.
#[test]
fn ip_address_operators_with_ipv4_and_ipv6() {
    let ranges =
        json!({"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:DB8:1234:5678::/64"]}});
    let from = |ip: &str| holds(ranges.clone(), &admin().with("aws:SourceIp", ip));
    assert_eq!(from("203.0.113.200"), Ok(true));
    assert_eq!(from("2001:db8:1234:5678:abcd::1"), Ok(true));
    assert_eq!(from("203.0.114.1"), Ok(false));
    assert_eq!(from("2001:db8:1234:5679::1"), Ok(false));
    assert!(from("somewhere").is_err());
    let bare_v6 = json!({"IpAddress": {"aws:SourceIp": "2001:db8::1"}});
    assert!(
        holds(bare_v6, &admin()).is_err(),
        "a bare IPv6 address has no documented prefix"
    );
}

/// Condition operators page, ARN example: SNS may send to the queue only on behalf of one topic.
#[test]
fn arn_operators_from_the_sqs_example() {
    let policy = doc(json!([{
        "Effect": "Allow", "Principal": {"AWS": "123456789012"}, "Action": "SQS:SendMessage",
        "Resource": "arn:aws:sqs:us-east-2:123456789012:QUEUE-ID",
        "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-2:123456789012:TOPIC-ID"}}
    }]));
    let send = |source: Option<&str>| {
        let r = Request::new(
            Principal::aws("arn:aws:iam::123456789012:user/u"),
            "sqs:SendMessage",
            "arn:aws:sqs:us-east-2:123456789012:QUEUE-ID",
        );
        decide(
            &policy,
            &source.map_or(r.clone(), |s| r.with("aws:SourceArn", s)),
        )
        .is_allow()
    };
    assert!(send(Some("arn:aws:sns:us-east-2:123456789012:TOPIC-ID")));
    assert!(!send(Some("arn:aws:sns:us-east-2:123456789012:OTHER")));
    assert!(
        !send(None),
        "the user calling directly has no aws:SourceArn"
    );
    let like =
        json!({"ArnLike": {"aws:SourceArn": "arn:aws:someservice:*:111122223333:finance/*"}});
    let crossing =
        "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt";
    assert_eq!(
        holds(like.clone(), &admin().with("aws:SourceArn", crossing)),
        Ok(false)
    );
    let string_like =
        json!({"StringLike": {"aws:SourceArn": "arn:aws:someservice:*:111122223333:finance/*"}});
    assert_eq!(
        holds(string_like, &admin().with("aws:SourceArn", crossing)),
        Ok(true)
    );
    assert!(holds(like, &admin().with("aws:SourceArn", "not-an-arn")).is_err());
}

/// Condition operators page, Null example: the key must be absent (no temporary credentials).
#[test]
fn null_operator() {
    let absent = json!({"Null": {"aws:TokenIssueTime": "true"}});
    let present = json!({"Null": {"aws:TokenIssueTime": false}});
    let temporary = admin().with("aws:TokenIssueTime", "2024-01-01T00:00:00Z");
    assert_eq!(holds(absent.clone(), &admin()), Ok(true));
    assert_eq!(holds(absent, &temporary), Ok(false));
    assert_eq!(holds(present.clone(), &admin()), Ok(false));
    assert_eq!(holds(present, &temporary), Ok(true));
    assert!(holds(json!({"NullIfExists": {"k": "true"}}), &admin()).is_err());
    assert!(holds(json!({"ForAnyValue:Null": {"k": "true"}}), &admin()).is_err());
}

/// Condition operators page, IfExists example: launch only t1/t2/m3 when the key is there.
#[test]
fn if_exists_checks_only_present_keys() {
    let condition = json!({"StringLikeIfExists": {"ec2:InstanceType": ["t1.*", "t2.*", "m3.*"]}});
    let run = |r: Request| holds(condition.clone(), &r);
    assert_eq!(run(admin().with("ec2:InstanceType", "t2.micro")), Ok(true));
    assert_eq!(run(admin().with("ec2:InstanceType", "c5.large")), Ok(false));
    assert_eq!(run(admin()), Ok(true));
}

/// Multivalued context keys examples page, "Deny policy with condition set operator ForAllValues":
/// the four-row table for `ForAllValues:StringNotLike` on `aws:TagKeys`.
#[test]
fn for_all_values_string_not_like_table() {
    let condition = json!({"ForAllValues:StringNotLike": {"aws:TagKeys": "key1*"}});
    let tags = |keys: &[&str]| {
        holds(
            condition.clone(),
            &admin().with_values("aws:TagKeys", keys.iter().copied()),
        )
    };
    assert_eq!(tags(&["key1:legal"]), Ok(false));
    assert_eq!(tags(&["key1:hr", "key1:personnel"]), Ok(false));
    assert_eq!(tags(&["key2:audit"]), Ok(true));
    assert_eq!(
        holds(condition, &admin()),
        Ok(true),
        "no aws:TagKeys: ForAllValues is true"
    );
}

/// Set operators page: ForAllValues needs every request value listed; ForAnyValue needs one; an
/// empty data set makes ForAllValues true and ForAnyValue false.
#[test]
fn set_operators_from_the_dynamodb_examples() {
    let all = json!({"ForAllValues:StringLike": {"dynamodb:requestedAttributes": ["PostDateTime", "Message", "Tags"]}});
    let any =
        json!({"ForAnyValue:StringLike": {"dynamodb:requestedAttributes": ["ID", "PostDateTime"]}});
    let asked =
        |attrs: &[&str]| admin().with_values("dynamodb:requestedAttributes", attrs.iter().copied());
    assert_eq!(
        holds(all.clone(), &asked(&["PostDateTime", "Message"])),
        Ok(true)
    );
    assert_eq!(
        holds(all.clone(), &asked(&["PostDateTime", "UserName"])),
        Ok(false)
    );
    assert_eq!(
        holds(
            any.clone(),
            &asked(&["UserName", "Message", "PostDateTime"])
        ),
        Ok(true)
    );
    assert_eq!(holds(any.clone(), &asked(&["UserName"])), Ok(false));
    let empty = asked(&[]);
    assert_eq!(holds(all.clone(), &empty), Ok(true));
    assert_eq!(holds(any.clone(), &empty), Ok(false));
    assert_eq!(holds(all, &admin()), Ok(true));
    assert_eq!(holds(any.clone(), &admin()), Ok(false));
    assert!(
        holds(any, &asked(&[""])).is_err(),
        "is one empty string an empty data set?"
    );
}

#[test]
fn undocumented_combinations_are_refused() {
    let set_if_exists = json!({"ForAnyValue:StringEqualsIfExists": {"aws:TagKeys": "team"}});
    assert!(holds(set_if_exists.clone(), &admin()).is_err());
    let all_if_exists = json!({"ForAllValues:StringEqualsIfExists": {"aws:TagKeys": "team"}});
    assert_eq!(
        holds(all_if_exists, &admin()),
        Ok(true),
        "both rules say true"
    );
    assert_eq!(
        holds(
            set_if_exists,
            &admin().with_values("aws:TagKeys", ["team", "x"])
        ),
        Ok(true)
    );
    let many = admin().with_values("aws:SourceVpce", ["vpce-1", "vpce-2"]);
    assert!(holds(json!({"StringEquals": {"aws:SourceVpce": "vpce-1"}}), &many).is_err());
}

#[test]
fn unknown_or_unsupported_shapes_are_refused_naming_them() {
    let refused = |condition: Value| holds(condition, &admin()).unwrap_err().to_string();
    assert!(refused(json!({"StringEqualz": {"k": "v"}})).contains("StringEqualz"));
    assert!(refused(json!({"BinaryEquals": {"k": "QmluYXJ5"}})).contains("BinaryEquals"));
    assert!(refused(json!({"StringEquals": {"k": {"nested": 1}}})).contains("not a string"));
    assert!(refused(json!({"StringEquals": {"k": []}})).contains("empty list"));
    assert!(refused(json!({"StringEquals": {}})).contains("no keys"));
    assert!(refused(json!({})).contains("empty"));
    let statement = |s: Value| {
        evaluate(&doc(json!([s])), &admin())
            .unwrap_err()
            .to_string()
    };
    assert!(statement(
        json!({"Effect": "allow", "Principal": "*", "Action": "*", "Resource": "*"})
    )
    .contains("Effect"));
    assert!(
        statement(json!({"Effect": "Allow", "Principal": "*", "Action": "*"})).contains("Resource")
    );
    assert!(
        statement(json!({"Effect": "Allow", "Action": "*", "Resource": "*"})).contains("Principal")
    );
    assert!(statement(json!({"Effect": "Allow", "Principal": "*", "Action": "*", "NotAction": "s3:*", "Resource": "*"})).contains("both"));
    assert!(statement(
        json!({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*", "Extra": 1})
    )
    .contains("Extra"));
    assert!(statement(
        json!({"Effect": "Allow", "Principal": "*", "Action": "GetObject", "Resource": "*"})
    )
    .contains("GetObject"));
    let version = json!({"Version": "2012-10-18", "Statement": []});
    assert!(evaluate(&version, &admin())
        .unwrap_err()
        .to_string()
        .contains("Version"));
    assert!(evaluate(&json!({"Statement": []}), &admin()).is_err());
}

/// Version page: in 2012-10-17 `${aws:username}` is a variable (refused here, not substituted); in
/// 2008-10-17, or without a Version, it is literal text.
#[test]
fn policy_variables() {
    let statement = json!({
        "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
        "Resource": format!("{BUCKET}/home/${{aws:username}}/*")
    });
    let literal = Request::new(
        Principal::Anonymous,
        "s3:GetObject",
        format!("{BUCKET}/home/${{aws:username}}/a"),
    );
    let refused = evaluate(&doc(json!([statement.clone()])), &literal).unwrap_err();
    assert!(refused.reason().contains("policy variable"), "{refused}");
    for version in [json!({"Version": "2008-10-17"}), json!({})] {
        let Value::Object(mut policy) = version else {
            unreachable!()
        };
        policy.insert("Statement".into(), json!([statement.clone()]));
        assert!(decide(&Value::Object(policy), &literal).is_allow());
    }
    let condition = json!({"StringLike": {"s3:prefix": ["home/${aws:username}/"]}});
    assert!(holds(condition, &admin()).is_err());
}
