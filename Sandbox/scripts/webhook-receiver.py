#!/usr/bin/env python3
"""A subscriber's webhook endpoint for tests, benchmarks and the chaos run.

usage: webhook-receiver.py [--port N] --log FILE [--secret whsec_…]… [--plan JSON] [--flaky SEED]

Listens on 127.0.0.1 (port 0: any free port, printed on the first line of stdout). Every POST is logged to FILE
as one JSON line: its number, what the plan made of it, the event's id and type, whether it was a redelivery,
and which of the given secrets its `Payment-Signature` verifies under (by index), checked with the README's own
snippet (between `verify-snippet:begin` and `verify-snippet:end`), which this script runs as it is written there.

The plan is a JSON list of actions for the first requests, in order; after it every request gets 200:
  "200", "500", …   answer that status
  "slow:S"          wait S seconds, then answer 200
  "die"             exit at once without answering (a receiver killed mid-delivery)
--flaky SEED draws instead: a tenth of the requests fail (half answer 500, a quarter wait 2 s then answer 200,
a quarter have their connection closed unanswered), but never two within 8 s of each other: a pushed endpoint is
strictly ordered, so each refusal holds the endpoint for its backoff (5 s or more), and a receiver refusing a
steady share of requests would hold it forever.
"""
import argparse
import http.server
import json
import os
import pathlib
import random
import re
import sys
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]


def readme_verify():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- verify-snippet:begin -->\s*```python\n(.*?)```\s*<!-- verify-snippet:end -->", text, re.S)
    if not block:
        sys.exit("README.md has no verify snippet")
    scope = {}
    exec(block.group(1), scope)
    return scope["verify"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--log", required=True)
    parser.add_argument("--secret", action="append", default=[])
    parser.add_argument("--plan", default="[]")
    parser.add_argument("--flaky", type=int)
    args = parser.parse_args()
    verify = readme_verify()
    plan = json.loads(args.plan)
    draw = random.Random(args.flaky) if args.flaky is not None else None
    lock = threading.Lock()
    state = {"n": 0, "last_failure": 0.0}
    log = open(args.log, "a", buffering=1, encoding="utf-8")

    def next_action():
        with lock:
            n = state["n"]
            state["n"] += 1
            if n < len(plan):
                return n, plan[n]
            if draw is None:
                return n, "200"
            roll = draw.random()
            if roll >= 0.10 or time.time() - state["last_failure"] < 8:
                return n, "200"
            state["last_failure"] = time.time()
            return n, "500" if roll < 0.05 else "slow:2" if roll < 0.075 else "drop"

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # The head and the body go out in two writes: with Nagle's algorithm on, the second waits for the
        # client's delayed ACK (40 ms), and the receiver would take 23 requests a second.
        disable_nagle_algorithm = True

        def log_message(self, *_):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            n, action = next_action()
            header = self.headers.get("Payment-Signature", "")
            entry = {
                "n": n, "action": action, "event_id": self.headers.get("Payment-Event-Id"),
                "event_type": self.headers.get("Payment-Event-Type"),
                "redelivery": self.headers.get("Payment-Redelivery") == "true",
                "verified": [i for i, secret in enumerate(args.secret) if verify(secret, header, body)],
                "body_id": json.loads(body).get("id") if body else None, "at": time.time(),
            }
            with lock:
                log.write(json.dumps(entry) + "\n")
            if action == "die":
                os._exit(3)
            if action == "drop":
                self.close_connection = True
                self.connection.close()
                return
            status = 200
            if action.startswith("slow:"):
                time.sleep(float(action.split(":", 1)[1]))
            elif action.isdigit():
                status = int(action)
            try:
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
            except OSError:
                pass  # the sender gave up waiting (its time-out) and closed the connection

    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
