#!/usr/bin/env python3
"""ecs_standin.py PORT DIR — the two ECS endpoints a task sees, on loopback.

Runs inside the lab's subnet namespace (started by lab.sh, stopped by PID):
  GET /creds          container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI);
                      Expiration is always 6 h from now, like the ECS agent's
  GET /v4/abc         task metadata v4: this container   (ECS_CONTAINER_METADATA_URI_V4)
  GET /v4/abc/task    task metadata v4: the task
The JSON bodies are files in DIR written by lab.sh (creds.json, container.json,
task.json), so a test can edit them between runs. Anything else is 404.
Every request is appended to DIR/requests.log as "METHOD PATH STATUS" (the path
without its query), which `lab.sh counters` reads and truncates.
"""
import datetime
import http.server
import json
import os
import sys
import threading

PORT, DIR = int(sys.argv[1]), sys.argv[2]
ROUTES = {"/v4/abc": "container.json", "/v4/abc/task": "task.json", "/creds": "creds.json"}
REQUESTS = os.path.join(DIR, "requests.log")
# The server is threaded: one writer at a time keeps each line whole.
LOG_LOCK = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "ecs-standin"

    def do_GET(self):
        name = ROUTES.get(self.path.split("?")[0].rstrip("/"))
        path = os.path.join(DIR, name) if name else None
        if not path or not os.path.exists(path):
            return self.reply(404, {"message": "not found"})
        with open(path) as f:
            body = json.load(f)
        if name == "creds.json":
            exp = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=6)
            body["Expiration"] = exp.strftime("%Y-%m-%dT%H:%M:%SZ")
        self.reply(200, body)

    def reply(self, code, body):
        with LOG_LOCK, open(REQUESTS, "a") as f:
            f.write("%s %s %d\n" % (self.command, self.path.split("?")[0], code))
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt, *args):  # path only: never log headers
        sys.stderr.write("%s\n" % (fmt % args))


http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
