//! `vpce-probe diff --output json`: a versioned contract of its own
//! (`docs/diff.schema.json`, generated from these types by tests/schema.rs). Fields are
//! only added; meaning codes may grow.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::hop::Verdict;
use crate::hop_kind::HopKind;
use crate::report::wire::RunVerdict;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct DiffReport {
    pub diff_version: u32,
    /// The version of the vpce-probe that compared them.
    pub probe_version: String,
    pub a: Side,
    pub b: Side,
    /// Whether the two runs have the same overall verdict and every hop the same verdict
    /// in both (a hop only one report has counts as a difference: the other run did not
    /// pass it); the exit status is 0 when they do, 1 when not.
    pub same_verdicts: bool,
    /// The first hop, in path order, where the verdicts differ; without one, the first
    /// hop with any difference. Absent when no hop differs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_difference: Option<String>,
    /// What the first difference usually means.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meaning: Option<Meaning>,
    /// What the comparison could not do: different schema or probe versions, images.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Differences in where and how each ran (resolvers, AZ, subnet, region, image).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub context: Vec<Difference>,
    /// Every hop that differs, in path order; hops alike in both are left out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hops: Vec<HopDiff>,
    /// What "far apart" means for timings.
    pub far_apart: FarApart,
}

/// One report as the diff saw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct Side {
    /// The file name given.
    pub file: String,
    pub schema_version: u32,
    pub probe_version: String,
    pub started_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub verdict: RunVerdict,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_failure: Option<String>,
}

/// A hop that differs, or that only one report has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct HopDiff {
    /// The hop's id; `idA | idB` when they were paired by kind and host (a tcp hop to
    /// another ENI address).
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<HopKind>,
    /// `a` or `b` when only that report has the hop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub only_in: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict_a: Option<Verdict>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict_b: Option<Verdict>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause_a: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause_b: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub differences: Vec<Difference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meaning: Option<Meaning>,
}

/// One field with its value in each report (absent: the report has none).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct Difference {
    /// `verdict`, `cause`, `scope` (private/public/mixed over the addresses),
    /// `addresses`, `resolver`, `remote_address` (the ENI that answered), `tls_issuer`,
    /// `verification`, `http_status`, `aws_error_code`, `s3_error_code`, `denied_by`,
    /// `registry_error`, `digest`, timings (`duration_ms`, `connect_ms`, `handshake_ms`,
    /// `ttfb_ms`: only when far apart); context: `image`, `region`, `task_region`,
    /// `resolvers`, `vpc_cidrs`, `availability_zone`, `subnet_cidr`, `proxy`,
    /// `launch_type`. May grow.
    pub field: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub a: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub b: Option<String>,
}

/// A stable code and its sentence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct Meaning {
    pub code: MeaningCode,
    pub text: String,
}

crate::value_set::value_set! {
    /// What a difference between two paths usually means. May grow.
    pub enum MeaningCode {
        PrivateDns = "private_dns",
        Resolver = "resolver",
        Name = "name",
        SecurityGroup = "security_group",
        NoEndpoint = "no_endpoint",
        S3Route = "s3_route",
        Policy = "policy",
        Interception = "interception",
        Credentials = "credentials",
        Image = "image",
        Middlebox = "middlebox",
        OtherEni = "other_eni",
        Slow = "slow",
        Placement = "placement",
    }
}

impl Meaning {
    pub fn of(code: MeaningCode) -> Meaning {
        use MeaningCode as M;
        let text = match code {
            M::PrivateDns => {
                "the name resolves to the endpoint's private addresses in one and to public ones in the other: in that VPC the interface endpoint is missing or its private DNS is off, or that task asks a resolver that does not forward to the VPC resolver"
            }
            M::Resolver => {
                "the resolvers differ or one fails: custom DNS (DHCP options) that does not forward amazonaws.com to the VPC resolver, or a resolver that is down"
            }
            M::Name => {
                "the name does not resolve in one: a different region or account in the image, or a resolver that answers for amazonaws.com itself"
            }
            M::SecurityGroup => {
                "the endpoint's address is private in both but one cannot connect: the endpoint's security group (or a NACL) admits one subnet and not the other"
            }
            M::NoEndpoint => {
                "one connects to a public address it cannot reach without NAT: no interface endpoint for that service in its VPC"
            }
            M::S3Route => {
                "S3 is reachable from one and not the other: the S3 gateway endpoint is on one subnet's route table and not the other's"
            }
            M::Policy => {
                "a policy allows one and denies the other: a different role, or aws:SourceVpc / aws:SourceVpce conditions, or a different endpoint (with its own policy)"
            }
            M::Interception => {
                "the TLS certificates differ: TLS inspection (a proxy or firewall) in one path"
            }
            M::Credentials => {
                "the credentials differ: another role or credentials source in one run"
            }
            M::Image => {
                "the image differs or changed between the runs (a tag, a platform, a deleted manifest)"
            }
            M::Middlebox => {
                "something in one path answers or rewrites instead of AWS (a proxy, firewall or inspection device)"
            }
            M::OtherEni => {
                "a different endpoint network interface answered (another AZ's ENI, or a re-created endpoint): both work"
            }
            M::Slow => {
                "the same path, far slower in one (see far_apart): a congested or longer path, or a retry"
            }
            M::Placement => {
                "the runs ran in different places or settings (region, resolvers, subnet, image): see the context differences"
            }
        };
        Meaning {
            code,
            text: text.to_string(),
        }
    }
}

/// The thresholds of "far apart" timings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct FarApart {
    /// The larger is at least this many times the smaller…
    pub ratio: f64,
    /// …and at least this many ms larger.
    pub floor_ms: f64,
}
