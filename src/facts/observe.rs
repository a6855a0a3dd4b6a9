//! The run's only I/O before any hop: what this container can observe about itself.
//! ECS task metadata (when the agent offers it) and the resolv.conf (when no
//! `--dns-server` replaces it). Nothing is judged here; a failed read is kept as data
//! for [`super::decide`] to judge in its own order.

use crate::config::{Config, vars};
use crate::net::dns::{ResolvConfError, read_resolv_conf};
use crate::net::metadata::TaskMetadata;

/// What the run observed before any hop.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    /// ECS task metadata; None outside ECS (no `ECS_CONTAINER_METADATA_URI_V4`).
    pub task: Option<TaskMetadata>,
    /// The bytes of the resolv.conf, or why they could not be read; None with
    /// `--dns-server`.
    pub resolv_conf: Option<Result<Vec<u8>, ResolvConfError>>,
}

/// Read what the configuration says to read, each read bounded by `--timeout`.
pub async fn observe(cfg: &Config) -> Observed {
    let task = match cfg.env.get(vars::ECS_CONTAINER_METADATA_URI_V4) {
        Some(uri) => Some(crate::net::metadata::read(uri, cfg.timeout).await),
        None => None,
    };
    let resolv_conf = match &cfg.dns_servers {
        Some(_) => None,
        None => Some(read_resolv_conf(&cfg.resolv_conf)),
    };
    Observed { task, resolv_conf }
}
