//! What each kind of step does: the match from a plan [`Action`] to its hop, with the
//! inputs its needs produced. The executor (`exec.rs`) decides when; this decides what.

use std::net::{IpAddr, SocketAddr};

use futures_util::FutureExt;
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use futures_util::stream::FuturesUnordered;

use crate::config::Config;
use crate::exec::{self, StepRun};
use crate::hop::calls::Token;
use crate::hop::layer::Source;
use crate::hop::registry::LayerChoice;
use crate::hop::{self, HopResult};
use crate::net::http::Client;
use crate::plan::{Action, Plan, Step};

/// What a step hands on (see [`crate::plan::Product`]).
#[derive(Clone)]
pub enum Output {
    Image,
    /// The keys, for the calls the probe signs itself (never printed).
    Credentials(Box<aws_credential_types::Credentials>),
    Addresses(Vec<IpAddr>),
    Reachable(Vec<IpAddr>),
    Session(SocketAddr),
    Token(Token),
    Answer,
    Layer(LayerChoice),
    Source(Source),
}

/// Everything the steps of one run share.
pub struct Hops {
    pub cfg: Config,
    pub plan: Plan,
    pub client: Client,
    pub sdk: aws_config::SdkConfig,
    /// Keeps the container credentials document for the credentials hop.
    pub tap: Option<crate::net::sdk::Tap>,
    pub deadline: tokio::time::Instant,
}

impl exec::Runner for Hops {
    type Output = Output;

    fn run<'a: 'i, 'i>(
        &'a self,
        step: &'a Step,
        inputs: &'i [Output],
    ) -> LocalBoxFuture<'i, StepRun<'a, Output>> {
        async move {
            let (cfg, plan, timeout) = (&self.cfg, &self.plan, self.cfg.timeout);
            let target = |i: usize| plan.targets.get(i);
            let token = || {
                inputs.iter().find_map(|o| match o {
                    Output::Token(t) => Some(t),
                    _ => None,
                })
            };
            let creds = || {
                inputs.iter().find_map(|o| match o {
                    Output::Credentials(c) => Some(c.as_ref()),
                    _ => None,
                })
            };
            let layer = || {
                inputs.iter().find_map(|o| match o {
                    Output::Layer(l) => Some(l),
                    _ => None,
                })
            };
            // A step run without what it needs is a plan bug: block, never panic.
            let missing = || {
                StepRun::new(
                    Vec::new(),
                    Err(format!("plan ({} lacks an input)", step.label)),
                )
            };
            let run = match step.action {
                Action::Context => StepRun::new(
                    Vec::new(),
                    plan.image
                        .as_ref()
                        .map(|_| Output::Image)
                        .ok_or_else(|| "context".into()),
                ),
                Action::Credentials => {
                    let (h, creds) =
                        hop::credentials::run(&self.sdk, self.tap.as_ref(), &cfg.env, timeout)
                            .await;
                    let out = creds
                        .filter(|_| h.passed())
                        .map(|c| Output::Credentials(Box::new(c)));
                    StepRun::one(h, out)
                }
                Action::Dns(i) => {
                    let Some(t) = target(i) else { return missing() };
                    let (h, ips) = hop::dns::run(t, plan, self.client.dns()).await;
                    StepRun::one(h, (!ips.is_empty()).then_some(Output::Addresses(ips)))
                }
                Action::Tcp(i) => {
                    let (Some(t), Some(Output::Addresses(ips))) = (target(i), inputs.first())
                    else {
                        return missing();
                    };
                    self.tcp(step, t, ips.clone()).await
                }
                Action::Tls(i) => {
                    let (Some(t), Some(Output::Reachable(ips))) = (target(i), inputs.first())
                    else {
                        return missing();
                    };
                    let Some(ip) = ips.first() else {
                        return missing();
                    };
                    let addr = SocketAddr::new(*ip, t.port);
                    let h = hop::tls::run(t, addr, &self.client, timeout).await;
                    let ok = h.passed();
                    StepRun::one(h, ok.then_some(Output::Session(addr)))
                }
                // Every call signs with the keys the credentials hop fetched: the
                // provider chain is asked once per run.
                Action::Call(i, call) => {
                    let (Some(t), Some(creds)) = (target(i), creds()) else {
                        return missing();
                    };
                    let (h, tok) = hop::calls::run(hop::calls::Input {
                        client: &self.client,
                        creds,
                        target: t,
                        call,
                        id: &step.hop_id,
                        plan,
                        timeout,
                    })
                    .await;
                    // A step the plan made to hand on a token blocks the pull without one.
                    let out = match step.produces {
                        crate::plan::Product::Token => tok.map(Output::Token),
                        _ => Some(Output::Answer),
                    };
                    StepRun::one(h, out)
                }
                Action::Registry(i) => {
                    let Some(t) = target(i) else { return missing() };
                    let h = hop::registry::ping(&self.client, t, plan).await;
                    StepRun::one(named(h, step), Some(Output::Answer))
                }
                Action::Manifest(i, k) => {
                    let (Some(t), Some(image), Some(tok)) =
                        (target(i), plan.images.get(k), token())
                    else {
                        return missing();
                    };
                    let asked = cfg.platform_from != crate::config::PlatformFrom::Default;
                    let (h, l) = hop::registry::manifest(
                        &self.client,
                        t,
                        image,
                        tok,
                        &cfg.platform,
                        asked,
                        plan,
                    )
                    .await;
                    StepRun::one(named(h, step), l.map(Output::Layer))
                }
                Action::LayerRedirect(i, k) => {
                    let (Some(t), Some(image), Some(tok), Some(l)) =
                        (target(i), plan.images.get(k), token(), layer())
                    else {
                        return missing();
                    };
                    let (h, src) = hop::layer::redirect(&self.client, t, image, tok, l, plan).await;
                    StepRun::one(named(h, step), src.map(Output::Source))
                }
                Action::Layer(i, k) => {
                    let source = inputs.iter().find_map(|o| match o {
                        Output::Source(s) => Some(s),
                        _ => None,
                    });
                    let (Some(t), Some(image), Some(tok), Some(l), Some(src)) =
                        (target(i), plan.images.get(k), token(), layer(), source)
                    else {
                        return missing();
                    };
                    let h = hop::layer::fetch(
                        &self.client,
                        src,
                        t,
                        image,
                        tok,
                        l,
                        plan,
                        cfg.max_layer_bytes,
                    )
                    .await;
                    StepRun::one(named(h, step), Some(Output::Answer))
                }
            };
            // The clock is judged over the whole run (runner.rs: hop::judge_clock).
            run
        }
        .boxed_local()
    }
}

/// A pull hop of another repository than the first carries its step's id
/// (`manifest:<host>/<repository>`), so every hop id stays unique.
fn named(mut h: HopResult, step: &Step) -> HopResult {
    h.id = step.hop_id.clone();
    h
}

impl Hops {
    /// One connect per address, concurrently, each bounded by the deadline. The chain
    /// goes on with the first address that accepts, at once: a dead ENI's connect
    /// timeout holds up only its own hop, which is recorded when it ends.
    async fn tcp<'a>(
        &'a self,
        step: &'a Step,
        t: &'a crate::plan::Target,
        ips: Vec<IpAddr>,
    ) -> StepRun<'a, Output> {
        let mut pending: FuturesUnordered<_> = ips
            .iter()
            .enumerate()
            .map(|(k, &ip)| {
                let id = hop::tcp::id(t, ip);
                async move {
                    let hop = tokio::time::timeout_at(
                        self.deadline,
                        hop::tcp::run(t, ip, &self.plan, &self.client, self.cfg.timeout),
                    )
                    .await
                    .unwrap_or_else(|_| exec::deadline_hop(step.kind, &id, &t.host));
                    (k, hop)
                }
            })
            .collect();
        let mut done: Vec<(usize, HopResult)> = Vec::with_capacity(ips.len());
        let mut first = None;
        while let Some((k, hop)) = pending.next().await {
            let passed = hop.passed();
            done.push((k, hop));
            if passed {
                first = ips.get(k).copied();
                break;
            }
        }
        let output = match first {
            Some(ip) => Ok(Output::Reachable(vec![ip])),
            // Every connect failed: the first failing address (in answer order) is what
            // stopped the chain.
            None => Err(done
                .iter()
                .filter(|(_, h)| !h.passed())
                .min_by_key(|(k, _)| *k)
                .map(|(_, h)| h.id.clone())
                .unwrap_or_else(|| step.hop_id.clone())),
        };
        let rest = async move {
            while let Some(one) = pending.next().await {
                done.push(one);
            }
            done.sort_by_key(|(k, _)| *k);
            done.into_iter().map(|(_, h)| h).collect()
        };
        StepRun {
            hops: Vec::new(),
            output,
            rest: Some(rest.boxed_local()),
        }
    }
}
