//! Reading an AWS AccessDenied message: which policy type denied the call, whether
//! the deny was explicit or implicit, and the policy's ARN when AWS names it.
//!
//! AWS words these messages the same way across services (docs/aws-facts.md#access-denied-wording):
//! "User: <principal> is not authorized to perform: <action> [on resource: <arn>]
//! because no <policy type> allows the <action> action" for an implicit deny, and
//! "… with an explicit deny in a|an <policy type>[: <policy arn>]" for an explicit one;
//! organization policies may add "transitively through a <policy type>". Every hop that
//! can be denied (token, manifest, blob, layer, logs, service calls) reads the message
//! here, so one wording change is one fix.

use crate::value_set::value_set;

value_set! {
    /// The policy type an AccessDenied message names.
    pub enum DeniedBy {
        /// An identity-based policy of the principal (role, user, group).
        IdentityPolicy = "identity_policy",
        /// The VPC endpoint's policy.
        VpcEndpointPolicy = "vpc_endpoint_policy",
        /// An explicit Deny in a policy type the message does not name.
        ExplicitDeny = "explicit_deny",
        /// A service control policy of the organization.
        ServiceControlPolicy = "service_control_policy",
        /// A resource control policy of the organization.
        ResourceControlPolicy = "resource_control_policy",
        /// A resource-based policy (a repository, secret, key or bucket policy).
        ResourcePolicy = "resource_policy",
        /// The principal's permissions boundary.
        PermissionsBoundary = "permissions_boundary",
        /// The session policy passed when the role was assumed.
        SessionPolicy = "session_policy",
        /// The message does not say.
        Unknown = "unknown",
    }
}

value_set! {
    /// Whether a Deny statement matched, or no Allow did.
    pub enum DenyKind {
        /// A Deny statement matched: no Allow anywhere overrides it.
        Explicit = "explicit",
        /// No statement allowed the action.
        Implicit = "implicit",
    }
}

/// What an AccessDenied message says, as far as AWS words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denial {
    pub by: DeniedBy,
    /// `None` when the message says neither "explicit deny" nor "because no … allows".
    pub kind: Option<DenyKind>,
    /// The denying policy's ARN, when AWS appends it (newer messages do for SCPs, RCPs
    /// and identity policies in the same account).
    pub policy_arn: Option<String>,
    /// "transitively through …": the policy applies through an organization's parent.
    pub transitive: bool,
    /// The principal the message names ("User: arn:aws:sts::…:assumed-role/…").
    pub principal: Option<String>,
    /// The IAM action ("perform: ecr:BatchGetImage").
    pub action: Option<String>,
}

impl Denial {
    pub fn is_explicit(&self) -> bool {
        self.kind == Some(DenyKind::Explicit)
    }
}

/// The policy types as AWS spells them, longest first where one contains another.
const TYPES: &[(&str, DeniedBy)] = &[
    ("identity-based policy", DeniedBy::IdentityPolicy),
    ("identity-based policies", DeniedBy::IdentityPolicy),
    ("resource-based policy", DeniedBy::ResourcePolicy),
    ("resource-based policies", DeniedBy::ResourcePolicy),
    ("permissions boundary", DeniedBy::PermissionsBoundary),
    ("permissions boundaries", DeniedBy::PermissionsBoundary),
    ("session policy", DeniedBy::SessionPolicy),
    ("session policies", DeniedBy::SessionPolicy),
    // The IAM guide's own example says "an explicit deny in a sessions policy".
    ("sessions policy", DeniedBy::SessionPolicy),
    ("service control policy", DeniedBy::ServiceControlPolicy),
    ("service control policies", DeniedBy::ServiceControlPolicy),
    ("resource control policy", DeniedBy::ResourceControlPolicy),
    ("resource control policies", DeniedBy::ResourceControlPolicy),
    // IAM counts a role's trust policy as a resource-based policy.
    ("role trust policy", DeniedBy::ResourcePolicy),
    ("vpc endpoint policy", DeniedBy::VpcEndpointPolicy),
    ("vpc endpoint policies", DeniedBy::VpcEndpointPolicy),
];

/// Messages longer than this are cut before reading: AWS's are a few hundred bytes,
/// and a hostile server must not make the reader scan megabytes.
const MAX_LEN: usize = 4096;

pub fn read(message: &str) -> Denial {
    let message = cut(message, MAX_LEN);
    let lower = message.to_ascii_lowercase();
    // ASCII lowering keeps byte offsets, so positions in `lower` index `message`.
    let explicit_at = lower.find("explicit deny");
    let implicit_at = find_because_no(&lower);
    let (kind, type_from) = match (explicit_at, implicit_at) {
        (Some(e), _) => (Some(DenyKind::Explicit), Some(e + "explicit deny".len())),
        (None, Some(i)) => (Some(DenyKind::Implicit), Some(i)),
        (None, None) => (None, None),
    };
    let named = type_from.and_then(|from| first_type(&lower[from..]).map(|(at, t)| (from + at, t)));
    let by = match (named, kind) {
        (Some((_, t)), _) => t.1,
        (None, Some(DenyKind::Explicit)) => DeniedBy::ExplicitDeny,
        // Older or shorter wordings still name a type somewhere.
        (None, _) => first_type(&lower).map_or(DeniedBy::Unknown, |(_, t)| t.1),
    };
    let policy_arn = named.and_then(|(at, t)| arn_after(&message[at + t.0.len()..]));
    Denial {
        by,
        kind,
        policy_arn,
        transitive: lower.contains("transitively through"),
        principal: after_word(message, &lower, "user: ").filter(|p| p.starts_with("arn:")),
        action: after_word(message, &lower, "perform: "),
    }
}

/// The accounts of a denial whose resource is in another account than its principal
/// ("User: arn:aws:sts::<mine>:… on resource: arn:aws:ecr:<r>:<theirs>:repository/…"):
/// `(resource account, principal account, resource ARN)`. None when either is not
/// named or they are the same.
pub fn cross_account(message: &str) -> Option<(String, String, String)> {
    let lower = message.to_ascii_lowercase();
    let principal = after_word(message, &lower, "user: ").filter(|p| p.starts_with("arn:"))?;
    let resource =
        after_word(message, &lower, "on resource: ").filter(|r| r.starts_with("arn:"))?;
    let account = |arn: &str| {
        arn.split(':')
            .nth(4)
            .filter(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()))
            .map(str::to_string)
    };
    let (theirs, mine) = (account(&resource)?, account(&principal)?);
    (theirs != mine).then_some((theirs, mine, resource))
}

/// Where the implicit-deny clause starts: "because no … allows".
fn find_because_no(lower: &str) -> Option<usize> {
    let at = lower.find("because no ")?;
    lower[at..].contains(" allow").then_some(at)
}

fn first_type(lower: &str) -> Option<(usize, &'static (&'static str, DeniedBy))> {
    TYPES
        .iter()
        .filter_map(|t| lower.find(t.0).map(|at| (at, t)))
        // The earliest mention is the clause's own; on a tie, the longer spelling.
        .min_by_key(|(at, t)| (*at, usize::MAX - t.0.len()))
}

/// ": arn:aws:organizations::…" right after the type.
fn arn_after(rest: &str) -> Option<String> {
    let rest = rest.trim_start_matches([':', ' ']);
    rest.starts_with("arn:").then(|| token(rest))
}

fn after_word(message: &str, lower: &str, word: &str) -> Option<String> {
    let at = lower.find(word)? + word.len();
    let t = token(&message[at..]);
    (!t.is_empty()).then_some(t)
}

/// One word, without the punctuation that ends a sentence around it.
fn token(s: &str) -> String {
    s.split_whitespace()
        .next()
        .unwrap_or("")
        .trim_end_matches(['.', ',', ';', ')', '"', '\''])
        .to_string()
}

fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let end = (0..=max)
        .rev()
        .find(|i| s.is_char_boundary(*i))
        .unwrap_or(0);
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_another_accounts_resource() {
        let m = "User: arn:aws:sts::123456789012:assumed-role/exec/abc is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:us-east-1:840364872350:repository/aws-appmesh-envoy because no VPC endpoint policy allows the ecr:BatchGetImage action";
        assert_eq!(
            cross_account(m),
            Some((
                "840364872350".into(),
                "123456789012".into(),
                "arn:aws:ecr:us-east-1:840364872350:repository/aws-appmesh-envoy".into()
            ))
        );
        assert_eq!(
            cross_account(&m.replace("840364872350", "123456789012")),
            None
        );
        assert_eq!(
            cross_account("User: arn:aws:sts::1:x is not authorized"),
            None
        );
    }

    #[test]
    fn implicit_and_explicit_read_the_type_and_the_arn() {
        let d = read(
            "User: arn:aws:sts::111122223333:assumed-role/app-exec/1f2e is not authorized to perform: ecr:GetAuthorizationToken on resource: * because no VPC endpoint policy allows the ecr:GetAuthorizationToken action",
        );
        assert_eq!(d.by, DeniedBy::VpcEndpointPolicy);
        assert_eq!(d.kind, Some(DenyKind::Implicit));
        assert_eq!(d.action.as_deref(), Some("ecr:GetAuthorizationToken"));
        assert_eq!(
            d.principal.as_deref(),
            Some("arn:aws:sts::111122223333:assumed-role/app-exec/1f2e")
        );
        let d = read(
            "User: arn:aws:iam::777788889999:user/MaryMajor is not authorized to perform: codecommit:ListRepositories with an explicit deny in a service control policy: arn:aws:organizations::777788889999:policy/o-exampleorgid/service_control_policy/p-examplepolicyid123",
        );
        assert_eq!(d.by, DeniedBy::ServiceControlPolicy);
        assert!(d.is_explicit());
        assert_eq!(
            d.policy_arn.as_deref(),
            Some(
                "arn:aws:organizations::777788889999:policy/o-exampleorgid/service_control_policy/p-examplepolicyid123"
            )
        );
    }

    #[test]
    fn an_explicit_deny_without_a_type_and_an_unworded_denial() {
        assert_eq!(read("explicit deny").by, DeniedBy::ExplicitDeny);
        let d = read("Access Denied");
        assert_eq!((d.by, d.kind), (DeniedBy::Unknown, None));
        assert_eq!(d.principal, None);
    }

    /// AWS's own wordings, from the IAM guide, the Security Blog and captured answers
    /// (tests/fixtures/real/access-denied/messages.json; sources in its README).
    #[test]
    fn reads_every_real_message_of_the_corpus() {
        #[derive(serde::Deserialize)]
        struct Case {
            text: String,
            policy_type: String,
            explicit: Option<bool>,
            policy_arn: Option<String>,
        }
        let cases: Vec<Case> = serde_json::from_str(include_str!(
            "../tests/fixtures/real/access-denied/messages.json"
        ))
        .unwrap();
        assert!(cases.len() >= 20);
        for c in cases {
            let d = read(&c.text);
            let want = match (c.policy_type.as_str(), c.explicit) {
                ("identity_based_policy", _) => DeniedBy::IdentityPolicy,
                ("resource_based_policy" | "role_trust_policy", _) => DeniedBy::ResourcePolicy,
                ("vpc_endpoint_policy", _) => DeniedBy::VpcEndpointPolicy,
                ("service_control_policy", _) => DeniedBy::ServiceControlPolicy,
                ("resource_control_policy", _) => DeniedBy::ResourceControlPolicy,
                ("permissions_boundary", _) => DeniedBy::PermissionsBoundary,
                ("session_policy", _) => DeniedBy::SessionPolicy,
                ("unspecified", Some(true)) => DeniedBy::ExplicitDeny,
                ("unspecified", _) => DeniedBy::Unknown,
                (other, _) => panic!("fixture policy type {other}"),
            };
            assert_eq!(d.by, want, "{}", c.text);
            let kind = c.explicit.map(|e| {
                if e {
                    DenyKind::Explicit
                } else {
                    DenyKind::Implicit
                }
            });
            if want != DeniedBy::Unknown {
                assert_eq!(d.kind, kind, "{}", c.text);
            }
            assert_eq!(d.policy_arn, c.policy_arn, "{}", c.text);
        }
    }

    #[test]
    fn long_hostile_messages_are_cut_not_scanned() {
        let long = format!("{}because no session policy allows", "x".repeat(10_000));
        assert_eq!(read(&long).by, DeniedBy::Unknown);
        let d = read("é".repeat(5000).as_str());
        assert_eq!(d.by, DeniedBy::Unknown);
    }
}
