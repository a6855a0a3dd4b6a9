//! Remediation as code is valid, not only present (issue 21): every generator of
//! src/remediation/table.rs, filled with realistic values, goes through
//! tests/lab/remedy_check.py — the AWS CLI (awscli from PyPI) runs each command against
//! a loopback port where nothing listens and must fail only on the connection,
//! cfn-lint checks each CloudFormation snippet in a minimal template, python-hcl2
//! parses each Terraform snippet, and each policy document has an IAM policy's shape.
//! The tools live in the venv tests/lab/install.sh makes (`VPCE_REMEDY_VENV`, default
//! /opt/vpce-lab/remedy-venv); without it the validity test says so and fails under CI.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::{Value, json};
use vpce_probe::remediation::table::{ENTRIES, Entry};
use vpce_probe::remediation::{Facts, RemedyKind, placeholders_in};

const CHECKER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/lab/remedy_check.py");

fn venv_python() -> Option<String> {
    let venv =
        std::env::var("VPCE_REMEDY_VENV").unwrap_or_else(|_| "/opt/vpce-lab/remedy-venv".into());
    let py = format!("{venv}/bin/python");
    std::path::Path::new(&py).exists().then_some(py)
}

/// Run the checker on `items`; its JSON answer. `None` when the tools are not installed.
pub fn check(items: &[Value]) -> Option<Value> {
    let Some(py) = venv_python() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI without the remediation venv: run tests/lab/install.sh"
        );
        eprintln!("remediation tools not installed (tests/lab/install.sh): validity not checked");
        return None;
    };
    let mut child = Command::new(py)
        .arg(CHECKER)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let input = json!({ "items": items }).to_string();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_ne!(
        out.status.code(),
        Some(2),
        "a tool is missing from the venv: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "checker said nothing readable ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    Some(v)
}

/// Realistic facts for a cause, as a run that hit it would know them.
fn facts_for(code: &str) -> Facts {
    let s = |x: &str| Some(x.to_string());
    let service = match code.split('.').next().unwrap_or("") {
        "logs" => "logs",
        "service" | "secrets" => "ssm",
        "auth" => "ecr.api",
        "layer" => "s3",
        _ => "ecr.dkr",
    };
    Facts {
        region: s("us-east-1"),
        service: s(service),
        private_target: Some(code != "tcp.unreachable"),
        port: Some(443),
        subnet_cidr: s("10.0.1.0/24"),
        role_arn: s("arn:aws:iam::111122223333:role/app-exec"),
        role_name: s("app-exec"),
        action: s(match service {
            "logs" => "logs:PutLogEvents",
            "ssm" => "ssm:GetParameters",
            "s3" => "s3:GetObject",
            _ => "ecr:BatchGetImage",
        }),
        resource: s("arn:aws:ecr:us-east-1:111122223333:repository/app"),
        account: s("111122223333"),
        repository: s("app"),
        image_region: s("eu-west-1"),
        task_region: s("us-east-1"),
        upstream_registry: s("registry-1.docker.io"),
        custom_resolver: s("10.0.0.53"),
        denied_by: None,
        kms_key: s("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
    }
}

fn items_of(code: &str, facts: &Facts) -> Vec<Value> {
    vpce_probe::remediation::for_cause(code, facts)
        .iter()
        .enumerate()
        .map(|(i, r)| {
            json!({"id": format!("{code}#{i}"), "kind": r.kind.as_str(), "text": r.text, "placeholders": r.placeholders})
        })
        .collect()
}

#[test]
fn every_generator_writes_what_the_aws_cli_cfn_lint_and_hcl_accept() {
    let mut items = Vec::new();
    let mut with = 0;
    for (code, e) in ENTRIES {
        if let Entry::Fix(_) = e {
            let mine = items_of(code, &facts_for(code));
            assert!(!mine.is_empty(), "{code}: a Fix entry gave nothing");
            with += 1;
            items.extend(mine);
            // and with nothing known: placeholders everywhere, still valid once filled
            items.extend(items_of(code, &Facts::default()).into_iter().map(|mut v| {
                v["id"] = json!(format!("{}/unknown", v["id"].as_str().unwrap()));
                v
            }));
        }
    }
    let Some(answer) = check(&items) else { return };
    let failures = answer["failures"].as_array().unwrap();
    assert!(
        failures.is_empty(),
        "{} invalid of {}:\n{}",
        failures.len(),
        items.len(),
        serde_json::to_string_pretty(failures).unwrap()
    );
    let counts = &answer["counts"];
    eprintln!(
        "{with} causes with remediation; validated {} CLI commands by the AWS CLI, {} CloudFormation snippets by cfn-lint, {} Terraform snippets by HCL, {} policy documents",
        counts["cli"], counts["cloudformation"], counts["terraform"], counts["policy"]
    );
    assert!(counts["cli"].as_u64().unwrap() > 0);
}

/// The checker can fail: a command the CLI rejects, a resource cfn-lint rejects, HCL
/// that does not parse and a policy without Version are each reported.
#[test]
fn the_checker_rejects_invalid_snippets() {
    let items = vec![
        json!({"id": "bad-cli", "kind": "cli", "text": "aws ec2 authorize-security-group-ingress --group-id sg-1 --protocol tcp --portx 443", "placeholders": []}),
        json!({"id": "bad-cli-param", "kind": "cli", "text": "aws ec2 create-vpc-endpoint --service-name x --vpc-endpoint-type Sideways", "placeholders": []}),
        json!({"id": "bad-cfn", "kind": "cloudformation", "text": "X:\n  Type: AWS::EC2::VPCEndpoint\n  Properties:\n    Nonsense: 1", "placeholders": []}),
        json!({"id": "bad-tf", "kind": "terraform", "text": "resource \"a\" \"b\" {", "placeholders": []}),
        json!({"id": "bad-policy", "kind": "policy", "text": "{\"Statement\": []}", "placeholders": []}),
        json!({"id": "bad-fill", "kind": "cli", "text": "aws ec2 x <never-heard-of>", "placeholders": ["<never-heard-of>"]}),
    ];
    let Some(answer) = check(&items) else { return };
    let failed: Vec<&str> = answer["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    for id in ["bad-cli", "bad-cfn", "bad-tf", "bad-policy", "bad-fill"] {
        assert!(failed.contains(&id), "{id} passed the checker: {answer}");
    }
}

#[test]
fn placeholders_are_declared_and_values_filled() {
    for (code, e) in ENTRIES {
        if let Entry::Fix(f) = e {
            for r in f(&facts_for(code)) {
                assert_eq!(r.placeholders, placeholders_in(&r.text), "{code}");
                assert!(
                    !r.text.contains("<region>") && !r.text.contains("<principal-arn>"),
                    "{code}: a known value left as a placeholder:\n{}",
                    r.text
                );
            }
        }
    }
}

#[test]
fn the_known_examples_read_as_the_issue_asks() {
    let f = Facts {
        region: Some("us-east-1".into()),
        service: Some("ssm".into()),
        private_target: Some(false),
        ..Facts::default()
    };
    let all = |code: &str, f: &Facts| -> String {
        vpce_probe::remediation::for_cause(code, f)
            .iter()
            .map(|r| r.text.clone())
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(all("dns.public_address", &f).contains(
        "aws ec2 create-vpc-endpoint --vpc-endpoint-type Interface --service-name com.amazonaws.us-east-1.ssm --private-dns-enabled --vpc-id <vpc-id> --subnet-ids <subnet-ids> --security-group-ids <endpoint-sg-id> --region us-east-1"
    ));
    let private = Facts {
        private_target: Some(true),
        ..f.clone()
    };
    assert!(all("tcp.timeout", &private).contains(
        "aws ec2 authorize-security-group-ingress --group-id <endpoint-sg-id> --protocol tcp --port 443 --source-group <task-sg-id>"
    ));
    let cidr = Facts {
        subnet_cidr: Some("10.0.1.0/24".into()),
        ..private.clone()
    };
    assert!(all("tcp.timeout", &cidr).contains("--port 443 --cidr 10.0.1.0/24"));
    let s3 = Facts {
        service: Some("s3".into()),
        ..f.clone()
    };
    assert!(all("layer.timeout", &s3).contains(
        "--vpc-endpoint-type Gateway --service-name com.amazonaws.us-east-1.s3 --vpc-id <vpc-id> --route-table-ids <route-table-id>"
    ));
    let denied = all("layer.access_denied", &s3);
    assert!(denied.contains("arn:aws:s3:::prod-us-east-1-starport-layer-bucket/*"));
    let ecr = Facts {
        service: Some("ecr.api".into()),
        role_arn: Some("arn:aws:iam::111122223333:role/app-exec".into()),
        role_name: Some("app-exec".into()),
        action: Some("ecr:GetAuthorizationToken".into()),
        ..f.clone()
    };
    let policy = vpce_probe::remediation::for_cause("auth.denied_endpoint_policy", &ecr);
    let doc: Value = serde_json::from_str(
        &policy
            .iter()
            .find(|r| r.kind == RemedyKind::Policy)
            .unwrap()
            .text,
    )
    .unwrap();
    assert_eq!(
        doc["Statement"][0]["Principal"]["AWS"],
        "arn:aws:iam::111122223333:role/app-exec"
    );
    assert!(
        all("auth.denied_identity_policy", &ecr)
            .contains("aws iam put-role-policy --role-name app-exec")
    );
}

/// A principal or host from a hostile server never reaches a command: only
/// identifier-shaped values are used, the rest stay placeholders.
#[test]
fn hostile_values_stay_placeholders() {
    let report: vpce_probe::report::Report =
        serde_json::from_str(include_str!("fixtures/report-v1.json")).unwrap();
    let mut r = report.clone();
    let hop = r.hops.iter_mut().find(|h| h.id == "credentials").unwrap();
    hop.cause = Some("auth.denied_identity_policy".into());
    hop.evidence.error_message = Some(
        "User: arn:aws:sts::1:assumed-role/x'$(reboot)/s is not authorized to perform: ecr:Get`id` on resource: *"
            .into(),
    );
    hop.evidence.denied_principal = Some("arn:aws:iam::1:role/a b;rm -rf /".into());
    vpce_probe::remediation::attach(&mut r);
    let hop = r.hops.iter().find(|h| h.id == "credentials").unwrap();
    assert!(!hop.remediation.is_empty());
    for rem in &hop.remediation {
        for bad in ["$(", "`", "rm -rf", "reboot"] {
            assert!(!rem.text.contains(bad), "{bad} in {}", rem.text);
        }
    }
    assert!(
        hop.remediation
            .iter()
            .any(|x| x.placeholders.contains(&"<role-name>".to_string()))
    );
}

/// The human output shows the commands under the fix, whole (not wrapped) and
/// copyable: a real lab report (tests/fixtures/diff/sg-drop-api.json).
#[test]
fn human_output_shows_a_copyable_block_under_the_fix() {
    let report: vpce_probe::report::Report =
        serde_json::from_str(include_str!("fixtures/diff/sg-drop-api.json")).unwrap();
    let style = vpce_probe::report::human::Style {
        color: false,
        width: 80,
        quiet: false,
    };
    let mut out = Vec::new();
    vpce_probe::report::human::write(&report, &style, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let fix = text.find("fix:").expect("a fix line");
    let remedy = text.find("remedy:").expect("a remedy block");
    assert!(fix < remedy, "{text}");
    for l in text.lines() {
        assert!(l.chars().count() <= 80, "{l}");
    }
    // what a shell reads: ` \` and the newline after it join the words
    let mut read = String::new();
    for l in text[remedy..].lines() {
        match l.trim().strip_suffix(" \\") {
            Some(cont) => {
                read.push_str(cont);
                read.push(' ');
            }
            None => {
                read.push_str(l.trim());
                read.push('\n');
            }
        }
    }
    assert!(
        read.lines().any(|l| l
            == "aws ec2 authorize-security-group-ingress --group-id <endpoint-sg-id> --protocol tcp --port 443 --cidr 10.0.1.0/24 --region us-east-1"),
        "{text}"
    );
}

/// `explain` gives the same remediation for the causes it reads, filled with what the
/// reason names (here the region, the service and a public dialled address).
#[test]
fn explain_carries_remediation_for_the_causes_it_reads() {
    let reason = r#"ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: service call has been retried 3 time(s): RequestError: send request failed caused by: Post "https://api.ecr.us-west-2.amazonaws.com/": dial tcp 52.94.184.143:443: i/o timeout"#;
    let explanations = vpce_probe::explain::explain_input(reason);
    let mut report = vpce_probe::report::explain::build(&explanations);
    vpce_probe::remediation::fill_explain(&mut report, &explanations);
    let texts: Vec<String> = report
        .results
        .iter()
        .flat_map(|r| r.causes.iter())
        .flat_map(|c| c.remediation.iter())
        .map(|r| r.text.clone())
        .collect();
    assert!(
        texts.iter().any(|t| t.starts_with(
            "aws ec2 create-vpc-endpoint --vpc-endpoint-type Interface --service-name com.amazonaws.us-west-2.ecr.api --private-dns-enabled"
        )),
        "{texts:#?}"
    );
}
