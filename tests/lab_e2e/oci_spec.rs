//! The OCI runtime spec a container of the image scenarios runs with, and what
//! task-definition.json's container asks of it, as ECS applies it.

use std::path::Path;

use serde_json::{Value, json};

/// An OCI runtime spec for `rootfs`: no terminal, no capabilities, no new privileges,
/// in the network namespace `netns` (by path) or a new empty one.
pub fn container_spec(
    rootfs: &Path,
    args: &[&str],
    env: &[String],
    netns: Option<&str>,
) -> Result<Value, String> {
    let mut namespaces = vec![
        json!({"type": "pid"}),
        json!({"type": "ipc"}),
        json!({"type": "uts"}),
        json!({"type": "mount"}),
    ];
    namespaces.push(match netns {
        Some(ns) => json!({"type": "network", "path": format!("/var/run/netns/{ns}")}),
        None => json!({"type": "network"}),
    });
    let caps: Vec<String> = Vec::new();
    Ok(json!({
        "ociVersion": "1.0.2",
        "root": {"path": rootfs, "readonly": true},
        "hostname": "vpce-probe",
        "process": {
            "terminal": false,
            "user": {"uid": 65532, "gid": 65532},
            "args": args,
            "env": env,
            "cwd": "/",
            "capabilities": {
                "bounding": caps, "effective": caps, "inheritable": caps,
                "permitted": caps, "ambient": caps
            },
            "noNewPrivileges": true
        },
        "mounts": [
            {"destination": "/proc", "type": "proc", "source": "proc"},
            {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
             "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
            {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
             "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]},
            {"destination": "/sys", "type": "sysfs", "source": "sysfs",
             "options": ["nosuid", "noexec", "nodev", "ro"]}
        ],
        "linux": {
            "namespaces": namespaces,
            "maskedPaths": ["/proc/kcore", "/proc/keys", "/sys/firmware"],
            "readonlyPaths": ["/proc/sys", "/proc/sysrq-trigger"]
        }
    }))
}

/// What the task definition's container asks of the runtime, as ECS applies it:
/// `user`, `readonlyRootFilesystem`, `linuxParameters.capabilities.drop: [ALL]`.
pub fn apply_task_definition(spec: &mut Value, container: &Value) -> Result<(), String> {
    let user = container["user"].as_str().unwrap_or_default();
    let ids: Vec<u32> = user.split(':').filter_map(|s| s.parse().ok()).collect();
    let [uid, gid] = ids[..] else {
        return Err(format!(
            "task-definition.json: user {user:?} is not UID:GID"
        ));
    };
    spec["process"]["user"] = json!({"uid": uid, "gid": gid});
    spec["root"]["readonly"] = json!(container["readonlyRootFilesystem"] == true);
    let drops_all = container["linuxParameters"]["capabilities"]["drop"]
        .as_array()
        .is_some_and(|d| d.iter().any(|c| c == "ALL"));
    if !drops_all {
        return Err("task-definition.json no longer drops ALL capabilities".into());
    }
    Ok(())
}

pub fn push_mount(spec: &mut Value, src: &str, dst: &str) {
    if let Some(m) = spec["mounts"].as_array_mut() {
        m.push(json!({
            "destination": dst, "type": "bind", "source": src,
            "options": ["rbind", "ro", "nosuid", "nodev"]
        }));
    }
}
