//! `firehose:DescribeDeliveryStream` for a FireLens `firehose`/`kinesis_firehose`
//! output: the stream's metadata, never a record. The task definition's output names
//! no stream the probe reads, so it asks for one no account has: the
//! ResourceNotFoundException that answers proves the endpoint serves
//! (`--check firehose=NAME` describes a real stream). The log router sends with the
//! task role, not the execution role, and a failure loses logs, not the task.

use crate::hop::HopResult;
use crate::hop::calls::{ApiCall, Cx, Request, json11, telemetry_not_found};
use crate::plan::Target;

/// A name no account has: the answer proves the endpoint, and no stream is described.
pub const NO_SUCH_STREAM: &str = "vpce-probe-endpoint-check-no-such-stream";

pub struct DescribeDeliveryStream;

impl ApiCall for DescribeDeliveryStream {
    fn action(&self) -> &'static str {
        "firehose:DescribeDeliveryStream"
    }

    fn request(&self, t: &Target) -> Request {
        let (name, named) = match t.call_args.first() {
            Some(n) => (n.as_str(), vec![n.clone()]),
            None => (NO_SUCH_STREAM, vec![]),
        };
        json11(
            "Firehose_20150804.DescribeDeliveryStream",
            serde_json::json!({ "DeliveryStreamName": name }),
            named,
        )
    }

    fn start_up(&self) -> &'static str {
        "firehose:PutRecordBatch"
    }

    fn who_starts(&self) -> &'static str {
        "the log router calls"
    }

    fn error(&self, hop: HopResult, code: &str, _: &str, cx: &Cx) -> HopResult {
        telemetry_not_found(hop, code, cx, "delivery stream")
    }
}
