//! `kinesis:DescribeStreamSummary` for a FireLens `kinesis`/`kinesis_streams` output:
//! the stream's metadata, never a record. As for Firehose, a stream no account has is
//! asked for unless `--check kinesis=NAME` names one: its ResourceNotFoundException
//! proves the endpoint serves. The log router sends with the task role.

use crate::hop::HopResult;
use crate::hop::calls::{ApiCall, Cx, Request, json11, telemetry_not_found};
use crate::plan::Target;

pub struct DescribeStreamSummary;

impl ApiCall for DescribeStreamSummary {
    fn action(&self) -> &'static str {
        "kinesis:DescribeStreamSummary"
    }

    fn request(&self, t: &Target) -> Request {
        let (name, named) = match t.call_args.first() {
            Some(n) => (n.as_str(), vec![n.clone()]),
            None => (super::describe_delivery_stream::NO_SUCH_STREAM, vec![]),
        };
        json11(
            "Kinesis_20131202.DescribeStreamSummary",
            serde_json::json!({ "StreamName": name }),
            named,
        )
    }

    fn start_up(&self) -> &'static str {
        "kinesis:PutRecords"
    }

    fn who_starts(&self) -> &'static str {
        "the log router calls"
    }

    fn error(&self, hop: HopResult, code: &str, _: &str, cx: &Cx) -> HopResult {
        telemetry_not_found(hop, code, cx, "stream")
    }
}
