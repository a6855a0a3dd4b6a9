//! The dns hop: A and AAAA for one host, every answer classified. Interface endpoint
//! names must resolve inside the VPC; a public answer is the single most common reason
//! a task without NAT hangs on `dial tcp <public ip>:443: i/o timeout` (docs/aws-facts.md#dns-private-dns).

use std::net::IpAddr;
use std::time::Instant;

use hickory_resolver::proto::rr::RecordType;

use crate::causes::code;
use crate::diagnose::{self, DnsExpectation, classify_ip};
use crate::hop::HopResult;
use crate::hop::evidence::{Address, DnsQuery};
use crate::hop_kind::HopKind;
use crate::net::dns::{Answer, Dns, QueryError};
use crate::plan::{Plan, Target};

pub fn id(target: &Target) -> String {
    format!("dns:{}", target.host)
}

/// Returns the hop and the addresses found (in answer order, IPv4 first).
pub async fn run(target: &Target, plan: &Plan, dns: &Dns) -> (HopResult, Vec<IpAddr>) {
    let t0 = Instant::now();
    let mut hop = HopResult::new(HopKind::Dns, id(target), target.host.clone());
    if let Ok(ip) = target.host.parse::<IpAddr>() {
        // An endpoint given as an address needs no lookup; still classify it.
        hop.evidence.addresses = vec![address(ip, plan)];
        return (
            hop.message("literal address, nothing to resolve").timed(t0),
            vec![ip],
        );
    }
    let (a, aaaa) = tokio::join!(
        dns.query(&target.host, RecordType::A),
        dns.query(&target.host, RecordType::AAAA)
    );
    hop.evidence.dns().server = Some(a.server.to_string());
    hop.evidence.dns().expected = Some(if target.expect_private {
        DnsExpectation::Private
    } else {
        DnsExpectation::Any
    });
    hop.evidence.dns().queries = vec![query_evidence(&a), query_evidence(&aaaa)];

    let mut ips: Vec<IpAddr> = [&a, &aaaa]
        .iter()
        .filter_map(|q| q.result.as_ref().ok())
        .flatten()
        .map(|(ip, _)| *ip)
        .collect();
    let answered = ips.len();
    crate::net::dns::keep_probed(&mut ips);
    if ips.len() < answered {
        hop = hop.message(format!(
            "{answered} addresses answered; the first {} are probed",
            ips.len()
        ));
    }
    hop.evidence.addresses = ips.iter().map(|ip| address(*ip, plan)).collect();
    let server = a.server.to_string();
    let region = &target.region;

    if ips.is_empty() {
        // The A answer decides: AAAA is commonly empty for these names.
        let cause = match &a.result {
            Err(QueryError::NxDomain) => diagnose::dns_nxdomain(&target.host),
            Err(QueryError::Timeout) => diagnose::dns_timeout(&server),
            Err(QueryError::Rcode(r)) if r == "SERVFAIL" => {
                diagnose::dns_rcode(code!("dns.servfail"), r, &server)
            }
            Err(QueryError::Rcode(r)) if r == "REFUSED" => {
                diagnose::dns_rcode(code!("dns.refused"), r, &server)
            }
            Err(QueryError::Rcode(r)) => diagnose::dns_rcode(code!("dns.error"), r, &server),
            Err(QueryError::Other(e)) => diagnose::Cause::new(
                code!("dns.error"),
                format!(
                    "the DNS server {server} could not be asked ({e}): check the resolver configuration and that UDP/TCP 53 to it is allowed"
                ),
            ),
            Err(QueryError::NoData) | Ok(_) => diagnose::dns_no_records(&target.host),
        };
        let msg = a
            .result
            .as_ref()
            .err()
            .map(QueryError::describe)
            .unwrap_or_default();
        return (hop.fail(cause).message(msg).timed(t0), ips);
    }

    // Judge IPv4 when there is any: clients here connect over IPv4 first, and a VPC's
    // IPv6 range is public space the probe may not know (task metadata gives only the
    // subnet's), so public-looking AAAA answers beside private A answers prove nothing.
    let has_v4 = ips.iter().any(IpAddr::is_ipv4);
    let public: Vec<String> = ips
        .iter()
        .filter(|ip| !classify_ip(**ip, &plan.vpc_cidrs).is_private())
        .filter(|ip| !has_v4 || ip.is_ipv4())
        .map(ToString::to_string)
        .collect();
    if target.expect_private && !public.is_empty() {
        let cause = match &target.role {
            // Another region's endpoint: no interface endpoint of this VPC can serve it.
            crate::plan::Role::Region(r) => {
                diagnose::dns_cross_region(&target.host, target.service, r, &plan.logs_region)
            }
            _ => diagnose::dns_public(&target.host, target.service, region, plan.custom_resolver),
        };
        hop = hop
            .fail(cause)
            .message(format!("public address(es): {}", public.join(", ")));
    } else if !target.expect_private && public.is_empty() {
        hop = hop.message("private addresses: an S3 interface endpoint answers this name (the gateway endpoint keeps public addresses)");
    } else if !target.expect_private {
        hop = hop.message("public S3 addresses, as expected with a gateway endpoint: the layer hop proves the route");
    }
    (hop.timed(t0), ips)
}

fn address(ip: IpAddr, plan: &Plan) -> Address {
    let scope = classify_ip(ip, &plan.vpc_cidrs);
    Address {
        address: ip.to_string(),
        scope,
        private: scope.is_private(),
    }
}

fn query_evidence(q: &Answer) -> DnsQuery {
    let (rcode, answers, ttl, error) = match &q.result {
        Ok(v) => (
            Some("NOERROR".to_string()),
            v.iter().map(|(ip, _)| ip.to_string()).collect(),
            v.iter().map(|(_, ttl)| *ttl).min(),
            None,
        ),
        Err(e) => (e.rcode(), Vec::new(), None, Some(e.describe())),
    };
    DnsQuery {
        record_type: q.record_type.to_string(),
        rcode,
        answers,
        ttl,
        elapsed: q.elapsed,
        error,
    }
}
