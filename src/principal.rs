//! Which principal signed the probe's calls, compared with the role the task's start-up
//! really uses (docs/aws-facts.md#principals): on Fargate the task execution role,
//! not the probe's own task role. When they differ, every IAM and endpoint-policy
//! verdict is about the wrong principal, and the hints say so.

use crate::causes::Family;
use crate::causes::code;
use crate::diagnose::Cause;
use crate::hop::HopResult;
use crate::hop_kind::HopKind;
use crate::report::wire::Principal;

/// The role name and account of a role ARN (`arn:aws:iam::1:role/path/Name`), an
/// assumed-role ARN (`arn:aws:sts::1:assumed-role/Name/session`), or a bare name.
pub fn role_of(s: &str) -> (Option<&str>, &str) {
    let parts: Vec<&str> = s.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", _, "iam", _, account, resource] => {
            let name = resource.rsplit('/').next().unwrap_or(resource);
            (Some(account), name)
        }
        ["arn", _, "sts", _, account, resource] => {
            let name = resource.split('/').nth(1).unwrap_or(resource);
            (Some(account), name)
        }
        _ => (None, s.rsplit('/').next().unwrap_or(s)),
    }
}

pub fn same_role(a: &str, b: &str) -> bool {
    let ((acct_a, name_a), (acct_b, name_b)) = (role_of(a), role_of(b));
    name_a == name_b && (acct_a.is_none() || acct_b.is_none() || acct_a == acct_b)
}

/// Compare, and when the roles differ, warn on the credentials hop and add to the hint
/// of every verdict a policy decided.
pub fn check(hops: &mut [HopResult], expected: Option<(&str, &'static str)>) -> Option<Principal> {
    let from_sts = hops
        .iter()
        .find_map(|h| h.evidence.as_call()?.caller_arn.clone())
        .map(|a| (a, "sts"));
    let from_creds = hops
        .iter()
        .filter(|h| h.kind == HopKind::Credentials)
        .find_map(|h| h.evidence.as_credentials()?.role_arn.clone())
        .map(|a| (a, "credentials"));
    let signed = from_sts.or(from_creds);
    if signed.is_none() && expected.is_none() {
        return None;
    }
    let matches = match (&signed, expected) {
        (Some((s, _)), Some((e, _))) => Some(same_role(s, e)),
        _ => None,
    };
    if let (Some(false), Some((s, _)), Some((e, from))) = (matches, &signed, expected) {
        let note = format!(
            " (this verdict is about {s}, which signed the probe's calls, not {e} ({}), which the task's start-up uses)",
            from.replace('_', " ")
        );
        for h in hops.iter_mut() {
            let policy = h
                .cause
                .as_ref()
                .is_some_and(|c| c.code.info().family == Family::Policy);
            if policy && let Some(c) = h.cause.as_mut() {
                c.hint.push_str(&note);
            }
            if h.kind == HopKind::Credentials {
                let hop = std::mem::replace(h, HopResult::new(HopKind::Credentials, "", ""));
                *h = hop.warn(Cause::new(
                    code!("auth.principal_mismatch"),
                    format!("the probe signed as {s}, but the task's start-up uses {e}: IAM and endpoint-policy verdicts of this run are about the probe's principal. Run the probe with {e} as its task role (execution roles trust ecs-tasks.amazonaws.com)"),
                ));
            }
        }
    }
    Some(Principal {
        signed_by: signed.as_ref().map(|(a, _)| a.clone()),
        signed_by_source: signed.map(|(_, s)| s.to_string()),
        expected: expected.map(|(e, _)| e.to_string()),
        expected_source: expected.map(|(_, s)| s.to_string()),
        matches,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_from_arns() {
        assert_eq!(
            role_of("arn:aws:iam::123456789012:role/service/app-exec"),
            (Some("123456789012"), "app-exec")
        );
        assert_eq!(
            role_of("arn:aws:sts::123456789012:assumed-role/app-exec/5f2c"),
            (Some("123456789012"), "app-exec")
        );
        assert_eq!(
            role_of("ecsTaskExecutionRole"),
            (None, "ecsTaskExecutionRole")
        );
        assert!(same_role(
            "arn:aws:sts::123456789012:assumed-role/app-exec/x",
            "arn:aws:iam::123456789012:role/app-exec"
        ));
        assert!(!same_role(
            "arn:aws:sts::123456789012:assumed-role/probe-task/x",
            "arn:aws:iam::123456789012:role/app-exec"
        ));
        assert!(!same_role(
            "arn:aws:sts::111111111111:assumed-role/app-exec/x",
            "arn:aws:iam::123456789012:role/app-exec"
        ));
        assert!(same_role(
            "arn:aws:iam::1:role/ecsTaskExecutionRole",
            "ecsTaskExecutionRole"
        ));
    }

    #[test]
    fn a_mismatch_warns_and_annotates_policy_verdicts() {
        let mut creds = HopResult::new(HopKind::Credentials, "credentials", "container");
        creds.evidence.credentials().role_arn = Some("arn:aws:iam::1:role/probe".into());
        let denied = HopResult::new(HopKind::Service, "service:ssm", "x")
            .fail(Cause::new(code!("auth.denied_endpoint_policy"), "no"));
        let mut hops = vec![creds, denied];
        let p = check(
            &mut hops,
            Some(("arn:aws:iam::1:role/app-exec", "task_definition")),
        )
        .unwrap();
        assert_eq!(p.matches, Some(false));
        assert_eq!(
            hops[0].cause.as_ref().unwrap().code,
            "auth.principal_mismatch"
        );
        assert!(
            hops[1]
                .cause
                .as_ref()
                .unwrap()
                .hint
                .contains("not arn:aws:iam::1:role/app-exec")
        );
        assert!(check(&mut [], None).is_none());
    }
}
