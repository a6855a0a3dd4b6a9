//! The hops. Each module runs one kind of hop and returns a [`HopResult`]: a failure the
//! network reports is a verdict with a cause, never an `Err`.
//!
//! Shared here: the uniform result type and its builder, and the timing helper.

pub mod calls;
pub mod context;
pub mod credentials;
pub mod dns;
pub mod evidence;
pub mod layer;
pub mod preflight;
pub mod registry;
pub mod tcp;
pub mod tls;

use std::time::{Duration, Instant};

use crate::causes::code;
use crate::diagnose::Cause;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::hop_kind::HopKind;
use crate::plan::StepId;
use evidence::Evidence;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Warn,
    Fail,
    /// Not run because a hop it needs failed (see `skipped_because`).
    Skipped,
}

/// The outcome of one hop, in domain terms; `report/` turns it into the wire `Hop`.
#[derive(Debug, Clone)]
pub struct HopResult {
    pub id: String,
    pub kind: HopKind,
    pub target: String,
    pub verdict: Verdict,
    pub duration: Duration,
    pub evidence: Evidence,
    pub cause: Option<Cause>,
    pub message: Option<String>,
    pub skipped_because: Option<String>,
    /// The plan's step that ran it, set by the executor when it records the hop; None
    /// for a hop no step runs (the context hop).
    pub step: Option<StepId>,
}

impl HopResult {
    pub fn new(kind: HopKind, id: impl Into<String>, target: impl Into<String>) -> Self {
        HopResult {
            id: id.into(),
            kind,
            target: target.into(),
            verdict: Verdict::Pass,
            duration: Duration::ZERO,
            evidence: Evidence::default(),
            cause: None,
            message: None,
            skipped_because: None,
            step: None,
        }
    }

    pub fn passed(&self) -> bool {
        matches!(self.verdict, Verdict::Pass | Verdict::Warn)
    }

    pub fn fail(mut self, cause: Cause) -> Self {
        self.verdict = Verdict::Fail;
        self.cause = Some(cause);
        self
    }

    pub fn warn(mut self, cause: Cause) -> Self {
        // A warning never hides an earlier failure.
        if self.verdict != Verdict::Fail {
            self.verdict = Verdict::Warn;
            self.cause = Some(cause);
        }
        self
    }

    pub fn skip(mut self, because: &str) -> Self {
        self.verdict = Verdict::Skipped;
        self.skipped_because = Some(because.to_string());
        self
    }

    pub fn message(mut self, m: impl Into<String>) -> Self {
        self.message = Some(m.into());
        self
    }

    pub fn timed(mut self, started: Instant) -> Self {
        self.duration = started.elapsed();
        self
    }

    /// Note an AWS answer's `Date` header against the local clock.
    pub fn dated(mut self, date: Option<&str>) -> Self {
        self.evidence.clock_skew_ms =
            crate::net::clock::skew_now(date).or(self.evidence.clock_skew_ms);
        self
    }
}

/// Two skews "agree" when they differ by less than this: the answers of one run come
/// seconds apart, and `Date` has whole seconds.
const SKEW_AGREEMENT_MS: u64 = 60 * 1000;

/// The clock advice of a run. A hop whose answer passed but whose `Date` is past
/// SigV4's window warns (the next signed call or presigned URL may be refused,
/// docs/aws-facts.md#sigv4-clock-skew) only when the run has more proof than that one
/// header: another answer's `Date` off by about as much, or AWS's own skew error
/// (RequestTimeTooSkewed, "Signature expired", already a `clock.skew` failure). One odd
/// header is one server's word (a proxy, a hostile or broken server): its skew stays
/// in the evidence and the report's `context.clock`, without advice to change a clock
/// that may be right. A failure keeps its own cause: its classifier read AWS's words.
pub fn judge_clock(hops: &mut [HopResult]) {
    let window = crate::diagnose::SIGV4_WINDOW_MS;
    let aws_says = hops
        .iter()
        .any(|h| h.cause.as_ref().is_some_and(|c| c.code == "clock.skew"));
    let off: Vec<(usize, i64)> = hops
        .iter()
        .enumerate()
        .filter_map(|(i, h)| h.evidence.clock_skew_ms.map(|ms| (i, ms)))
        .filter(|(_, ms)| ms.unsigned_abs() > window)
        .collect();
    for &(i, ms) in &off {
        let agreed = aws_says
            || off.iter().any(|&(j, other)| {
                j != i && (other > 0) == (ms > 0) && ms.abs_diff(other) < SKEW_AGREEMENT_MS
            });
        let hop = &mut hops[i];
        if agreed && hop.passed() {
            let cause = crate::diagnose::clock_skew(Some(ms));
            *hop = std::mem::replace(hop, HopResult::new(hop.kind, "", "")).warn(cause);
        }
    }
}

/// The cause of an HTTP exchange that failed below HTTP (DNS, TCP, TLS, timeouts), in
/// the same codes the dns/tcp/tls hops use, so a reader sees one vocabulary.
/// `timeout_code` names a timeout in this hop's own terms (e.g. `layer.timeout`).
pub fn http_error_cause(
    e: &crate::net::http::HttpError,
    host: &str,
    service: crate::aws::Service,
    plan: &crate::plan::Plan,
    timeout_code: crate::causes::Code,
) -> Cause {
    let region = plan.region.as_str();
    use crate::diagnose;
    use crate::net::dns::QueryError;
    use crate::net::http::{HttpError, Phase};
    match e {
        HttpError::Dns(QueryError::NxDomain) => diagnose::dns_nxdomain(host),
        HttpError::Dns(QueryError::Timeout) => diagnose::dns_timeout("the configured DNS server"),
        HttpError::Dns(other) => Cause::new(
            code!("dns.error"),
            format!("{host} could not be resolved: {}", other.describe()),
        ),
        HttpError::Timeout {
            phase: Phase::Connect,
            addr,
        } => {
            let a = addr.unwrap_or(std::net::SocketAddr::from(([0, 0, 0, 0], 443)));
            let private = diagnose::classify_ip(a.ip(), &plan.vpc_cidrs).is_private();
            let mut c = diagnose::tcp_timeout(host, &a.to_string(), service, region, private);
            c.code = timeout_code;
            c
        }
        HttpError::Timeout { phase, .. } => Cause::new(
            timeout_code,
            format!(
                "{host} accepted the connection but stalled while {}: an overloaded endpoint, or a middlebox dropping large packets (MTU)",
                phase.as_str()
            ),
        ),
        HttpError::Refused { addr } => diagnose::tcp_refused(host, &addr.to_string()),
        HttpError::Unreachable { addr, .. } => diagnose::tcp_unreachable(host, &addr.to_string()),
        HttpError::Tls { code, message, .. } => Cause::new(
            diagnose::tls_code(code),
            format!("TLS with {host} failed: {message}; see the tls hop for the certificate"),
        ),
        HttpError::Protocol(m) => Cause::new(
            code!("http.protocol_error"),
            format!("{host} did not speak HTTP/1.1 as expected: {m}"),
        ),
        HttpError::Truncated { addr } => Cause::new(
            code!("http.truncated"),
            format!(
                "{host} ({addr}) closed the connection before the whole response arrived: a proxy or firewall in the path with a size or time limit, or an overloaded endpoint"
            ),
        ),
        HttpError::Resources { .. } => resources_cause(),
        HttpError::Deadline { phase, addr } => Cause::new(
            code!("probe.deadline"),
            format!(
                "the run's --deadline passed ({}, {host} at {addr}): a slow path (a proxy or an overloaded endpoint), or raise --deadline",
                phase.as_str()
            ),
        ),
        HttpError::TooLarge { limit } => Cause::new(
            code!("http.too_large"),
            format!("{host} sent more than {limit} bytes where a small document was expected"),
        ),
    }
}

/// How much of an unreadable answer the evidence shows.
pub const ANSWER_PREFIX_CHARS: usize = 200;

/// The start of a body for the evidence: at most [`ANSWER_PREFIX_CHARS`] characters on
/// one line, anything shaped like a credential redacted (the endpoints that answer
/// here also serve tokens and keys), control and invisible characters escaped.
pub fn answer_prefix(body: &[u8]) -> Option<String> {
    let head = &body[..body.len().min(ANSWER_PREFIX_CHARS * 4)];
    let text = crate::secret::scrub(&String::from_utf8_lossy(head), ANSWER_PREFIX_CHARS);
    let text = crate::escape::clean(&text);
    (!text.is_empty()).then_some(text)
}

/// The endpoint answered, but its body is not the document the AWS API sends: whatever
/// the status says, that is no AWS diagnosis (not "not found", not "denied"), it is
/// something else answering. `what` names the call, `why` what was wrong with the body.
pub fn unreadable_answer(
    mut hop: HopResult,
    what: &str,
    status: u16,
    body: &[u8],
    why: &str,
) -> HopResult {
    hop.evidence.http_status = Some(status);
    hop.evidence.answer_prefix = answer_prefix(body);
    hop.fail(unreadable_cause(what, status, why))
}

/// The cause of [`unreadable_answer`], for a caller that records the evidence itself.
pub fn unreadable_cause(what: &str, status: u16, why: &str) -> Cause {
    Cause::new(
        code!("http.unreadable_answer"),
        format!(
            "{what} answered HTTP {status}, but not as the AWS API does ({why}): a proxy or an interception in the path (an HTTP proxy, TLS inspection, a captive portal) answers instead of the endpoint; the evidence holds the start of the body"
        ),
    )
}

/// The head of an answer arrived, its body did not within the hop's bound: the endpoint
/// answered, so this is not a missing endpoint or a blocked port.
pub fn slow_answer_cause(what: &str, timeout: std::time::Duration) -> Cause {
    Cause::new(
        code!("http.slow_answer"),
        format!(
            "{what} answered, but its body did not arrive within {} s (a trickle or a stall after the headers): the endpoint is reachable; a proxy or TLS inspection buffering or throttling the answer, a middlebox dropping large packets (MTU), or an overloaded endpoint",
            timeout.as_secs_f64()
        ),
    )
}

/// An answer larger than any document the endpoint sends: something else answers.
pub fn too_large_cause(what: &str, limit: u64) -> Cause {
    Cause::new(
        code!("http.too_large"),
        format!(
            "{what} sent more than {limit} bytes where a small document was expected: something other than the AWS endpoint answers (a proxy, TLS inspection); not read further"
        ),
    )
}

/// The probe's own process ran out of file descriptors.
pub fn resources_cause() -> Cause {
    Cause::new(
        code!("probe.resources"),
        "the probe ran out of file descriptors before it could connect: a local limit (ulimit -n), not the network; raise the task's nofile ulimit",
    )
}
