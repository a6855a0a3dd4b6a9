//! The task definition's pre-flight, reported by the context hop: what is already
//! known to be wrong before any packet (an image from a registry no VPC endpoint
//! serves, a malformed or foreign region, an old Fargate platform). The report's needs
//! built from them are `facts/need_rows.rs`'s.

use crate::aws;
use crate::aws::Service;
use crate::causes::code;
use crate::diagnose::Cause;
use crate::hop::Verdict;
use crate::image_ref::{ImageRef, RegistryKind};
use crate::needs::{LaunchType, LogDriver, Needs, S3Read, SecretStore};

/// Which need a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum About {
    Image(usize),
    Logs(usize),
    Secret(usize),
    Telemetry(usize),
    EnvFile(usize),
    Platform,
    /// A task-level field (a role ARN, the network mode, the launch types).
    Definition,
}

type Findings = Vec<(About, Verdict, Cause)>;

/// What every step reads: the needs, the task's region and account, the launch type.
struct Task<'a> {
    needs: &'a Needs,
    pull: &'a ImageRef,
    region: &'a str,
    /// The account the task runs in, when the pull image or the execution role names it.
    account: Option<String>,
    launch_type: Option<LaunchType>,
}

pub fn task_findings(
    needs: &Needs,
    pull: &ImageRef,
    task_region: &str,
    platform_version: Option<&str>,
    launch_type: Option<LaunchType>,
) -> Findings {
    let t = Task {
        needs,
        pull,
        region: task_region,
        account: pull.account().map(str::to_string).or_else(|| {
            needs
                .execution_role_arn
                .as_deref()
                .and_then(aws::arn_account)
        }),
        launch_type,
    };
    let mut out = definition(&t);
    out.extend(images(&t));
    out.extend(logs(&t));
    out.extend(secrets(&t));
    out.extend(telemetry(&t));
    out.extend(env_files(&t));
    out.extend(platform(&t, platform_version));
    out
}

/// The task-level fields ECS's RegisterTaskDefinition checks: a role that is neither a
/// role name nor a role ARN ("Role is not valid"), a network mode or launch type it
/// does not know. Templates' unfilled placeholders (`{{…}}`, `${…}`, `<…>`, an
/// 11-digit account) land here.
fn definition(t: &Task) -> Findings {
    let n = t.needs;
    let mut out = Vec::new();
    for (field, value) in [
        ("executionRoleArn", &n.execution_role_arn),
        ("taskRoleArn", &n.task_role_arn),
    ] {
        let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) else {
            continue;
        };
        if !valid_role(v) {
            out.push(refused(
                About::Definition,
                format!(
                    "{field} {v:?} is neither a role name nor arn:aws:iam::<12-digit account>:role/<name>{}: ECS's RegisterTaskDefinition refuses it (ClientException: Role is not valid)",
                    role_note(v)
                ),
            ));
        }
    }
    if let Some(mode) = n
        .network_mode
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
        && !matches!(mode, "awsvpc" | "bridge" | "host" | "none")
    {
        out.push(refused(About::Definition, format!(
            "networkMode {mode:?} is not one ECS knows (awsvpc, bridge, host, none){}: ECS's RegisterTaskDefinition refuses it",
            placeholder_note(mode)
        )));
    }
    for c in &n.unknown_compatibilities {
        out.push(refused(About::Definition, format!(
            "requiresCompatibilities {c:?} is not one ECS knows (EC2, FARGATE, EXTERNAL, MANAGED_INSTANCES){}: ECS's RegisterTaskDefinition refuses it",
            placeholder_note(c)
        )));
    }
    out
}

fn images(t: &Task) -> Findings {
    let mut out = Vec::new();
    let account = t.account.clone().unwrap_or_else(|| "<account>".into());
    for (i, n) in t.needs.images.iter().enumerate() {
        let about = About::Image(i);
        if let Some(why) = refused_image(&n.reference) {
            out.push(refused(
                about,
                format!(
                    "container {}: the image {:?} {why}{}: ECS's RegisterTaskDefinition refuses it",
                    n.container,
                    n.reference,
                    placeholder_note(&n.reference)
                ),
            ));
            continue;
        }
        if let Some(registry) = malformed_registry_id(&n.reference) {
            out.push(malformed(about, format!(
                "container {}: the registry id {registry} of {} is not a 12-digit account: no ECR registry has that name; ECS registers the definition, the pull fails (CannotPullContainerError)",
                n.container, n.reference
            )));
            continue;
        }
        let img = match &n.image {
            Err(reason) => {
                out.push((about, Verdict::Fail, Cause::new(
                    code!("config.foreign_image"),
                    format!("container {}: the image {:?} cannot be read ({reason}): ECS cannot pull it either", n.container, n.reference),
                )));
                continue;
            }
            // The pull image's own findings are the run facts' (facts/findings.rs).
            Ok(img) if img == t.pull => continue,
            Ok(img) => img,
        };
        match &img.registry {
            RegistryKind::Private { region, .. } if !aws::is_region(region) => out.push((
                about,
                Verdict::Fail,
                Cause::new(
                    code!("config.malformed_region"),
                    format!("container {}: the image host {} names the region {region:?}, which is not a region", n.container, img.host),
                ),
            )),
            RegistryKind::Private { region, .. } if region != t.region => out.push((
                about,
                Verdict::Warn,
                Cause::new(
                    code!("config.cross_region"),
                    format!("container {}: the image {img} is in {region} but the task runs in {}: VPC endpoints do not serve cross-region requests, so this pull leaves the VPC; replicate the repository to {}", n.container, t.region, t.region),
                ),
            )),
            RegistryKind::Private { .. } => {}
            RegistryKind::Public | RegistryKind::Other => out.push((
                about,
                if n.essential { Verdict::Fail } else { Verdict::Warn },
                Cause::new(code!("config.foreign_image"), foreign_hint(&n.container, &n.reference, img, &account, t.region)),
            )),
        }
    }
    out
}

fn logs(t: &Task) -> Findings {
    let mut out = Vec::new();
    for (i, l) in t.needs.logs.iter().enumerate() {
        let about = About::Logs(i);
        let cloudwatch = match &l.driver {
            LogDriver::Awslogs => true,
            // Other outputs are telemetry needs (`needs.rs`'s telemetry).
            LogDriver::Firelens { plugin } => plugin
                .as_deref()
                .is_some_and(|p| p.starts_with("cloudwatch")),
        };
        if !cloudwatch {
            continue;
        }
        if let Some(group) = l.group.as_deref()
            && let Some(mark) = placeholder(group)
        {
            out.push(malformed(about, format!(
                "container {}: the log group {group:?} holds an unfilled placeholder ({mark}), which no log group name can hold: ECS registers the definition, the log driver cannot create its stream and the container does not start",
                l.container
            )));
        }
        match l.region.as_deref() {
            None if l.driver == LogDriver::Awslogs => out.push((about, Verdict::Fail, Cause::new(
                code!("config.malformed_region"),
                format!("container {}: the awslogs driver has no awslogs-region option, which it requires", l.container),
            ))),
            None => {}
            Some(r) if !aws::is_region(r) => out.push((about, Verdict::Fail, Cause::new(
                code!("config.malformed_region"),
                format!("container {}: awslogs-region {r:?} is not a region (the task cannot start: failed to validate logger args)", l.container),
            ))),
            // The awslogs driver must reach its endpoint before the container starts; a
            // FireLens output is the log router's business once the task runs.
            Some(r) if r != t.region => {
                let (sends, then, set) = match l.driver {
                    LogDriver::Awslogs => ("logs", "the task fails to start", "awslogs-region"),
                    LogDriver::Firelens { .. } => (
                        "sends its logs through FireLens's CloudWatch output",
                        "the task starts but the log router cannot deliver them (they are dropped)",
                        "the output's region",
                    ),
                };
                out.push((about, Verdict::Warn, Cause::new(
                    code!("config.logs_cross_region"),
                    format!("container {} {sends} to {r}, the task runs in {}: the logs endpoint of {r} is not reachable through this VPC's endpoints (no cross-region PrivateLink); without NAT {then}. Set {set} to {}", l.container, t.region, t.region),
                )));
            }
            Some(_) => {}
        }
    }
    out
}

/// A secret's region (checked at that region's endpoint, named when it is another),
/// its account (another account's needs its resource policy and key policy), and an
/// unfilled placeholder in `valueFrom`.
fn secrets(t: &Task) -> Findings {
    let mut out = Vec::new();
    for (i, s) in t.needs.secrets.iter().enumerate() {
        let about = About::Secret(i);
        let service = match s.store {
            SecretStore::SecretsManager => Service::SecretsManager,
            SecretStore::Ssm => Service::Ssm,
        };
        if let Some(mark) = placeholder(&s.id) {
            out.push(malformed(about, format!(
                "container {}: {} names {:?}, an unfilled placeholder ({mark}): ECS registers the definition, the task fails at start (ResourceInitializationError)",
                s.container, s.name, s.id
            )));
            continue;
        }
        match s.region.as_deref() {
            Some(r) if !aws::is_region(r) => out.push((
                about,
                Verdict::Fail,
                Cause::new(
                    code!("config.malformed_region"),
                    format!(
                        "container {}: the secret {} names the region {r:?}, which is not a region",
                        s.container, s.id
                    ),
                ),
            )),
            Some(r) if r != t.region => {
                let host = service
                    .default_host(r, aws::dns_suffix(r))
                    .unwrap_or_default();
                out.push((about, Verdict::Warn, Cause::new(
                    code!("config.cross_region"),
                    format!("container {}: the secret {} is in {r}, the task runs in {}: a cross-region read, which ECS makes at {host} (probed below); an interface endpoint in this VPC serves only {}'s {}, so without a NAT that name must resolve to a {r} endpoint reached through peering or a transit gateway (a private hosted zone for it in this VPC); or replicate the secret to {}", s.container, s.id, t.region, t.region, service.name(), t.region),
                )));
            }
            _ => {}
        }
        let foreign = match (&s.account, &t.account) {
            (Some(theirs), Some(ours)) if theirs != ours && aws::is_account(theirs) => Some(theirs),
            _ => None,
        };
        if let Some(theirs) = foreign {
            let needs = match s.store {
                SecretStore::SecretsManager => {
                    "the secret's resource policy must allow the task execution role secretsmanager:GetSecretValue, and the secret must be encrypted with a customer managed KMS key whose key policy allows the role kms:Decrypt (the AWS managed key aws/secretsmanager cannot be shared)"
                }
                SecretStore::Ssm => {
                    "the parameter must be an advanced-tier parameter shared with this account through AWS RAM, its KMS key's policy allowing the task execution role kms:Decrypt"
                }
            };
            out.push((about, Verdict::Warn, Cause::new(
                code!("config.cross_account_secret"),
                format!("container {}: {} is in account {theirs}, the task's is {}: {needs}; the probe's describe call shows whether the endpoint answers, not those policies", s.container, s.id, t.account.as_deref().unwrap_or_default()),
            )));
        }
    }
    out
}

/// FireLens outputs outside AWS, and the role an AWS output assumes.
fn telemetry(t: &Task) -> Findings {
    let mut out = Vec::new();
    for (i, tn) in t.needs.telemetry.iter().enumerate() {
        if let Some(dest) = &tn.outside {
            out.push((
                About::Telemetry(i),
                Verdict::Warn,
                Cause::new(
                    code!("config.firelens_destination"),
                    format!("container {}: FireLens sends to {dest}", tn.container),
                ),
            ));
        }
        if let Some(role) = &tn.assumes_role {
            out.push(firelens_role(i, &tn.container, role, t.account.as_deref()));
        }
    }
    out
}

/// A FireLens output's `role_arn`: the log router calls sts:AssumeRole with the task
/// role. AssumeRole returns credentials, so the probe never makes it: it checks the STS
/// endpoint (GetCallerIdentity) and names the role, the permission and the trust.
fn firelens_role(
    i: usize,
    container: &str,
    role: &str,
    ours: Option<&str>,
) -> (About, Verdict, Cause) {
    if !valid_role_arn(role) {
        return malformed(
            About::Telemetry(i),
            format!(
                "container {container}: the FireLens output's role_arn {role:?} is not arn:aws:iam::<12-digit account>:role/<name>{}: ECS registers the definition, the log router cannot assume it and drops this output's logs",
                placeholder_note(role)
            ),
        );
    }
    let theirs = aws::arn_account(role);
    let other = match (theirs.as_deref(), ours) {
        (Some(a), Some(b)) if a != b => format!(" in another account ({a})"),
        _ => String::new(),
    };
    (
        About::Telemetry(i),
        Verdict::Warn,
        Cause::new(
            code!("config.firelens_role_arn"),
            format!(
                "container {container}: the FireLens output assumes {role}{other}: the log router calls sts:AssumeRole with the task role (taskRoleArn), which needs sts:AssumeRole on that role, and the role's trust policy must trust the task role; the probe checks the STS endpoint (GetCallerIdentity, never AssumeRole, which returns credentials), not the policies"
            ),
        ),
    )
}

fn env_files(t: &Task) -> Findings {
    let mut out = Vec::new();
    for (i, f) in t.needs.env_files.iter().enumerate() {
        let about = About::EnvFile(i);
        let what = f.kind.label();
        if f.bucket.is_none() {
            out.push((about, Verdict::Fail, Cause::new(
                code!("config.env_file"),
                format!("container {}: the {what} {:?} is not an S3 object ARN (arn:aws:s3:::bucket/key): it cannot be read and the task does not start", f.container, f.arn),
            )));
        } else if let Some(mark) = placeholder(&f.arn) {
            out.push(malformed(about, format!(
                "container {}: the {what} {:?} holds an unfilled placeholder ({mark}): it cannot be read and the task does not start",
                f.container, f.arn
            )));
        }
        if f.kind == S3Read::FirelensConfig && t.launch_type == Some(LaunchType::Fargate) {
            out.push((about, Verdict::Fail, Cause::new(
                code!("config.firelens_s3_config_on_fargate"),
                format!("container {}: Fargate reads a FireLens configuration only from a file in the image (config-file-type file), not from S3 ({}): bake the file into the log router's image", f.container, f.arn),
            )));
        }
    }
    out
}

fn platform(t: &Task, platform_version: Option<&str>) -> Findings {
    let fargate = t.launch_type.or_else(|| t.needs.launch_type()) == Some(LaunchType::Fargate);
    match platform_version {
        Some(v) if fargate && old_platform(v) => vec![(
            About::Platform,
            Verdict::Warn,
            Cause::new(
                code!("config.old_platform"),
                format!(
                    "Fargate platform {v} fetches registry auth outside the task's network: a failing ecr.api endpoint does not stop this task, but platform 1.4.0 and later need com.amazonaws.{}.ecr.api",
                    t.region
                ),
            ),
        )],
        _ => Vec::new(),
    }
}

fn refused(about: About, hint: String) -> (About, Verdict, Cause) {
    (
        about,
        Verdict::Fail,
        Cause::new(code!("config.refused_at_register"), hint),
    )
}

fn malformed(about: About, hint: String) -> (About, Verdict, Cause) {
    (
        about,
        Verdict::Fail,
        Cause::new(code!("config.malformed_value"), hint),
    )
}

/// A template's unfilled placeholder in a value: `{{name}}`, `${name}`, `<name>`.
/// FireLens's own `$(ecs_cluster)` variables are not placeholders.
pub fn placeholder(v: &str) -> Option<&'static str> {
    if v.contains("{{") && v.contains("}}") {
        Some("{{…}}")
    } else if v.contains("${") {
        Some("${…}")
    } else if v.find('<').is_some_and(|a| v[a..].contains('>')) {
        Some("<…>")
    } else {
        None
    }
}

fn placeholder_note(v: &str) -> String {
    match placeholder(v) {
        Some(mark) => format!(" (an unfilled placeholder, {mark})"),
        None => String::new(),
    }
}

/// Why a role value is not a role: a placeholder, or an ARN whose account is not one.
fn role_note(v: &str) -> String {
    let account = v.split(':').nth(4).filter(|_| v.starts_with("arn:"));
    match (placeholder(v), account) {
        (Some(_), _) => placeholder_note(v),
        (None, Some(a)) if !aws::is_account(a) => {
            format!(" (its account {a:?} is not 12 digits: a placeholder left in)")
        }
        _ => String::new(),
    }
}

/// A role as ECS takes it: a role name (ECS completes the ARN) or a role ARN.
fn valid_role(v: &str) -> bool {
    let name_chars = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-/".contains(&b))
    };
    match v.starts_with("arn:") {
        true => valid_role_arn(v),
        false => name_chars(v) && !v.starts_with('/'),
    }
}

/// `arn:<partition>:iam::<12 digits>:role/<path/name>`.
fn valid_role_arn(v: &str) -> bool {
    let parts: Vec<&str> = v.splitn(6, ':').collect();
    let name_ok = |r: &str| {
        r.strip_prefix("role/").is_some_and(|n| {
            !n.is_empty()
                && n.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-/".contains(&b))
        })
    };
    matches!(parts.as_slice(), ["arn", p, "iam", "", account, rest]
        if p.starts_with("aws") && aws::is_account(account) && name_ok(rest))
}

/// Why ECS's register refuses an image value: more than 255 characters, or a character
/// outside "letters, numbers, hyphens, underscores, colons, periods, forward slashes
/// and number signs" (ContainerDefinition.image, ECS API reference; `@` for digests).
fn refused_image(v: &str) -> Option<&'static str> {
    if v.chars().count() > 255 {
        return Some(
            "is longer than 255 characters (Container.image should be 255 characters or less)",
        );
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-_:./#@".contains(c);
    (!v.chars().all(allowed)).then_some(
        "has characters an image name cannot hold (Container.image contains invalid characters)",
    )
}

/// An ECR-shaped host whose registry id is digits but not twelve of them (a template's
/// `11111111111`).
fn malformed_registry_id(reference: &str) -> Option<&str> {
    let host = reference.split('/').next()?;
    let (id, rest) = host.split_once('.')?;
    let digits = !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit());
    (digits && id.len() != 12 && rest.starts_with("dkr.ecr")).then_some(id)
}

/// Platform versions before 1.4.0 (`1.3.0`, `1.2.0`…); `LATEST` is 1.4.0 or later.
pub fn old_platform(v: &str) -> bool {
    let nums: Vec<u32> = v.trim().split('.').map_while(|p| p.parse().ok()).collect();
    matches!(nums.as_slice(), [1, minor, ..] if *minor < 4) || matches!(nums.as_slice(), [0, ..])
}

/// The hint for an image no VPC endpoint serves: a NAT, or a pull-through cache rule
/// and the reference the image gets with one (docs/aws-facts.md#ecr-public-pull-through).
fn foreign_hint(
    container: &str,
    reference: &str,
    img: &ImageRef,
    account: &str,
    region: &str,
) -> String {
    let prefix = match img.host.as_str() {
        "docker.io" | "registry-1.docker.io" | "index.docker.io" => Some("docker-hub"),
        "public.ecr.aws" => Some("ecr-public"),
        "quay.io" => Some("quay"),
        "ghcr.io" => Some("github"),
        "registry.k8s.io" => Some("k8s"),
        "registry.gitlab.com" => Some("gitlab"),
        h if h.ends_with(".azurecr.io") => Some("azure"),
        _ => None,
    };
    let tail = match &img.reference {
        crate::image_ref::Reference::Tag(t) => format!(":{t}"),
        crate::image_ref::Reference::Digest(d) => format!("@{d}"),
    };
    let with_cache = match prefix {
        Some(p) => format!(
            "; or create an ECR pull-through cache rule (prefix {p}) for {} in {region} and use {account}.dkr.ecr.{region}.amazonaws.com/{p}/{}{tail} (the first pull still needs a NAT)",
            img.host, img.repository
        ),
        None => format!(
            "; ECR pull-through cache does not serve {}: copy the image to ECR in {region}",
            img.host
        ),
    };
    format!(
        "container {container}: the image {reference} comes from {}, which no VPC endpoint serves: this subnet needs a NAT{with_cache}",
        img.host
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_versions() {
        for old in ["1.3.0", "1.2.0", "1.0.0"] {
            assert!(old_platform(old), "{old}");
        }
        for new in ["1.4.0", "LATEST", "1.4", ""] {
            assert!(!old_platform(new), "{new}");
        }
    }

    fn findings_of(json: &str) -> Vec<(About, Verdict, String, String)> {
        let td = crate::taskdef::TaskDefinition::parse(json).unwrap();
        let needs = Needs::of(&td);
        let pull = ImageRef::parse("123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1").unwrap();
        task_findings(&needs, &pull, "us-east-1", None, None)
            .into_iter()
            .map(|(a, v, c)| (a, v, c.code.to_string(), c.hint))
            .collect()
    }

    /// Another region's logs endpoint stops a task that uses awslogs, and only drops
    /// the logs of one that sends them through FireLens's CloudWatch output.
    #[test]
    fn logs_in_another_region_by_driver() {
        let f = findings_of(
            r#"{"containerDefinitions":[
                  {"name":"a","image":"123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1",
                   "logConfiguration":{"logDriver":"awslogs","options":{"awslogs-group":"g","awslogs-region":"us-west-2"}}},
                  {"name":"f","image":"123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1",
                   "logConfiguration":{"logDriver":"awsfirelens","options":{"Name":"cloudwatch_logs","region":"us-west-2","log_group_name":"g"}}}]}"#,
        );
        let hints: Vec<&str> = f
            .iter()
            .filter(|(_, _, c, _)| c == "config.logs_cross_region")
            .map(|(_, _, _, h)| h.as_str())
            .collect();
        assert_eq!(hints.len(), 2, "{f:#?}");
        assert!(
            hints[0].contains("the task fails to start. Set awslogs-region"),
            "{}",
            hints[0]
        );
        assert!(
            hints[1].contains("the task starts but the log router cannot deliver"),
            "{}",
            hints[1]
        );
        assert!(!hints[1].contains("awslogs-region"), "{}", hints[1]);
    }

    #[test]
    fn placeholders_are_named_with_their_field_as_ecs_would_take_them() {
        let f = findings_of(
            r#"{"executionRoleArn":"{{execution-role-arn}}","taskRoleArn":"arn:aws:iam::12345678901:role/r",
                "networkMode":"{{networkmode}}","requiresCompatibilities":["{{launchtype}}"],
                "containerDefinitions":[
                  {"name":"app","image":"123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1",
                   "secrets":[{"name":"CFG","valueFrom":"{{ssm-cwagent-config}}"}],
                   "logConfiguration":{"logDriver":"awslogs","options":{"awslogs-group":"${CLOUDWATCH_GROUP}","awslogs-region":"us-east-1"}}},
                  {"name":"sample","image":"{{sampleAppImage}}"},
                  {"name":"router","image":"11111111111.dkr.ecr.us-west-2.amazonaws.com/fluent-bit:latest"}]}"#,
        );
        let refused: Vec<&str> = f
            .iter()
            .filter(|(_, _, c, _)| c == "config.refused_at_register")
            .map(|(_, _, _, h)| h.split_whitespace().next().unwrap_or_default())
            .collect();
        assert_eq!(
            refused,
            [
                "executionRoleArn",
                "taskRoleArn",
                "networkMode",
                "requiresCompatibilities",
                "container"
            ],
            "{f:#?}"
        );
        assert!(f.iter().all(|(_, v, _, _)| *v == Verdict::Fail), "{f:#?}");
        assert!(f[0].3.contains("unfilled placeholder, {{…}}"), "{}", f[0].3);
        assert!(
            f[1].3.contains("account \"12345678901\" is not 12 digits"),
            "{}",
            f[1].3
        );
        let image = f.iter().find(|(a, _, _, _)| *a == About::Image(1)).unwrap();
        assert!(
            image.3.contains("container sample")
                && image
                    .3
                    .contains("Container.image contains invalid characters"),
            "{}",
            image.3
        );
        let malformed: Vec<About> = f
            .iter()
            .filter(|(_, _, c, _)| c == "config.malformed_value")
            .map(|(a, _, _, _)| *a)
            .collect();
        assert_eq!(
            malformed,
            [About::Image(2), About::Logs(0), About::Secret(0)],
            "{f:#?}"
        );
    }

    #[test]
    fn role_names_and_role_arns_are_taken() {
        for ok in [
            "ecsTaskExecutionRole",
            "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
            "arn:aws-cn:iam::123456789012:role/path/to/r+=,.@_-",
        ] {
            assert!(valid_role(ok), "{ok}");
        }
        for bad in [
            "{{task-role-arn}}",
            "${exec_role}",
            "arn:aws:iam::XXXXXXXXXXXX:role/r",
            "arn:aws:iam::11111111111:role/r",
            "arn:aws:iam::123456789012:user/u",
            "arn:aws:iam::<account>:role/r",
            "arn:aws:iam::123456789012:role/",
        ] {
            assert!(!valid_role(bad), "{bad}");
        }
        // FireLens's own template variables are not placeholders.
        assert_eq!(placeholder("/aws/ecs/$(ecs_cluster)/app"), None);
        assert_eq!(placeholder("arn:aws:iam::<acct>:role/r"), Some("<…>"));
    }

    #[test]
    fn another_region_and_another_account_are_named() {
        let f = findings_of(
            r#"{"executionRoleArn":"arn:aws:iam::123456789012:role/exec","containerDefinitions":[
                {"name":"app","image":"123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1","secrets":[
                  {"name":"A","valueFrom":"arn:aws:secretsmanager:us-west-2:123456789012:secret:a-AbCdEf"},
                  {"name":"B","valueFrom":"arn:aws:secretsmanager:us-east-1:210987654321:secret:b-AbCdEf"}]}]}"#,
        );
        let codes: Vec<(About, &str)> = f.iter().map(|(a, _, c, _)| (*a, c.as_str())).collect();
        assert_eq!(
            codes,
            [
                (About::Secret(0), "config.cross_region"),
                (About::Secret(1), "config.cross_account_secret")
            ]
        );
        assert!(
            f[0].3.contains("secretsmanager.us-west-2.amazonaws.com"),
            "{}",
            f[0].3
        );
        assert!(
            f[1].3.contains("210987654321") && f[1].3.contains("kms:Decrypt"),
            "{}",
            f[1].3
        );
    }

    #[test]
    fn a_firelens_role_arn_names_the_role_and_its_trust() {
        let f = findings_of(
            r#"{"taskRoleArn":"arn:aws:iam::123456789012:role/task","containerDefinitions":[
                {"name":"app","image":"123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1","logConfiguration":{"logDriver":"awsfirelens",
                  "options":{"Name":"cloudwatch","region":"us-east-1","role_arn":"arn:aws:iam::222222222222:role/cross-account-log-role"}}},
                {"name":"b","image":"123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1","logConfiguration":{"logDriver":"awsfirelens",
                  "options":{"Name":"firehose","role_arn":"arn:aws:iam::XXXXXXXXXXXX:role/r"}}}]}"#,
        );
        let (_, v, code, hint) = &f[0];
        assert_eq!(
            (*v, code.as_str()),
            (Verdict::Warn, "config.firelens_role_arn")
        );
        assert!(
            hint.contains("another account (222222222222)") && hint.contains("trust"),
            "{hint}"
        );
        assert_eq!(f[1].2, "config.malformed_value");
    }

    #[test]
    fn foreign_images_say_what_the_reference_becomes() {
        let img = ImageRef::parse("docker.io/library/nginx:latest").unwrap();
        let h = foreign_hint("web", "nginx:latest", &img, "123456789012", "us-east-1");
        assert!(h.contains("needs a NAT"), "{h}");
        assert!(
            h.contains(
                "123456789012.dkr.ecr.us-east-1.amazonaws.com/docker-hub/library/nginx:latest"
            ),
            "{h}"
        );
        let img = ImageRef::parse("mcr.microsoft.com/windows/servercore/iis:x").unwrap();
        let h = foreign_hint("w", "mcr…", &img, "1", "us-east-1");
        assert!(h.contains("does not serve mcr.microsoft.com"), "{h}");
    }
}
