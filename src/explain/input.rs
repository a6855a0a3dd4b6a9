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
    // The EBS volume attachment's status reasons (AWS's "Status reasons for Amazon EBS
    // volume attachment to Amazon ECS tasks").
    "ecs was unable to assume the configured ecs infrastructure role",
    "ecs failed to set up the ebs volume",
    "ecs timed out while configuring",
];

/// The AWS SDK's own error names: inside a reason's chain, never its start (a wrapped
/// line may begin with one).
const SDK_ERRORS: &[&str] = &[
    "requesterror",
    "serializationerror",
    "credentialsendpointerror",
    "responseerror",
    // The JavaScript SDK v2's nesting of the error a chain wraps.
    "originalerror",
];

fn starts_reason(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    let first = line.split([' ', ':']).next().unwrap_or("");
    let sdk = SDK_ERRORS.contains(&first.to_ascii_lowercase().as_str());
    // The agent's retry wrapper ("service call has been retried …") continues a chain.
    let continuation = lower.starts_with("service call");
    (is_error_name(first) && !sdk) || (!continuation && HEADS.iter().any(|h| lower.starts_with(h)))
}

/// Labels the console and the CLI print above or before a reason, in any case, with or
/// without a colon: not reasons themselves.
const LABELS: &[&str] = &[
    "stopped reason",
    "status reason",
    "stop reason",
    "stopped at",
    "stop code",
    "container message",
    "reason",
    "details",
    "error",
    "message",
];

/// The line without what a renderer or a poster put around the reason: a Markdown
/// table's other cells and pipes, list and quote markers, a progress renderer's task tag
/// (copilot's `- [10f3cb5a]: `), a log timestamp, inline-code backticks. `None`: the
/// line is a header, not part of any reason.
fn clean(raw: &str) -> Option<String> {
    let mut line = raw.trim();
    let cell;
    if is_table_row(raw) {
        cell = table_cell(line);
        line = cell.as_str();
    }
    loop {
        let before = line;
        for marker in ["- ", "* ", "> ", "+ ", "• "] {
            line = line.strip_prefix(marker).unwrap_or(line).trim_start();
        }
        line = strip_tag(line);
        line = strip_timestamp(line);
        if line == before {
            break;
        }
    }
    // A Markdown code fence (with or without its language) is no text of the reason.
    if line.starts_with("```") || line.starts_with("~~~") {
        return Some(String::new());
    }
    let line = line.trim_matches(|c: char| c == '`' || c.is_whitespace());
    let field;
    let line = match json_field(line) {
        Some(value) => {
            field = value;
            field.as_str()
        }
        None => unquoted(line),
    };
    if is_header(line) {
        return None;
    }
    // Text copied from a rendered page keeps HTML's escapes of quotes and brackets.
    let mut out = line.to_string();
    for (entity, c) in [
        ("&quot;", "\""),
        ("&#34;", "\""),
        ("&#39;", "'"),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&amp;", "&"),
    ] {
        if out.contains(entity) {
            out = out.replace(entity, c);
        }
    }
    Some(out)
}

/// A line of `describe-tasks` JSON pasted as text (`"stoppedReason": "…",`), or of
/// the same answer as Python prints it (boto3's dict in an Airflow or Prefect log:
/// `'stoppedReason': '…',`), or of a Batch job (`statusReason`): the string's value,
/// its escaped quotes undone.
fn json_field(line: &str) -> Option<String> {
    let lower = line.to_ascii_lowercase();
    let key = ["stoppedreason", "statusreason", "reason"]
        .into_iter()
        .find_map(|k| {
            ['"', '\'']
                .into_iter()
                .map(|q| format!("{q}{k}{q}:"))
                .find(|key| lower.starts_with(key.as_str()))
        })?;
    let value = line[key.len()..].trim().trim_end_matches(',').trim();
    let quote = value.chars().next().filter(|c| matches!(c, '"' | '\''))?;
    let value = &value[1..];
    let value = value.strip_suffix(quote).unwrap_or(value);
    Some(value.replace(&format!("\\{quote}"), &quote.to_string()))
}

/// A reason pasted in quotes (`"CannotPullContainerError: …",`): without them, so its
/// error name starts it.
fn unquoted(line: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = line.strip_prefix(q)
            && inner.split([':', ' ']).next().is_some_and(is_error_name)
        {
            let inner = inner.trim_end_matches([',', ';']);
            return inner.strip_suffix(q).unwrap_or(inner);
        }
    }
    line
}

/// `[10f3cb5a]: `, `[web]: `: a bracketed tag of one word, then a colon.
fn strip_tag(line: &str) -> &str {
    let Some(rest) = line.strip_prefix('[') else {
        return line;
    };
    match rest.split_once(']') {
        Some((tag, after))
            if !tag.is_empty()
                && tag.len() <= 64
                && !tag.contains(char::is_whitespace)
                && after.starts_with(':') =>
        {
            after[1..].trim_start()
        }
        _ => line,
    }
}

/// A log line's leading ISO time (`2023-10-15T14:29:49.532Z `, `2024-01-02 03:04:05 `).
fn strip_timestamp(line: &str) -> &str {
    let b = line.as_bytes();
    let date = b.len() > 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[7] == b'-'
        && b[5..7].iter().chain(&b[8..10]).all(u8::is_ascii_digit);
    if !date {
        return line;
    }
    let end = line
        .find(|c: char| c.is_whitespace())
        .map(|i| {
            // "2024-01-02 03:04:05": the time is a second word.
            let rest = &line[i..].trim_start();
            let time = rest.split_whitespace().next().unwrap_or("");
            if time.len() >= 5 && time.as_bytes()[2] == b':' {
                line.len() - rest.len() + time.len()
            } else {
                i
            }
        })
        .unwrap_or(line.len());
    line[end..]
        .trim_start_matches([' ', '\t', '|', '-', ']'])
        .trim_start()
}

/// A console or CLI header line: a bare label ("Stopped reason", "Reason:"), or a label
/// of a few words whose value is a time ("Stopped at: 2023-10-15T14:29:49Z", "Tarea
/// detenida en: …"): whatever the language, its value is no reason.
fn is_header(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    let bare = lower.trim_end_matches([':', ' ']);
    if LABELS.contains(&bare) {
        return true;
    }
    let Some((label, value)) = line.split_once(": ") else {
        return false;
    };
    let first = label.split_whitespace().next().unwrap_or("");
    label.split_whitespace().count() <= 5
        && !is_error_name(first)
        && !label.contains(['(', ')'])
        && (strip_timestamp(value.trim()).is_empty() || is_date_time(value))
}

/// A date and time as a console prints it in the reader's locale ("6/22/2023,
/// 09:28:18 UTC", "Jun 22, 2023, 9:28:18 AM (UTC+09:00)", "2023/06/22 9:28"): digits
/// and separators, month names, AM/PM and zone words, and a time in it.
fn is_date_time(value: &str) -> bool {
    const WORDS: &[&str] = &[
        "utc", "gmt", "am", "pm", "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
        "sept", "oct", "nov", "dec",
    ];
    let value = value.trim();
    let numeric = |t: &str| {
        t.chars().any(|c| c.is_ascii_digit())
            && t.chars()
                .all(|c| c.is_ascii_digit() || "/-:.+TZ()".contains(c))
    };
    value.contains(':')
        && value.chars().any(|c| c.is_ascii_digit())
        && value.split([' ', ',']).filter(|t| !t.is_empty()).all(|t| {
            let word = t.trim_matches(['(', ')', '.']).to_ascii_lowercase();
            numeric(t)
                || WORDS.contains(&word.as_str())
                || WORDS
                    .iter()
                    .any(|w| word.len() > 3 && w.len() >= 3 && word.starts_with(w))
                || (word.starts_with("utc") && numeric(&word[3..]))
        })
}

/// A Markdown table row (`| a | b |`), not its separator.
fn is_table_row(raw: &str) -> bool {
    let t = raw.trim();
    t.starts_with('|') && t.matches('|').count() >= 2
}

/// The cell of a table row that holds the reason: the one that starts one, else the
/// longest (the others are ids, dates, counts). A separator row yields nothing.
fn table_cell(row: &str) -> String {
    let cells: Vec<String> = row
        .trim_matches('|')
        .split('|')
        .map(|c| {
            c.replace("<br>", " ")
                .replace("<br/>", " ")
                .trim()
                .to_string()
        })
        .collect();
    if cells.iter().all(|c| c.chars().all(|ch| "-: ".contains(ch))) {
        return String::new();
    }
    let unquoted = |c: &String| c.trim_matches('`').to_string();
    cells
        .iter()
        .map(unquoted)
        .find(|c| starts_reason(c))
        .or_else(|| cells.iter().map(unquoted).max_by_key(String::len))
        .unwrap_or_default()
}

/// Trailing padding of a renderer that fills each row to a column (more than the two
/// spaces of a Markdown line break).
fn is_padded(raw: &str) -> bool {
    raw.len() - raw.trim_end().len() >= 3
}

/// The column a padded block wraps at: the longest padded row, when two rows or more
/// are padded.
fn padded_width(input: &str) -> Option<usize> {
    let rows: Vec<usize> = input
        .lines()
        .filter(|l| is_padded(l) && !l.trim().is_empty())
        .map(|l| l.trim_end().len())
        .collect();
    (rows.len() >= 2)
        .then(|| rows.iter().copied().max())
        .flatten()
}

/// Whether a line continues the last word of the text before it: a renderer that
/// wrapped a full row mid-word ("…secrets or reg" / "istry auth"), or broke a long
/// name before a hyphen ("…/django-app-test" / "-django-ExecutionRole").
fn glued(before: &str, line: &str, full_row: bool) -> bool {
    let end = before.chars().next_back().unwrap_or(' ');
    let start = line.chars().next().unwrap_or(' ');
    let word = |c: char| c.is_ascii_alphanumeric();
    if full_row {
        return (word(end) && (word(start) || start == '-')) || (end == '-' && word(start));
    }
    let last = before.rsplit(char::is_whitespace).next().unwrap_or("");
    word(end) && start == '-' && last.contains(['-', '/'])
}

pub fn read(input: &str) -> Reading {
    let mut acc = Accumulator::default();
    if let Some(docs) = json_documents(input) {
        let mut tasks = 0;
        for doc in &docs {
            tasks += push_tasks(&mut acc, doc, 0);
        }
        // No task anywhere: the answer of a `--query` that kept only the reasons
        // (`tasks[].[stoppedReason, containers[].reason]`), arrays of strings.
        if tasks == 0 {
            for doc in &docs {
                push_strings(&mut acc, doc, 0);
            }
        }
        // JSON with no task and no list of reasons (an error body an SDK printed, a
        // service's answer): its text is the reason. Tasks whose reasons are all empty
        // are tasks with no reason, not text.
        if tasks > 0 || acc.reading.read > 0 {
            return acc.done();
        }
    }
    let width = padded_width(input);
    let mut current = String::new();
    // Whether the line joined last was a full row of a padded block (a renderer that
    // wraps at a column, mid-word, and pads each row with spaces).
    let mut full_row = false;
    let mut held = false;
    let mut last_line = String::new();
    let mut opened_stamped = false;
    for raw in input.lines() {
        let Some(line) = clean(raw) else {
            // A console header ("Stopped at: <time>", in any language) or a bare label:
            // no reason of its own, and the end of the one before.
            acc.flush(&mut current);
            full_row = false;
            continue;
        };
        let line = line.as_str();
        // A blank line ends a reason, unless its last line is one short link ending on
        // its colon (a poster who double-spaced the chain, one link a line) and the
        // next line does not start a reason of its own: then it is held until that
        // line says. An AWS exception's name (`…Exception:`) is the next link, not a
        // new reason.
        let open_link = last_line.len() <= MAX_LINK && last_line.ends_with(':');
        if (line.is_empty() && !open_link) || (is_table_row(raw) && !current.is_empty()) {
            acc.flush(&mut current);
        }
        if line.is_empty() {
            held |= open_link;
            full_row = false;
            continue;
        }
        let exception = line
            .split([' ', ':'])
            .next()
            .is_some_and(|w| w.ends_with("Exception"));
        if std::mem::take(&mut held) && starts_reason(line) && !exception {
            acc.flush(&mut current);
        }
        last_line = line.trim_end().to_string();
        // A lone error name on its own line ("TaskFailedToStart:", the stop code a
        // console puts above its reason) opens the reason on the next line.
        let lone_name = current.ends_with(':') && !current.contains(' ');
        // A log's lines pasted together stay one text (one line's words explain
        // another's); a log line under a reason that is none is a record of its own.
        // A link left open ("…failed to resolve ref <ref>:") goes on, whatever the
        // next line starts with.
        let is_log = stamped(raw);
        let log_after_reason = is_log && !opened_stamped && !current.trim_end().ends_with(':');
        if !current.is_empty() && (starts_reason(line) || log_after_reason) && !lone_name {
            acc.flush(&mut current);
        }
        if current.is_empty() {
            opened_stamped = is_log;
        }
        if !current.is_empty() && !glued(&current, line, full_row) {
            current.push(' ');
        }
        // A reason is at most 1024 bytes; a run of continuation lines past a few times
        // that is not one, and its words need not be kept.
        if current.len() < 16 * 1024 {
            current.push_str(line);
        }
        full_row = width.is_some_and(|w| raw.trim_end().len() == w && is_padded(raw));
    }
    acc.flush(&mut current);
    acc.done()
}

/// A log line: it opens with its time (an ISO stamp, Fluent Bit's
/// `[2024/05/02 10:11:12]`) or logrus' and the agent's logfmt keys. A wrap never repeats the time,
/// so under a reason that is no log line it is a new record, not that reason continued
/// (a log router's resolver line pasted under a stopped reason would lend it its cause).
fn stamped(raw: &str) -> bool {
    let t = raw.trim_start();
    let b = t.as_bytes();
    let bracketed = b.len() > 6
        && b[0] == b'['
        && b[1..5].iter().all(u8::is_ascii_digit)
        && matches!(b[5], b'/' | b'-');
    let logfmt = ["level=", "time="].iter().any(|k| t.starts_with(k));
    bracketed || logfmt || syslog(t) || strip_timestamp(t).len() != t.len()
}

/// A syslog or journal line's time ("Jan 15 10:00:00 host dockerd[3012]: …").
fn syslog(t: &str) -> bool {
    const MONTHS: [&str; 12] = [
        "Jan ", "Feb ", "Mar ", "Apr ", "May ", "Jun ", "Jul ", "Aug ", "Sep ", "Oct ", "Nov ",
        "Dec ",
    ];
    let Some(rest) = MONTHS.iter().find_map(|m| t.strip_prefix(m)) else {
        return false;
    };
    let b = rest.trim_start().as_bytes();
    let day = b.iter().take_while(|c| c.is_ascii_digit()).count();
    (1..=2).contains(&day)
        && b.get(day) == Some(&b' ')
        && b.len() > day + 9
        && b[day + 3] == b':'
        && b[day + 6] == b':'
}

/// The longest line read as one link of a double-spaced chain.
const MAX_LINK: usize = 60;

/// How deep the JSON walk goes: a describe-tasks answer is three levels to a
/// container's reason, an EventBridge event four, an exported log event one more.
const MAX_DEPTH: usize = 8;

/// The input as JSON: one document, or one per line (EventBridge events as a log
/// export or `jq -c` prints them). `None` when it is text.
fn json_documents(input: &str) -> Option<Vec<serde_json::Value>> {
    let trimmed = input.trim_start();
    if !trimmed.starts_with(['{', '[']) {
        return None;
    }
    if let Ok(doc) = serde_json::from_str(input) {
        return Some(vec![doc]);
    }
    let docs: Vec<serde_json::Value> = input
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).ok())
        .collect::<Option<_>>()?;
    (!docs.is_empty()).then_some(docs)
}

/// Every ECS task in the document, wherever it sits: describe-tasks' `tasks[]`, an
/// EventBridge "ECS Task State Change" event's `detail`, a single task or an array of
/// them (`--query 'tasks[0]'`), a log export whose `message` holds an event as a
/// string, a Step Functions `runTask.sync` failure whose `Cause` is the task in the
/// Java SDK's PascalCase, and an AWS Batch job (describe-jobs, "Batch Job State
/// Change"), which carries the ECS reasons of its attempts. Returns how many tasks
/// and jobs it found.
fn push_tasks(acc: &mut Accumulator, v: &serde_json::Value, depth: usize) -> usize {
    if depth > MAX_DEPTH {
        return 0;
    }
    match v {
        serde_json::Value::Object(o) if field(o, "jobId").or(field(o, "jobArn")).is_some() => {
            push_job(acc, o);
            1
        }
        serde_json::Value::Object(o)
            if field(o, "taskArn").or(field(o, "stoppedReason")).is_some() =>
        {
            let id = last_segment(text_field(o, "taskArn"));
            if let Some(r) = text_field(o, "stoppedReason") {
                acc.push(format!("task {id}"), r.trim());
            }
            // A container on its own (`--query 'tasks[0].containers[0]'`) also names
            // its task: its `reason` is the container's.
            if let Some(r) = text_field(o, "reason") {
                let name = text_field(o, "name").unwrap_or("?");
                acc.push(format!("task {id} container {name}"), r.trim());
            }
            for c in array_field(o, "containers") {
                let Some(c) = c.as_object() else { continue };
                if let Some(r) = text_field(c, "reason") {
                    let name = text_field(c, "name").unwrap_or("?");
                    acc.push(format!("task {id} container {name}"), r.trim());
                }
            }
            1
        }
        serde_json::Value::Object(o) => {
            // RunTask's and StartTask's `failures[]` ({arn, reason}, any key case):
            // the reason is ECS's word for why no task started there.
            let mut found = 0;
            for f in array_field(o, "failures") {
                let Some(f) = f.as_object() else { continue };
                if let Some(r) = text_field(f, "reason") {
                    let of = last_segment(text_field(f, "arn"));
                    acc.push(format!("failure {of}"), r.trim());
                    found += 1;
                }
            }
            found
                + o.values()
                    .map(|v| push_tasks(acc, v, depth + 1))
                    .sum::<usize>()
        }
        serde_json::Value::Array(a) => a.iter().map(|v| push_tasks(acc, v, depth + 1)).sum(),
        serde_json::Value::String(s) if s.trim_start().starts_with('{') => {
            serde_json::from_str(s).map_or(0, |inner| push_tasks(acc, &inner, depth + 1))
        }
        _ => 0,
    }
}

/// An AWS Batch job's reasons (its API model: `statusReason`, `container.reason`,
/// `attempts[].statusReason`, `attempts[].container.reason`): the container's reason
/// is the ECS agent's or Fargate's text, the status reason Batch's summary of it
/// ("Task failed to start", "Essential container in task exited"). The same text
/// in two places is one reason, counted twice.
fn push_job(acc: &mut Accumulator, job: &serde_json::Map<String, serde_json::Value>) {
    let id = text_field(job, "jobId")
        .or_else(|| text_field(job, "jobArn").map(|a| last_segment(Some(a))))
        .unwrap_or("?");
    let attempts = array_field(job, "attempts").filter_map(|a| a.as_object());
    for holder in std::iter::once(job).chain(attempts) {
        let container = field(holder, "container").and_then(|c| c.as_object());
        if let Some(r) = container.and_then(|c| text_field(c, "reason")) {
            acc.push(format!("job {id} container"), r.trim());
        }
        if let Some(r) = text_field(holder, "statusReason") {
            acc.push(format!("job {id}"), r.trim());
        }
    }
}

/// A field by its name in any case: the ECS API's camelCase, and the PascalCase of
/// the Java SDK that Step Functions serializes its tasks with.
fn field<'a>(
    o: &'a serde_json::Map<String, serde_json::Value>,
    name: &str,
) -> Option<&'a serde_json::Value> {
    o.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

fn text_field<'a>(
    o: &'a serde_json::Map<String, serde_json::Value>,
    name: &str,
) -> Option<&'a str> {
    field(o, name).and_then(|v| v.as_str())
}

fn array_field<'a>(
    o: &'a serde_json::Map<String, serde_json::Value>,
    name: &str,
) -> impl Iterator<Item = &'a serde_json::Value> {
    field(o, name)
        .and_then(|v| v.as_array())
        .into_iter()
        .flatten()
}

/// An ARN's last path segment (a task's or a job's id), `?` when there is none.
fn last_segment(arn: Option<&str>) -> &str {
    arn.and_then(|a| a.rsplit('/').next()).unwrap_or("?")
}

/// The strings of arrays, as reasons: what a `--query` for the reasons alone prints.
fn push_strings(acc: &mut Accumulator, v: &serde_json::Value, depth: usize) {
    match v {
        _ if depth > MAX_DEPTH => {}
        serde_json::Value::Array(a) => a.iter().for_each(|v| push_strings(acc, v, depth + 1)),
        serde_json::Value::String(s) => acc.push("text".to_string(), s.trim()),
        _ => {}
    }
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

    /// A log line (its time or level first) under a reason that is no log line is a
    /// record of its own; a log's own lines stay one text.
    #[test]
    fn a_log_line_under_a_reason_is_a_record_of_its_own() {
        let input = "CannotPullContainerError: pull image manifest has been retried 5 time(s): \
                     failed to resolve ref r/app:latest: failed to do request: Head \"https://r/\": \
                     dial tcp 10.0.1.5:443: i/o timeout\n\
                     [2024/05/02 10:11:12] [ warn] [net] getaddrinfo(host='logs.us-east-1.amazonaws.com', \
                     err=12): Timeout while contacting DNS servers\n\
                     level=error time=2024-05-02T10:11:13Z msg=\"Unable to register\"\n\
                     2024-05-02T10:11:14Z [ERROR] the agent's own line";
        let t = texts(input);
        assert_eq!(t.len(), 2, "{t:?}");
        assert!(t[0].ends_with("i/o timeout"), "{t:?}");
        // The log's own lines stay together.
        assert!(t[1].starts_with("[2024/05/02"), "{t:?}");
        assert!(t[1].ends_with("the agent's own line"), "{t:?}");
        // A wrapped reason still joins: its second line carries no time; nor does a
        // link left open on its colon.
        assert_eq!(texts("TaskFailedToStart: a reason\nwrapped here").len(), 1);
        assert_eq!(
            texts("CannotPullContainerError: failed to resolve ref r/web:latest:\n2024-01-15T10:00:05Z failed to do request").len(),
            1
        );
        // A journal's line is a log line too.
        let t = texts(
            "CannotPullContainerError: dial tcp 10.0.0.5:443: i/o timeout\nJan 15 10:00:00 ip-10-0-0-1 dockerd[3012]: level=warning msg=\"port is already allocated\"",
        );
        assert_eq!(t.len(), 2, "{t:?}");
    }

    /// A stop code on its own line opens the reason below it, even one that would start
    /// a reason of its own; two such reasons still stay two.
    #[test]
    fn a_lone_error_name_opens_the_next_line() {
        let r = texts(
            "TaskFailedToStart:\nECS failed to set up the EBS volume. Encountered IdempotentParameterMismatch\nECS timed out while configuring the EBS volume attachment to your Task\n",
        );
        assert_eq!(
            r,
            [
                "TaskFailedToStart: ECS failed to set up the EBS volume. Encountered IdempotentParameterMismatch",
                "ECS timed out while configuring the EBS volume attachment to your Task"
            ],
            "{r:?}"
        );
    }

    /// A progress renderer that wraps at a column mid-word and pads every row (copilot's
    /// `- [task]: ` lines): one reason, its words whole again.
    #[test]
    fn a_padded_column_wrap_is_glued_back() {
        let rows = [
            "   - [0a1b2c3d]: ResourceInitializationError: unable to pull secrets or reg",
            "     istry auth: execution resource retrieval failed: unable to retrieve se",
            "     crets from asm: service call has been retried 1 time(s): AccessDeniedE",
            "     xception: User: arn:aws:sts::111122223333:assumed-role/app-test",
            "     -web-ExecutionRole-ABC/0a1b2c3d is not authorized to perform: secretsm",
        ];
        let width = rows.iter().map(|r| r.len()).max().unwrap_or(0) + 20;
        let text: String = rows.iter().map(|r| format!("{r:<width$}\n")).collect();
        let r = read(&text);
        assert_eq!(r.reasons.len(), 1, "{r:?}");
        let t = &r.reasons[0].text;
        assert!(
            t.starts_with(
                "ResourceInitializationError: unable to pull secrets or registry auth: execution"
            ),
            "{t}"
        );
        assert!(t.contains("retrieve secrets from asm: service call"), "{t}");
        assert!(t.contains("AccessDeniedException: User"), "{t}");
        assert!(
            t.contains("assumed-role/app-test-web-ExecutionRole-ABC"),
            "{t}"
        );
    }

    /// Console headers in any language and bare labels are not reasons; a retry wrapper
    /// at a line's start continues the chain; a Markdown table row gives its reason cell.
    #[test]
    fn headers_labels_and_tables() {
        let one = texts(
            "Stopped at: 2024-03-01T10:00:00.000Z\nTarea detenida en: 2023-10-15T14:29:49.532Z\nStopped reason\nResourceInitializationError: unable to pull secrets or registry auth:\nexecution resource retrieval failed: unable to retrieve secret from asm:\nservice call has been retried 1 time(s): retrieved secret from Secrets Manager\ndid not contain json key k.\n",
        );
        assert_eq!(one.len(), 1, "{one:?}");
        assert!(one[0].starts_with("ResourceInitializationError"), "{one:?}");
        assert!(one[0].ends_with("json key k."), "{one:?}");
        assert_eq!(
            texts(
                "| task | stopped reason |\n|---|---|\n| 1a2b | `CannotPullContainerError: unknown blob` |\n| 3c4d | Essential container in task exited |\n"
            ),
            [
                "CannotPullContainerError: unknown blob",
                "Essential container in task exited"
            ]
        );
        assert_eq!(
            texts(
                "2024-01-02T03:04:05Z CannotPullContainerError: timeout\n> [web]: CannotStartContainerError: x\n"
            ),
            [
                "CannotPullContainerError: timeout",
                "CannotStartContainerError: x"
            ]
        );
    }

    /// Code fences, quotes around a pasted reason and HTML escapes are the page's, not
    /// the reason's.
    #[test]
    fn fences_quotes_and_escapes() {
        assert_eq!(
            texts(
                "```text\n\"CannotPullContainerError: failed to resolve ref &quot;x&quot;: not found\",\n```\n"
            ),
            ["CannotPullContainerError: failed to resolve ref \"x\": not found"]
        );
    }

    /// `describe-tasks` JSON pasted as text, a line at a time: the values.
    #[test]
    fn json_lines_pasted_as_text() {
        assert_eq!(
            texts(
                "    \"stoppedReason\": \"CannotPullContainerError: failed to resolve ref \\\"x\\\": not found\",\n"
            ),
            ["CannotPullContainerError: failed to resolve ref \"x\": not found"]
        );
    }

    /// Tasks wherever AWS puts them: an EventBridge event, one per line as a log
    /// export holds them, a single task, a `--query` of the reasons alone.
    #[test]
    fn tasks_in_any_json_shape() {
        let event = r#"{"detail-type":"ECS Task State Change","source":"aws.ecs","resources":["arn:aws:ecs:eu-west-1:111122223333:task/c/abc"],"detail":{"containers":[{"name":"web","reason":"CannotPullContainerError: x"}],"stoppedReason":"Task failed to start","taskArn":"arn:aws:ecs:eu-west-1:111122223333:task/c/abc"}}"#;
        assert_eq!(
            sourced(event),
            [
                "task abc | Task failed to start",
                "task abc container web | CannotPullContainerError: x"
            ]
        );
        let lines = format!("{event}\n{event}\n");
        assert_eq!(read(&lines).reasons[1].count, 2);
        let export = serde_json::json!({"events": [{"message": event}]}).to_string();
        assert_eq!(read(&export).reasons.len(), 2);
        assert_eq!(
            texts(
                r#"{"taskArn":"arn:aws:ecs:r:1:task/c/t","stoppedReason":"Essential container in task exited"}"#
            ),
            ["Essential container in task exited"]
        );
        assert_eq!(
            texts(r#"[["Task failed to start", ["CannotPullContainerError: y", null]]]"#),
            ["Task failed to start", "CannotPullContainerError: y"]
        );
        // Not JSON after all, or JSON holding no task: read as text.
        assert_eq!(texts("{not json"), ["{not json"]);
        assert_eq!(
            texts(r#"{"code":"InvalidIdInRequest","message":"CredentialsV2Request: Credentials not found"}"#).len(),
            1
        );
    }

    /// The services that run ECS tasks for others and pass the reasons on: Step
    /// Functions' `runTask.sync` failure (its `Cause` the task as a string, in the Java
    /// SDK's PascalCase) and AWS Batch's describe-jobs (a job's and its attempts'
    /// reasons, the same text counted, not repeated); a container on its own.
    #[test]
    fn tasks_other_services_pass_on() {
        let task = serde_json::json!({"Containers": [{"Name": "app", "Reason": "CannotPullContainerError: x", "TaskArn": "arn:aws:ecs:r:1:task/c/t"}], "StoppedReason": "Task failed to start", "TaskArn": "arn:aws:ecs:r:1:task/c/t"});
        let sfn = serde_json::json!({"Error": "States.TaskFailed", "Cause": task.to_string()});
        assert_eq!(
            sourced(&sfn.to_string()),
            [
                "task t | Task failed to start",
                "task t container app | CannotPullContainerError: x"
            ]
        );
        let inner = "ResourceInitializationError: unable to pull secrets or registry auth: y";
        let jobs = serde_json::json!({"jobs": [{"jobArn": "arn:aws:batch:r:1:job/j1", "jobId": "j1", "status": "FAILED", "statusReason": "Task failed to start", "container": {"reason": inner}, "attempts": [{"container": {"taskArn": "arn:aws:ecs:r:1:task/c/t", "reason": inner}, "statusReason": "Task failed to start"}]}]});
        let r = read(&jobs.to_string());
        let got: Vec<(&str, &str, u64)> = r
            .reasons
            .iter()
            .map(|r| (r.source.as_str(), r.text.as_str(), r.count))
            .collect();
        assert_eq!(
            got,
            [
                ("job j1 container", inner, 2),
                ("job j1", "Task failed to start", 2)
            ]
        );
        assert_eq!(
            texts(
                r#"{"taskArn":"arn:aws:ecs:r:1:task/c/t","name":"web","reason":"OutOfMemoryError: Container killed due to memory usage"}"#
            ),
            ["OutOfMemoryError: Container killed due to memory usage"]
        );
    }

    /// boto3's answer as Python prints it, one field a line (pprint): the values.
    #[test]
    fn python_dict_lines_pasted_as_text() {
        assert_eq!(
            texts("  'stoppedReason': 'CannotPullContainerError: pull access denied for x',\n"),
            ["CannotPullContainerError: pull access denied for x"]
        );
        assert_eq!(
            texts("   'reason': \"CannotStartContainerError: it's gone\",\n"),
            ["CannotStartContainerError: it's gone"]
        );
    }

    /// The console's "Task stopped at" line in the reader's locale is a header.
    #[test]
    fn console_times_in_any_locale_are_headers() {
        for header in [
            "Task stopped at: 6/22/2023, 09:28:18 UTC",
            "Task stopped at: Jun 22, 2023, 9:28:18 AM (UTC+09:00)",
            "Stopped at: 2023/06/22 09:28",
        ] {
            let input = format!("{header}\nCannotPullContainerError: x");
            assert_eq!(texts(&input), ["CannotPullContainerError: x"], "{header}");
        }
        // A reason whose value is no time stays a reason.
        assert_eq!(texts("Task stopped at: the pull").len(), 1);
    }

    /// A chain double-spaced by its poster is one reason; a cut reason ending on a
    /// colon before the next reason stays two.
    #[test]
    fn blank_lines_inside_a_chain() {
        assert_eq!(
            texts(
                "ResourceInitializationError:\n\nfailed to validate logger args:\n\nResourceNotFoundException:\n\nThe specified log group does not exist."
            ),
            [
                "ResourceInitializationError: failed to validate logger args: ResourceNotFoundException: The specified log group does not exist."
            ]
        );
        assert_eq!(
            texts(
                "ResourceInitializationError: unable to pull secrets or registry auth: \n\nCannotPullContainerError: x"
            ),
            [
                "ResourceInitializationError: unable to pull secrets or registry auth:",
                "CannotPullContainerError: x"
            ]
        );
    }

    fn texts(input: &str) -> Vec<String> {
        read(input).reasons.into_iter().map(|r| r.text).collect()
    }

    /// Each reason after where it was found (`source | text`).
    fn sourced(input: &str) -> Vec<String> {
        let reasons = read(input).reasons.into_iter();
        reasons
            .map(|r| format!("{} | {}", r.source, r.text))
            .collect()
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
