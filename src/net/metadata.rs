//! The ECS task metadata endpoint v4 client (`ECS_CONTAINER_METADATA_URI_V4`): this
//! container's document and its task's, reduced to what the probe uses. Field names
//! are the agent's (docs/aws-facts.md#task-metadata-v4).

use std::time::Duration;

use serde::Deserialize;

use crate::net::plain_http::get_json;

/// What the probe learns from task metadata. `error` says why a part is missing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskMetadata {
    pub task_arn: Option<String>,
    pub cluster: Option<String>,
    pub family: Option<String>,
    pub revision: Option<String>,
    pub launch_type: Option<String>,
    pub availability_zone: Option<String>,
    pub subnet_cidr: Option<String>,
    pub ipv6_subnet_cidr: Option<String>,
    pub ipv4_addresses: Vec<String>,
    pub dns_servers: Vec<String>,
    pub container_name: Option<String>,
    pub container_image: Option<String>,
    pub container_image_id: Option<String>,
    pub error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
struct TaskDoc {
    #[serde(rename = "TaskARN")]
    task_arn: Option<String>,
    cluster: Option<String>,
    family: Option<String>,
    revision: Option<String>,
    launch_type: Option<String>,
    availability_zone: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
struct ContainerDoc {
    name: Option<String>,
    image: Option<String>,
    #[serde(rename = "ImageID")]
    image_id: Option<String>,
    networks: Vec<NetworkDoc>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
struct NetworkDoc {
    #[serde(rename = "IPv4Addresses")]
    ipv4_addresses: Vec<String>,
    #[serde(rename = "IPv4SubnetCIDRBlock")]
    ipv4_subnet_cidr_block: Option<String>,
    #[serde(rename = "IPv6SubnetCIDRBlock")]
    ipv6_subnet_cidr_block: Option<String>,
    domain_name_servers: Vec<String>,
}

/// Read this container's and its task's metadata. Failure is recorded in the result,
/// not raised: the probe still runs without it.
pub async fn read(uri: &str, timeout: Duration) -> TaskMetadata {
    let base = uri.trim_end_matches('/');
    let task_url = format!("{base}/task");
    let (container, task) = tokio::join!(
        get_json::<ContainerDoc>(base, timeout),
        get_json::<TaskDoc>(&task_url, timeout)
    );
    merge(container, task)
}

/// The two documents as the agent would send them (this container's, the task's):
/// what [`read`] makes of them. Pure, for tests of hostile documents.
pub fn from_json(container: &[u8], task: &[u8]) -> TaskMetadata {
    let parse = |e: serde_json::Error| format!("not the expected JSON: {e}");
    merge(
        serde_json::from_slice(container).map_err(parse),
        serde_json::from_slice(task).map_err(parse),
    )
}

fn merge(container: Result<ContainerDoc, String>, task: Result<TaskDoc, String>) -> TaskMetadata {
    let mut out = TaskMetadata::default();
    match container {
        Ok(c) => {
            out.container_name = c.name;
            out.container_image = c.image;
            out.container_image_id = c.image_id;
            if let Some(n) = c.networks.into_iter().next() {
                out.subnet_cidr = n.ipv4_subnet_cidr_block;
                out.ipv6_subnet_cidr = n.ipv6_subnet_cidr_block;
                out.ipv4_addresses = n.ipv4_addresses;
                out.dns_servers = n.domain_name_servers;
            }
        }
        Err(e) => out.error = Some(e),
    }
    match task {
        Ok(t) => {
            out.task_arn = t.task_arn;
            out.cluster = t.cluster;
            out.family = t.family;
            out.revision = t.revision;
            out.launch_type = t.launch_type;
            out.availability_zone = t.availability_zone;
        }
        Err(e) => {
            out.error.get_or_insert(e);
        }
    }
    out
}
