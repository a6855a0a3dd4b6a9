//! A one-line shell command cut to a width so that it still pastes: the human report's
//! remediation block (src/remediation) is printed through it.

/// The words of a one-line command, a single-quoted argument kept whole.
fn shell_words(cmd: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in cmd.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                cur.push(c);
            }
            ' ' if !quoted => {
                if !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
            }
            _ => cur.push(c),
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// A single-quoted JSON argument cut after each `,`, `{` or `[` outside JSON strings:
/// inside the shell's quotes a newline is part of the argument, and JSON allows one
/// between its tokens, so the pieces on separate lines are the same document.
fn json_pieces(word: &str) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut cur = String::new();
    let (mut in_string, mut escaped) = (false, false);
    for c in word.chars() {
        cur.push(c);
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        } else if matches!(c, ',' | '{' | '[') {
            pieces.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        pieces.push(cur);
    }
    pieces
}

/// A one-line AWS CLI command as lines of at most `width` characters that a POSIX
/// shell reads back as the same command: breaks between words end in ` \`, a long
/// quoted JSON document is cut inside its quotes between JSON tokens. A word longer
/// than `width` that is neither stays whole.
pub fn wrap_command(cmd: &str, width: usize) -> Vec<String> {
    let width = width.max(24);
    let len = |s: &str| s.chars().count();
    let mut lines = Vec::new();
    let mut cur = String::new();
    // A flag and its value stay on one line: `--port 443`, not `--port \` then `443`.
    let mut units: Vec<String> = Vec::new();
    for word in shell_words(cmd) {
        match units.last_mut() {
            Some(flag)
                if flag.starts_with("--") && !flag.contains(' ') && !word.starts_with("--") =>
            {
                flag.push(' ');
                flag.push_str(&word);
            }
            _ => units.push(word),
        }
    }
    for word in units {
        if cur.is_empty() {
        } else if len(&cur) + 1 + len(&word) + 2 <= width {
            cur.push(' ');
        } else {
            cur.push_str(" \\");
            lines.push(std::mem::take(&mut cur));
            cur.push_str("  ");
        }
        if len(&cur) + len(&word) <= width || !word.ends_with('\'') {
            cur.push_str(&word);
            continue;
        }
        for piece in json_pieces(&word) {
            if !cur.trim().is_empty() && len(&cur) + len(&piece) > width {
                lines.push(std::mem::take(&mut cur));
            }
            cur.push_str(&piece);
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrapped_command_reads_back_the_same() {
        let doc = r#"'{"Version":"2012-10-17","Statement":[{"Sid":"AllowPullPath","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/app-exec"},"Action":["ecr:GetAuthorizationToken","ecr:BatchGetImage"],"Resource":"*"}]}'"#;
        let cmd = format!(
            "aws ec2 modify-vpc-endpoint --vpc-endpoint-id <vpc-endpoint-id> --policy-document {doc} --region us-east-1"
        );
        let lines = wrap_command(&cmd, 60);
        assert!(lines.len() > 2, "{lines:#?}");
        for l in &lines {
            assert!(l.chars().count() <= 60, "{l}");
        }
        // What the shell reads: ` \` + newline joins words; a newline in quotes stays.
        let read = lines.join("\n").replace(" \\\n  ", " ");
        let words = shell_words(&read.replace('\n', ""));
        assert_eq!(words, shell_words(&cmd));
        let arg = shell_words(&read.replace(" \\\n", " "))
            .into_iter()
            .find(|w| w.starts_with('\''))
            .unwrap();
        let json: serde_json::Value =
            serde_json::from_str(arg.trim_matches('\'')).expect("the document is still JSON");
        assert_eq!(json["Statement"][0]["Effect"], "Allow");
        assert_eq!(wrap_command("aws s3 ls", 60), vec!["aws s3 ls"]);
    }
}
