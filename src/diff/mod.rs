//! Two reports of the same check from two places (two subnets, two AZs, before and after
//! a change, a canary yesterday and today), lined up hop by hop: what differs, the first
//! hop where the two paths part, and what that usually means.
//!
//! Pure: [`compare`] takes two parsed reports and returns a [`wire::DiffReport`];
//! reading files is [`input`]'s job, rendering [`render`]'s. `launch` (a side-by-side
//! view over several subnets) is meant to call [`compare`] pairwise.
//!
//! Hops are paired by id, then, for what is left, by kind and host with the address
//! dropped (`tcp:api.ecr…@10.0.1.101` in one subnet is `tcp:api.ecr…@10.0.2.101` in
//! another AZ), in order. Reports of different schema or probe versions are compared
//! on the fields both have, and the result says so.

pub mod input;
pub mod render;
pub mod wire;

use crate::causes::{Change, Code};
use crate::hop::Verdict;
use crate::hop_kind::HopKind;
use crate::report::wire::{Hop, Report};
use wire::{DiffReport, Difference, HopDiff, Meaning, MeaningCode, Side};

/// Version of the diff's own contract; fields are only added.
pub const DIFF_VERSION: u32 = 1;

/// Two timings are "far apart" when the larger is at least this many times the smaller…
pub const FAR_RATIO: f64 = 3.0;
/// …and they differ by at least this many milliseconds (a 2 ms and a 7 ms connect are
/// both fast: a ratio alone would flag noise).
pub const FAR_FLOOR_MS: f64 = 200.0;

pub fn far_apart(a: f64, b: f64) -> bool {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    hi - lo >= FAR_FLOOR_MS && hi >= lo * FAR_RATIO
}

/// Compare `a` and `b`; `names` are how each is called in the output (file names).
pub fn compare(a: &Report, b: &Report, names: (&str, &str)) -> DiffReport {
    let mut notes = Vec::new();
    if a.schema_version != b.schema_version {
        notes.push(format!(
            "schema versions differ ({} and {}): compared on the fields both have",
            a.schema_version, b.schema_version
        ));
    }
    if a.probe_version != b.probe_version {
        notes.push(format!(
            "written by different probe versions ({} and {}): a hop or field only one of them has is listed, not judged",
            a.probe_version, b.probe_version
        ));
    }
    if a.context.image != b.context.image {
        notes.push(
            "the images differ: registry and layer hops may differ for that reason alone"
                .to_string(),
        );
    }
    let context = context_differences(a, b);
    let pairs = pair(&a.hops, &b.hops);
    let hops: Vec<HopDiff> = pairs
        .iter()
        .map(|(x, y)| hop_diff(x.map(|i| &a.hops[i]), y.map(|j| &b.hops[j])))
        .filter(|d| !d.differences.is_empty() || d.only_in.is_some())
        .collect();
    let parted = |d: &&HopDiff| d.verdict_a != d.verdict_b;
    let first = hops
        .iter()
        .find(parted)
        .or_else(|| hops.iter().find(|d| d.meaning.is_some()))
        .or(hops.first());
    let first_difference = first.map(|d| d.id.clone());
    let meaning = first
        .and_then(|d| d.meaning.clone())
        .or_else(|| (!context.is_empty()).then(|| Meaning::of(MeaningCode::Placement)));
    let same_verdicts = a.verdict == b.verdict && !hops.iter().any(|d| d.verdict_a != d.verdict_b);
    DiffReport {
        diff_version: DIFF_VERSION,
        probe_version: env!("CARGO_PKG_VERSION").to_string(),
        a: side(a, names.0),
        b: side(b, names.1),
        same_verdicts,
        first_difference,
        meaning,
        notes,
        context,
        hops,
        far_apart: wire::FarApart {
            ratio: FAR_RATIO,
            floor_ms: FAR_FLOOR_MS,
        },
    }
}

fn side(r: &Report, name: &str) -> Side {
    Side {
        file: name.to_string(),
        schema_version: r.schema_version,
        probe_version: r.probe_version.clone(),
        started_at: r.started_at.clone(),
        label: r.label.clone(),
        verdict: r.verdict,
        image: r.context.image.clone(),
        first_failure: r.summary.first_failure.clone(),
    }
}

/// The id without the `@address` of tcp hops: the key that pairs hops across subnets.
fn loose_key(h: &Hop) -> String {
    let id = h.id.split('@').next().unwrap_or(&h.id);
    format!("{}|{id}", h.kind.as_str())
}

/// Pairs of indices into `a` and `b`, in the order of the paths: `a`'s order, with a
/// hop only `b` has placed after the pair of the `b` hop before it.
fn pair(a: &[Hop], b: &[Hop]) -> Vec<(Option<usize>, Option<usize>)> {
    let mut partner: Vec<Option<usize>> = vec![None; a.len()];
    let mut taken = vec![false; b.len()];
    for (i, h) in a.iter().enumerate() {
        if let Some(j) = b.iter().position(|x| x.id == h.id)
            && !taken[j]
        {
            partner[i] = Some(j);
            taken[j] = true;
        }
    }
    for (i, h) in a.iter().enumerate() {
        if partner[i].is_some() {
            continue;
        }
        let key = loose_key(h);
        if let Some(j) = (0..b.len()).find(|&j| !taken[j] && loose_key(&b[j]) == key) {
            partner[i] = Some(j);
            taken[j] = true;
        }
    }
    let mut out: Vec<(Option<usize>, Option<usize>)> =
        (0..a.len()).map(|i| (Some(i), partner[i])).collect();
    for j in (0..b.len()).filter(|&j| !taken[j]) {
        // after the pair holding the nearest earlier b hop; at the start if none
        let at = (0..j)
            .rev()
            .find_map(|k| out.iter().position(|(_, y)| *y == Some(k)))
            .map_or(0, |p| p + 1);
        out.insert(at, (None, Some(j)));
    }
    out
}

pub fn verdict_str(v: Verdict) -> String {
    match v {
        Verdict::Pass => "pass",
        Verdict::Warn => "warn",
        Verdict::Fail => "fail",
        Verdict::Skipped => "skipped",
    }
    .to_string()
}

fn opt<T: ToString>(v: Option<T>) -> Option<String> {
    v.map(|x| x.to_string())
}

fn push(out: &mut Vec<Difference>, field: &str, a: Option<String>, b: Option<String>) {
    if a != b {
        out.push(Difference {
            field: field.to_string(),
            a,
            b,
        });
    }
}

fn addresses(h: &Hop) -> Option<String> {
    let v: Vec<String> = h
        .evidence
        .addresses
        .iter()
        .map(|a| format!("{} ({})", a.address, a.scope.as_str()))
        .collect();
    (!v.is_empty()).then(|| v.join(", "))
}

/// `private`, `public` or `mixed` over a hop's addresses.
fn scope(h: &Hop) -> Option<String> {
    let ads = &h.evidence.addresses;
    if ads.is_empty() {
        return None;
    }
    let private = ads.iter().filter(|a| a.private).count();
    Some(
        match (private, ads.len() - private) {
            (_, 0) => "private",
            (0, _) => "public",
            _ => "mixed",
        }
        .to_string(),
    )
}

fn issuer(h: &Hop) -> Option<String> {
    h.evidence.certificate.as_ref().map(|c| c.issuer.clone())
}

fn timing(out: &mut Vec<Difference>, field: &str, a: Option<f64>, b: Option<f64>) {
    if let (Some(x), Some(y)) = (a, b)
        && far_apart(x, y)
    {
        out.push(Difference {
            field: field.to_string(),
            a: Some(format!("{x:.0} ms")),
            b: Some(format!("{y:.0} ms")),
        });
    }
}

fn hop_diff(a: Option<&Hop>, b: Option<&Hop>) -> HopDiff {
    let any = a.or(b);
    let id = match (a, b) {
        (Some(x), Some(y)) if x.id != y.id => format!("{} | {}", x.id, y.id),
        _ => any.map(|h| h.id.clone()).unwrap_or_default(),
    };
    let kind = any.map(|h| h.kind);
    let mut d = Vec::new();
    let only_in = match (a, b) {
        (Some(_), None) => Some("a".to_string()),
        (None, Some(_)) => Some("b".to_string()),
        _ => None,
    };
    if let (Some(x), Some(y)) = (a, b) {
        push(
            &mut d,
            "verdict",
            Some(verdict_str(x.verdict)),
            Some(verdict_str(y.verdict)),
        );
        push(&mut d, "cause", x.cause.clone(), y.cause.clone());
        let (ex, ey) = (&x.evidence, &y.evidence);
        push(&mut d, "scope", scope(x), scope(y));
        push(&mut d, "addresses", addresses(x), addresses(y));
        push(&mut d, "resolver", ex.server.clone(), ey.server.clone());
        push(
            &mut d,
            "remote_address",
            ex.remote_address.clone(),
            ey.remote_address.clone(),
        );
        push(&mut d, "tls_issuer", issuer(x), issuer(y));
        push(
            &mut d,
            "verification",
            ex.verification.clone(),
            ey.verification.clone(),
        );
        push(
            &mut d,
            "http_status",
            opt(ex.http_status),
            opt(ey.http_status),
        );
        push(
            &mut d,
            "aws_error_code",
            ex.aws_error_code.clone(),
            ey.aws_error_code.clone(),
        );
        push(
            &mut d,
            "s3_error_code",
            ex.s3_error_code.clone(),
            ey.s3_error_code.clone(),
        );
        push(
            &mut d,
            "denied_by",
            opt(ex.denied_by.map(|v| v.as_str())),
            opt(ey.denied_by.map(|v| v.as_str())),
        );
        push(
            &mut d,
            "registry_error",
            ex.registry_error.clone(),
            ey.registry_error.clone(),
        );
        push(&mut d, "digest", ex.digest.clone(), ey.digest.clone());
        if x.verdict != Verdict::Skipped && y.verdict != Verdict::Skipped {
            timing(
                &mut d,
                "duration_ms",
                Some(x.duration_ms),
                Some(y.duration_ms),
            );
            timing(&mut d, "connect_ms", ex.connect_ms, ey.connect_ms);
            timing(&mut d, "handshake_ms", ex.handshake_ms, ey.handshake_ms);
            timing(
                &mut d,
                "ttfb_ms",
                ex.timings.as_ref().and_then(|t| t.ttfb_ms),
                ey.timings.as_ref().and_then(|t| t.ttfb_ms),
            );
        }
    }
    let meaning = meaning(a, b, &d);
    HopDiff {
        id,
        kind,
        only_in,
        verdict_a: a.map(|h| h.verdict),
        verdict_b: b.map(|h| h.verdict),
        cause_a: a.and_then(|h| h.cause.clone()),
        cause_b: b.and_then(|h| h.cause.clone()),
        differences: d,
        meaning,
    }
}

/// What a difference usually means: from the cause of the side that does worse, else
/// from the fields that differ.
fn meaning(a: Option<&Hop>, b: Option<&Hop>, d: &[Difference]) -> Option<Meaning> {
    use MeaningCode as M;
    let (x, y) = (a?, b?);
    let rank = |v: Verdict| match v {
        Verdict::Fail => 3,
        Verdict::Warn => 2,
        Verdict::Pass => 1,
        Verdict::Skipped => 0,
    };
    let worse = if rank(y.verdict) > rank(x.verdict) {
        y
    } else {
        x
    };
    let has = |f: &str| d.iter().any(|x| x.field == f);
    if x.verdict != y.verdict && worse.verdict == Verdict::Skipped {
        return None;
    }
    if (x.verdict != y.verdict || x.cause != y.cause)
        && let Some(cause) = worse.cause.as_deref()
    {
        let private = worse
            .evidence
            .addresses
            .iter()
            .find(|a| {
                worse
                    .evidence
                    .remote_address
                    .as_deref()
                    .is_some_and(|r| r.starts_with(&a.address))
            })
            .or(worse.evidence.addresses.first())
            .map(|a| a.private);
        let s3 = worse.target.contains(".s3.") || worse.target.starts_with("s3.");
        // The catalogue's column says what the cause means here; only the connect rows
        // need the evidence too. A code this version does not know (an older report's)
        // means something between.
        let change = Code::lookup(cause).map_or(Change::Middlebox, |c| c.info().change);
        let public = private == Some(false);
        let code = match change {
            Change::PrivateDns => M::PrivateDns,
            Change::Resolver => M::Resolver,
            Change::Name => M::Name,
            Change::ConnectTimeout | Change::ConnectRefused if s3 && public => M::S3Route,
            Change::ConnectTimeout | Change::ConnectRefused if public => M::NoEndpoint,
            Change::ConnectTimeout | Change::SecurityGroup => M::SecurityGroup,
            Change::S3Route => M::S3Route,
            Change::Interception => M::Interception,
            Change::Policy => M::Policy,
            Change::Credentials => M::Credentials,
            Change::Image => M::Image,
            Change::Placement => M::Placement,
            Change::ConnectRefused | Change::Middlebox => M::Middlebox,
        };
        return Some(Meaning::of(code));
    }
    if has("scope") {
        return Some(Meaning::of(M::PrivateDns));
    }
    if has("tls_issuer") {
        return Some(Meaning::of(M::Interception));
    }
    if has("resolver") {
        return Some(Meaning::of(M::Resolver));
    }
    if has("remote_address") || (x.kind == HopKind::Dns && has("addresses")) {
        return Some(Meaning::of(M::OtherEni));
    }
    if d.iter().any(|f| f.field.ends_with("_ms")) {
        return Some(Meaning::of(M::Slow));
    }
    None
}

fn context_differences(a: &Report, b: &Report) -> Vec<Difference> {
    let (x, y) = (&a.context, &b.context);
    let mut d = Vec::new();
    let resolvers = |c: &crate::report::wire::Context| {
        let v: Vec<String> = c
            .resolvers
            .iter()
            .map(|r| format!("{} ({})", r.address, r.kind.as_str()))
            .collect();
        (!v.is_empty()).then(|| v.join(", "))
    };
    push(&mut d, "image", x.image.clone(), y.image.clone());
    push(&mut d, "region", x.region.clone(), y.region.clone());
    push(
        &mut d,
        "task_region",
        x.task_region.clone(),
        y.task_region.clone(),
    );
    push(&mut d, "resolvers", resolvers(x), resolvers(y));
    push(
        &mut d,
        "vpc_cidrs",
        Some(x.vpc_cidrs.join(", ")).filter(|s| !s.is_empty()),
        Some(y.vpc_cidrs.join(", ")).filter(|s| !s.is_empty()),
    );
    let task = |c: &crate::report::wire::Context,
                f: fn(&crate::report::wire::Task) -> Option<String>| {
        c.task.as_ref().and_then(f)
    };
    push(
        &mut d,
        "availability_zone",
        task(x, |t| t.availability_zone.clone()),
        task(y, |t| t.availability_zone.clone()),
    );
    push(
        &mut d,
        "subnet_cidr",
        task(x, |t| t.subnet_cidr.clone()),
        task(y, |t| t.subnet_cidr.clone()),
    );
    push(
        &mut d,
        "proxy",
        x.proxy.as_ref().and_then(|p| p.https_proxy.clone()),
        y.proxy.as_ref().and_then(|p| p.https_proxy.clone()),
    );
    push(
        &mut d,
        "launch_type",
        x.launch_type.clone(),
        y.launch_type.clone(),
    );
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn far_apart_needs_both_ratio_and_floor() {
        assert!(!far_apart(2.0, 9.0)); // ratio, no floor
        assert!(!far_apart(1000.0, 1300.0)); // floor, no ratio
        assert!(far_apart(100.0, 2000.0));
        assert!(far_apart(2000.0, 100.0));
        assert!(far_apart(0.0, 250.0));
    }
}
