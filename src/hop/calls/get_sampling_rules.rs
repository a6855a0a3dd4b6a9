//! `xray:GetSamplingRules` for an X-Ray daemon or ADOT collector sidecar: the
//! account's sampling rules (names, rates, match patterns; no trace data). It is the
//! daemon's own first call: it fetches the rules (and later GetSamplingTargets) for
//! the SDKs in the task, then sends their segments with PutTraceSegments, all with the
//! task role (AWSXRayDaemonWriteAccess allows the three). A read is the harmless half
//! of that traffic: an endpoint policy that refuses it refuses the daemon, and a role
//! without it is a daemon without sampling rules. Either way the task starts; its
//! traces are dropped.

use crate::hop::calls::{ApiCall, Request};
use crate::net::aws_call::Protocol;
use crate::plan::Target;

pub struct GetSamplingRules;

impl ApiCall for GetSamplingRules {
    fn action(&self) -> &'static str {
        "xray:GetSamplingRules"
    }

    fn request(&self, _: &Target) -> Request {
        Request {
            protocol: Protocol::RestJson,
            path: "/GetSamplingRules".into(),
            body: "{}".into(),
            resources: vec![],
        }
    }

    fn start_up(&self) -> &'static str {
        "xray:PutTraceSegments and xray:GetSamplingTargets"
    }

    fn who_starts(&self) -> &'static str {
        "the X-Ray daemon calls"
    }
}
