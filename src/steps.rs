//! What each kind of step does: the match from a plan [`Action`] to its hop, with the
//! inputs its needs produced. The executor (`exec.rs`) decides when; this decides what.

use std::net::{IpAddr, SocketAddr};

use futures_util::FutureExt;
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use futures_util::stream::FuturesUnordered;

use crate::aws::Call;
use crate::config::Config;
use crate::exec::{self, StepRun, Stop};
use crate::hop::calls::Token;
use crate::hop::layer::Source;
use crate::hop::registry::LayerChoice;
use crate::hop::{self, HopResult};
use crate::net::http::Client;
use crate::plan::{Action, Plan, Step, Target};

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

/// A step's inputs, each in the slot of the product that made it: what the steps it
/// waits for handed on.
#[derive(Default)]
struct Inputs<'i> {
    credentials: Option<&'i aws_credential_types::Credentials>,
    addresses: Option<&'i [IpAddr]>,
    reachable: Option<&'i [IpAddr]>,
    token: Option<&'i Token>,
    layer: Option<&'i LayerChoice>,
    source: Option<&'i Source>,
}

impl<'i> Inputs<'i> {
    fn of(outputs: &'i [Output]) -> Self {
        let mut inputs = Inputs::default();
        for o in outputs {
            match o {
                Output::Credentials(c) => inputs.credentials = Some(c.as_ref()),
                Output::Addresses(a) => inputs.addresses = Some(a),
                Output::Reachable(a) => inputs.reachable = Some(a),
                Output::Token(t) => inputs.token = Some(t),
                Output::Layer(l) => inputs.layer = Some(l),
                Output::Source(s) => inputs.source = Some(s),
                Output::Image | Output::Session(_) | Output::Answer => {}
            }
        }
        inputs
    }
}

impl exec::Runner for Hops {
    type Output = Output;

    fn run<'a: 'i, 'i>(
        &'a self,
        step: &'a Step,
        inputs: &'i [Output],
    ) -> LocalBoxFuture<'i, StepRun<'a, Output>> {
        // The clock is judged over the whole run (judges.rs).
        self.step(step, Inputs::of(inputs)).boxed_local()
    }
}

/// A step run without what it needs is a plan bug: block, never panic.
fn missing<'a>(step: &Step) -> StepRun<'a, Output> {
    StepRun::new(
        Vec::new(),
        Err(Stop::Plan(format!("plan ({} lacks an input)", step.label))),
    )
}

impl Hops {
    async fn step<'a>(&'a self, step: &'a Step, inputs: Inputs<'_>) -> StepRun<'a, Output> {
        let (plan, timeout) = (&self.plan, self.cfg.timeout);
        let target = |i: usize| plan.targets.get(i);
        match step.action {
            Action::Context => StepRun::new(
                Vec::new(),
                plan.image
                    .as_ref()
                    .map(|_| Output::Image)
                    .ok_or_else(|| Stop::Hop("context".into())),
            ),
            Action::Credentials => {
                let (h, creds) =
                    hop::credentials::run(&self.sdk, self.tap.as_ref(), &self.cfg.env, timeout)
                        .await;
                let out = creds
                    .filter(|_| h.passed())
                    .map(|c| Output::Credentials(Box::new(c)));
                StepRun::one(h, out)
            }
            Action::Dns(i) => {
                let Some(t) = target(i) else {
                    return missing(step);
                };
                let (h, ips) = hop::dns::run(t, plan, self.client.dns()).await;
                StepRun::one(h, (!ips.is_empty()).then_some(Output::Addresses(ips)))
            }
            Action::Tcp(i) => match (target(i), inputs.addresses) {
                (Some(t), Some(ips)) => self.tcp(step, t, ips.to_vec()).await,
                _ => missing(step),
            },
            Action::Tls(i) => {
                let (Some(t), Some(&ip)) = (target(i), inputs.reachable.and_then(|r| r.first()))
                else {
                    return missing(step);
                };
                let addr = SocketAddr::new(ip, t.port);
                let h = hop::tls::run(t, addr, &self.client, timeout).await;
                let ok = h.passed();
                StepRun::one(h, ok.then_some(Output::Session(addr)))
            }
            Action::Call(i, call) => match (target(i), inputs.credentials) {
                (Some(t), Some(creds)) => self.call(step, t, call, creds).await,
                _ => missing(step),
            },
            Action::Registry(_)
            | Action::Manifest(..)
            | Action::LayerRedirect(..)
            | Action::Layer(..) => self.pull(step, &inputs).await,
        }
    }

    /// A signed call through target `t`'s endpoint. Every call signs with the keys the
    /// credentials hop fetched: the provider chain is asked once per run.
    async fn call<'a>(
        &'a self,
        step: &'a Step,
        t: &Target,
        call: Call,
        creds: &aws_credential_types::Credentials,
    ) -> StepRun<'a, Output> {
        let (h, tok) = hop::calls::run(hop::calls::Input {
            client: &self.client,
            creds,
            target: t,
            call,
            id: &step.hop_id,
            plan: &self.plan,
            timeout: self.cfg.timeout,
        })
        .await;
        // A step the plan made to hand on a token blocks the pull without one.
        let out = match step.produces {
            crate::plan::Product::Token => tok.map(Output::Token),
            _ => Some(Output::Answer),
        };
        StepRun::one(h, out)
    }

    /// The pull's steps: the registry ping, and one repository's manifest, layer
    /// redirect and layer.
    async fn pull<'a>(&'a self, step: &'a Step, inputs: &Inputs<'_>) -> StepRun<'a, Output> {
        let (cfg, plan, client) = (&self.cfg, &self.plan, &self.client);
        let (i, k) = match step.action {
            Action::Registry(i) => (i, None),
            Action::Manifest(i, k) | Action::LayerRedirect(i, k) | Action::Layer(i, k) => {
                (i, Some(k))
            }
            _ => return missing(step),
        };
        let Some(t) = plan.targets.get(i) else {
            return missing(step);
        };
        let Some(k) = k else {
            let h = hop::registry::ping(client, t, plan).await;
            return StepRun::one(named(h, step), Some(Output::Answer));
        };
        let (Some(image), Some(tok)) = (plan.images.get(k), inputs.token) else {
            return missing(step);
        };
        let reg = hop::registry::Registry {
            client,
            dkr: t,
            token: tok,
            plan,
        };
        match (step.action, inputs.layer, inputs.source) {
            (Action::Manifest(..), _, _) => {
                let asked = cfg.platform_from != crate::config::PlatformFrom::Default;
                let (h, l) = hop::registry::manifest(&reg, image, &cfg.platform, asked).await;
                StepRun::one(named(h, step), l.map(Output::Layer))
            }
            (Action::LayerRedirect(..), Some(l), _) => {
                let (h, src) = hop::layer::redirect(&reg, image, l).await;
                StepRun::one(named(h, step), src.map(Output::Source))
            }
            (Action::Layer(..), Some(l), Some(src)) => {
                let max = cfg.max_layer_bytes;
                let h = hop::layer::fetch(&reg, src, image, l, max).await;
                StepRun::one(named(h, step), Some(Output::Answer))
            }
            _ => missing(step),
        }
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
        t: &'a Target,
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
            None => Err(Stop::Hop(
                done.iter()
                    .filter(|(_, h)| !h.passed())
                    .min_by_key(|(k, _)| *k)
                    .map(|(_, h)| h.id.clone())
                    .unwrap_or_else(|| step.hop_id.clone()),
            )),
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
