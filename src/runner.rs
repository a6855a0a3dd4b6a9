//! The plan and its execution: which hop waits for which, run concurrently where
//! independent, every hop bounded by the run's deadline, every result recorded as it
//! finishes (so `ndjson` can stream) and reported in plan order.
//!
//! ```text
//! context ─┬─ per host: dns ─> tcp (each address) ─> tls      (api, dkr, s3, bucket, logs)
//!          ├─ credentials
//!          ├─ ecr_token       needs credentials + tls:api
//!          ├─ registry        needs tls:dkr
//!          ├─ manifest        needs ecr_token + tls:dkr
//!          ├─ layer_redirect  needs manifest (a layer to fetch)
//!          ├─ layer           needs layer_redirect (a checked target)
//!          └─ logs            needs credentials + tls:logs
//! ```
//! A hop whose input is missing is `skipped` and names the hop it waited on.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use futures_util::FutureExt;
use futures_util::future::{Shared, join_all};

use crate::config::Config;
use crate::diagnose::Cause;
use crate::error::RunError;
use crate::hop::context::{Plan, Target};
use crate::hop::ecr_token::Token;
use crate::hop::{self, HopResult};
use crate::net::dns::Dns;
use crate::net::http::Client;
use crate::net::tls::Trust;
use crate::report;
use crate::report::wire::{self, HopKind, Report};

/// Where a hop sits in the report: kind first, then host, then address.
type Order = (HopKind, usize, usize);

/// Called with each hop as it finishes (in completion order).
pub type HopSink = Arc<dyn Fn(&wire::Hop) + Send + Sync>;

struct Recorder {
    hops: Mutex<Vec<(Order, HopResult)>>,
    sink: HopSink,
}

impl Recorder {
    fn record(&self, order: Order, hop: HopResult) {
        (self.sink)(&report::to_wire(&hop));
        if let Ok(mut hops) = self.hops.lock() {
            hops.push((order, hop));
        }
    }
}

/// The result of one host's dns → tcp → tls chain, as dependents see it.
#[derive(Debug, Clone)]
struct Chain {
    ok: bool,
    /// The hop that stopped the chain, for `skipped_because`.
    blocker: String,
}

/// Everything the hops of one run share.
struct Ctx {
    cfg: Config,
    plan: Plan,
    client: Client,
    trust: Trust,
    sdk: aws_config::SdkConfig,
    rec: Recorder,
    deadline: tokio::time::Instant,
}

/// Run `fut`, or give up at the run's deadline with `on_deadline()`.
async fn guarded<T>(
    deadline: tokio::time::Instant,
    on_deadline: impl FnOnce() -> T,
    fut: impl Future<Output = T>,
) -> T {
    match tokio::time::timeout_at(deadline, fut).await {
        Ok(v) => v,
        Err(_) => on_deadline(),
    }
}

fn deadline_hop(kind: HopKind, id: String, target: String) -> HopResult {
    HopResult::new(kind, id, target).fail(Cause::new(
        crate::code!("probe.deadline"),
        "the run's --deadline passed before this hop finished: a slow path, or raise --deadline",
    ))
}

/// Run the whole probe. Fails only when it cannot run at all; every network outcome
/// is in the report.
pub async fn run(cfg: Config, sink: HopSink) -> Result<Report, RunError> {
    let started_at = report::now_rfc3339();
    let t0 = Instant::now();
    let deadline = tokio::time::Instant::now() + cfg.deadline;
    let rec = Recorder {
        hops: Mutex::new(Vec::new()),
        sink,
    };

    let ctx = match tokio::time::timeout_at(deadline, hop::context::run(&cfg)).await {
        Ok(r) => r?,
        Err(_) => return Err(RunError::Deadline),
    };
    rec.record((HopKind::Context, 0, 0), ctx.hop);
    let context = ctx.context;
    let plan = ctx.plan;

    let dns = Dns::new(&plan.dns_servers, cfg.timeout).map_err(RunError::Dns)?;
    let trust = Trust::new(cfg.ca_bundle.as_ref()).map_err(RunError::Tls)?;
    let client = Client::new(dns.clone(), trust.clone(), cfg.timeout);
    let sdk_http =
        crate::net::sdk::http_client(&dns, cfg.ca_bundle.as_ref()).map_err(RunError::Sdk)?;
    let sdk = crate::net::sdk::sdk_config(sdk_http, &plan.region, cfg.timeout).await;

    let s = Arc::new(Ctx {
        cfg,
        plan,
        client,
        trust,
        sdk,
        rec,
        deadline,
    });
    execute(s.clone()).await;

    let hops = match s.rec.hops.lock() {
        Ok(mut h) => {
            h.sort_by_key(|a| a.0);
            h.iter().map(|(_, hop)| hop.clone()).collect::<Vec<_>>()
        }
        Err(_) => Vec::new(),
    };
    Ok(report::build(
        started_at,
        t0.elapsed(),
        s.cfg.label.clone(),
        context,
        &hops,
    ))
}

type SharedChain = Shared<std::pin::Pin<Box<dyn Future<Output = Chain> + Send>>>;
type SharedToken = Shared<std::pin::Pin<Box<dyn Future<Output = Result<Token, String>> + Send>>>;

async fn execute(s: Arc<Ctx>) {
    let mut chains: HashMap<&'static str, SharedChain> = HashMap::new();
    for (idx, target) in s.plan.targets.iter().enumerate() {
        let fut: std::pin::Pin<Box<dyn Future<Output = Chain> + Send>> =
            Box::pin(host_chain(s.clone(), idx, target.clone()));
        chains.insert(target.role, fut.shared());
    }
    let creds: SharedChain = {
        let s = s.clone();
        let fut: std::pin::Pin<Box<dyn Future<Output = Chain> + Send>> = Box::pin(async move {
            let h = guarded(
                s.deadline,
                || {
                    deadline_hop(
                        HopKind::Credentials,
                        hop::credentials::ID.into(),
                        "credentials".into(),
                    )
                },
                hop::credentials::run(&s.sdk, &s.cfg.env, s.cfg.timeout),
            )
            .await;
            let ok = h.passed();
            s.rec.record((HopKind::Credentials, 0, 0), h);
            Chain {
                ok,
                blocker: hop::credentials::ID.into(),
            }
        });
        fut.shared()
    };
    let token: SharedToken = {
        let s = s.clone();
        let creds = creds.clone();
        let api = chains.get("api").cloned();
        let fut: std::pin::Pin<Box<dyn Future<Output = Result<Token, String>> + Send>> =
            Box::pin(async move {
                let Some(api_target) = s.plan.target("api").cloned() else {
                    return Err("context".to_string());
                };
                let c = creds.await;
                let a = match api {
                    Some(a) => a.await,
                    None => Chain {
                        ok: false,
                        blocker: "context".into(),
                    },
                };
                let skip = (!c.ok)
                    .then_some(c.blocker)
                    .or((!a.ok).then_some(a.blocker));
                let target = api_target.host.clone();
                if let Some(because) = skip {
                    s.rec.record(
                        (HopKind::EcrToken, 0, 0),
                        HopResult::new(HopKind::EcrToken, hop::ecr_token::ID, target)
                            .skip(&because),
                    );
                    return Err(hop::ecr_token::ID.to_string());
                }
                let (h, tok) = guarded(
                    s.deadline,
                    || {
                        (
                            deadline_hop(
                                HopKind::EcrToken,
                                hop::ecr_token::ID.into(),
                                target.clone(),
                            ),
                            None,
                        )
                    },
                    hop::ecr_token::run(&s.sdk, &api_target, &s.plan.region, s.cfg.timeout),
                )
                .await;
                s.rec.record((HopKind::EcrToken, 0, 0), h);
                tok.ok_or_else(|| hop::ecr_token::ID.to_string())
            });
        fut.shared()
    };
    let pull = pull_chain(s.clone(), token.clone(), chains.get("dkr").cloned());
    let logs = {
        let s = s.clone();
        let creds = creds.clone();
        let logs_chain = chains.get("logs").cloned();
        async move {
            let (Some(target), Some(chain)) = (s.plan.target("logs").cloned(), logs_chain) else {
                return;
            };
            let c = creds.await;
            let l = chain.await;
            let skip = (!c.ok)
                .then_some(c.blocker)
                .or((!l.ok).then_some(l.blocker));
            let order = (HopKind::Logs, 0, 0);
            if let Some(because) = skip {
                s.rec.record(
                    order,
                    HopResult::new(HopKind::Logs, hop::logs::ID, target.host.clone())
                        .skip(&because),
                );
                return;
            }
            let h = guarded(
                s.deadline,
                || deadline_hop(HopKind::Logs, hop::logs::ID.into(), target.host.clone()),
                hop::logs::run(&s.sdk, &target, &s.plan.logs_region, s.cfg.timeout),
            )
            .await;
            s.rec.record(order, h);
        }
    };
    let all_chains = join_all(chains.values().cloned());
    let _ = tokio::join!(all_chains, creds, token, pull, logs);
}

async fn host_chain(s: Arc<Ctx>, idx: usize, target: Target) -> Chain {
    let dns_id = hop::dns::id(&target);
    let (dns_hop, ips) = guarded(
        s.deadline,
        || {
            (
                deadline_hop(HopKind::Dns, dns_id.clone(), target.host.clone()),
                Vec::new(),
            )
        },
        hop::dns::run(&target, &s.plan, s.client.dns()),
    )
    .await;
    s.rec.record((HopKind::Dns, idx, 0), dns_hop);
    let tls_id = hop::tls::id(&target);
    if ips.is_empty() {
        s.rec.record(
            (HopKind::Tls, idx, 0),
            HopResult::new(HopKind::Tls, tls_id, target.host.clone()).skip(&dns_id),
        );
        return Chain {
            ok: false,
            blocker: dns_id,
        };
    }
    let tcp_hops = join_all(ips.iter().map(|ip| {
        let id = hop::tcp::id(&target, *ip);
        let host = target.host.clone();
        guarded(
            s.deadline,
            move || deadline_hop(HopKind::Tcp, id, host),
            hop::tcp::run(&target, *ip, &s.plan, &s.client, s.cfg.timeout),
        )
    }))
    .await;
    let mut first_ok = None;
    let mut first_failed = None;
    for (i, (h, ip)) in tcp_hops.into_iter().zip(&ips).enumerate() {
        if h.passed() {
            first_ok.get_or_insert(*ip);
        } else {
            first_failed.get_or_insert(h.id.clone());
        }
        s.rec.record((HopKind::Tcp, idx, i), h);
    }
    let Some(ip) = first_ok else {
        let because = first_failed.unwrap_or(dns_id);
        s.rec.record(
            (HopKind::Tls, idx, 0),
            HopResult::new(HopKind::Tls, tls_id, target.host.clone()).skip(&because),
        );
        return Chain {
            ok: false,
            blocker: because,
        };
    };
    let addr = std::net::SocketAddr::new(ip, target.port);
    let tls_hop = guarded(
        s.deadline,
        || deadline_hop(HopKind::Tls, tls_id.clone(), target.host.clone()),
        hop::tls::run(&target, addr, &s.trust, s.cfg.timeout),
    )
    .await;
    let ok = tls_hop.passed();
    s.rec.record((HopKind::Tls, idx, 0), tls_hop);
    Chain {
        ok,
        blocker: tls_id,
    }
}

async fn pull_chain(s: Arc<Ctx>, token: SharedToken, dkr_chain: Option<SharedChain>) {
    use hop::layer::{LAYER_ID, REDIRECT_ID};
    use hop::registry::{MANIFEST_ID, PING_ID};
    let skip_target = s
        .plan
        .target("dkr")
        .map(|t| t.host.clone())
        .unwrap_or_default();
    let skip = |kind: HopKind, id: &str, because: &str| {
        s.rec.record(
            (kind, 0, 0),
            HopResult::new(kind, id, skip_target.clone()).skip(because),
        );
    };
    let skip_rest = |from: usize, because: &str| {
        let all = [
            (HopKind::Registry, PING_ID),
            (HopKind::Manifest, MANIFEST_ID),
            (HopKind::LayerRedirect, REDIRECT_ID),
            (HopKind::Layer, LAYER_ID),
        ];
        for (kind, id) in &all[from..] {
            skip(*kind, id, because);
        }
    };
    let (Some(image), Some(dkr), Some(dkr_chain)) = (
        s.plan.image.clone(),
        s.plan.target("dkr").cloned(),
        dkr_chain,
    ) else {
        skip_rest(0, "context");
        return;
    };
    let d = dkr_chain.await;
    if !d.ok {
        skip_rest(0, &d.blocker);
        return;
    }
    let deadline = s.deadline;
    let ping_hop = guarded(
        deadline,
        || deadline_hop(HopKind::Registry, PING_ID.into(), dkr.host.clone()),
        hop::registry::ping(&s.client, &dkr, &s.plan),
    )
    .await;
    s.rec.record((HopKind::Registry, 0, 0), ping_hop);

    let tok = match token.await {
        Ok(t) => t,
        Err(because) => {
            skip_rest(1, &because);
            return;
        }
    };
    let (m_hop, layer) = guarded(
        deadline,
        || {
            (
                deadline_hop(HopKind::Manifest, MANIFEST_ID.into(), dkr.host.clone()),
                None,
            )
        },
        hop::registry::manifest(&s.client, &dkr, &image, &tok, &s.cfg.platform, &s.plan),
    )
    .await;
    s.rec.record((HopKind::Manifest, 0, 0), m_hop);
    let Some(layer) = layer else {
        skip_rest(2, MANIFEST_ID);
        return;
    };
    let (r_hop, source) = guarded(
        deadline,
        || {
            (
                deadline_hop(HopKind::LayerRedirect, REDIRECT_ID.into(), dkr.host.clone()),
                None,
            )
        },
        hop::layer::redirect(&s.client, &dkr, &image, &tok, &layer, &s.plan),
    )
    .await;
    s.rec.record((HopKind::LayerRedirect, 0, 0), r_hop);
    let Some(source) = source else {
        skip_rest(3, REDIRECT_ID);
        return;
    };
    let l_hop = guarded(
        deadline,
        || deadline_hop(HopKind::Layer, LAYER_ID.into(), s.plan.bucket_host.clone()),
        hop::layer::fetch(
            &s.client,
            &source,
            &dkr,
            &image,
            &tok,
            &layer,
            &s.plan,
            s.cfg.max_layer_bytes,
        ),
    )
    .await;
    s.rec.record((HopKind::Layer, 0, 0), l_hop);
}
