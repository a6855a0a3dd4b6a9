//! The plan as a table, one step a line: what `--explain-plan` prints (checked against
//! tests/snapshots/plan.txt). Pure: a function of the plan.

use std::fmt::Write as _;

use super::{Action, Plan, StepId};

/// The table: step, target, the steps it waits for, what it produces.
pub fn render(plan: &Plan) -> String {
    let label = |id: &StepId| {
        plan.steps
            .get(id.0)
            .map(|s| s.label.as_str())
            .unwrap_or("?")
    };
    let rows: Vec<[String; 4]> = plan
        .steps
        .iter()
        .map(|s| {
            let target = match s.action {
                Action::Tcp(i) | Action::Tls(i) => plan
                    .targets
                    .get(i)
                    .map(|t| format!("{}:{}", t.host, t.port))
                    .unwrap_or_default(),
                _ => s.target.clone(),
            };
            let waits = match s.waits_for.is_empty() {
                true => "-".to_string(),
                false => s.waits_for.iter().map(label).collect::<Vec<_>>().join(", "),
            };
            [
                s.label.clone(),
                target,
                waits,
                s.produces.as_str().to_string(),
            ]
        })
        .collect();
    // The column names are the table's contract (a snapshot); NEEDS is the steps waited for.
    let head = ["STEP", "TARGET", "NEEDS", "PRODUCES"].map(String::from);
    let width = |c: usize| {
        rows.iter()
            .chain([&head])
            .map(|r| r[c].chars().count())
            .max()
            .unwrap_or(0)
    };
    let (w0, w1, w2) = (width(0), width(1), width(2));
    let mut out = String::new();
    for r in std::iter::once(&head).chain(&rows) {
        let _ = writeln!(out, "{:<w0$}  {:<w1$}  {:<w2$}  {}", r[0], r[1], r[2], r[3]);
    }
    out
}
