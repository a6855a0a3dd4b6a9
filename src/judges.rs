//! The judges: verdict rewrites that need the whole run, applied after the executor,
//! in this order, over every hop. Each is named, so the list reads as what the run
//! judges beyond the single hops; a judge may change a verdict or add to a hint,
//! never add or drop a hop.

use crate::aws::Service;
use crate::hop::preflight::old_platform;
use crate::hop::{HopResult, Verdict};
use crate::needs::LaunchType;
use crate::plan::{Plan, Role};
use crate::report::wire::Principal;

/// What the judges know besides the hops.
pub struct Case<'a> {
    pub plan: &'a Plan,
    /// `--platform-version`.
    pub platform_version: Option<&'a str>,
    /// The role the task's start-up uses, and where that was read (`flag`,
    /// `task_definition`).
    pub expected_role: Option<(&'a str, &'static str)>,
}

/// What the judges found for the report beside the verdicts.
#[derive(Default)]
pub struct Judged {
    pub principal: Option<Principal>,
}

pub struct Judge {
    pub name: &'static str,
    pub judge: fn(&mut [HopResult], &Case, &mut Judged),
}

/// Every judge, in the order they run.
pub const JUDGES: &[Judge] = &[
    Judge {
        name: "clock",
        judge: |hops, _, _| crate::hop::judge_clock(hops),
    },
    Judge {
        name: "old_platform",
        judge: |hops, case, _| soften_old_platform(hops, case.plan, case.platform_version),
    },
    Judge {
        name: "principal",
        judge: |hops, case, judged| {
            judged.principal = crate::principal::check(hops, case.expected_role);
        },
    },
];

/// Run every judge over the hops of a run.
pub fn judge(hops: &mut [HopResult], case: &Case) -> Judged {
    let mut judged = Judged::default();
    for j in JUDGES {
        (j.judge)(hops, case, &mut judged);
    }
    judged
}

/// On Fargate platform 1.3.0 and earlier the registry auth does not go through the
/// task's own network (docs/aws-facts.md#fargate-platform-endpoints): a failing ecr.api
/// chain or token call is a warning there, not a reason the task would not start.
fn soften_old_platform(hops: &mut [HopResult], plan: &Plan, platform_version: Option<&str>) {
    let old =
        plan.launch_type == Some(LaunchType::Fargate) && platform_version.is_some_and(old_platform);
    let Some(api) = plan.target(Service::Api, &Role::Endpoint).filter(|_| old) else {
        return;
    };
    for h in hops.iter_mut().filter(|h| h.verdict == Verdict::Fail) {
        let mine = h
            .step
            .and_then(|s| plan.steps.get(s.0))
            .and_then(|s| plan.chain_target(s, true))
            .is_some_and(|t| t.is_endpoint_of(Service::Api));
        if mine {
            h.verdict = Verdict::Warn;
            let note = format!(
                "{} (Fargate platform {} does not reach {} from the task's network; platform 1.4.0 and later do)",
                h.message.as_deref().unwrap_or("failed"),
                platform_version.unwrap_or_default(),
                api.host
            );
            h.message = Some(note);
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::diagnose::Cause;
    use crate::hop_kind::HopKind;

    #[test]
    fn judges_run_in_order_and_an_old_platform_softens_only_the_api_chain() {
        let names: Vec<&str> = JUDGES.iter().map(|j| j.name).collect();
        assert_eq!(names, ["clock", "old_platform", "principal"]);
        let argv = [
            "vpce-probe",
            "--image",
            "111122223333.dkr.ecr.us-east-1.amazonaws.com/app:v1",
            "--dns-server",
            "127.0.0.1:53",
            "--launch-type",
            "FARGATE",
            "--platform-version",
            "1.3.0",
        ];
        let cfg = crate::config::Config::from_args(
            crate::cli::Args::try_parse_from(argv).unwrap(),
            crate::config::Env::default(),
            false,
        )
        .unwrap();
        let facts = crate::facts::decide(&cfg, &crate::facts::Observed::default()).unwrap();
        // A tcp hop of the step that connects to `service`'s endpoint, as the executor
        // records it.
        let failed = |service: Service| {
            let plan = &facts.plan;
            let (i, step) = plan
                .steps
                .iter()
                .enumerate()
                .find(|(_, s)| {
                    s.kind == HopKind::Tcp
                        && plan
                            .chain_target(s, false)
                            .is_some_and(|t| t.is_endpoint_of(service))
                })
                .unwrap();
            let mut hop = HopResult::new(HopKind::Tcp, format!("{}@10.0.0.1", step.hop_id), "h")
                .fail(Cause::new(crate::causes::code!("tcp.timeout"), "no answer"));
            hop.step = Some(crate::plan::StepId(i));
            hop
        };
        let mut hops = vec![failed(Service::Api), failed(Service::Dkr)];
        let case = Case {
            plan: &facts.plan,
            platform_version: Some("1.3.0"),
            expected_role: None,
        };
        let judged = judge(&mut hops, &case);
        assert_eq!(hops[0].verdict, Verdict::Warn);
        assert!(
            hops[0]
                .message
                .as_deref()
                .is_some_and(|m| m.contains("1.3.0"))
        );
        assert_eq!(hops[1].verdict, Verdict::Fail);
        assert!(judged.principal.is_none());
    }
}
