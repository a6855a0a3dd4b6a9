//! The generic executor: runs any plan's steps, each as soon as the steps it needs have
//! produced what it needs, under the run's deadline, recording every hop as it finishes
//! (so `ndjson` can stream) and handing the hops back in plan order.
//!
//! A step whose need did not produce is `skipped` and names the hop that stopped the
//! chain (the first failing hop, not the skipped one in between). What a step *does* is
//! the [`Runner`]'s business; the executor knows only the table.

use std::cell::OnceCell;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use futures_util::FutureExt;
use futures_util::future::{LocalBoxFuture, join_all};

use crate::diagnose::Cause;
use crate::hop::HopResult;
use crate::hop_kind::HopKind;
use crate::plan::{Step, StepId};

/// Why a step handed nothing on, as the steps that wait for it see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blocker {
    /// The chain stopped at this step: a hop of it failed (or was cut off).
    Step(StepId),
    /// The plan is wrong (a bug): a step waits for a later one, or lacks an input.
    Plan(String),
}

/// A step's result for its dependents: what it produced, or what blocked it.
pub type Outcome<O> = Result<O, Blocker>;

/// Why a step produced nothing, as its runner says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// Its hop with this id failed: the hop that skipped hops name.
    Hop(String),
    /// It could not run: the plan gave it no input it needs (a bug).
    Plan(String),
}

/// What running one step gave: its hops (several for a fan-out step) and its output.
pub struct StepRun<'a, O> {
    pub hops: Vec<HopResult>,
    pub output: Result<O, Stop>,
    /// Hops still running when the step handed its output on (a fan-out step whose
    /// dependents need only its first success: the tls hop need not wait for a dead
    /// ENI's connect timeout). They are recorded when they finish, in place of `hops`.
    pub rest: Option<LocalBoxFuture<'a, Vec<HopResult>>>,
}

impl<O> StepRun<'_, O> {
    /// One hop; when it produced nothing, the hop itself is what stopped the chain.
    pub fn one(hop: HopResult, output: Option<O>) -> Self {
        let output = output.ok_or_else(|| Stop::Hop(hop.id.clone()));
        StepRun::new(vec![hop], output)
    }

    pub fn new(hops: Vec<HopResult>, output: Result<O, Stop>) -> Self {
        StepRun {
            hops,
            output,
            rest: None,
        }
    }
}

/// Does what a step says. `inputs` are the outputs of the steps it waits for, in order.
pub trait Runner {
    type Output: Clone;
    /// The hops of `rest` may outlive `inputs`, not the runner or the step.
    fn run<'a: 'i, 'i>(
        &'a self,
        step: &'a Step,
        inputs: &'i [Self::Output],
    ) -> LocalBoxFuture<'i, StepRun<'a, Self::Output>>;
}

/// Called with each hop as it finishes (in completion order).
pub type HopSink = Arc<dyn Fn(&HopResult) + Send + Sync>;

/// Where a hop sits in the report: kind first, then target, then address.
type Order = (HopKind, usize, usize);

pub struct Recorder {
    hops: Mutex<Vec<(Order, HopResult)>>,
    sink: HopSink,
    /// Something went wrong inside the probe (a poisoned lock, a panicking step): the
    /// report must say so with a failure, whatever the hops recorded.
    broken: AtomicBool,
}

impl Recorder {
    pub fn new(sink: HopSink) -> Self {
        Recorder {
            hops: Mutex::new(Vec::new()),
            sink,
            broken: AtomicBool::new(false),
        }
    }

    pub fn record(&self, order: Order, hop: HopResult) {
        (self.sink)(&hop);
        // A poisoned lock means a hop panicked mid-record; keep what the others gave.
        let mut hops = self.hops.lock().unwrap_or_else(|p| {
            self.broken.store(true, Ordering::Relaxed);
            p.into_inner()
        });
        hops.push((order, hop));
    }

    /// The `sub`th hop of step `id`, which it names as its step.
    fn record_step(&self, id: StepId, step: &Step, sub: usize, mut hop: HopResult) {
        hop.step = Some(id);
        self.record((step.kind, step.order, sub), hop);
    }

    /// Every hop recorded, in plan order; with a failed `probe` hop at the end when
    /// the probe itself broke, so such a run can never pass.
    pub fn into_hops(self) -> Vec<HopResult> {
        let mut broken = self.broken.load(Ordering::Relaxed);
        let mut hops = self.hops.into_inner().unwrap_or_else(|p| {
            broken = true;
            p.into_inner()
        });
        hops.sort_by_key(|(order, _)| *order);
        let mut hops: Vec<HopResult> = hops.into_iter().map(|(_, h)| h).collect();
        if broken {
            hops.push(internal_hop(
                HopKind::Context,
                "probe",
                "vpce-probe",
                "the probe's own state was corrupted by a failing step; the hops above may be incomplete",
            ));
        }
        hops
    }

    #[cfg(test)]
    fn poison(&self) {
        let _ = std::panic::catch_unwind(AssertUnwindSafe(|| {
            let _guard = self.hops.lock();
            panic!("poisoning the recorder for a test");
        }));
    }
}

/// A hop the probe could not judge because the probe itself failed (a bug).
pub fn internal_hop(kind: HopKind, id: &str, target: &str, what: &str) -> HopResult {
    HopResult::new(kind, id, target).fail(Cause::new(
        crate::causes::code!("probe.internal"),
        format!("{what}: a bug in vpce-probe, please report it with the JSON report"),
    ))
}

pub fn deadline_hop(kind: HopKind, id: &str, target: &str) -> HopResult {
    HopResult::new(kind, id, target).fail(Cause::new(
        crate::causes::code!("probe.deadline"),
        "the run's --deadline passed before this hop finished: a slow path, or raise --deadline",
    ))
}

/// Run every step of `steps` with `runner`. Steps may only wait for steps before them
/// (the plan builder guarantees it; a step that breaks the rule is blocked).
pub async fn execute<R: Runner>(
    steps: &[Step],
    runner: &R,
    deadline: tokio::time::Instant,
    rec: &Recorder,
) {
    // The hops of steps that handed their output on before all of them finished.
    let (rest_tx, mut rest_rx) = tokio::sync::mpsc::unbounded_channel::<LocalBoxFuture<'_, ()>>();
    let run = Run {
        runner,
        deadline,
        rec,
        stopped_by: steps.iter().map(|_| OnceCell::new()).collect(),
    };
    let mut cells = Vec::with_capacity(steps.len());
    for (i, step) in steps.iter().enumerate() {
        let waits: Vec<_> = step
            .waits_for
            .iter()
            .map(|n| cells.get(n.0).cloned())
            .collect();
        let fut: LocalBoxFuture<'_, Outcome<R::Output>> = run
            .cell(StepId(i), step, waits, rest_tx.clone())
            .boxed_local();
        cells.push(fut.shared());
    }
    drop(rest_tx);
    let rest = async {
        let mut running = futures_util::stream::FuturesUnordered::new();
        loop {
            tokio::select! {
                got = rest_rx.recv() => match got {
                    Some(f) => running.push(f),
                    None => break,
                },
                Some(()) = futures_util::StreamExt::next(&mut running), if !running.is_empty() => {}
            }
        }
        while futures_util::StreamExt::next(&mut running).await.is_some() {}
    };
    futures_util::future::join(join_all(cells), rest).await;
}

/// A step's cell: what its dependents await.
type Cell<'a, O> = futures_util::future::Shared<LocalBoxFuture<'a, Outcome<O>>>;

/// One execution's shared state.
struct Run<'a, R> {
    runner: &'a R,
    deadline: tokio::time::Instant,
    rec: &'a Recorder,
    /// The id of the hop each step stopped the chain at, set before its dependents
    /// learn they are blocked: what a skipped hop names.
    stopped_by: Vec<OnceCell<String>>,
}

impl<'a, R: Runner> Run<'a, R> {
    /// Wait for what `step` waits for, run it (or skip it), record its hops.
    async fn cell(
        &self,
        id: StepId,
        step: &'a Step,
        waits: Vec<Option<Cell<'_, R::Output>>>,
        rest_tx: tokio::sync::mpsc::UnboundedSender<LocalBoxFuture<'a, ()>>,
    ) -> Outcome<R::Output> {
        let mut inputs = Vec::with_capacity(waits.len());
        for wait in waits {
            let got = match wait {
                Some(cell) => cell.await,
                None => Err(Blocker::Plan(format!(
                    "plan ({} needs a later step)",
                    step.label
                ))),
            };
            match got {
                Ok(o) => inputs.push(o),
                Err(blocker) => {
                    if !step.fans_out() {
                        let hop = HopResult::new(step.kind, &step.hop_id, &step.target)
                            .skip(&self.because(&blocker));
                        self.rec.record_step(id, step, 0, hop);
                    }
                    return Err(blocker);
                }
            }
        }
        let run = self.guarded(step, &inputs).await;
        for (sub, hop) in run.hops.into_iter().enumerate() {
            self.rec.record_step(id, step, sub, hop);
        }
        if let Some(rest) = run.rest {
            let rec = self.rec;
            let later = async move {
                for (sub, hop) in rest.await.into_iter().enumerate() {
                    rec.record_step(id, step, sub, hop);
                }
            };
            // The receiver lives until every cell has finished.
            let _ = rest_tx.send(later.boxed_local());
        }
        match run.output {
            Ok(o) => Ok(o),
            Err(Stop::Hop(hop)) => {
                let _ = self.stopped_by[id.0].set(hop);
                Err(Blocker::Step(id))
            }
            Err(Stop::Plan(why)) => Err(Blocker::Plan(why)),
        }
    }

    /// Run `step` under the deadline; a step that panics is a failed hop, not the end
    /// of the run (and of the report): the other steps go on.
    async fn guarded(&self, step: &'a Step, inputs: &[R::Output]) -> StepRun<'a, R::Output> {
        let started = Instant::now();
        let guarded = AssertUnwindSafe(self.runner.run(step, inputs)).catch_unwind();
        let internal = || {
            self.rec.broken.store(true, Ordering::Relaxed);
            let what = format!("the {} step failed inside the probe", step.label);
            StepRun::one(
                internal_hop(step.kind, &step.hop_id, &step.target, &what),
                None,
            )
        };
        // A fan-out step bounds each of its hops itself, so each still reports.
        if step.fans_out() {
            return guarded.await.unwrap_or_else(|_| internal());
        }
        match tokio::time::timeout_at(self.deadline, guarded).await {
            Ok(Ok(run)) => run,
            Ok(Err(_)) => internal(),
            Err(_) => {
                let mut hop = deadline_hop(step.kind, &step.hop_id, &step.target);
                hop.duration = started.elapsed();
                StepRun::one(hop, None)
            }
        }
    }

    /// What a hop skipped because of `blocker` names: the hop that stopped the chain.
    fn because(&self, blocker: &Blocker) -> String {
        match blocker {
            Blocker::Step(s) => self
                .stopped_by
                .get(s.0)
                .and_then(|c| c.get().cloned())
                .unwrap_or_default(),
            Blocker::Plan(why) => why.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::hop::Verdict;
    use crate::plan::{Action, Product};

    /// A runner whose steps pass, fail or hang by label.
    struct Script;

    impl Runner for Script {
        type Output = u32;

        fn run<'a: 'i, 'i>(
            &'a self,
            step: &'a Step,
            inputs: &'i [u32],
        ) -> LocalBoxFuture<'i, StepRun<'a, u32>> {
            async move {
                let hop = HopResult::new(step.kind, &step.hop_id, &step.target);
                let label = step.label.as_str();
                if label.contains("slow") {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                if label.contains("panic") {
                    panic!("a scripted panic");
                }
                if label.contains("hang") {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                }
                if label.contains("fail") {
                    StepRun::one(
                        hop.fail(Cause::new(
                            crate::causes::code!("probe.deadline"),
                            "scripted",
                        )),
                        None,
                    )
                } else {
                    StepRun::one(hop, Some(inputs.iter().sum::<u32>() + 1))
                }
            }
            .boxed_local()
        }
    }

    fn step(label: &str, kind: HopKind, order: usize, needs: &[usize]) -> Step {
        Step {
            action: Action::Credentials,
            label: label.into(),
            kind,
            hop_id: label.into(),
            target: format!("{label}-target"),
            waits_for: needs.iter().map(|n| StepId(*n)).collect(),
            produces: Product::Answer,
            order,
        }
    }

    fn run(steps: &[Step], deadline: Duration) -> Vec<HopResult> {
        let rec = Recorder::new(Arc::new(|_| {}));
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(execute(
            steps,
            &Script,
            tokio::time::Instant::now() + deadline,
            &rec,
        ));
        rec.into_hops()
    }

    fn find<'a>(hops: &'a [HopResult], id: &str) -> &'a HopResult {
        hops.iter().find(|h| h.id == id).unwrap()
    }

    #[test]
    fn a_failure_skips_its_dependents_naming_the_first_failing_hop() {
        let steps = [
            step("fail-a", HopKind::Dns, 0, &[]),
            step("b", HopKind::Tls, 0, &[0]),
            step("c", HopKind::Manifest, 0, &[1]),
            step("d", HopKind::Dns, 1, &[]),
            step("e", HopKind::Tls, 1, &[3]),
        ];
        let hops = run(&steps, Duration::from_secs(5));
        assert_eq!(hops.len(), 5);
        assert_eq!(find(&hops, "fail-a").verdict, Verdict::Fail);
        for id in ["b", "c"] {
            let h = find(&hops, id);
            assert_eq!(h.verdict, Verdict::Skipped, "{id}");
            assert_eq!(h.skipped_because.as_deref(), Some("fail-a"), "{id}");
            assert_eq!(h.target, format!("{id}-target"));
        }
        assert_eq!(find(&hops, "e").verdict, Verdict::Pass);
    }

    #[test]
    fn the_first_unmet_need_in_table_order_is_named() {
        let steps = [
            step("slow-fail", HopKind::Credentials, 0, &[]),
            step("fail-fast", HopKind::Dns, 0, &[]),
            step("x", HopKind::EcrToken, 0, &[0, 1]),
        ];
        // "fail-fast" finishes first, but "x" names its needs in order.
        let hops = run(&steps, Duration::from_secs(5));
        assert_eq!(
            find(&hops, "x").skipped_because.as_deref(),
            Some("slow-fail")
        );
    }

    #[test]
    fn hops_come_back_in_plan_order_not_completion_order() {
        let steps = [
            step("slow-1", HopKind::Dns, 1, &[]),
            step("a-0", HopKind::Dns, 0, &[]),
            step("tls-0", HopKind::Tls, 0, &[1]),
            step("ctx", HopKind::Context, 0, &[]),
        ];
        let ids: Vec<String> = run(&steps, Duration::from_secs(5))
            .into_iter()
            .map(|h| h.id)
            .collect();
        assert_eq!(ids, ["ctx", "a-0", "slow-1", "tls-0"]);
    }

    #[test]
    fn the_deadline_fails_a_running_hop_and_skips_what_waits_for_it() {
        let steps = [
            step("hang", HopKind::Layer, 0, &[]),
            step("after", HopKind::Logs, 0, &[0]),
            step("free", HopKind::Dns, 0, &[]),
        ];
        let hops = run(&steps, Duration::from_millis(50));
        let h = find(&hops, "hang");
        assert_eq!(h.verdict, Verdict::Fail);
        assert_eq!(
            h.cause.as_ref().map(|c| c.code.as_str()),
            Some("probe.deadline")
        );
        assert_eq!(h.target, "hang-target");
        assert_eq!(
            find(&hops, "after").skipped_because.as_deref(),
            Some("hang")
        );
        assert_eq!(find(&hops, "free").verdict, Verdict::Pass);
    }

    #[test]
    fn a_poisoned_recorder_or_a_panicking_step_is_a_failure_in_the_report() {
        let rec = Recorder::new(Arc::new(|_| {}));
        rec.record((HopKind::Dns, 0, 0), HopResult::new(HopKind::Dns, "d", "t"));
        rec.poison();
        let hops = rec.into_hops();
        assert_eq!(hops.len(), 2);
        assert_eq!(
            hops[1].cause.as_ref().map(|c| c.code.as_str()),
            Some("probe.internal")
        );
        let steps = [
            step("panic", HopKind::Dns, 0, &[]),
            step("after", HopKind::Tls, 0, &[0]),
        ];
        let hops = run(&steps, Duration::from_secs(5));
        let h = find(&hops, "panic");
        assert_eq!(h.verdict, Verdict::Fail);
        assert_eq!(
            find(&hops, "after").skipped_because.as_deref(),
            Some("panic")
        );
        assert!(hops.iter().any(|h| h.id == "probe"));
    }

    #[test]
    fn the_deadline_hop_says_how_long_it_ran() {
        let steps = [step("hang", HopKind::Layer, 0, &[])];
        let hops = run(&steps, Duration::from_millis(50));
        assert!(find(&hops, "hang").duration >= Duration::from_millis(40));
    }

    #[test]
    fn outputs_flow_to_dependents_and_bad_needs_block_without_panicking() {
        let mut fan = step("fan", HopKind::Tcp, 0, &[2]);
        fan.action = Action::Tcp(0);
        let steps = [
            step("a", HopKind::Dns, 0, &[]),
            step("b", HopKind::Tls, 0, &[0, 0]),
            step("fail-c", HopKind::Dns, 1, &[]),
            fan,
            step("later", HopKind::Logs, 0, &[5]),
        ];
        let hops = run(&steps, Duration::from_secs(5));
        // A skipped fan-out step records nothing: it does not know its items.
        assert!(hops.iter().all(|h| h.id != "fan"));
        assert!(
            find(&hops, "later")
                .skipped_because
                .as_deref()
                .is_some_and(|b| b.starts_with("plan"))
        );
        assert_eq!(find(&hops, "b").verdict, Verdict::Pass);
    }
}
