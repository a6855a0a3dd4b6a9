//! `sts:GetCallerIdentity`: which principal signs (it needs no permission). The one
//! Query-protocol call: a form body, an XML answer.

use crate::hop::HopResult;
use crate::hop::calls::{ApiCall, Cx, Request, Token};
use crate::net::aws_call::{self, Answer, Protocol};
use crate::plan::Target;

pub struct GetCallerIdentity;

impl ApiCall for GetCallerIdentity {
    fn action(&self) -> &'static str {
        "sts:GetCallerIdentity"
    }

    fn request(&self, _: &Target) -> Request {
        Request {
            protocol: Protocol::Query,
            path: "/".into(),
            body: "Action=GetCallerIdentity&Version=2011-06-15".into(),
            resources: vec![],
        }
    }

    fn start_up(&self) -> &'static str {
        "sts:AssumeRole / AssumeRoleWithWebIdentity"
    }

    fn unreadable(&self, body: &[u8]) -> Option<&'static str> {
        let text = String::from_utf8_lossy(body);
        (!text.contains("<GetCallerIdentityResult")).then_some("not the call's XML result")
    }

    fn answered(&self, mut hop: HopResult, a: &Answer, _: &Cx) -> (HopResult, Option<Token>) {
        let text = String::from_utf8_lossy(&a.body);
        hop.evidence.call().caller_arn = aws_call::xml_text(&text, "Arn");
        (hop, None)
    }
}
