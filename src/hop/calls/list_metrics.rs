//! `cloudwatch:ListMetrics` for a CloudWatch agent or ADOT collector sidecar: metric
//! names and dimensions, never a datapoint. The agent only writes
//! (`cloudwatch:PutMetricData`, with the task role), which is not harmless to repeat,
//! so the probe lists the metrics of a namespace no agent writes: the empty answer
//! proves the endpoint serves, and nothing of the account's is read.

use crate::hop::calls::{ApiCall, Request};
use crate::net::aws_call::Protocol;
use crate::plan::Target;

/// A namespace no agent writes: the answer lists nothing.
pub const NO_SUCH_NAMESPACE: &str = "vpce-probe-endpoint-check";

pub struct ListMetrics;

impl ApiCall for ListMetrics {
    fn action(&self) -> &'static str {
        "cloudwatch:ListMetrics"
    }

    fn request(&self, _: &Target) -> Request {
        Request {
            protocol: Protocol::Query,
            path: "/".into(),
            body: format!("Action=ListMetrics&Version=2010-08-01&Namespace={NO_SUCH_NAMESPACE}"),
            resources: vec![],
        }
    }

    fn start_up(&self) -> &'static str {
        "cloudwatch:PutMetricData"
    }

    fn who_starts(&self) -> &'static str {
        "the CloudWatch agent calls"
    }

    fn unreadable(&self, body: &[u8]) -> Option<&'static str> {
        let text = String::from_utf8_lossy(body);
        (!text.contains("<ListMetricsResult") && !text.contains("<ListMetricsResponse"))
            .then_some("not the call's XML result")
    }
}
