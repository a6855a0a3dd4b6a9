//! The hops' observations (`hop/evidence.rs`) in the report's terms: durations become
//! `_ms` numbers, net types their wire twins, causes their codes and hints.

use super::from_net::ms;
use crate::hop::evidence as ev;
use crate::net::metadata::TaskMetadata;
use crate::report::wire;

/// The one place the per-kind evidence becomes the wire's single flat object: the
/// shared fields, then the fields of the hop's own kind. Every wire field keeps its
/// name and place, so the JSON is the same whichever way the domain groups it.
impl From<&ev::Evidence> for wire::Evidence {
    fn from(v: &ev::Evidence) -> Self {
        let denial = v.denial.as_ref();
        let mut w = wire::Evidence {
            addresses: v.addresses.iter().map(Into::into).collect(),
            remote_address: v.remote_address.clone(),
            port: v.port,
            url: v.url.clone(),
            http_status: v.http_status,
            timings: v.timings.as_ref().map(Into::into),
            clock_skew_ms: v.clock_skew_ms,
            registry_error: v.registry_error.clone(),
            error_message: v.error_message.clone(),
            answer_prefix: v.answer_prefix.clone(),
            denied_by: denial.map(|d| d.by),
            deny_kind: denial.and_then(|d| d.kind),
            denied_by_policy_arn: denial.and_then(|d| d.policy_arn.clone()),
            denied_principal: denial.and_then(|d| d.principal.clone()),
            ..wire::Evidence::default()
        };
        match &v.kind {
            ev::KindEvidence::None => {}
            ev::KindEvidence::Context(k) => flat_context(k, &mut w),
            ev::KindEvidence::Dns(k) => flat_dns(k, &mut w),
            ev::KindEvidence::Tcp(k) => w.connect_ms = k.connect.map(ms),
            ev::KindEvidence::Tls(k) => flat_tls(k, &mut w),
            ev::KindEvidence::Credentials(k) => flat_credentials(k, &mut w),
            ev::KindEvidence::Registry(k) => flat_registry(k, &mut w),
            ev::KindEvidence::Manifest(k) => flat_manifest(k, &mut w),
            ev::KindEvidence::Layer(k) => flat_layer(k, &mut w),
            ev::KindEvidence::Call(k) => flat_call(k, &mut w),
        }
        w
    }
}

fn flat_context(k: &ev::Findings, w: &mut wire::Evidence) {
    w.findings = k.findings.iter().map(Into::into).collect();
}

fn flat_dns(k: &ev::Dns, w: &mut wire::Evidence) {
    w.server = k.server.clone();
    w.queries = k.queries.iter().map(Into::into).collect();
    w.expected = k.expected;
}

fn flat_tls(k: &ev::Tls, w: &mut wire::Evidence) {
    w.sni = k.sni.clone();
    w.tls_version = k.tls_version.clone();
    w.cipher_suite = k.cipher_suite.clone();
    w.alpn = k.alpn.clone();
    w.handshake_ms = k.handshake.map(ms);
    w.certificate = k.certificate.as_ref().map(Into::into);
    w.verification = k.verification.clone();
}

fn flat_credentials(k: &ev::Credentials, w: &mut wire::Evidence) {
    w.source = k.source;
    w.provider = k.provider.clone();
    w.role_arn = k.role_arn.clone();
    w.temporary = k.temporary;
    w.expires_at = k.expires_at.clone();
}

fn flat_registry(k: &ev::Registry, w: &mut wire::Evidence) {
    w.www_authenticate = k.www_authenticate.clone();
    w.api_version = k.api_version.clone();
}

fn flat_manifest(k: &ev::Manifest, w: &mut wire::Evidence) {
    w.media_type = k.media_type.clone();
    w.digest = k.digest.clone();
    w.index_media_type = k.index_media_type.clone();
    w.index_digest = k.index_digest.clone();
    w.platform = k.platform.clone();
    w.platforms_available = k.platforms_available.clone();
    w.layer_count = k.layer_count;
    w.image_size_bytes = k.image_size_bytes;
    w.foreign_layers = k.foreign_layers.iter().map(Into::into).collect();
}

fn flat_layer(k: &ev::Layer, w: &mut wire::Evidence) {
    w.digest = k.digest.clone();
    w.size_bytes = k.size_bytes;
    w.platform = k.platform.clone();
    w.location = k.location.clone();
    w.location_host = k.location_host.clone();
    w.expected_host = k.expected_host.clone();
    w.bytes_read = k.bytes_read;
    w.digest_checked = k.digest_checked;
    w.digest_actual = k.digest_actual.clone();
    w.s3_error_code = k.s3_error_code.clone();
}

fn flat_call(k: &ev::Call, w: &mut wire::Evidence) {
    w.endpoint = k.endpoint.clone();
    w.aws_error_code = k.aws_error_code.clone();
    w.request_id = k.request_id.clone();
    w.service = k.service.clone();
    w.call = k.call.clone();
    w.resources = k.resources.clone();
    w.found = k.found;
    w.caller_arn = k.caller_arn.clone();
    w.poll_endpoint = k.poll_endpoint.clone();
    w.telemetry_endpoint = k.telemetry_endpoint.clone();
    w.kms_key_id = k.kms_key_id.clone();
    w.proxy_endpoint = k.proxy_endpoint.clone();
    w.expires_at = k.expires_at.clone();
}

impl From<&ev::DnsQuery> for wire::DnsQuery {
    fn from(v: &ev::DnsQuery) -> Self {
        wire::DnsQuery {
            record_type: v.record_type.clone(),
            rcode: v.rcode.clone(),
            answers: v.answers.clone(),
            ttl: v.ttl,
            elapsed_ms: ms(v.elapsed),
            error: v.error.clone(),
        }
    }
}

impl From<&ev::Address> for wire::Address {
    fn from(v: &ev::Address) -> Self {
        wire::Address {
            address: v.address.clone(),
            scope: v.scope,
            private: v.private,
        }
    }
}

impl From<&ev::ForeignLayer> for wire::ForeignLayer {
    fn from(v: &ev::ForeignLayer) -> Self {
        wire::ForeignLayer {
            digest: v.digest.clone(),
            media_type: v.media_type.clone(),
            hosts: v.hosts.clone(),
        }
    }
}

impl From<&ev::Finding> for wire::Finding {
    fn from(v: &ev::Finding) -> Self {
        wire::Finding {
            severity: v.severity,
            cause: v.cause.code.as_str().to_string(),
            hint: v.cause.hint.clone(),
        }
    }
}

impl From<&ev::Context> for wire::Context {
    fn from(v: &ev::Context) -> Self {
        wire::Context {
            image: v.image.clone(),
            image_source: v.image_source,
            registry_account: v.registry_account.clone(),
            region: v.region.clone(),
            region_source: v.region_source,
            task_region: v.task_region.clone(),
            task_region_source: v.task_region_source,
            platform: v.platform.clone(),
            resolvers: v.resolvers.iter().map(Into::into).collect(),
            resolvers_source: v.resolvers_source,
            vpc_cidrs: v.vpc_cidrs.clone(),
            endpoints: v.endpoints.iter().map(Into::into).collect(),
            proxy: v.proxy.as_ref().map(Into::into),
            task: v.task.as_ref().map(Into::into),
            execution_env: v.execution_env.clone(),
            task_definition: v.task_definition.clone(),
            task_family: v.task_family.clone(),
            launch_type: v.launch_type.clone(),
            timeout_ms: v.timeout_ms,
            deadline_ms: v.deadline_ms,
            max_layer_bytes: v.max_layer_bytes,
            clock: None,
        }
    }
}

impl From<&ev::Resolver> for wire::Resolver {
    fn from(v: &ev::Resolver) -> Self {
        wire::Resolver {
            address: v.address.clone(),
            kind: v.kind,
        }
    }
}

impl From<&ev::ServiceEndpoint> for wire::ServiceEndpoint {
    fn from(v: &ev::ServiceEndpoint) -> Self {
        wire::ServiceEndpoint {
            service: v.service.clone(),
            url: v.url.clone(),
            source: v.source,
            vpc_endpoint_service: v.vpc_endpoint_service.clone(),
        }
    }
}

impl From<&ev::Proxy> for wire::Proxy {
    fn from(v: &ev::Proxy) -> Self {
        wire::Proxy {
            https_proxy: v.https_proxy.clone(),
            http_proxy: v.http_proxy.clone(),
            no_proxy: v.no_proxy.clone(),
            proxied_hosts: v.proxied_hosts.clone(),
        }
    }
}

impl From<&TaskMetadata> for wire::Task {
    fn from(v: &TaskMetadata) -> Self {
        wire::Task {
            task_arn: v.task_arn.clone(),
            cluster: v.cluster.clone(),
            family: v.family.clone(),
            revision: v.revision.clone(),
            launch_type: v.launch_type.clone(),
            availability_zone: v.availability_zone.clone(),
            subnet_cidr: v.subnet_cidr.clone(),
            ipv6_subnet_cidr: v.ipv6_subnet_cidr.clone(),
            ipv4_addresses: v.ipv4_addresses.clone(),
            dns_servers: v.dns_servers.clone(),
            container_name: v.container_name.clone(),
            container_image: v.container_image.clone(),
            container_image_id: v.container_image_id.clone(),
            error: v.error.clone(),
        }
    }
}
