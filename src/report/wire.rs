//! The report's wire types: the versioned contract with every consumer of
//! `--output json`, `ndjson` and `emf`.
//!
//! Rules (see docs/report-schema.md):
//! - `schema_version` changes only for a breaking change, and we avoid making any.
//! - Fields are only ever added, as optional (`#[serde(default)]`), each documented with
//!   the schema version that added it. Nothing is renamed or removed.
//! - An unknown value is **absent**, never `null`. Empty lists are omitted.
//! - Enums may grow: consumers must ignore kinds, verdicts-causes and fields they do
//!   not know.
//! - Units are in the names (`_ms`, `_bytes`); times are RFC 3339 UTC.
//!
//! `docs/report.schema.json` is generated from these types (`VPCE_UPDATE_SCHEMA=1
//! cargo test --profile suite --test schema`; the test fails while it is stale) and real
//! output is validated against it in tests.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::denial::{DeniedBy, DenyKind};
use crate::diagnose::{DnsExpectation, ResolverKind, Scope};
/// Domain enums whose wire names are the contract (see `hop/mod.rs`).
use crate::hop::Verdict;
use crate::hop_kind::HopKind;
use crate::provenance::{
    CredentialSource, EndpointSource, ImageSource, RegionSource, ResolversSource, TaskRegionSource,
};

/// Bumped only for a breaking change of the report.
pub const SCHEMA_VERSION: u32 = 1;

/// The whole report of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct Report {
    /// Version of this contract. Added in schema 1.
    pub schema_version: u32,
    /// Version of the vpce-probe binary that wrote the report.
    pub probe_version: String,
    /// When the run started, RFC 3339 UTC.
    pub started_at: String,
    /// Wall time of the whole run.
    pub duration_ms: f64,
    /// `pass` (every hop passed), `warn` (passed with warnings) or `fail`.
    pub verdict: RunVerdict,
    /// The `--label` of the run (e.g. the subnet id of a canary).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// What was probed and from where.
    pub context: Context,
    /// Every hop, in plan order (not completion order).
    pub hops: Vec<Hop>,
    /// Counts, and the first failing hop with its cause.
    pub summary: Summary,
    /// What the task needs to start (`--task-definition`, `--check`), one entry per
    /// need with its verdict and the hops that decided it. Added in schema 1, probe 0.2.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub needs: Vec<Need>,
    /// Which principal signed the probe's AWS calls, compared with the role the task's
    /// start-up uses. Added in schema 1, probe 0.2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<Principal>,
    /// Present only when the report was larger than one CloudWatch Logs event allows
    /// (the canary ships it as one): what was cut to fit. Added in schema 1, probe 0.2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cut: Option<Cut>,
}

/// What [`crate::report::bound`] cut from a report too large for one log event. The
/// summary, verdict and needs' verdicts are those of the whole run, before the cut.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct Cut {
    /// The report's size before the cut, in bytes of one-line JSON.
    pub bytes_before: u64,
    /// The bound it was cut to fit.
    pub limit_bytes: u64,
    /// Strings shortened (their end replaced by `…`).
    pub strings_shortened: u64,
    /// List entries dropped (from the end of each list).
    pub list_entries_dropped: u64,
    /// Hops dropped whole (passed ones first, from the end), still counted in `summary`.
    pub hops_dropped: u64,
}

/// One need of the task. Added in schema 1, probe 0.2.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct Need {
    /// `image`, `logs`, `secrets`, `exec`, `efs`, `ecs_agent`, `check`, `telemetry`
    /// (a sidecar or FireLens output, probe 0.3), `env_file` (probe 0.3) or
    /// `definition` (task-level fields ECS refuses at registration, probe 0.3). May grow.
    pub kind: String,
    /// What the task needs, e.g. `secrets from ssm (/app/db-url)`.
    pub subject: String,
    /// `pass`, `warn`, `fail`; `skipped` when nothing could be probed for it (since
    /// probe 0.3 with cause `config.need_not_probed` when no hop probed it at all).
    pub verdict: Verdict,
    /// The ids of the hops that probed it, in report order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hops: Vec<String>,
    /// The hop (or `context`, for a pre-flight finding) whose cause decided a warn or fail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
    /// That hop's or finding's cause code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    /// And its hint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// What failing it costs: the task cannot start (`stops_task`), or it starts
    /// without something (`degrades`, a warning at worst; `loses` says what). Added in
    /// schema 1, probe 0.3.
    #[serde(default)]
    pub impact: Impact,
    /// With `degrades`: what the user loses, e.g. "the task starts; its traces are
    /// dropped". Added in schema 1, probe 0.3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loses: Option<String>,
}

/// Whether a need's failure stops the task or only degrades it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Impact {
    #[default]
    StopsTask,
    Degrades,
}

/// The principal that signed, and the one that should have. Added in schema 1, probe 0.2.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct Principal {
    /// The ARN that signed: `sts:GetCallerIdentity`'s answer, else the role the
    /// container credentials belong to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_by: Option<String>,
    /// `sts` or `credentials`: which hop said so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_by_source: Option<String>,
    /// The role the task's start-up uses: `--expect-role`, else the task definition's
    /// `executionRoleArn` (an ARN or a role name, as written).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// `flag` or `task_definition`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_source: Option<String>,
    /// Whether they are the same role; absent when either is unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matches: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RunVerdict {
    Pass,
    Warn,
    Fail,
}

/// One hop of the pull path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct Hop {
    /// Unique within the report, e.g. `dns:api.ecr.us-east-1.amazonaws.com`,
    /// `tcp:api.ecr.us-east-1.amazonaws.com@10.0.1.101`, `manifest`.
    pub id: String,
    pub kind: HopKind,
    /// What the hop talked to: a host name, `host@address`, or a URL without its query.
    pub target: String,
    pub verdict: Verdict,
    /// Wall time of the hop (0 when skipped).
    pub duration_ms: f64,
    /// What was observed; which fields are present depends on `kind`.
    pub evidence: Evidence,
    /// For warn and fail: a stable dotted code such as `dns.public_address`. May grow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    /// For warn and fail: what to change, in AWS terms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// A one-line account of what happened, e.g. the error text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// For skipped: the id of the hop whose failure made this one pointless.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped_because: Option<String>,
    /// For warn and fail, when a change in AWS repairs the cause: that change as code
    /// (AWS CLI commands, CloudFormation and Terraform snippets, policy documents),
    /// filled with what the report knows, placeholders for the rest. Never run by the
    /// probe. Added in schema 1, probe 0.2.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remediation: Vec<Remediation>,
}

/// One piece of remediation of a hop's cause. Added in schema 1, probe 0.2.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct Remediation {
    /// `cli` (one AWS CLI command), `cloudformation` (resources in YAML, to go under a
    /// template's `Resources:`), `terraform` (HCL) or `policy` (a whole IAM policy
    /// document, JSON). May grow.
    pub kind: RemedyKind,
    /// What it does, in a few words.
    pub title: String,
    /// The command, snippet or document; may span lines.
    pub text: String,
    /// The placeholders left in `text` for what the probe cannot know, e.g.
    /// `<vpc-id>`, `<endpoint-sg-id>`, `<route-table-id>`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub placeholders: Vec<String>,
}

crate::value_set::value_set! {
    /// What a remediation's text is. May grow. Added in schema 1, probe 0.2.
    pub enum RemedyKind {
        /// One AWS CLI command, on one line.
        Cli = "cli",
        /// CloudFormation resources (YAML), to go under a template's `Resources:`.
        Cloudformation = "cloudformation",
        /// Terraform resources (HCL).
        Terraform = "terraform",
        /// A whole IAM policy document (JSON).
        Policy = "policy",
    }
}

/// Evidence of a hop. Every field is optional; each names the hop kinds that fill it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct Evidence {
    // ---- dns ----
    /// dns: the server that answered (or was asked last), `ip:port`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// dns: one entry per record type asked (A, AAAA).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub queries: Vec<DnsQuery>,
    /// dns: what the name must resolve to: `private` (interface endpoint) or `any`
    /// (S3 with a gateway endpoint keeps public addresses).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<DnsExpectation>,
    /// dns, tcp, tls, http hops: addresses with their classification.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<Address>,

    // ---- tcp / tls / http ----
    /// tcp, tls, http hops: the address connected to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_address: Option<String>,
    /// tcp, tls: the port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// tcp: time to establish the connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connect_ms: Option<f64>,
    /// tls: the server name sent (SNI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sni: Option<String>,
    /// tls: e.g. `TLSv1_3`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_version: Option<String>,
    /// tls: the negotiated cipher suite.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cipher_suite: Option<String>,
    /// tls: the negotiated ALPN protocol.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alpn: Option<String>,
    /// tls: handshake time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handshake_ms: Option<f64>,
    /// tls: the server's leaf certificate (also when verification failed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<Certificate>,
    /// tls: `ok`, or why verification failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification: Option<String>,

    // ---- http (registry, manifest, layer_redirect, layer, ecr_token, logs) ----
    /// http hops: the URL requested, without query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// http hops: the status code of the last response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    /// http hops: per-phase times of the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timings: Option<Timings>,
    /// registry: the `Www-Authenticate` challenge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub www_authenticate: Option<String>,
    /// registry: the `Docker-Distribution-Api-Version` header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// registry, manifest, layer_redirect: the registry's error code (e.g. `MANIFEST_UNKNOWN`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_error: Option<String>,
    /// ecr_token, logs: the AWS error code (e.g. `AccessDeniedException`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_error_code: Option<String>,
    /// ecr_token, logs, layer: the error message from AWS / the registry / S3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    /// ecr_token, logs: the request id AWS returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Any hop that read a body (`http.unreadable_answer`): the first characters of an
    /// answer that is not the AWS API's document (at most 200, one line, credentials
    /// redacted, control characters escaped), to recognise the proxy or page that sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer_prefix: Option<String>,
    /// Any hop AWS can deny (ecr_token, manifest, layer_redirect, layer, logs): the policy
    /// type AWS's AccessDenied message names: `identity_policy`, `vpc_endpoint_policy`,
    /// `service_control_policy`, `resource_control_policy`, `resource_policy`,
    /// `permissions_boundary`, `session_policy`, `explicit_deny` (an explicit Deny whose
    /// policy type the message does not name) or `unknown`. An explicit Deny in a named
    /// type reports that type, with `deny_kind: explicit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denied_by: Option<DeniedBy>,
    /// Any hop AWS can deny: `explicit` (a Deny statement matched: no Allow overrides
    /// it) or `implicit` (no statement allowed the action). Added in schema 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deny_kind: Option<DenyKind>,
    /// The denying policy's ARN, when AWS's message names it (e.g. an SCP's
    /// `arn:aws:organizations::…:policy/o-…/service_control_policy/p-…`). Added in schema 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denied_by_policy_arn: Option<String>,
    /// The principal the AccessDenied message names: the role that was tested. Added in schema 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denied_principal: Option<String>,
    /// Every hop with an HTTP answer from AWS: the answer's `Date` minus the local clock,
    /// in ms (positive: the server is ahead). Added in schema 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_skew_ms: Option<i64>,
    /// ecr_token, logs: the endpoint URL the SDK called.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,

    // ---- credentials / ecr_token ----
    /// credentials: `container`, `environment`, `profile`, `web_identity`, `imds`, `unknown`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<CredentialSource>,
    /// credentials: the SDK provider's own name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// credentials: the role the container credentials belong to (ECS), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// credentials: whether the keys are temporary (have a session token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temporary: Option<bool>,
    /// credentials, ecr_token: when the credentials / token expire, RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// ecr_token: the registry endpoint the token is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy_endpoint: Option<String>,

    // ---- manifest / layers ----
    /// manifest: media type of the manifest finally used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// manifest: digest of the manifest finally used; layer hops: the blob digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// manifest: media type and digest of the index / manifest list, when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_media_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_digest: Option<String>,
    /// manifest: the platform selected from an index; layer: the platform a
    /// single-platform image's config names, when a platform was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// manifest: platforms an index offers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub platforms_available: Vec<String>,
    /// manifest: number of layers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer_count: Option<u32>,
    /// manifest: total compressed size of the layers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_size_bytes: Option<u64>,
    /// manifest: layers that are not in ECR (Windows foreign layers) and where they come from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub foreign_layers: Vec<ForeignLayer>,
    /// layer_redirect, layer: size of the blob according to the manifest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_bytes: Option<u64>,
    /// layer_redirect: where the registry redirected to, without query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// layer_redirect: the host of the redirect target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_host: Option<String>,
    /// layer_redirect: the host ECR redirects to in this region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_host: Option<String>,
    /// layer: bytes read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes_read: Option<u64>,
    /// layer: whether the SHA-256 of the bytes was compared with the digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest_checked: Option<bool>,
    /// layer: the SHA-256 of the bytes read, when they were the whole blob.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest_actual: Option<String>,
    /// layer: the S3 error code from the XML body, e.g. `AccessDenied`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3_error_code: Option<String>,

    // ---- context ----
    /// context: every pre-flight finding, most severe first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,

    // ---- service ----
    /// service: the service whose endpoint was called, e.g. `ssm`, `secretsmanager`. Added in schema 1, probe 0.2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// service: the IAM action of the read-only call, e.g. `ssm:DescribeParameters`. Added in schema 1, probe 0.2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call: Option<String>,
    /// service: what the call named (secret ARNs, parameter names, a key id, a cluster): identifiers, never values. Added in schema 1, probe 0.2.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    /// service (ssm): how many of the named parameters exist. Added in schema 1, probe 0.2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub found: Option<u32>,
    /// service (sts): the ARN of the principal that signed (`GetCallerIdentity`). Added in schema 1, probe 0.2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caller_arn: Option<String>,
    /// service (ecs): the ACS endpoint `DiscoverPollEndpoint` named for the agent. Added in schema 1, probe 0.2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll_endpoint: Option<String>,
    /// service (ecs): the TCS endpoint `DiscoverPollEndpoint` named. Added in schema 1, probe 0.2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telemetry_endpoint: Option<String>,
    /// service (secretsmanager, ssm): the KMS key of the secret or of a named SecureString parameter, when one is not AWS managed (secretsmanager: as DescribeSecret names it). Added in schema 1, probe 0.2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct DnsQuery {
    /// `A` or `AAAA`.
    pub record_type: String,
    /// `NOERROR`, `NXDOMAIN`, `SERVFAIL`, `REFUSED`, …; absent on timeout or network error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rcode: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub answers: Vec<String>,
    /// Lowest TTL of the answers, seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<u32>,
    pub elapsed_ms: f64,
    /// Why there is no answer: `timeout`, `no records`, or the error text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct Address {
    pub address: String,
    /// `private`, `vpc` (inside --vpc-cidr or the task subnet), `shared` (100.64/10),
    /// `link_local`, `loopback` or `public`.
    pub scope: Scope,
    /// Whether the address is inside the VPC (anything but `public`).
    pub private: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct Timings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connect_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_ms: Option<f64>,
    /// Request sent until response headers received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttfb_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_ms: Option<f64>,
    /// `true` when the request went on a connection an earlier hop of the run opened
    /// (the tls hop's session to the address it tested, or an earlier request's): then
    /// there is no `dns_ms`, `connect_ms` or `tls_ms`. Absent on a new connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reused_connection: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct Certificate {
    pub subject: String,
    pub issuer: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dns_names: Vec<String>,
    pub not_before: String,
    pub not_after: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct ForeignLayer {
    pub digest: String,
    pub media_type: String,
    /// Hosts of the layer's `urls` (where the runtime fetches it from).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<String>,
}

/// A pre-flight finding of the context hop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct Finding {
    /// `warn` or `fail`.
    pub severity: Verdict,
    pub cause: String,
    pub hint: String,
}

/// What was probed, from where.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct Context {
    /// The image reference probed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// `flag`, `task_metadata` or `task_definition`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_source: Option<ImageSource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_account: Option<String>,
    /// The region whose ECR endpoints are probed: the image's registry region (the
    /// pull goes there whatever region the task runs in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// `image` (a private ECR image's own region), or for other images `flag`,
    /// `environment` or `task_metadata`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_source: Option<RegionSource>,
    /// The region the task runs in (`--region`, `AWS_REGION`, or the task ARN), when
    /// known; the logs endpoint is this region's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_region: Option<String>,
    /// `flag`, `environment` or `task_metadata`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_region_source: Option<TaskRegionSource>,
    /// The platform asked for from an index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// The DNS servers asked, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resolvers: Vec<Resolver>,
    /// `resolv.conf` or `flag`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolvers_source: Option<ResolversSource>,
    /// CIDRs whose addresses count as inside the VPC.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vpc_cidrs: Vec<String>,
    /// Service endpoints probed: service name → URL.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub endpoints: Vec<ServiceEndpoint>,
    /// Proxy settings in the environment (user info removed) and what they would route.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<Proxy>,
    /// ECS task metadata, when the probe runs in an ECS task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<Task>,
    /// `AWS_EXECUTION_ENV`, e.g. `AWS_ECS_FARGATE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_env: Option<String>,
    /// The `--task-definition` file read (`-` for standard input). Added in schema 1, probe 0.2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_definition: Option<String>,
    /// Its family. Added in schema 1, probe 0.2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_family: Option<String>,
    /// `FARGATE`, `EC2` or `EXTERNAL`, from `--launch-type`, the task definition or task
    /// metadata. Added in schema 1, probe 0.2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launch_type: Option<String>,
    pub timeout_ms: u64,
    pub deadline_ms: u64,
    pub max_layer_bytes: u64,
    /// The local clock against AWS's: the largest skew any hop's answer showed (its
    /// `Date` header). Added in schema 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<Clock>,
}

/// The local clock against the `Date` of AWS's answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct Clock {
    /// The answer's `Date` minus the local clock, in ms (positive: the local clock is
    /// behind). `Date` has whole seconds, so |skew| < 1000 is no skew.
    pub skew_ms: i64,
    /// The hop whose answer showed it.
    pub hop: String,
    /// Whether the skew is past SigV4's 5-minute window.
    pub outside_sigv4_window: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct Resolver {
    /// `ip:port`.
    pub address: String,
    /// `vpc_resolver` (169.254.169.253, fd00:ec2::253 or VPC base + 2), `likely_vpc_resolver`
    /// (a private address ending in .2), `local_stub`, or `custom`.
    pub kind: ResolverKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct ServiceEndpoint {
    /// `api`, `dkr`, `s3`, `s3_layer_bucket`, `logs`.
    pub service: String,
    pub url: String,
    /// `default`, `image`, `flag` or `environment`.
    pub source: EndpointSource,
    /// The VPC endpoint service that serves it, e.g. `com.amazonaws.us-east-1.ecr.api`.
    pub vpc_endpoint_service: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct Proxy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub https_proxy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_proxy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_proxy: Option<String>,
    /// Probed hosts an HTTPS client honouring these variables would send to the proxy.
    /// The probe itself always connects directly, as the container runtime's pull does.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub proxied_hosts: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct Task {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launch_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability_zone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnet_cidr: Option<String>,
    /// The subnet's IPv6 range, when it has one (a VPC's IPv6 range is public space).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv6_subnet_cidr: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ipv4_addresses: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dns_servers: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_image: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_image_id: Option<String>,
    /// When metadata was advertised but could not be read: why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct Summary {
    pub passed: u32,
    pub warned: u32,
    pub failed: u32,
    pub skipped: u32,
    /// The first failing hop in plan order, the usual place to start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_failure: Option<String>,
    /// Its cause code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_failure_cause: Option<String>,
}

/// One line of `--output ndjson`: hops as they finish, then the whole report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum NdjsonLine {
    Hop(Box<Hop>),
    Report(Box<Report>),
}
