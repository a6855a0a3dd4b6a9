#!/usr/bin/env python3
"""remedy_check.py: are the probe's remediation snippets valid? (issue 21)

Reads JSON on stdin: {"items": [{"id", "kind", "text", "placeholders"}...]}, as in a
report's hops[].remediation[] plus an id naming where each came from. Placeholders
(<vpc-id>, ...) are first filled with realistic values (FILL below; an unknown one is a
failure), then each item is checked by the tool that owns its format:

  cli             the AWS CLI itself (awscli from PyPI, in this venv) runs the command
                  against --endpoint-url http://127.0.0.1:<a port nothing listens on>,
                  dummy credentials, AWS_CONFIG_FILE=/dev/null, AWS_MAX_ATTEMPTS=1: a
                  valid command gets past the argument parser and parameter validation
                  (which know the CLI's customizations) and fails only on the
                  connection ("Could not connect to the endpoint URL").
  cloudformation  cfn-lint, on a minimal template whose Resources are the snippet.
  terraform       python-hcl2 parses it, and it declares at least one resource.
  policy          JSON with Version 2012-10-17 and Statement[] of Effect, Action,
                  Resource or Principal as an IAM policy has them.

Writes {"counts": {kind: n}, "failures": [{"id", "kind", "why"}]} to stdout; exit 1 on
any failure, 2 when a tool is missing. Sends nothing anywhere but 127.0.0.1.
"""
import concurrent.futures
import json
import os
import shlex
import socket
import subprocess
import sys
import tempfile

FILL = {
    "<vpc-id>": "vpc-0a1b2c3d4e5f60718",
    "<subnet-ids>": "subnet-0a1b2c3d4e5f60718",
    "<endpoint-sg-id>": "sg-0a1b2c3d4e5f60718",
    "<task-sg-id>": "sg-0f1e2d3c4b5a69788",
    "<route-table-id>": "rtb-0a1b2c3d4e5f60718",
    "<vpc-endpoint-id>": "vpce-0a1b2c3d4e5f60718",
    "<region>": "us-east-1",
    "<image-region>": "eu-west-1",
    "<task-region>": "us-east-1",
    "<service>": "ssm",
    "<principal-arn>": "arn:aws:iam::111122223333:role/app-exec",
    "<role-name>": "app-exec",
    "<execution-role-name>": "app-exec",
    "<action>": "ssm:GetParameters",
    "<account-id>": "111122223333",
    "<repository>": "app",
    "<ecr-repository-prefix>": "mirror",
    "<upstream-registry-url>": "public.ecr.aws",
    "<ptc-credential-secret-arn>": "arn:aws:secretsmanager:us-east-1:111122223333:secret:ecr-pullthroughcache/docker-hub-AbCdEf",
    "<custom-dns-ip>": "10.0.0.53",
    "<dhcp-options-id>": "dopt-0a1b2c3d4e5f60718",
    "<corp-domain>": "corp.example.com",
    "<outbound-resolver-endpoint-id>": "rslvr-out-0a1b2c3d4e5f60718",
    "<boundary-policy-arn>": "arn:aws:iam::111122223333:policy/boundary",
    "<boundary-policy-name>": "boundary",
    "<kms-key-arn>": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "<log-group>": "/ecs/app",
    "<vpc-cidr>": "10.0.0.0/16",
    "<env-file-arn>": "arn:aws:s3:::app-config-111122223333/prod/app.env",
}

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.path.dirname(sys.executable)


def fill(text, placeholders):
    unknown = [p for p in placeholders if p not in FILL]
    for p in placeholders:
        if p in FILL:
            text = text.replace(p, FILL[p])
    return text, unknown


def dead_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def check_cli(text):
    argv = shlex.split(text)
    if not argv or argv[0] != "aws":
        return "not an aws command"
    if "\n" in text.strip():
        return "more than one line"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": tempfile.gettempdir(),
        "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_MAX_ATTEMPTS": "1",
        "AWS_RETRY_MODE": "standard",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_PAGER": "",
    }
    if "--region" not in argv:
        env["AWS_DEFAULT_REGION"] = "us-east-1"
    cmd = [os.path.join(BIN, "aws")] + argv[1:] + [
        "--endpoint-url", "http://127.0.0.1:%d" % dead_port(),
        "--cli-connect-timeout", "2", "--cli-read-timeout", "2",
    ]
    try:
        r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        return "timed out"
    err = r.stderr.strip()
    if r.returncode != 0 and "Could not connect to the endpoint URL" in err:
        return None
    return "rc %d: %s" % (r.returncode, err[-600:])


def check_policy(text):
    try:
        doc = json.loads(text)
    except ValueError as e:
        return "not JSON: %s" % e
    if not isinstance(doc, dict) or doc.get("Version") != "2012-10-17":
        return "no Version 2012-10-17"
    st = doc.get("Statement")
    if not isinstance(st, list) or not st:
        return "no Statement[]"
    for s in st:
        if s.get("Effect") not in ("Allow", "Deny"):
            return "a statement without Effect Allow/Deny"
        acts = s.get("Action")
        acts = [acts] if isinstance(acts, str) else acts
        if not acts or not all(isinstance(a, str) and ":" in a for a in acts):
            return "Action is not service:Action"
        if "Principal" in s:
            p = s["Principal"]
            if not (p == "*" or (isinstance(p, dict) and p.get("AWS"))):
                return "Principal is neither * nor {AWS: ...}"
        elif "Resource" not in s:
            return "an identity statement without Resource"
    return None


def check_hcl(text):
    try:
        import hcl2
    except ImportError:
        sys.exit(2)
    try:
        doc = hcl2.loads(text + "\n")
    except Exception as e:  # the parser raises several kinds
        return "HCL does not parse: %s" % str(e)[:300]
    if not doc.get("resource"):
        return "no resource block"
    return None


def check_cfn(items):
    """cfn-lint on one template per snippet, in one cfn-lint run."""
    if not items:
        return {}
    lint = os.path.join(BIN, "cfn-lint")
    if not os.path.exists(lint):
        sys.exit(2)
    out = {}
    with tempfile.TemporaryDirectory() as d:
        paths = {}
        for n, (iid, text) in enumerate(items):
            body = "\n".join("  " + l for l in text.splitlines())
            tpl = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n%s\n" % body
            path = os.path.join(d, "t%03d.yaml" % n)
            with open(path, "w") as f:
                f.write(tpl)
            paths[path] = iid
        r = subprocess.run([lint, "--format", "parseable", "--"] + sorted(paths),
                           capture_output=True, text=True, timeout=600)
        for line in r.stdout.splitlines():
            path = line.split(":", 1)[0]
            if path in paths:
                out.setdefault(paths[path], []).append(line.split(":", 1)[1][:300])
        if r.returncode not in (0,) and not out:
            out["cfn-lint"] = [r.stderr[-600:] or "rc %d" % r.returncode]
    return out


def main():
    data = json.load(sys.stdin)
    counts = {"cli": 0, "cloudformation": 0, "terraform": 0, "policy": 0}
    failures = []
    cfn = []
    clis = []
    for it in data["items"]:
        kind, iid = it["kind"], it.get("id", "?")
        text, unknown = fill(it["text"], it.get("placeholders", []))
        if unknown:
            failures.append({"id": iid, "kind": kind, "why": "no fill for %s" % unknown})
            continue
        counts[kind] = counts.get(kind, 0) + 1
        if kind == "cli":
            clis.append((iid, text))
            why = None
        elif kind == "policy":
            why = check_policy(text)
        elif kind == "terraform":
            why = check_hcl(text)
        elif kind == "cloudformation":
            cfn.append((iid, text))
            why = None
        else:
            why = "unknown kind"
        if why:
            failures.append({"id": iid, "kind": kind, "why": why})
    # each CLI run is a Python start-up: a few at once
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        for (iid, _), why in zip(clis, pool.map(lambda c: check_cli(c[1]), clis)):
            if why:
                failures.append({"id": iid, "kind": "cli", "why": why})
    for iid, whys in check_cfn(cfn).items():
        failures.append({"id": iid, "kind": "cloudformation", "why": "; ".join(whys)})
    json.dump({"counts": counts, "failures": failures}, sys.stdout)
    sys.stdout.write("\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
