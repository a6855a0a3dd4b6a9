//! `ecs:DiscoverPollEndpoint`: the ECS agent's first call on EC2, answering the hosts of
//! its ACS and TCS sessions (kept in the evidence).

use crate::hop::HopResult;
use crate::hop::calls::{ApiCall, Cx, Request, Token, json11};
use crate::net::aws_call::{self, Answer};
use crate::plan::Target;

pub struct DiscoverPollEndpoint;

impl ApiCall for DiscoverPollEndpoint {
    fn action(&self) -> &'static str {
        "ecs:DiscoverPollEndpoint"
    }

    fn request(&self, t: &Target) -> Request {
        let target = "AmazonEC2ContainerServiceV20141113.DiscoverPollEndpoint";
        match t.call_args.first() {
            Some(c) => json11(target, serde_json::json!({ "cluster": c }), vec![c.clone()]),
            None => json11(target, serde_json::json!({}), vec![]),
        }
    }

    fn start_up(&self) -> &'static str {
        "the ECS agent's ecs:DiscoverPollEndpoint, RegisterContainerInstance and Poll"
    }

    fn answered(&self, mut hop: HopResult, a: &Answer, _: &Cx) -> (HopResult, Option<Token>) {
        hop.evidence.call().poll_endpoint = aws_call::json_field(&a.body, "endpoint");
        hop.evidence.call().telemetry_endpoint = aws_call::json_field(&a.body, "telemetryEndpoint");
        (hop, None)
    }
}
