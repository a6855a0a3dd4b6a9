//! The step builder: from the targets and the images to the table of steps. Every
//! target gets its chain (dns → tcp → tls), every target with a call its signed call,
//! every repository its pull (registry ping once per registry, manifest, layer
//! redirect, layer). A step waits only for steps before it.

use crate::aws::{Call, Service};
use crate::image_ref::ImageRef;

use super::{Action, HopKind, Product, Step, StepId, Target, call_label};

impl Step {
    /// A step whose label is its hop id and whose target is `target`; it waits for
    /// nothing, hands on an answer and sorts first among its kind until told otherwise.
    fn new(
        action: Action,
        kind: HopKind,
        label: impl Into<String>,
        target: impl Into<String>,
    ) -> Self {
        let label = label.into();
        Step {
            action,
            hop_id: label.clone(),
            label,
            kind,
            target: target.into(),
            waits_for: Vec::new(),
            produces: Product::Answer,
            order: 0,
        }
    }

    fn hop_id(mut self, id: impl Into<String>) -> Self {
        self.hop_id = id.into();
        self
    }

    fn waits_for(mut self, steps: impl IntoIterator<Item = StepId>) -> Self {
        self.waits_for = steps.into_iter().collect();
        self
    }

    fn produces(mut self, product: Product) -> Self {
        self.produces = product;
        self
    }

    fn order(mut self, order: usize) -> Self {
        self.order = order;
        self
    }
}

/// The table as it grows.
struct Table<'a> {
    steps: Vec<Step>,
    targets: &'a [Target],
}

impl Table<'_> {
    fn push(&mut self, step: Step) -> StepId {
        self.steps.push(step);
        StepId(self.steps.len() - 1)
    }
}

/// The steps of a plan, in the order the report lists their hops' kinds.
pub fn build(
    targets: &[Target],
    image: &ImageRef,
    images: &[ImageRef],
    bucket_host: &str,
) -> Vec<Step> {
    let mut t = Table {
        steps: Vec::new(),
        targets,
    };
    let context = t.push(
        Step::new(
            Action::Context,
            HopKind::Context,
            "context",
            image.to_string(),
        )
        .produces(Product::Image),
    );
    let creds = t.push(
        Step::new(
            Action::Credentials,
            HopKind::Credentials,
            "credentials",
            "credentials",
        )
        .produces(Product::Credentials),
    );
    let ends = t.chains();
    let token = t.calls(creds, &ends);
    let pull = Pull {
        context,
        token,
        ends: &ends,
        image,
        bucket_host,
    };
    pull.add(&mut t, images);
    t.steps
}

impl Table<'_> {
    /// Every host's chain: dns → tcp (each address) → tls (not for NFS). The step each
    /// chain ends with, by target index.
    fn chains(&mut self) -> Vec<StepId> {
        let mut ends = Vec::new();
        for (i, tg) in self.targets.iter().enumerate() {
            let name = tg.name();
            let link = |action, kind, prefix: &str, produces| {
                Step::new(action, kind, format!("{prefix}:{name}"), &tg.host)
                    .hop_id(format!("{prefix}:{}", tg.host))
                    .produces(produces)
                    .order(i)
            };
            let dns = self.push(link(
                Action::Dns(i),
                HopKind::Dns,
                "dns",
                Product::Addresses,
            ));
            let tcp = self.push(
                link(Action::Tcp(i), HopKind::Tcp, "tcp", Product::Reachable).waits_for([dns]),
            );
            let end = match tg.tls {
                true => self.push(
                    link(Action::Tls(i), HopKind::Tls, "tls", Product::Session).waits_for([tcp]),
                ),
                false => tcp,
            };
            ends.push(end);
        }
        ends
    }

    /// Every target with a call: one signed call through its endpoint, after the
    /// credentials and the target's chain. The token step, when there is one.
    fn calls(&mut self, creds: StepId, ends: &[StepId]) -> Option<StepId> {
        let mut token = None;
        for (i, tg) in self.targets.iter().enumerate() {
            let Some(call) = tg.call else { continue };
            let (kind, produces) = match call {
                Call::GetAuthorizationToken => (HopKind::EcrToken, Product::Token),
                Call::DescribeLogGroups => (HopKind::Logs, Product::Answer),
                _ => (HopKind::Service, Product::Answer),
            };
            let id = self.push(
                Step::new(Action::Call(i, call), kind, call_label(call, tg), tg.url())
                    .waits_for([creds, ends[i]])
                    .produces(produces)
                    .order(i),
            );
            if produces == Product::Token {
                token = Some(id);
            }
        }
        token
    }
}

/// What every repository's pull steps wait for.
struct Pull<'a> {
    context: StepId,
    token: Option<StepId>,
    /// The step each target's chain ends with.
    ends: &'a [StepId],
    image: &'a ImageRef,
    bucket_host: &'a str,
}

impl Pull<'_> {
    /// The pull of every repository: without a private ECR image (context says why)
    /// every step is skipped. Each repository's pull runs concurrently with the
    /// others; a registry is pinged once.
    fn add(&self, t: &mut Table, images: &[ImageRef]) {
        let mut pinged: Vec<(usize, StepId)> = Vec::new();
        let pulls: Vec<Option<&ImageRef>> = match images.is_empty() {
            true => vec![None],
            false => images.iter().map(Some).collect(),
        };
        for (k, img) in pulls.into_iter().enumerate() {
            let host = img.map_or(self.image.host.as_str(), |i| i.host.as_str());
            let dkr_target = t
                .targets
                .iter()
                .position(|tg| tg.service == Service::Dkr && tg.host == host);
            let (dkr, dkr_host, waits) = match dkr_target {
                Some(i) => (
                    i,
                    t.targets[i].host.clone(),
                    vec![self.context, self.ends[i]],
                ),
                None => (0, String::new(), vec![self.context]),
            };
            if !pinged.iter().any(|(i, _)| *i == dkr) {
                let label = match pinged.is_empty() {
                    true => "registry".to_string(),
                    false => format!("registry:{dkr_host}"),
                };
                let id = t.push(
                    Step::new(Action::Registry(dkr), HopKind::Registry, label, &dkr_host)
                        .waits_for(waits.clone())
                        .order(pinged.len()),
                );
                pinged.push((dkr, id));
            }
            self.repository(t, (dkr, k), img, &dkr_host, waits);
        }
    }

    /// One repository's manifest, layer redirect and layer, through dkr target `i`.
    fn repository(
        &self,
        t: &mut Table,
        (i, k): (usize, usize),
        img: Option<&ImageRef>,
        dkr_host: &str,
        mut waits: Vec<StepId>,
    ) {
        // The first image keeps the ids reports have always had.
        let name = |kind: &str| match (k, img) {
            (0, _) | (_, None) => kind.to_string(),
            (_, Some(i)) => format!("{kind}:{}/{}", i.host, i.repository),
        };
        waits.extend(self.token);
        let manifest = t.push(
            Step::new(
                Action::Manifest(i, k),
                HopKind::Manifest,
                name("manifest"),
                dkr_host,
            )
            .waits_for(waits)
            .produces(Product::Layer)
            .order(k),
        );
        let redirect = t.push(
            Step::new(
                Action::LayerRedirect(i, k),
                HopKind::LayerRedirect,
                name("layer_redirect"),
                dkr_host,
            )
            .waits_for([manifest].into_iter().chain(self.token))
            .produces(Product::LayerSource)
            .order(k),
        );
        t.push(
            Step::new(
                Action::Layer(i, k),
                HopKind::Layer,
                name("layer"),
                self.bucket_host,
            )
            .waits_for([redirect, manifest].into_iter().chain(self.token))
            .order(k),
        );
    }
}
