//! What each kind of step does: the match from a plan [`Action`] to its hop, with the
//! inputs its needs produced. The executor (`exec.rs`) decides when; this decides what.

use std::net::{IpAddr, SocketAddr};

use futures_util::FutureExt;
use futures_util::future::{LocalBoxFuture, join_all};

use crate::aws::Call;
use crate::config::Config;
use crate::exec::{self, StepRun};
use crate::hop::ecr_token::Token;
use crate::hop::layer::Source;
use crate::hop::registry::LayerChoice;
use crate::hop::{self, HopResult};
use crate::net::http::Client;
use crate::net::tls::Trust;
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
    pub trust: Trust,
    pub sdk: aws_config::SdkConfig,
    pub deadline: tokio::time::Instant,
}

impl exec::Runner for Hops {
    type Output = Output;

    fn run<'a>(
        &'a self,
        step: &'a Step,
        inputs: &'a [Output],
    ) -> LocalBoxFuture<'a, StepRun<Output>> {
        async move {
            let (cfg, plan, timeout) = (&self.cfg, &self.plan, self.cfg.timeout);
            let target = |i: usize| plan.targets.get(i);
            let token = || {
                inputs.iter().find_map(|o| match o {
                    Output::Token(t) => Some(t),
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
            let missing = || StepRun {
                hops: Vec::new(),
                output: Err(format!("plan ({} lacks an input)", step.label)),
            };
            let run = match step.action {
                Action::Context => StepRun {
                    hops: Vec::new(),
                    output: plan
                        .image
                        .as_ref()
                        .map(|_| Output::Image)
                        .ok_or_else(|| "context".into()),
                },
                Action::Credentials => {
                    let (h, creds) = hop::credentials::run(&self.sdk, &cfg.env, timeout).await;
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
                    self.tcp(step, t, ips).await
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
                    let h = hop::tls::run(t, addr, &self.trust, timeout).await;
                    let ok = h.passed();
                    StepRun::one(h, ok.then_some(Output::Session(addr)))
                }
                Action::Call(i, Call::GetAuthorizationToken) => {
                    let Some(t) = target(i) else { return missing() };
                    let (h, tok) = hop::ecr_token::run(&self.sdk, t, &plan.region, timeout).await;
                    StepRun::one(h, tok.map(Output::Token))
                }
                Action::Call(i, Call::DescribeLogGroups) => {
                    let Some(t) = target(i) else { return missing() };
                    let h = hop::logs::run(&self.sdk, t, &step.hop_id, timeout).await;
                    StepRun::one(h, Some(Output::Answer))
                }
                Action::Call(i, call) => {
                    let creds = inputs.iter().find_map(|o| match o {
                        Output::Credentials(c) => Some(c.as_ref()),
                        _ => None,
                    });
                    let (Some(t), Some(creds)) = (target(i), creds) else {
                        return missing();
                    };
                    let h = hop::service::run(hop::service::Input {
                        client: &self.client,
                        creds,
                        target: t,
                        call,
                        id: &step.hop_id,
                        plan,
                        timeout,
                    })
                    .await;
                    StepRun::one(h, Some(Output::Answer))
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
                    let (h, l) =
                        hop::registry::manifest(&self.client, t, image, tok, &cfg.platform, plan)
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
            // Every hop's answer is judged for the clock the same way, whatever it was.
            StepRun {
                hops: run.hops.into_iter().map(hop::judge_clock).collect(),
                output: run.output,
            }
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
    /// One connect per address, concurrently, each bounded by the deadline; the chain
    /// goes on with the addresses that accepted.
    async fn tcp(&self, step: &Step, t: &crate::plan::Target, ips: &[IpAddr]) -> StepRun<Output> {
        let hops: Vec<HopResult> = join_all(ips.iter().map(|ip| {
            let id = hop::tcp::id(t, *ip);
            async move {
                tokio::time::timeout_at(
                    self.deadline,
                    hop::tcp::run(t, *ip, &self.plan, &self.client, self.cfg.timeout),
                )
                .await
                .unwrap_or_else(|_| exec::deadline_hop(step.kind, &id, &t.host))
            }
        }))
        .await;
        let reachable: Vec<IpAddr> = hops
            .iter()
            .zip(ips)
            .filter(|(h, _)| h.passed())
            .map(|(_, ip)| *ip)
            .collect();
        let output = if reachable.is_empty() {
            Err(hops
                .iter()
                .find(|h| !h.passed())
                .map(|h| h.id.clone())
                .unwrap_or_else(|| step.hop_id.clone()))
        } else {
            Ok(Output::Reachable(reachable))
        };
        StepRun { hops, output }
    }
}
