//! Reading the input into reasons, bounded by the work: the JSON of `aws ecs
//! describe-tasks`, or text where a line that does not start a reason continues the
//! one before (posters' and terminals' line wraps); identical reasons are counted
//! once; past [`MAX_REASONS`] distinct ones the rest is counted, not explained.

use std::collections::HashMap;

use super::grammar::is_error_name;

/// Distinct reasons explained in one run; more is a log, not a set of stopped tasks
/// (a describe-tasks answer holds at most 100 tasks of at most 10 containers, and
/// their reasons repeat).
pub const MAX_REASONS: usize = 200;

/// One reason to explain, with how often it occurred.
#[derive(Debug, Clone, PartialEq)]
pub struct Reason {
    pub source: String,
    pub text: String,
    pub count: u64,
}

/// What reading found and left.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Reading {
    pub reasons: Vec<Reason>,
    /// Reasons read, repeats included.
    pub read: u64,
    /// Distinct reasons past [`MAX_REASONS`], not explained.
    pub dropped: u64,
}

/// Words that start a reason when a line begins with them (besides an error name):
/// wrappers of the console and of service events, the stops ECS itself writes, and the
/// agent's templates that carry no error name.
const HEADS: &[&str] = &[
    "(service ",
    "service ",
    "status reason",
    "stopped reason",
    "container message",
    "stopped (",
    "task failed",
    "task stopped",
    "essential container",
    "scaling activity",
    "your spot task",
    "host ec2",
    "error response from daemon",
    "api error (",
    "could not transition to",
    "ref pull has been retried",
    "pull image manifest has been retried",
    "inspect image has been retried",
    "outofmemory",
    "fetching secret data from",
];

/// The AWS SDK's own error names: inside a reason's chain, never its start (a wrapped
/// line may begin with one).
const SDK_ERRORS: &[&str] = &[
    "requesterror",
    "serializationerror",
    "credentialsendpointerror",
    "responseerror",
];

fn starts_reason(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    let first = line.split([' ', ':']).next().unwrap_or("");
    let sdk = SDK_ERRORS.contains(&first.to_ascii_lowercase().as_str());
    (is_error_name(first) && !sdk) || HEADS.iter().any(|h| lower.starts_with(h))
}

pub fn read(input: &str) -> Reading {
    let mut acc = Accumulator::default();
    if let Ok(doc) = serde_json::from_str::<serde_json::Value>(input)
        && let Some(tasks) = doc.get("tasks").and_then(|t| t.as_array())
    {
        for t in tasks {
            let id = t["taskArn"]
                .as_str()
                .and_then(|a| a.rsplit('/').next())
                .unwrap_or("?");
            if let Some(r) = t["stoppedReason"].as_str() {
                acc.push(format!("task {id}"), r.trim());
            }
            for c in t["containers"].as_array().into_iter().flatten() {
                if let Some(r) = c["reason"].as_str() {
                    let name = c["name"].as_str().unwrap_or("?");
                    acc.push(format!("task {id} container {name}"), r.trim());
                }
            }
        }
        return acc.done();
    }
    let mut current = String::new();
    for line in input.lines().map(str::trim) {
        if line.is_empty() {
            acc.flush(&mut current);
            continue;
        }
        if !current.is_empty() && starts_reason(line) {
            acc.flush(&mut current);
        }
        if !current.is_empty() {
            current.push(' ');
        }
        // A reason is at most 1024 bytes; a run of continuation lines past a few times
        // that is not one, and its words need not be kept.
        if current.len() < 16 * 1024 {
            current.push_str(line);
        }
    }
    acc.flush(&mut current);
    acc.done()
}

#[derive(Default)]
struct Accumulator {
    reading: Reading,
    seen: HashMap<String, usize>,
}

impl Accumulator {
    fn flush(&mut self, current: &mut String) {
        if !current.is_empty() {
            let text = std::mem::take(current);
            self.push("text".to_string(), &text);
        }
    }

    fn push(&mut self, source: String, text: &str) {
        if text.is_empty() {
            return;
        }
        self.reading.read += 1;
        if let Some(&i) = self.seen.get(text) {
            self.reading.reasons[i].count += 1;
        } else if self.reading.reasons.len() < MAX_REASONS {
            self.seen
                .insert(text.to_string(), self.reading.reasons.len());
            self.reading.reasons.push(Reason {
                source,
                text: text.to_string(),
                count: 1,
            });
        } else {
            self.reading.dropped += 1;
        }
    }

    fn done(self) -> Reading {
        self.reading
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_lines_are_one_reason() {
        let r = read(
            "ResourceInitializationError: unable to pull secrets or registry auth: execution\n  resource retrieval failed: unable to retrieve ecr registry auth: service call has\nbeen retried 3 time(s): RequestError: send request failed\ncaused by: Post \"https://api.ecr.us-east-1.amazonaws.com/\": dial tcp 52.1.2.3:443: i/o timeout\nCannotPullContainerError: API error (404)\n",
        );
        assert_eq!(r.reasons.len(), 2, "{r:?}");
        assert!(r.reasons[0].text.contains("execution resource retrieval"));
        assert!(r.reasons[0].text.ends_with("i/o timeout"));
    }

    #[test]
    fn repeats_are_counted_and_the_rest_dropped() {
        let mut input = "Essential container in task exited\n".repeat(1000);
        for i in 0..(MAX_REASONS + 50) {
            input.push_str(&format!("CannotPullContainerError: x{i}\n"));
        }
        let r = read(&input);
        assert_eq!(r.reasons[0].count, 1000);
        assert_eq!(r.reasons.len(), MAX_REASONS);
        assert_eq!(r.dropped, 51);
        assert_eq!(r.read, 1000 + MAX_REASONS as u64 + 50);
    }
}
