//! The hops' observations (`hop/evidence.rs`) in the report's terms: durations become
//! `_ms` numbers, net types their wire twins, causes their codes and hints.

use super::from_net::ms;
use crate::hop::evidence as ev;
use crate::report::wire;

impl From<&ev::Evidence> for wire::Evidence {
    fn from(v: &ev::Evidence) -> Self {
        wire::Evidence {
            server: v.server.clone(),
            queries: v.queries.iter().map(Into::into).collect(),
            expected: v.expected,
            addresses: v.addresses.iter().map(Into::into).collect(),
            remote_address: v.remote_address.clone(),
            port: v.port,
            connect_ms: v.connect.map(ms),
            sni: v.sni.clone(),
            tls_version: v.tls_version.clone(),
            cipher_suite: v.cipher_suite.clone(),
            alpn: v.alpn.clone(),
            handshake_ms: v.handshake.map(ms),
            certificate: v.certificate.as_ref().map(Into::into),
            verification: v.verification.clone(),
            url: v.url.clone(),
            http_status: v.http_status,
            timings: v.timings.as_ref().map(Into::into),
            www_authenticate: v.www_authenticate.clone(),
            api_version: v.api_version.clone(),
            registry_error: v.registry_error.clone(),
            aws_error_code: v.aws_error_code.clone(),
            error_message: v.error_message.clone(),
            request_id: v.request_id.clone(),
            answer_prefix: v.answer_prefix.clone(),
            denied_by: v.denied_by,
            deny_kind: v.deny_kind,
            denied_by_policy_arn: v.denied_by_policy_arn.clone(),
            denied_principal: v.denied_principal.clone(),
            clock_skew_ms: v.clock_skew_ms,
            endpoint: v.endpoint.clone(),
            source: v.source,
            provider: v.provider.clone(),
            role_arn: v.role_arn.clone(),
            temporary: v.temporary,
            expires_at: v.expires_at.clone(),
            proxy_endpoint: v.proxy_endpoint.clone(),
            media_type: v.media_type.clone(),
            digest: v.digest.clone(),
            index_media_type: v.index_media_type.clone(),
            index_digest: v.index_digest.clone(),
            platform: v.platform.clone(),
            platforms_available: v.platforms_available.clone(),
            layer_count: v.layer_count,
            image_size_bytes: v.image_size_bytes,
            foreign_layers: v.foreign_layers.iter().map(Into::into).collect(),
            size_bytes: v.size_bytes,
            location: v.location.clone(),
            location_host: v.location_host.clone(),
            expected_host: v.expected_host.clone(),
            bytes_read: v.bytes_read,
            digest_checked: v.digest_checked,
            digest_actual: v.digest_actual.clone(),
            s3_error_code: v.s3_error_code.clone(),
            findings: v.findings.iter().map(Into::into).collect(),
            service: v.service.clone(),
            call: v.call.clone(),
            resources: v.resources.clone(),
            found: v.found,
            caller_arn: v.caller_arn.clone(),
            poll_endpoint: v.poll_endpoint.clone(),
            telemetry_endpoint: v.telemetry_endpoint.clone(),
            kms_key_id: v.kms_key_id.clone(),
        }
    }
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

impl From<&ev::Task> for wire::Task {
    fn from(v: &ev::Task) -> Self {
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
