//! The tcp hop: one connect to port 443 per resolved address. Each address is an
//! endpoint network interface in one AZ, so testing all of them shows the one broken
//! ENI or AZ that makes only some tasks fail.

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use crate::causes::code;
use crate::diagnose::{self, classify_ip};
use crate::hop::HopResult;
use crate::hop::evidence::Address;
use crate::hop_kind::HopKind;
use crate::net::http::{Client, HttpError};
use crate::plan::{Plan, Target};

pub fn id(target: &Target, ip: IpAddr) -> String {
    format!("tcp:{}@{}", target.host, ip)
}

pub async fn run(
    target: &Target,
    ip: IpAddr,
    plan: &Plan,
    client: &Client,
    timeout: std::time::Duration,
) -> HopResult {
    let t0 = Instant::now();
    let addr = SocketAddr::new(ip, target.port);
    let mut hop = HopResult::new(
        HopKind::Tcp,
        id(target, ip),
        format!("{}@{}", target.host, addr),
    );
    let scope = classify_ip(ip, &plan.vpc_cidrs);
    hop.evidence.remote_address = Some(addr.to_string());
    hop.evidence.port = Some(target.port);
    hop.evidence.addresses = vec![Address {
        address: ip.to_string(),
        scope,
        private: scope.is_private(),
    }];
    let addr_s = addr.to_string();
    match client.connect_one(addr, timeout).await {
        Ok(stream) => {
            hop.evidence.tcp().connect = Some(t0.elapsed());
            // The tls hop (or a later request) goes on over this connection.
            client.pool().put_tcp(addr, stream);
            hop.timed(t0)
        }
        Err(e @ HttpError::Resources { .. }) => hop
            .fail(crate::hop::resources_cause())
            .message(e.to_string())
            .timed(t0),
        Err(HttpError::Refused { .. }) => hop
            .fail(diagnose::tcp_refused(&target.host, &addr_s))
            .message("connection refused")
            .timed(t0),
        Err(HttpError::Timeout { .. }) => hop
            .fail(diagnose::tcp_timeout(
                &target.host,
                &addr_s,
                target.service,
                &target.region,
                scope.is_private(),
            ))
            .message(format!(
                "no answer within {}",
                humantime::format_duration(timeout)
            ))
            .timed(t0),
        // A host without IPv6 routing cannot use an AAAA answer; clients fall back to
        // IPv4, so this is worth knowing but does not break the pull.
        Err(e @ HttpError::Unreachable { .. }) if ip.is_ipv6() => hop
            .warn(diagnose::Cause::new(
                code!("tcp.no_ipv6_route"),
                format!("{addr_s} ({}) is an IPv6 address and this host has no IPv6 route to it; clients fall back to the IPv4 addresses", target.host),
            ))
            .message(e.to_string())
            .timed(t0),
        Err(e) => hop
            .fail(diagnose::tcp_unreachable(&target.host, &addr_s))
            .message(e.to_string())
            .timed(t0),
    }
}
