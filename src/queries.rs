//! Ready-to-run queries for the PR text: everything the findings' IPs did in the window, from the
//! CloudTrail logs in Athena and from a CloudTrail Lake event data store.
//!
//! Values are validated IPs and dates cut to `YYYY-MM-DD`, quoted as SQL literals on top.

use crate::plan::Plan;
use crate::render::escape::sql_string;
use serde::Serialize;
use std::collections::BTreeSet;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Queries {
    pub athena: String,
    pub lake: String,
    pub from_day: String,
    pub to_day: String,
    /// What the findings' principals created or changed in IAM in the window: persistence.
    pub persistence: Option<String>,
}

/// IAM calls an intruder uses to stay in: new identities, keys, passwords, trust and permissions.
const PERSISTENCE_EVENTS: &[&str] = &[
    "AddUserToGroup",
    "AttachGroupPolicy",
    "AttachRolePolicy",
    "AttachUserPolicy",
    "CreateAccessKey",
    "CreateLoginProfile",
    "CreatePolicy",
    "CreatePolicyVersion",
    "CreateRole",
    "CreateUser",
    "CreateVirtualMFADevice",
    "DeactivateMFADevice",
    "PutGroupPolicy",
    "PutRolePolicy",
    "PutUserPolicy",
    "UpdateAccessKey",
    "UpdateAssumeRolePolicy",
    "UpdateLoginProfile",
];

/// A `YYYY-MM-DD` prefix of a timestamp, when it has one.
fn day(ts: &str) -> Option<String> {
    let d = ts.get(..10)?;
    let ok = d.bytes().enumerate().all(|(i, b)| match i {
        4 | 7 => b == b'-',
        _ => b.is_ascii_digit(),
    });
    ok.then(|| d.to_string())
}

pub fn build(plan: &Plan) -> Option<Queries> {
    let ips: BTreeSet<String> = plan
        .findings
        .iter()
        .filter_map(|f| f.remote_ip())
        .map(|ip| ip.to_string())
        .collect();
    if ips.is_empty() {
        return None;
    }
    let days = |pick: fn(&crate::model::Finding) -> Option<&String>| -> BTreeSet<String> {
        plan.findings
            .iter()
            .filter_map(|f| pick(f).and_then(|t| day(t)))
            .collect()
    };
    let from_day = days(|f| f.first_seen.as_ref().or(f.created_at.as_ref()))
        .into_iter()
        .next()?;
    let to_day = days(|f| f.last_seen.as_ref().or(f.updated_at.as_ref()))
        .into_iter()
        .next_back()?;
    let list = ips
        .iter()
        .map(|ip| sql_string(ip))
        .collect::<Vec<_>>()
        .join(", ");
    let athena = format!(
        "-- Replace cloudtrail_logs with your CloudTrail table (see the Athena docs: Querying AWS CloudTrail logs).\n\
         SELECT eventtime, eventsource, eventname, errorcode, errormessage,\n       \
         useridentity.arn AS principal_arn, useridentity.accesskeyid AS access_key_id,\n       \
         json_extract_scalar(requestparameters, '$.bucketName') AS bucket,\n       \
         json_extract_scalar(requestparameters, '$.key') AS object_key,\n       \
         sourceipaddress, useragent\n\
         FROM cloudtrail_logs\n\
         WHERE sourceipaddress IN ({list})\n  \
         AND eventtime BETWEEN {} AND {}\n\
         ORDER BY eventtime;",
        sql_string(&format!("{from_day}T00:00:00Z")),
        sql_string(&format!("{to_day}T23:59:59Z")),
    );
    let lake = format!(
        "-- Replace <event-data-store-id> with your CloudTrail Lake event data store ID.\n\
         SELECT eventTime, eventSource, eventName, errorCode, errorMessage,\n       \
         userIdentity.arn, userIdentity.accessKeyId, sourceIPAddress, userAgent,\n       \
         element_at(requestParameters, 'bucketName') AS bucket\n\
         FROM <event-data-store-id>\n\
         WHERE sourceIPAddress IN ({list})\n  \
         AND eventTime >= {} AND eventTime <= {}\n\
         ORDER BY eventTime;",
        sql_string(&format!("{from_day} 00:00:00")),
        sql_string(&format!("{to_day} 23:59:59")),
    );
    let persistence = persistence_query(plan, &from_day);
    Some(Queries {
        athena,
        lake,
        from_day,
        to_day,
        persistence,
    })
}

/// Athena: IAM changes made with the findings' keys or by their principals since the first sighting
/// (an intruder's persistence may come after the last one).
fn persistence_query(plan: &Plan, from_day: &str) -> Option<String> {
    let keys: BTreeSet<String> = plan
        .principals
        .iter()
        .filter_map(|p| p.access_key_id.clone())
        .filter(|k| crate::validate::access_key_id(k).is_ok())
        .collect();
    let names: BTreeSet<String> = plan
        .principals
        .iter()
        .filter_map(|p| p.name.clone())
        .filter(|n| crate::validate::iam_name(n).is_ok())
        .collect();
    if keys.is_empty() && names.is_empty() {
        return None;
    }
    let mut who = Vec::new();
    if !keys.is_empty() {
        let list: Vec<String> = keys.iter().map(|k| sql_string(k)).collect();
        who.push(format!("useridentity.accesskeyid IN ({})", list.join(", ")));
    }
    if !names.is_empty() {
        let list: Vec<String> = names.iter().map(|n| sql_string(n)).collect();
        who.push(format!("useridentity.username IN ({})", list.join(", ")));
        who.push(format!(
            "useridentity.sessioncontext.sessionissuer.username IN ({})",
            list.join(", ")
        ));
    }
    let events: Vec<String> = PERSISTENCE_EVENTS.iter().map(|e| sql_string(e)).collect();
    Some(format!(
        "-- IAM changes made with these credentials: look for persistence (new users, keys, roles, policies).\n\
         SELECT eventtime, eventname, errorcode, useridentity.arn AS principal_arn,\n       \
         useridentity.accesskeyid AS access_key_id, sourceipaddress, requestparameters\n\
         FROM cloudtrail_logs\n\
         WHERE ({})\n  \
         AND eventsource = 'iam.amazonaws.com'\n  \
         AND eventname IN ({})\n  \
         AND eventtime >= {}\n\
         ORDER BY eventtime;",
        who.join("\n       OR "),
        events.join(", "),
        sql_string(&format!("{from_day}T00:00:00Z")),
    ))
}
