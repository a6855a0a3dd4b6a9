//! What the binary prints without probing anything: the plan (`--explain-plan`, the
//! table the executor runs; its snapshot is the reviewed picture of which step waits for
//! which, update with `VPCE_UPDATE_SNAPSHOTS=1`), and usage errors in the output format.

// The helpers read the repository's own files: one missing is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::probe::{IMAGE, Probe};

const SNAPSHOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots/plan.txt");

#[test]
fn explain_plan_prints_the_step_table_and_probes_nothing() {
    let out = Probe::new()
        // Never used: --explain-plan reads no name. A dead loopback port, per the rules.
        .args([
            "--dns-server",
            "127.0.0.1:9",
            "--explain-plan",
            "--image",
            IMAGE,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    if std::env::var_os("VPCE_UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(SNAPSHOT, &text).unwrap();
    }
    let want = std::fs::read_to_string(SNAPSHOT).unwrap_or_default();
    assert_eq!(
        text, want,
        "plan changed: review and run with VPCE_UPDATE_SNAPSHOTS=1"
    );
}

#[test]
fn usage_errors_are_one_json_object_on_stderr_unless_human() {
    for format in ["json", "ndjson", "emf"] {
        let out = Probe::new()
            .args(["--output", format, "--timeout", "soon", "--image", IMAGE])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(out.stdout.is_empty());
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        let v: serde_json::Value = serde_json::from_str(&stderr).unwrap();
        assert_eq!(v["error"]["code"], "usage.value", "{stderr}");
        assert_eq!(v["error"]["exit_code"], 2);
        assert!(
            v["error"]["message"]
                .as_str()
                .unwrap()
                .contains("--timeout")
        );
    }
    let out = Probe::new().args(["--output", "human"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.starts_with("error: no image to probe"), "{stderr}");
}

/// Every anchor of docs/aws-facts.md that the code and docs cite names a heading there,
/// so a comment's source cannot silently point nowhere.
#[test]
fn cited_aws_facts_exist() {
    let root = env!("CARGO_MANIFEST_DIR");
    let facts = std::fs::read_to_string(format!("{root}/docs/aws-facts.md")).unwrap();
    let anchors: std::collections::BTreeSet<&str> = facts
        .lines()
        .filter_map(|l| l.trim_start_matches('#').strip_prefix(' '))
        .collect();
    let mut files = vec![
        format!("{root}/README.md"),
        format!("{root}/probe-image/README.md"),
    ];
    for dir in [
        "src",
        "src/hop",
        "src/net",
        "src/report",
        "tests",
        "tests/support",
    ] {
        for e in std::fs::read_dir(format!("{root}/{dir}"))
            .unwrap()
            .flatten()
        {
            if e.path().extension().is_some_and(|x| x == "rs") {
                files.push(e.path().display().to_string());
            }
        }
    }
    let mut cited = 0;
    // This file names the pattern itself.
    for f in files.iter().filter(|f| !f.ends_with("tests/offline.rs")) {
        let text = std::fs::read_to_string(f).unwrap();
        for (_, rest) in text
            .match_indices("aws-facts.md#")
            .map(|(i, _)| text.split_at(i + 13))
        {
            let anchor: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            assert!(
                anchors.contains(anchor.as_str()),
                "{f} cites #{anchor}, not in docs/aws-facts.md"
            );
            cited += 1;
        }
    }
    assert!(
        cited > 10,
        "only {cited} citations found: is the scan looking in the right place?"
    );
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                files.push(p);
            }
        }
    }
    files
}

/// The module `p` belongs to under `root`: its first path component, `.rs` dropped.
fn module_of(root: &std::path::Path, p: &std::path::Path) -> String {
    let rel = p.strip_prefix(root).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

/// The top-level modules of `src/` and what each imports (`crate::x`), outside tests.
fn module_graph() -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = rust_files(&src);
    let top = |p: &std::path::Path| module_of(&src, p);
    let modules: std::collections::BTreeSet<String> = files.iter().map(|p| top(p)).collect();
    let mut graph = std::collections::BTreeMap::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        // Unit tests may reach anywhere; the layering is about the product.
        let product = text.split("#[cfg(test)]").next().unwrap_or_default();
        let from = top(f);
        let deps: &mut std::collections::BTreeSet<String> = graph.entry(from.clone()).or_default();
        for (i, _) in product.match_indices("crate::") {
            let name: String = product[i + 7..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if name != from && modules.contains(&name) {
                deps.insert(name);
            }
        }
    }
    graph
}

/// Layers point one way: no module imports one that imports it back, however far
/// round; `net/` knows only protocols; nothing below `report/` imports it.
#[test]
fn modules_form_layers_without_cycles() {
    let g = module_graph();
    fn visit(
        g: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
        m: &str,
        path: &mut Vec<String>,
        done: &mut std::collections::BTreeSet<String>,
    ) {
        if let Some(at) = path.iter().position(|p| p == m) {
            panic!("import cycle: {} -> {m}", path[at..].join(" -> "));
        }
        if done.contains(m) {
            return;
        }
        path.push(m.to_string());
        for d in g.get(m).into_iter().flatten() {
            visit(g, d, path, done);
        }
        path.pop();
        done.insert(m.to_string());
    }
    let mut done = std::collections::BTreeSet::new();
    for m in g.keys() {
        visit(&g, m, &mut Vec::new(), &mut done);
    }
    let deps = |m: &str| g.get(m).cloned().unwrap_or_default();
    assert!(
        deps("net").iter().all(|d| d == "secret"),
        "net imports {:?}",
        deps("net")
    );
    for below in [
        "hop", "plan", "exec", "steps", "net", "config", "diagnose", "causes",
    ] {
        assert!(!deps(below).contains("report"), "{below} imports report");
    }
}

/// The same one-way rule inside `hop/`: its modules (`dns`, `registry`, `calls`, …)
/// and what each imports of the others ([`folder_graph`]), outside tests. The evidence
/// types stand below every hop; a hop of one kind does not reach into another's file
/// except through the registry fetch the layer hop shares and ECR's token.
#[test]
fn hop_modules_form_layers_without_cycles() {
    let g = folder_graph("hop");
    assert!(
        g.contains_key("evidence") && g.contains_key("calls") && g.len() > 8,
        "the scan found {:?}",
        g.keys()
    );
    let deps = |m: &str| g.get(m).cloned().unwrap_or_default();
    for (m, ds) in &g {
        for d in ds {
            assert!(
                !deps(d).contains(m),
                "hop::{m} and hop::{d} import each other"
            );
        }
    }
    assert!(
        deps("evidence").is_empty(),
        "hop::evidence imports {:?}",
        deps("evidence")
    );
    for leaf in ["dns", "tcp", "tls", "credentials", "calls"] {
        let reached: Vec<_> = deps(leaf).into_iter().filter(|d| d != "evidence").collect();
        assert!(reached.is_empty(), "hop::{leaf} imports {reached:?}");
    }
    // The registry and layer hops present ECR's token, which its call file reads.
    assert!(
        deps("registry")
            .iter()
            .all(|d| d == "calls" || d == "evidence"),
        "hop::registry imports {:?}",
        deps("registry")
    );
    assert!(
        deps("layer")
            .iter()
            .all(|d| d == "registry" || d == "calls" || d == "evidence"),
        "hop::layer imports {:?}",
        deps("layer")
    );
}

/// `--help` names the variables but never echoes their values: a value may carry
/// credentials (an endpoint URL's user info), and help output ends up in logs.
#[test]
fn help_never_prints_environment_values() {
    let out = Probe::new()
        .env("VPCE_PROBE_ENDPOINT", "api=https://user:hunter2@h.example")
        .env("VPCE_PROBE_LABEL", "label-value-7f3a")
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(help.contains("VPCE_PROBE_ENDPOINT"), "{help}");
    for value in ["hunter2", "label-value-7f3a"] {
        assert!(!help.contains(value), "--help printed {value}");
    }
}

/// Real exports are read as they are (issue 19): `null` for every absent field, the bare
/// container-definitions array; a wrong type or a definition beyond ECS's own limits is
/// a usage error naming the field and the container, or the limit.
#[test]
fn task_definitions_as_exported_and_what_ecs_would_refuse() {
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/task-definitions/export-with-nulls.json"
    );
    let plan = |td: &str| {
        Probe::new()
            .args([
                "--dns-server",
                "127.0.0.1:9",
                "--explain-plan",
                "--output",
                "json",
                "--task-definition",
                td,
            ])
            .output()
            .unwrap()
    };
    for td in [
        fixture,
        r#"[{"name":"web","image":"123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1","secrets":null,"essential":"true"}]"#,
    ] {
        let out = plan(td);
        assert!(
            out.status.success(),
            "{td}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("manifest"));
    }
    let refused = |td: &str, says: &str| {
        let out = plan(td);
        assert_eq!(out.status.code(), Some(2), "{td}");
        let v: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
        assert_eq!(v["error"]["code"], "usage.task_definition");
        let msg = v["error"]["message"].as_str().unwrap();
        assert!(msg.contains(says), "{msg}");
        assert!(!msg.contains("not JSON"), "{msg}");
    };
    refused(
        r#"[{"name":"web","image":"x","secrets":[{"name":"A","valueFrom":7}]}]"#,
        r#"container "web", field secrets (an array): invalid type: integer `7`"#,
    );
    let eleven = format!("[{}]", [r#"{"name":"a","image":"x"}"#; 11].join(","));
    refused(&eleven, "ECS allows at most 10");
    // A template whose images are not filled in yet: named, not "pass --image".
    refused(
        r#"[{"name":"app","image":"${app_image}"},{"name":"sidecar","image":"{{ must_env `SIDECAR` }}"}]"#,
        r#"container "app": image "${app_image}""#,
    );
    refused(
        r#"{"taskDefinition":{"containerDefinitions":[{"name":"app","image":"{{image}}"}]}}"#,
        "a template must be rendered first",
    );
}

/// The modules of `src/<folder>/` — its files, and its subfolders as one module each
/// (`hop/calls/`) — with mod.rs left out (it is the folder's face, declaring its modules
/// and holding what they share, and its edges are the top-level graph's), and which of
/// them each names (`crate::<folder>::x`, in groups too; `super::x` from the folder's own
/// files, where `super` is the folder).
fn folder_graph(
    folder: &str,
) -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join(folder);
    let files = rust_files(&dir);
    let module = |p: &std::path::Path| module_of(&dir, p);
    let names: std::collections::BTreeSet<String> = files
        .iter()
        .map(|p| module(p))
        .filter(|n| n != "mod")
        .collect();
    let ident = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut graph = std::collections::BTreeMap::new();
    for f in &files {
        let from = module(f);
        if !names.contains(&from) {
            continue;
        }
        let text = std::fs::read_to_string(f).unwrap();
        let product = text.split("#[cfg(test)]").next().unwrap_or_default();
        let deps: &mut std::collections::BTreeSet<String> = graph.entry(from.clone()).or_default();
        let prefix = format!("crate::{folder}::");
        let top_level = f.parent() == Some(dir.as_path());
        let pats: &[&str] = match top_level {
            true => &[prefix.as_str(), "super::"],
            false => &[prefix.as_str()],
        };
        for pat in pats {
            for (i, _) in product.match_indices(pat) {
                let rest = &product[i + pat.len()..];
                let mut heads = vec![ident(rest)];
                if let Some(group) = rest.strip_prefix('{') {
                    let body = &group[..group.find('}').unwrap_or(group.len())];
                    heads = body.split(',').map(ident).collect();
                }
                for h in heads {
                    if names.contains(&h) && h != from {
                        deps.insert(h);
                    }
                }
            }
        }
    }
    graph
}

/// Inside `hop/`, `plan/` and `facts/` the files form layers too, and the plan's parts
/// stand below the facts and the hops: the plan knows no hop, the cause catalogue no
/// plan (the kinds of hops are a leaf, `hop_kind.rs`), and nothing below the run
/// imports the facts, the judges or the runner.
#[test]
fn folders_form_layers_and_the_plan_stands_below_the_hops() {
    for folder in ["hop", "plan", "facts"] {
        let g = folder_graph(folder);
        assert!(g.len() > 1, "{folder}: no files read");
        for (m, deps) in &g {
            let mut seen = std::collections::BTreeSet::new();
            let mut todo: Vec<&String> = deps.iter().collect();
            while let Some(d) = todo.pop() {
                assert!(d != m, "import cycle in src/{folder}/ through {m}.rs");
                if seen.insert(d.clone()) {
                    todo.extend(g.get(d).into_iter().flatten());
                }
            }
        }
    }
    let g = module_graph();
    let deps = |m: &str| g.get(m).cloned().unwrap_or_default();
    assert!(
        deps("hop_kind").is_empty(),
        "hop_kind imports {:?}",
        deps("hop_kind")
    );
    for (below, above) in [
        ("causes", "plan"),
        ("causes", "hop"),
        ("plan", "hop"),
        ("plan", "exec"),
        ("plan", "steps"),
    ] {
        assert!(!deps(below).contains(above), "{below} imports {above}");
    }
    for below in [
        "hop", "plan", "exec", "steps", "net", "config", "diagnose", "causes", "report",
    ] {
        for above in ["facts", "judges", "runner"] {
            assert!(!deps(below).contains(above), "{below} imports {above}");
        }
    }
}

/// A need nothing probed is never a pass: with no region known (an image outside ECR,
/// nothing in the environment) the run probes nothing, so the ECR Public image's need
/// carries its registry's finding (it needs a NAT) and the X-Ray daemon's is skipped,
/// saying it was not probed. Only the loopback resolver is named; nothing is sent.
#[test]
fn needs_nothing_probed_say_so() {
    let out = Probe::new()
        .args([
            "--dns-server",
            "127.0.0.1:9",
            "--timeout",
            "1s",
            "--output",
            "json",
            "--task-definition",
            r#"[{"name":"xray","image":"public.ecr.aws/xray/aws-xray-daemon:latest","essential":true}]"#,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let hops = report["hops"].as_array().unwrap();
    assert!(hops.iter().all(|h| h["id"] == "context"), "{hops:?}");
    let need = |prefix: &str| {
        report["needs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["subject"].as_str().unwrap().starts_with(prefix))
            .cloned()
            .unwrap_or_else(|| panic!("no need {prefix}: {}", report["needs"]))
    };
    let image = need("image xray public.ecr.aws/");
    assert_eq!(image["verdict"], "fail", "{image}");
    assert_eq!(image["cause"], "config.ecr_public");
    assert_eq!(image["decided_by"], "context");
    let xray = need("X-Ray daemon of xray");
    assert_eq!(xray["verdict"], "skipped", "{xray}");
    assert_eq!(xray["cause"], "config.need_not_probed");
    assert!(xray.get("decided_by").is_none(), "{xray}");
    assert_eq!(xray["impact"], "degrades");
}
