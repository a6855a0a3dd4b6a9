#!/usr/bin/env python3
"""ecs_control.py CONFIG.json — a stand-in for the ECS control plane that runs tasks.

For `vpce-probe launch` (issue 22), which runs OUTSIDE the subnets, as on a laptop, and
is pointed here with AWS_ENDPOINT_URL. Listens on 127.0.0.1 of the host namespace (the
port is written to CONFIG's port_file) and routes by X-Amz-Target:

  ECS  RegisterTaskDefinition, DescribeTaskDefinition, DeregisterTaskDefinition,
       DeleteTaskDefinitions, CreateCluster (anything else)
                              -> moto, which models them (forwarded unchanged)
       RunTask, DescribeTasks, StopTask -> here: moto's ECS runs nothing
       CreateService, DescribeServices -> here: moto checks a service's subnets against
                              its EC2, which holds no lab VPC
  ECR  DescribeImages         -> here, asking the lab registry (the data plane the
                                 subnet pulls from; moto's ECR does not see pushes)
  Logs (anything)             -> moto (the lab's CloudWatch Logs)
  SSM  (anything)             -> moto (the canary stack's subnet parameters)

RunTask really runs the task in the subnet's network namespace, as Fargate would:
PROVISIONING, then PENDING while the image is pulled FROM THE SUBNET through the dkr
endpoint and the S3 gateway (manifest, then the first layer through the 307 to S3, with
curl, as the registry password the ECR token stands for); a failed pull stops the task
with Fargate's CannotPullContainerError wording (tests/fixtures/explain/agent-wordings.md
section 6, "pull image manifest has been retried N time(s): failed to resolve ref ...",
observed verbatim in public threads; the agent's own templates:
aws/amazon-ecs-agent agent/dockerclient/dockerapi/errors.go). Then RUNNING: the probe
binary (not unpacked from the image: the image scenarios of tests/lab_e2e do that; here
the pulled image stands for it and CONFIG's probe_bin is run) with the task definition's
environment and the overrides, the role's credentials served by a per-task ecs_standin.py
in the subnet (AWS_CONTAINER_CREDENTIALS_FULL_URI, RoleArn = the task role), its stdout
and stderr sent line by line to the task definition's awslogs group/stream in moto, and
STOPPED with its exit code ("Essential container in task exited", stopCode
EssentialContainerExited), or by StopTask (UserInitiated, the caller's reason).

CONFIG (JSON): dir, port_file, aws_ns, lab_dir, probe_bin, registry_password,
subnets: {subnet-id: {ns, az, ip, cidr}}, extra_env: {..} (what a user adds for a
private CA: VPCE_PROBE_CA_BUNDLE), python.
Each stopped task is appended to DIR/tasks.log as "ARN CREATED STOPPED" (epoch seconds):
its run time, for launch's overhead (tests/lab/launch_overhead.sh).
Faults, read per request from DIR: `deny` (IAM actions, one a line: answered with
AccessDeniedException in IAM's wording); `hold` (while it exists, new tasks stay
PROVISIONING: capacity slow to come). Every request is appended to DIR/requests.log
as "TARGET STATUS".
"""
import json
import os
import secrets
import shutil
import subprocess
import sys
import threading
import time
import http.server

CFG = json.load(open(sys.argv[1]))
DIR = CFG["dir"]
ACCOUNT = "123456789012"
REGION = "us-east-1"
MOTO = "http://127.0.0.1:5000/"
LOCK = threading.Lock()
SERVICES = {}  # (cluster, name) -> service dict (the DescribeServices shape)
TASKS = {}  # arn -> task dict (the DescribeTasks shape)
PROCS = {}  # arn -> Popen of the probe
STANDINS = {}  # arn -> Popen of its credentials stand-in
NEXT_PORT = [51700]


def in_ns(ns, *cmd, data=None, timeout=30):
    return subprocess.run(["ip", "netns", "exec", ns, *cmd], input=data, capture_output=True,
                          timeout=timeout)


def moto(target, body, auth):
    """Forwards one JSON-1.1 call to moto (in the aws namespace); (status, bytes)."""
    r = in_ns(CFG["aws_ns"], "curl", "-s", "-o", "-", "-w", "\n%{http_code}", MOTO,
              "-H", "X-Amz-Target: " + target, "-H", "Content-Type: application/x-amz-json-1.1",
              "-H", "Authorization: " + auth, "-H", "X-Amz-Date: 20240101T000000Z",
              "--data-binary", "@-", data=body)
    out = r.stdout
    body, _, code = out.rpartition(b"\n")
    return int(code or b"502"), body


def auth_for(service):
    return ("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7LABCTRL/20240101/%s/%s/aws4_request, "
            "SignedHeaders=host;x-amz-date, Signature=0000" % (REGION, service))


def denied(action, resource):
    path = os.path.join(DIR, "deny")
    if not os.path.exists(path):
        return None
    if action not in open(path).read().split():
        return None
    # IAM's wording for an identity policy that does not allow the action.
    return ("User: arn:aws:iam::%s:user/lab-dev is not authorized to perform: %s on resource: %s "
            "because no identity-based policy allows the %s action" % (ACCOUNT, action, resource, action))


def now():
    return time.time()


def log_events(group, stream, lines):
    """PutLogEvents of `lines` to moto (what the awslogs driver does)."""
    if not lines:
        return
    t = int(now() * 1000)
    events = [{"timestamp": t + i, "message": l} for i, l in enumerate(lines)]
    moto("Logs_20140328.PutLogEvents", json.dumps(
        {"logGroupName": group, "logStreamName": stream, "logEvents": events}).encode(), auth_for("logs"))


def set_state(arn, **kw):
    """False when the task has stopped meanwhile (StopTask): nothing more happens to it."""
    with LOCK:
        if TASKS[arn]["lastStatus"] == "STOPPED":
            return False
        TASKS[arn].update(kw)
        if "lastStatus" in kw:
            for c in TASKS[arn]["containers"]:
                c["lastStatus"] = kw["lastStatus"] if kw["lastStatus"] != "PROVISIONING" else "PENDING"
        return True


def stop(arn, reason, code, container_reason=None, exit_code=None):
    with LOCK:
        t = TASKS[arn]
        if t["lastStatus"] == "STOPPED":
            return
        t.update(lastStatus="STOPPED", desiredStatus="STOPPED", stoppedReason=reason, stopCode=code,
                 stoppedAt=now(), stoppingAt=now())
        with open(os.path.join(DIR, "tasks.log"), "a") as f:
            f.write("%s %.3f %.3f\n" % (arn, t["createdAt"], t["stoppedAt"]))
        for c in t["containers"]:
            c["lastStatus"] = "STOPPED"
            if container_reason:
                c["reason"] = container_reason
            if exit_code is not None:
                c["exitCode"] = exit_code
    sp = STANDINS.pop(arn, None)
    if sp:
        sp.kill()
        sp.wait()


def pull_error(ns, image):
    """Pulls `image` from the subnet as the agent would (manifest, then a layer through
    the 307 to S3); None, or the Fargate-shaped reason of the failure."""
    host, _, rest = image.partition("/")
    repo, _, tag = rest.rpartition(":")
    creds = "AWS:" + CFG["registry_password"]
    ca = os.path.join(CFG["lab_dir"], "pki", "ca.pem")
    murl = "https://%s/v2/%s/manifests/%s" % (host, repo, tag)
    accept = ("application/vnd.docker.distribution.manifest.v2+json, "
              "application/vnd.oci.image.manifest.v1+json")
    ip = in_ns(ns, "dig", "+short", "+time=2", "+tries=1", host).stdout.decode().split()
    ip = ip[0] if ip else "?"
    r = in_ns(ns, "curl", "-s", "--connect-timeout", "4", "-m", "10", "--cacert", ca, "-u", creds,
              "-H", "Accept: " + accept, "-w", "\n%{http_code}", murl)
    body, _, code = r.stdout.rpartition(b"\n")
    prefix = "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref %s: " % image
    if r.returncode == 28 or r.returncode == 7:
        why = "i/o timeout" if r.returncode == 28 else "connect: connection refused"
        return prefix + 'failed to do request: Head "%s": dial tcp %s:443: %s' % (murl, ip, why)
    if r.returncode == 6:
        return prefix + 'failed to do request: Head "%s": dial tcp: lookup %s: no such host' % (murl, host)
    if r.returncode != 0:
        return prefix + 'failed to do request: Head "%s": curl exit %d' % (murl, r.returncode)
    if code != b"200":
        if code == b"404":
            return prefix + "%s: not found" % image
        return prefix + "unexpected status from HEAD request to %s: %s" % (murl, code.decode())
    try:
        layer = json.loads(body)["layers"][0]["digest"]
    except (ValueError, KeyError, IndexError):
        return None
    burl = "https://%s/v2/%s/blobs/%s" % (host, repo, layer)
    r = in_ns(ns, "curl", "-s", "-L", "--connect-timeout", "4", "-m", "20", "--cacert", ca, "-u", creds,
              "-o", "/dev/null", "-w", "%{http_code} %{url_effective}", burl)
    if r.returncode == 0 and r.stdout.startswith(b"200"):
        return None
    s3 = "https://prod-%s-starport-layer-bucket.s3.%s.amazonaws.com/" % (REGION, REGION)
    if r.returncode in (28, 7):
        return ('CannotPullContainerError: ref pull has been retried 5 time(s): failed to copy: '
                'httpReadSeeker: failed open: failed to do request: Get "%s...": dial tcp 198.51.100.10:443: i/o timeout' % s3)
    return ("CannotPullContainerError: failed to copy: httpReadSeeker: failed open: unexpected status code %s"
            % r.stdout.decode(errors="replace").split(" ")[0])


def run_task(arn, td, overrides, subnet):
    """The life of one task (a thread): a bug of the stand-in stops it, never hangs it."""
    try:
        task_life(arn, td, overrides, subnet)
    except Exception as e:
        stop(arn, "lab stand-in error: %r" % (e,), "TaskFailedToStart")


def task_life(arn, td, overrides, subnet):
    net = CFG["subnets"][subnet]
    container = td["containerDefinitions"][0]
    image = container["image"]
    time.sleep(0.3)
    # `hold` in DIR: capacity is slow to come (the task stays PROVISIONING, at most 120 s).
    t0 = now()
    while os.path.exists(os.path.join(DIR, "hold")) and now() - t0 < 120:
        if TASKS[arn]["lastStatus"] == "STOPPED":
            return
        time.sleep(0.1)
    if not set_state(arn, lastStatus="PENDING"):
        return
    err = pull_error(net["ns"], image)
    if err:
        stop(arn, err, "TaskFailedToStart", container_reason=err)
        return
    if not set_state(arn, lastStatus="RUNNING", startedAt=now(), pullStoppedAt=now()):
        return
    # The task's credentials and metadata, from its own stand-in in the subnet.
    with LOCK:
        port = NEXT_PORT[0]
        NEXT_PORT[0] += 1
    sdir = os.path.join(DIR, "tasks", arn.rsplit("/", 1)[1])
    os.makedirs(sdir, exist_ok=True)
    lab_ecs = os.path.join(CFG["lab_dir"], "ecs")
    creds = json.load(open(os.path.join(lab_ecs, "creds.json")))
    creds["RoleArn"] = td.get("taskRoleArn", creds.get("RoleArn"))
    json.dump(creds, open(os.path.join(sdir, "creds.json"), "w"))
    cont = json.load(open(os.path.join(lab_ecs, "container.json")))
    cont["Image"] = image
    cont["Name"] = container["name"]
    cont["Networks"][0]["IPv4Addresses"] = [net["ip"]]
    cont["Networks"][0]["IPv4SubnetCIDRBlock"] = net["cidr"]
    cont["Labels"]["com.amazonaws.ecs.task-arn"] = arn
    task = json.load(open(os.path.join(lab_ecs, "task.json")))
    task.update(TaskARN=arn, AvailabilityZone=net["az"], Family=td["family"], Revision=str(td["revision"]),
                Containers=[cont])
    json.dump(cont, open(os.path.join(sdir, "container.json"), "w"))
    json.dump(task, open(os.path.join(sdir, "task.json"), "w"))
    sp = subprocess.Popen(["ip", "netns", "exec", net["ns"], CFG["python"],
                           os.path.join(os.path.dirname(__file__), "ecs_standin.py"), str(port), sdir],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    STANDINS[arn] = sp
    for _ in range(50):
        if in_ns(net["ns"], "curl", "-sf", "-o", "/dev/null", "http://127.0.0.1:%d/v4/abc" % port).returncode == 0:
            break
        time.sleep(0.1)
    env = {"PATH": "/usr/bin:/bin", "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION,
           "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:%d/creds" % port,
           "ECS_CONTAINER_METADATA_URI_V4": "http://127.0.0.1:%d/v4/abc" % port}
    # moto's CloudFormation leaves a null where the template says !Ref AWS::NoValue
    # (CloudFormation itself drops the entry): skipped, as ECS never sees one.
    for kv in container.get("environment") or []:
        if kv:
            env[kv["name"]] = kv.get("value", "")
    for co in overrides.get("containerOverrides", []):
        if co.get("name") == container["name"]:
            for kv in co.get("environment", []):
                env[kv["name"]] = kv["value"]
    env.update(CFG.get("extra_env", {}))
    opts = container.get("logConfiguration", {}).get("options", {})
    group = opts.get("awslogs-group")
    stream = "%s/%s/%s" % (opts.get("awslogs-stream-prefix"), container["name"], arn.rsplit("/", 1)[1])
    status, body = moto("Logs_20140328.CreateLogStream", json.dumps(
        {"logGroupName": group, "logStreamName": stream}).encode(), auth_for("logs"))
    if status != 200:
        # Fargate's wording when awslogs cannot create its stream.
        why = ("ResourceInitializationError: failed to validate logger args: create stream has been "
               "retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: "
               "The specified log group does not exist. : exit status 1")
        stop(arn, why, "TaskFailedToStart", container_reason=why)
        return
    p = subprocess.Popen(["ip", "netns", "exec", net["ns"], "env", "-i",
                          *["%s=%s" % kv for kv in env.items()], CFG["probe_bin"]],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    PROCS[arn] = p
    if TASKS[arn]["lastStatus"] == "STOPPED":  # stopped while it was starting
        os.killpg(p.pid, 15)
    lines = [l.decode(errors="replace").rstrip("\n") for l in p.stdout]
    code = p.wait()
    log_events(group, stream, lines)
    stop(arn, "Essential container in task exited", "EssentialContainerExited", exit_code=code)


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "ecs-control"
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n)
        target = self.headers.get("X-Amz-Target", "")
        op = target.rsplit(".", 1)[-1]
        try:
            status, out = self.route(target, op, body)
        except Exception as e:  # a stand-in bug is a 500, as a service error would be
            status, out = 500, json.dumps({"__type": "ServerException", "message": repr(e)}).encode()
        with LOCK, open(os.path.join(DIR, "requests.log"), "a") as f:
            f.write("%s %d\n" % (target, status))
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(out)))
        self.send_header("x-amzn-RequestId", "00000000-0000-4000-8000-%012d" % (int(now()) % 10**12))
        self.end_headers()
        self.wfile.write(out)

    def route(self, target, op, body):
        req = json.loads(body or b"{}")
        service = ("ecs" if target.startswith("AmazonEC2ContainerService") else
                   "ecr" if target.startswith("AmazonEC2ContainerRegistry") else
                   "logs" if target.startswith("Logs_") else
                   "ssm" if target.startswith("AmazonSSM.") else None)
        if service is None:
            return 400, json.dumps({"__type": "UnknownOperationException"}).encode()
        why = denied("%s:%s" % (service, op), "*")
        if why:
            return 400, json.dumps({"__type": "AccessDeniedException", "message": why}).encode()
        if service == "ecs" and op in ("RunTask", "DescribeTasks", "StopTask", "CreateService",
                                       "DescribeServices"):
            return getattr(self, op)(req)
        if service == "ecr":
            return self.DescribeImages(req) if op == "DescribeImages" else (400, b"{}")
        return moto(target, body, self.headers.get("Authorization") or auth_for(service))

    def RunTask(self, req):
        status, body = moto("AmazonEC2ContainerServiceV20141113.DescribeTaskDefinition",
                            json.dumps({"taskDefinition": req["taskDefinition"]}).encode(), auth_for("ecs"))
        if status != 200:
            return status, body
        td = json.loads(body)["taskDefinition"]
        subnets = req["networkConfiguration"]["awsvpcConfiguration"]["subnets"]
        cluster = req.get("cluster", "default").rsplit("/", 1)[-1]
        tasks, failures = [], []
        for i in range(req.get("count", 1)):
            subnet = subnets[i % len(subnets)]
            if subnet not in CFG["subnets"]:
                failures.append({"arn": subnet, "reason": "MISSING"})
                continue
            arn = "arn:aws:ecs:%s:%s:task/%s/%s" % (REGION, ACCOUNT, cluster, secrets.token_hex(16))
            t = {"taskArn": arn, "clusterArn": "arn:aws:ecs:%s:%s:cluster/%s" % (REGION, ACCOUNT, cluster),
                 "taskDefinitionArn": td["taskDefinitionArn"], "lastStatus": "PROVISIONING",
                 "desiredStatus": "RUNNING", "launchType": req.get("launchType", "FARGATE"),
                 "platformVersion": req.get("platformVersion", "1.4.0"), "startedBy": req.get("startedBy"),
                 "availabilityZone": CFG["subnets"][subnet]["az"], "createdAt": now(),
                 "group": "family:" + td["family"],
                 "attachments": [{"id": secrets.token_hex(4), "type": "ElasticNetworkInterface",
                                  "status": "ATTACHED", "details": [
                                      {"name": "subnetId", "value": subnet},
                                      {"name": "privateIPv4Address", "value": CFG["subnets"][subnet]["ip"]}]}],
                 "containers": [{"containerArn": arn + "/" + c["name"], "name": c["name"], "image": c["image"],
                                 "lastStatus": "PENDING", "taskArn": arn}
                                for c in td["containerDefinitions"]]}
            with LOCK:
                TASKS[arn] = t
            threading.Thread(target=run_task, args=(arn, td, req.get("overrides", {}), subnet),
                             daemon=True).start()
            tasks.append(t)
        return 200, json.dumps({"tasks": tasks, "failures": failures}).encode()

    def CreateService(self, req):
        """Kept here: moto checks the subnets against its EC2, which holds no lab VPC."""
        status, body = moto("AmazonEC2ContainerServiceV20141113.DescribeTaskDefinition",
                            json.dumps({"taskDefinition": req["taskDefinition"]}).encode(), auth_for("ecs"))
        if status != 200:
            return status, body
        cluster = req.get("cluster", "default").rsplit("/", 1)[-1]
        svc = {"serviceArn": "arn:aws:ecs:%s:%s:service/%s/%s" % (REGION, ACCOUNT, cluster, req["serviceName"]),
               "serviceName": req["serviceName"], "status": "ACTIVE",
               "clusterArn": "arn:aws:ecs:%s:%s:cluster/%s" % (REGION, ACCOUNT, cluster),
               "taskDefinition": json.loads(body)["taskDefinition"]["taskDefinitionArn"],
               "desiredCount": req.get("desiredCount", 0), "runningCount": 0, "pendingCount": 0}
        for k in ("launchType", "platformVersion", "networkConfiguration", "capacityProviderStrategy"):
            if k in req:
                svc[k] = req[k]
        with LOCK:
            SERVICES[(cluster, req["serviceName"])] = svc
        return 200, json.dumps({"service": svc}).encode()

    def DescribeServices(self, req):
        cluster = req.get("cluster", "default").rsplit("/", 1)[-1]
        found, failures = [], []
        for name in req.get("services", []):
            svc = SERVICES.get((cluster, name.rsplit("/", 1)[-1]))
            if svc:
                found.append(svc)
            else:
                failures.append({"arn": "arn:aws:ecs:%s:%s:service/%s/%s" % (REGION, ACCOUNT, cluster, name),
                                 "reason": "MISSING"})
        return 200, json.dumps({"services": found, "failures": failures}).encode()

    def DescribeTasks(self, req):
        with LOCK:
            found = [json.loads(json.dumps(TASKS[a])) for a in req.get("tasks", []) if a in TASKS]
            missing = [{"arn": a, "reason": "MISSING"} for a in req.get("tasks", []) if a not in TASKS]
        return 200, json.dumps({"tasks": found, "failures": missing}).encode()

    def StopTask(self, req):
        arn = req["task"]
        if arn not in TASKS:
            return 400, json.dumps({"__type": "InvalidParameterException",
                                    "message": "The referenced task was not found."}).encode()
        p = PROCS.get(arn)
        if p and p.poll() is None:
            os.killpg(p.pid, 15)
        reason = req.get("reason", "Task stopped by user")
        stop(arn, reason, "UserInitiated")
        with LOCK:
            return 200, json.dumps({"task": TASKS[arn]}).encode()

    def DescribeImages(self, req):
        repo = req["repositoryName"]
        ids = req.get("imageIds", [])
        tag = (ids[0].get("imageTag") or ids[0].get("imageDigest")) if ids else "latest"
        r = in_ns(CFG["aws_ns"], "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-I",
                  "-u", "AWS:" + CFG["registry_password"], "-H",
                  "Accept: application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json",
                  "http://127.0.0.1:5001/v2/%s/manifests/%s" % (repo, tag))
        if r.stdout == b"200":
            return 200, json.dumps({"imageDetails": [{"registryId": ACCOUNT, "repositoryName": repo,
                                                      "imageTags": [tag]}]}).encode()
        # ECR's wordings (the API reference's exceptions, as the service words them).
        if r.stdout == b"404" and in_ns(CFG["aws_ns"], "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                                        "-u", "AWS:" + CFG["registry_password"],
                                        "http://127.0.0.1:5001/v2/%s/tags/list" % repo).stdout == b"404":
            return 400, json.dumps({"__type": "RepositoryNotFoundException", "message":
                                    "The repository with name '%s' does not exist in the registry with id '%s'"
                                    % (repo, ACCOUNT)}).encode()
        return 400, json.dumps({"__type": "ImageNotFoundException", "message":
                                "The image with imageId {imageDigest:'null', imageTag:'%s'} does not exist "
                                "within the repository with name '%s' in the registry with id '%s'"
                                % (tag, repo, ACCOUNT)}).encode()

    def log_message(self, fmt, *args):
        sys.stderr.write("%s\n" % (fmt % args))


def cleanup(*_):
    for p in list(PROCS.values()) + list(STANDINS.values()):
        try:
            os.killpg(p.pid, 9)
        except OSError:
            pass
    os._exit(0)


if __name__ == "__main__":
    import signal
    signal.signal(signal.SIGTERM, cleanup)
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(CFG["port_file"] + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(CFG["port_file"] + ".tmp", CFG["port_file"])
    try:
        srv.serve_forever()
    finally:
        cleanup()
