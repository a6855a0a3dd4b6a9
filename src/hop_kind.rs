//! The kinds of hops: a leaf, so both the plan (which step is which kind) and the cause
//! catalogue (which kinds report which cause) stand on it without one above the other.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The kind of a hop. May grow.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum HopKind {
    Context,
    Dns,
    Tcp,
    Tls,
    Credentials,
    EcrToken,
    Registry,
    Manifest,
    LayerRedirect,
    Layer,
    Logs,
    /// A read-only signed call to another AWS service endpoint (added in schema 1,
    /// probe 0.2): the service is in the target and the evidence.
    Service,
}

impl HopKind {
    pub fn as_str(self) -> &'static str {
        match self {
            HopKind::Context => "context",
            HopKind::Dns => "dns",
            HopKind::Tcp => "tcp",
            HopKind::Tls => "tls",
            HopKind::Credentials => "credentials",
            HopKind::EcrToken => "ecr_token",
            HopKind::Registry => "registry",
            HopKind::Manifest => "manifest",
            HopKind::LayerRedirect => "layer_redirect",
            HopKind::Layer => "layer",
            HopKind::Logs => "logs",
            HopKind::Service => "service",
        }
    }
}
