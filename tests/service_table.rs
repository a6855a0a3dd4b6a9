//! The service table (`src/aws.rs`) is the one place a service is described; what
//! repeats it for people — the `--help` lists, the README's hop table, the report
//! schema's doc, the lab's endpoint hosts — is checked against it here, so a new row
//! or call that the docs or the lab miss fails a test instead of drifting.

// The checks read the repository's own files: one missing is a failed test.
#![allow(clippy::unwrap_used)]

use vpce_probe::aws::{Call, Service};
use vpce_probe::hop::calls::def;
use vpce_probe::hop_kind::HopKind;

fn read(path: &str) -> String {
    let text = std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    // Wrapped help and Markdown: one space between words.
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The calls the `service` hop makes (ECR's token and Logs have hops of their own).
fn service_calls() -> Vec<(Service, Call)> {
    Service::all()
        .filter_map(|s| s.call.map(|c| (s.service, c)))
        .filter(|(_, c)| def(*c).kind() == HopKind::Service)
        .collect()
}

/// `--check` names every service a task can need beyond the pull path, and the
/// operation each one's call makes; the HOPS list names the services of `service`.
#[test]
fn help_lists_every_checkable_service_and_call() {
    let help = read("tests/snapshots/help.txt");
    let check = help
        .split("More service endpoints to check")
        .nth(1)
        .and_then(|rest| rest.split(" --").next())
        .unwrap();
    for spec in Service::all().filter(|s| !s.always || s.service == Service::Logs) {
        assert!(
            check.contains(spec.name),
            "--check help lacks {}: {check}",
            spec.name
        );
    }
    let hops = help.split("service one read-only").nth(1).unwrap();
    let hops = hops.split(')').next().unwrap();
    for (service, call) in service_calls() {
        let op = def(call).action().split(':').nth(1).unwrap();
        // S3's call is made for environment files only: not a --check service.
        if !service.spec().always {
            assert!(check.contains(op), "--check help lacks {op}: {check}");
        }
        assert!(
            hops.contains(service.name()),
            "HOPS lacks {}: {hops}",
            service.name()
        );
    }
}

/// The README's hop table and the schema doc's evidence table name every call's IAM
/// action, and the doc every service of the `service` hop.
#[test]
fn readme_and_schema_doc_name_every_call() {
    let readme = read("README.md");
    let doc = read("docs/report-schema.md");
    let row = |text: &str, hop: &str| -> String {
        let start = format!("| `{hop}` |");
        let at = text
            .find(&start)
            .unwrap_or_else(|| panic!("no {start} row"));
        text[at..]
            .split(" | `")
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    };
    for (service, call) in service_calls() {
        let action = def(call).action();
        assert!(
            row(&readme, "service").contains(action),
            "README lacks {action}"
        );
        let evidence = row(&doc, "service");
        assert!(evidence.contains(action), "report-schema.md lacks {action}");
        assert!(
            evidence.contains(&format!("`{}`", service.name())),
            "report-schema.md lacks {}",
            service.name()
        );
    }
    for call in [Call::GetAuthorizationToken, Call::DescribeLogGroups] {
        let op = def(call).action().split(':').nth(1).unwrap();
        assert!(readme.contains(op), "README lacks {op}");
    }
}

/// Every endpoint host the lab serves is a row's standard host (no typo serves a name
/// the probe never asks), and every service with a call is served by the lab, so its
/// answer reader meets a real AWS implementation (moto) in the end-to-end scenarios.
#[test]
fn the_lab_serves_every_call_and_only_table_hosts() {
    let lab =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/lab/lab.sh")).unwrap();
    let suffix = ".$REGION.amazonaws.com";
    let hosts: Vec<&str> = lab
        .split_whitespace()
        .filter_map(|w| w.split_once("_HOST="))
        .map(|(_, h)| h)
        .filter_map(|h| h.strip_suffix(suffix))
        .filter(|h| !h.contains('$'))
        // An EFS file system's own name, not a service host.
        .filter(|h| !h.starts_with("fs-"))
        .collect();
    assert!(hosts.len() >= 8, "{hosts:?}");
    let prefixes: Vec<&str> = Service::all().filter_map(|s| s.host_prefix).collect();
    for h in &hosts {
        assert!(
            prefixes.contains(h),
            "lab.sh serves {h}{suffix}, which no row names"
        );
    }
    for spec in Service::all().filter(|s| s.call.is_some()) {
        let prefix = spec.host_prefix.unwrap();
        assert!(
            hosts.contains(&prefix),
            "lab.sh serves no {prefix}{suffix} for {}",
            spec.name
        );
        // The lab counts each endpoint's connects under the row's name.
        assert!(
            lab.contains(&format!(" {}=\"$IP_", spec.name))
                || lab.contains(&format!("({}=\"$IP_", spec.name)),
            "COUNT_LABELS lacks {}",
            spec.name
        );
    }
}
