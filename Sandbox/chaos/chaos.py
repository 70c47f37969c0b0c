#!/usr/bin/env python3
"""The chaos run: the Payment API's promises checked on its worst day.

Starts its own PostgreSQL (Sandbox/scripts/postgres.sh on a free port, data under a fresh /tmp folder),
the standalone `stripe-sandbox` with faults on (500s and dropped connections before and after executing,
500s saved under the key with nothing done, refused captures, cancels and refunds, answers lacking `status`,
latency up to 1.2 s, a rate limit, duplicated, reordered, delayed and skipped webhooks), TWO `payment-service`
instances on one database (ROLE=all, WORKER_LEASE=1, so a slow call outlives its lease unless the heartbeat
extends it; the sandbox delivers its webhooks to the first) and one subscribed webhook endpoint for every event type,
behind a flaky receiver (`Sandbox/scripts/webhook-receiver.py --flaky`, killed once mid-run). Concurrent clients
send AuthorizePayment commands (a mix of test cards and both capture modes; a share customer-present with a
3-D Secure card, whose challenge is then completed, failed, abandoned past AUTHENTICATION_TIMEOUT, or raced by a
void), then captures, voids and refunds on the results, each retried as a real client would: the same command (same body, same
Idempotency-Key) until it is answered; a 5xx or a connection error is retried. Meanwhile an instance is
SIGKILLed every few seconds and restarted, and PostgreSQL is restarted once.

Then the faults go off (`POST /_sandbox/faults {}`) and the run waits for convergence: no payment
REQUESTED and no operation queued. That includes a PROCESSED refund's read-backs (3 s, 10 s, 30 s after it
turned PROCESSED: the processor may still fail it), so convergence can take up to ~45 s after the last
refund: a watch may still change a refund, and the check below must see its final word.

It checks the database and `GET /_sandbox/ledger` and prints ONE summary line:
  missing           acknowledged commands (201/200/202/402 answers) whose effect is not recorded
  double_confirmed  payments with more than one successful confirmation across their intents
  unsettled         payments still REQUESTED, or with an operation still queued
  disagree          payments whose status/amounts (or refunds) disagree with the ledger (contract.md)
  holds             VOIDED or FAILED payments with an intent that still holds or took money
  unanswered        commands never answered before the client's deadline
  webhooks_undelivered   events of the outbox (after the subscribed endpoint's start) its flaky receiver never took
  webhooks_out_of_order  events that first reached the receiver after a later one
  reconcile_exit    the exit status of the last step, `payment-service reconcile --since <the run's start>` (its
                    report is in this log): 0 means the processor and the record agree, nothing unresolved
and exits 1 if any of them is not 0. It also shows `refused=` (captures and voids answered 202, then refused by
the processor, with the refusal in `lastError` and the payment AUTHORIZED as the ledger says), `parked=` (operations
parked: each fails the run) and `injected=`: how many times each fault fired (`GET /_sandbox/faults`, read
before the faults go off).

    python3 Sandbox/chaos/chaos.py            # the full run (make chaos): 2,000 authorizations
    python3 Sandbox/chaos/chaos.py --short    # the CI run (make test): 300, a few kills, < 3 minutes
"""
import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.path.join(ROOT, ".build", "debug")
TOKEN = "chaos-token"
WEBHOOK_SECRET = "whsec_chaos_secret"

# (payment method, weight): good cards, declines, a card whose refunds fail later, and disputed charges.
CARDS = [
    ("pm_card_visa", 50), ("pm_card_mastercard", 10), ("pm_card_amex", 5),
    ("pm_card_chargeDeclined", 5), ("pm_card_visa_chargeDeclinedInsufficientFunds", 5),
    ("pm_card_chargeDeclinedExpiredCard", 3), ("pm_card_chargeDeclinedFraudulent", 3),
    ("pm_card_chargeDeclinedProcessingError", 3), ("pm_card_authenticationRequired", 3),
    ("pm_card_doesNotExist", 3), ("pm_card_refundFail", 10),
    # Charged back a second after capture (refunds refused while open), and an inquiry (refundable).
    ("pm_card_createDispute", 3), ("pm_card_createDisputeInquiry", 2),
]

WORKER_LEASE = 1
# A share of customer-present payments with a 3-D Secure card, and what their customer then does (weights).
CUSTOMER_PRESENT_SHARE = 0.15
THREE_DS_CARDS = ["pm_card_threeDSecure2Required", "pm_card_threeDSecureRequired", "pm_card_threeDSecureRequiredChargeDeclined"]
CUSTOMER_ACTIONS = [("succeed", 45), ("fail", 20), ("abandon", 15), ("void", 20)]
AUTHENTICATION_TIMEOUT = 5
# `lastError.code` of an operation the service parked (contract: it never creates again and again).
PARKED_CODES = ("create_keys_exhausted", "processor_protocol_fault")
FAULTS = {
    # A create key whose first saved 500 did nothing is spent: three in a row park the payment by design (at most
    # 3 create keys), so this fault stays rare enough (1 %) that a run of 2,000 almost never meets three at once.
    "error_before": 0.04, "error_after": 0.04, "error_after_noop": 0.01, "drop_before": 0.03, "drop_after": 0.04,
    "refuse": {"capture": 0.05, "cancel": 0.05, "refund": 0.03},
    "unreadable_2xx": 0.02,
    # Stalls past the lease: the instances run with WORKER_LEASE=1, so every call slower than a second outlives
    # its lease unless the heartbeat extends it; a PostgreSQL restart stops the heartbeats and lets leases expire.
    "latency_ms": [0, 1200], "rate_limit_rps": 90,
    "webhook_duplicate": 0.2, "webhook_reorder": True, "webhook_delay_ms": [0, 400], "webhook_drop_first": 0.2,
}


def first_arrivals(received):
    seen, order = set(), []
    for entry in received:
        if entry["event_id"] not in seen:
            seen.add(entry["event_id"])
            order.append(entry["event_id"])
    return order


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log(message):
    print(f"[chaos {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def request(port, method, path, body=None, headers=None, timeout=30):
    """One HTTP call; returns (status, headers, json-or-None). Raises OSError on connection trouble, a
    truncated or garbled answer included (an instance SIGKILLed between an answer's head and its body): the
    caller cannot know what happened and asks again, as a real client would."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        data = None if body is None else json.dumps(body).encode()
        all_headers = {"Authorization": f"Bearer {TOKEN}"}
        if data is not None:
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        try:
            conn.request(method, path, body=data, headers=all_headers)
            response = conn.getresponse()
            raw = response.read()
        except http.client.HTTPException as error:
            raise ConnectionError(f"answer cut off: {error!r}") from error
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return response.status, {k.lower(): v for k, v in response.getheaders()}, parsed
    finally:
        conn.close()


class Postgres:
    """A private cluster via Sandbox/scripts/postgres.sh (own port, own folder)."""

    def __init__(self, directory):
        self.port = free_port()
        self.dir = directory
        self.env = dict(os.environ, PG_PORT=str(self.port), PG_DIR=self.dir)
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/payments"
        bins = sorted(d for d in os.listdir("/usr/lib/postgresql")) if os.path.isdir("/usr/lib/postgresql") else []
        self.psql_bin = next((f"/usr/lib/postgresql/{v}/bin/psql" for v in reversed(bins)
                              if os.path.exists(f"/usr/lib/postgresql/{v}/bin/psql")), "psql")

    def script(self, action):
        subprocess.run([os.path.join(ROOT, "Sandbox/scripts/postgres.sh"), action], env=self.env, check=True,
                       stdout=subprocess.DEVNULL)

    def query(self, sql):
        out = subprocess.run([self.psql_bin, "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", "payments",
                              "-AtF", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql],
                             check=True, capture_output=True, text=True).stdout
        return [line.split("\t") for line in out.splitlines() if line]


class Instance:
    """One payment-service process; SIGKILLed and restarted on the same port."""

    def __init__(self, name, port, env, run_dir):
        self.name, self.port, self.env, self.run_dir = name, port, env, run_dir
        self.process = None
        self.starts = 0

    def start(self):
        self.starts += 1
        out = open(os.path.join(self.run_dir, f"{self.name}.log"), "ab")
        self.process = subprocess.Popen([os.path.join(BIN, "payment-service"), "serve"], env=self.env,
                                        stdout=out, stderr=subprocess.STDOUT)
        out.close()

    def ready(self):
        try:
            return request(self.port, "GET", "/health/ready", timeout=2)[0] == 200
        except OSError:
            return False

    def wait_ready(self, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}; see {self.run_dir}/{self.name}.log")
            if self.ready():
                return
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} not ready in {timeout}s")

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def terminate(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
                return None
        return self.process.returncode if self.process else None


class Client:
    """A client that retries the same command until it is answered, on whichever instance answers."""

    def __init__(self, ports, deadline_s, rng):
        self.ports = ports
        self.deadline_s = deadline_s
        self.rng = rng
        self.retries = 0

    def call(self, method, path, body=None, headers=None):
        deadline = time.time() + self.deadline_s
        pause = 0.1
        while time.time() < deadline:
            port = self.rng.choice(self.ports)
            try:
                status, hdrs, parsed = request(port, method, path, body, headers)
                if status < 500:
                    return status, parsed
            except OSError:
                pass
            self.retries += 1
            time.sleep(pause * (0.5 + self.rng.random()))
            pause = min(pause * 2, 2.0)
        return None, None


class Run:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.lock = threading.Lock()
        self.ack_payments = set()      # authorize acknowledged: paymentId
        self.ack_captures = {}         # paymentId -> amount acknowledged
        self.ack_voids = set()         # paymentId
        self.queued_only = set()       # captures and voids answered 202 (not 200): the processor may refuse them
        self.ack_refunds = {}          # refundId -> paymentId
        self.unanswered = 0
        self.answers = {}
        self.kills = 0
        self.pg_restarts = 0
        self.issued = 0
        self.load_done = threading.Event()
        self.receiver = None           # the subscribed endpoint's flaky receiver (a process)
        self.receiver_kills = 0

    def count(self, key):
        with self.lock:
            self.answers[key] = self.answers.get(key, 0) + 1

    # -- the load -----------------------------------------------------------------------------------

    def one_payment(self, index):
        rng = random.Random(f"{self.args.seed}-{index}")
        client = Client(self.ports, self.args.command_deadline, rng)
        method = rng.choices([c for c, _ in CARDS], weights=[w for _, w in CARDS])[0]
        capture = "automatic" if rng.random() < 0.3 else "manual"
        present = rng.random() < CUSTOMER_PRESENT_SHARE
        body = {"cartId": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "customerId": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "amount": rng.randrange(100, 50_000), "currency": rng.choice(["USD", "EUR"]),
                "paymentMethod": rng.choice(THREE_DS_CARDS) if present else method, "capture": capture}
        if present:
            body["customerPresent"] = True
        key = f"chaos-{self.args.seed}-{index}"
        status, payment = client.call("POST", "/payments/authorize", body,
                                      {"Idempotency-Key": key, "Prefer": "wait=5"})
        with self.lock:
            self.issued += 1
        if status is None:
            with self.lock:
                self.unanswered += 1
            return
        self.count(f"authorize {status}")
        if status not in (200, 201, 402) or not payment:
            return
        pid = payment["paymentId"]
        with self.lock:
            self.ack_payments.add(pid)
        payment = self.settled(client, pid, payment)
        if payment is not None and payment["status"] == "REQUIRES_ACTION":
            payment = self.customer_acts(client, rng, pid, payment)
        if payment is None:
            return
        roll = rng.random()
        if payment["status"] == "AUTHORIZED":
            if roll < 0.2:
                self.void(client, pid)
                return
            if roll < 0.75:
                amount = payment["amount"] if rng.random() < 0.6 else max(50, payment["amount"] // 2)
                if not self.capture(client, pid, amount):
                    return
                payment = self.wait_status(client, pid, "CAPTURED")
                if payment is None:
                    return
                roll = rng.random() * 0.75 + 0.25  # refunds below
            else:
                return
        if payment["status"] == "CAPTURED" and roll > 0.55:
            captured = payment["amountCaptured"]
            first = captured if rng.random() < 0.4 else max(1, captured // 3)
            self.refund(client, pid, first, f"{key}-r1")
            if first < captured and rng.random() < 0.5:
                self.refund(client, pid, captured - first, f"{key}-r2")

    def settled(self, client, pid, payment):
        """Polls until the authorization has an outcome (the answer may have come before it)."""
        deadline = time.time() + 120
        while payment.get("status") == "REQUESTED" and time.time() < deadline:
            if (payment.get("lastError") or {}).get("code") in PARKED_CODES:
                return None
            time.sleep(0.5)
            status, body = client.call("GET", f"/payments/{pid}")
            if status == 200 and body:
                payment = body
        return None if payment.get("status") == "REQUESTED" else payment

    def customer_acts(self, client, rng, pid, payment):
        """The customer of a REQUIRES_ACTION payment completes or fails the challenge (the sandbox's stand-in for
        Stripe.js), walks away, or Ordering voids first and the customer completes it anyway."""
        action = rng.choices([a for a, _ in CUSTOMER_ACTIONS], weights=[w for _, w in CUSTOMER_ACTIONS])[0]
        self.count(f"customer {action}")
        if action == "void":
            self.void(client, pid)
        if action != "abandon":
            self.authenticate(payment.get("processorReference"), "fail" if action == "fail" else "succeed")
        settled = self.wait_until(client, pid, lambda p: p["status"] not in ("REQUESTED", "REQUIRES_ACTION"))
        return None if action == "void" else settled

    def authenticate(self, intent, outcome):
        try:
            request(self.sandbox_port, "POST", f"/_sandbox/payment_intents/{intent}/authenticate", {"outcome": outcome}, timeout=10)
        except OSError:
            pass  # the customer's browser gave up: the time-out settles it

    def wait_until(self, client, pid, done):
        deadline = time.time() + 120
        while time.time() < deadline:
            status, body = client.call("GET", f"/payments/{pid}")
            if status == 200 and body and done(body):
                return body
            time.sleep(0.5)
        return None

    def wait_status(self, client, pid, wanted):
        deadline = time.time() + 120
        while time.time() < deadline:
            status, body = client.call("GET", f"/payments/{pid}")
            if status == 200 and body and body["status"] == wanted:
                return body
            if status == 200 and body and body["status"] == "AUTHORIZED" and (body.get("lastError") or {}).get("operation") == "capture":
                return None  # refused: the record shows it, and the verdict checks it against the ledger
            time.sleep(0.5)
        return None

    def capture(self, client, pid, amount):
        status, _ = client.call("POST", f"/payments/{pid}/capture", {"amount": amount}, {"Prefer": "wait=5"})
        self.count(f"capture {status}")
        if status in (200, 202):
            with self.lock:
                self.ack_captures[pid] = amount
                if status == 202:
                    self.queued_only.add(pid)
            return True
        if status is None:
            with self.lock:
                self.unanswered += 1
        return False

    def void(self, client, pid):
        status, _ = client.call("POST", f"/payments/{pid}/void", None, {"Prefer": "wait=5"})
        self.count(f"void {status}")
        if status in (200, 202):
            with self.lock:
                self.ack_voids.add(pid)
                if status == 202:
                    self.queued_only.add(pid)
        elif status is None:
            with self.lock:
                self.unanswered += 1

    def refund(self, client, pid, amount, key):
        status, body = client.call("POST", f"/payments/{pid}/refunds", {"amount": amount, "reason": "requested_by_customer"},
                                   {"Idempotency-Key": key})
        self.count(f"refund {status}")
        if status in (200, 201) and body:
            with self.lock:
                self.ack_refunds[body["refundId"]] = pid
        elif status is None:
            with self.lock:
                self.unanswered += 1

    # -- the chaos ----------------------------------------------------------------------------------

    def chaos(self):
        """SIGKILL an instance every few seconds (alternating) and restart it; restart PostgreSQL once,
        half-way through the load."""
        victim = 0
        next_kill = time.time() + self.args.kill_every
        while not self.load_done.is_set():
            if self.pg_restarts == 0 and self.issued >= self.args.commands // 2:
                log("restarting PostgreSQL")
                self.pg.script("restart")
                self.pg_restarts += 1
                log("PostgreSQL is back")
            if self.receiver_kills == 0 and self.issued >= self.args.commands // 3:
                log("killing the webhook receiver; back in 3 s")
                self.receiver.kill()
                self.receiver.wait()
                self.receiver_kills += 1
                time.sleep(3)
                self.start_receiver()
            if time.time() >= next_kill:
                instance = self.instances[victim % len(self.instances)]
                victim += 1
                instance.kill()
                self.kills += 1
                instance.start()
                next_kill = time.time() + self.args.kill_every
            self.load_done.wait(0.2)

    # -- the subscribed endpoint -------------------------------------------------------------------

    def start_receiver(self):
        with open(os.path.join(self.run_dir, "receiver.log"), "ab") as out:
            self.receiver = subprocess.Popen(
                [sys.executable, os.path.join(ROOT, "Sandbox/scripts/webhook-receiver.py"), "--port", str(self.receiver_port),
                 "--log", os.path.join(self.run_dir, "webhooks.jsonl"), "--flaky", str(self.args.seed)],
                stdout=subprocess.DEVNULL, stderr=out)

    def subscribe(self, run_dir):
        """One endpoint for every event type, behind a flaky receiver that is also killed once mid-run."""
        self.run_dir, self.receiver_port = run_dir, free_port()
        self.start_receiver()
        body = {"url": f"http://127.0.0.1:{self.receiver_port}/hook", "events": ["*"], "description": "chaos"}
        status, _, endpoint = request(self.ports[0], "POST", "/webhook-endpoints", body)
        if status != 201:
            raise RuntimeError(f"subscribing answered {status}: {endpoint}")
        self.endpoint = endpoint
        log(f"webhook endpoint {endpoint['id']} from {endpoint['cursor']} to the receiver on {self.receiver_port}")

    def feed_after(self, cursor):
        ids = []
        while True:
            _, _, page = request(self.ports[0], "GET", f"/events?after={cursor}&limit=1000", timeout=60)
            if not page["events"]:
                return ids
            ids += [event["id"] for event in page["events"]]
            cursor = page["next"]

    def webhooks_delivered(self, timeout):
        """Every event of the outbox after the endpoint's start reached the receiver at least once, first arrivals in
        feed order: `webhooks_undelivered` counts the events not yet taken (2xx) when the wait ends, `webhooks_out_of_order`
        the events that first arrived after a later one."""
        feed = self.feed_after(self.endpoint["cursor"])
        deadline = time.time() + timeout
        while True:
            received = []
            with open(os.path.join(self.run_dir, "webhooks.jsonl"), encoding="utf-8") as lines:
                received = [json.loads(line) for line in lines if line.strip()]
            taken = first_arrivals([r for r in received if r["action"] == "200" or r["action"].startswith("slow")])
            if taken == feed or time.time() >= deadline:
                break
            time.sleep(1)
        arrivals = first_arrivals(received)
        position = {event: n for n, event in enumerate(feed)}
        out_of_order = sum(1 for a, b in zip(arrivals, arrivals[1:]) if position.get(a, -1) > position.get(b, -1))
        log(f"webhooks: {len(feed)} events, {len(received)} requests ({len(received) - len(arrivals)} repeats), "
            f"{len(set(feed) - set(taken))} not yet taken, receiver killed {self.receiver_kills}x")
        return {"webhooks_undelivered": len(set(feed) - set(taken)), "webhooks_out_of_order": out_of_order}

    # -- convergence and the verdict ----------------------------------------------------------------

    def converge(self, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                requested = int(self.pg.query(
                    "SELECT count(*) FROM payments p WHERE status = 'REQUESTED' AND NOT EXISTS "
                    "(SELECT 1 FROM operations o WHERE o.payment_id = p.id AND o.status = 'parked')")[0][0])
                queued = int(self.pg.query("SELECT count(*) FROM operations WHERE status = 'queued'")[0][0])
            except subprocess.CalledProcessError:
                requested = queued = -1
            if requested == 0 and queued == 0:
                return True
            time.sleep(1)
        return False

    def injected(self):
        """How many times each fault fired, as `name:count,…` (`?` when the sandbox does not answer)."""
        try:
            counts = request(self.sandbox_port, "GET", "/_sandbox/faults", timeout=10)[2]["injected"]
        except (OSError, TypeError, KeyError):
            return "?"
        return ",".join(f"{name}:{count}" for name, count in sorted(counts.items()))

    def verify(self):
        ledger = request(self.sandbox_port, "GET", "/_sandbox/ledger", timeout=60)[2]
        intents = {}
        for intent in ledger["payment_intents"]:
            intents.setdefault(intent.get("metadata", {}).get("payment_id"), []).append(intent)
        ledger_refunds = {r["id"]: r for r in ledger["refunds"]}

        payments = {}
        for row in self.pg.query("SELECT id, status, amount_captured, amount_refunded, coalesce(processor_reference, ''), "
                                 "coalesce(last_error->>'operation', '') FROM payments"):
            payments[row[0]] = {"status": row[1], "captured": int(row[2]), "refunded": int(row[3]), "ref": row[4],
                                "last_error": row[5]}
        refunds = {}
        for row in self.pg.query("SELECT id, payment_id, status, coalesce(processor_reference, ''), amount FROM refunds"):
            refunds[row[0]] = {"payment": row[1], "status": row[2], "ref": row[3], "amount": int(row[4])}
        queued = {row[0] for row in self.pg.query("SELECT DISTINCT payment_id FROM operations WHERE status = 'queued'")}
        parked_ids = {row[0] for row in self.pg.query("SELECT DISTINCT payment_id FROM operations WHERE status = 'parked'")}

        problems = []
        missing = 0
        for pid in self.ack_payments:
            if pid not in payments:
                missing += 1
                problems.append(f"missing payment {pid}")
        # A capture or void answered 202 and then refused by the processor is no loss when the record shows the
        # refusal (lastError) and the payment is still AUTHORIZED; the ledger check below holds it to the truth.
        refused = 0
        for pid, amount in self.ack_captures.items():
            p = payments.get(pid)
            if p and pid in self.queued_only and p["status"] == "AUTHORIZED" and p["last_error"] == "capture":
                refused += 1
            elif not p or p["status"] != "CAPTURED" or p["captured"] != amount:
                missing += 1
                problems.append(f"capture of {amount} acknowledged, payment is {p}: {pid}")
        for pid in self.ack_voids:
            p = payments.get(pid)
            if p and pid in self.queued_only and p["status"] in ("AUTHORIZED", "CAPTURED") and p["last_error"] == "void":
                # Refused; or a customer's challenge charged the payment first (automatic capture): refund it instead.
                refused += 1
            elif p and pid in self.queued_only and p["status"] == "FAILED":
                pass  # a void queued during a challenge that then declined: nothing was held (the holds check says)
            elif not p or p["status"] != "VOIDED":
                missing += 1
                problems.append(f"void acknowledged, payment is {p}: {pid}")
        for rid, pid in self.ack_refunds.items():
            r = refunds.get(rid)
            if not r or r["payment"] != pid or r["status"] not in ("PROCESSED", "FAILED"):
                missing += 1
                problems.append(f"refund {rid} acknowledged, found {r}")

        double = 0
        for pid, its in intents.items():
            if sum(i.get("confirmations", 0) for i in its) > 1:
                double += 1
                problems.append(f"payment {pid} confirmed {[i['confirmations'] for i in its]} times: {[i['id'] for i in its]}")

        # A parked operation (create keys ran out, or answers stayed unreadable) waits for an operator: with these
        # fault rates none should be, so each one fails the run, counted apart from the unsettled.
        unsettled = 0
        for pid, p in payments.items():
            if pid in parked_ids:
                problems.append(f"parked {pid}: {p['status']}, lastError {p['last_error']}")
            elif p["status"] in ("REQUESTED", "REQUIRES_ACTION") or pid in queued:
                unsettled += 1
                problems.append(f"unsettled {pid}: {p['status']}, queued={pid in queued}")

        def holds_or_took(i):
            return i["status"] == "requires_capture" or (i["status"] == "succeeded" and i.get("amount_received", 0) > 0)

        disagree = 0
        holds = 0
        for pid, p in payments.items():
            its = intents.get(pid, [])
            live = [i for i in its if holds_or_took(i)]
            ok = True
            if p["status"] == "AUTHORIZED":
                ok = len(live) == 1 and live[0]["status"] == "requires_capture" and live[0]["id"] == p["ref"]
            elif p["status"] == "CAPTURED":
                ok = (len(live) == 1 and live[0]["status"] == "succeeded" and live[0]["id"] == p["ref"]
                      and live[0]["amount_received"] == p["captured"] and live[0]["amount_refunded"] == p["refunded"])
            elif p["status"] in ("VOIDED", "FAILED") or pid in parked_ids and p["status"] == "REQUESTED":
                if live:
                    holds += 1
                    problems.append(f"{p['status']} payment {pid} has {[(i['id'], i['status']) for i in live]}")
            if not ok:
                disagree += 1
                problems.append(f"payment {pid} is {p} but the ledger has {[(i['id'], i['status'], i.get('amount_received'), i.get('amount_refunded')) for i in its]}")
        for rid, r in refunds.items():
            want = {"PROCESSED": "succeeded", "FAILED": None, "REQUESTED": None}[r["status"]]
            found = ledger_refunds.get(r["ref"]) if r["ref"] else None
            if r["status"] == "PROCESSED" and (not found or found["status"] != want or found["amount"] != r["amount"]):
                disagree += 1
                problems.append(f"refund {rid} PROCESSED, ledger has {found}")
            if r["status"] == "FAILED" and found and found["status"] == "succeeded":
                disagree += 1
                problems.append(f"refund {rid} FAILED, ledger has {found}")
        problems += self.unattributed()
        counts = dict(missing=missing, double_confirmed=double, unsettled=unsettled, disagree=disagree, holds=holds,
                      parked=len(parked_ids))
        return counts, dict(refused=refused), problems

    def unattributed(self):
        """Every payment and every refund asked for here names the run's credential, with exactly one audit row
        of its asking: the row commits with its effect or not at all, whatever the faults did to the commit."""
        rows = self.pg.query(
            "SELECT 'payment ' || p.id, coalesce(p.created_by, '-'), (SELECT count(*) FROM audit_log a "
            "WHERE a.subject = p.id::text AND a.action = 'authorize') FROM payments p "
            "UNION ALL SELECT 'refund ' || r.id, coalesce(r.created_by, '-'), (SELECT count(*) FROM audit_log a "
            "WHERE a.subject = r.id::text AND a.action = 'refund') FROM refunds r WHERE r.origin = 'service'")
        return [f"{row[0]}: createdBy {row[1]}, {row[2]} audit rows" for row in rows if row[1] != "chaos" or int(row[2]) != 1]

    # -- the whole run --------------------------------------------------------------------------------

    def log_after_the_hold(self):
        """What the run left for the after-the-hold paths: disputes recorded against the ledger's, refunds made
        elsewhere, voids by reason (the reconciliation above is what checks them)."""
        ledger = request(self.sandbox_port, "GET", "/_sandbox/ledger", timeout=60)[2]
        recorded = self.pg.query("SELECT status, count(*) FROM disputes GROUP BY status ORDER BY status")
        reasons = self.pg.query("SELECT coalesce(void_reason, '-'), count(*) FROM payments WHERE status = 'VOIDED' GROUP BY 1 ORDER BY 1")
        foreign = self.pg.query("SELECT count(*) FROM refunds WHERE origin = 'processor'")
        log(f"disputes: ledger {len(ledger.get('disputes', []))}, recorded {recorded}; "
            f"refunds from elsewhere {foreign}; voids by reason {reasons}")

    def reconcile(self, env, since):
        """The last step: `payment-service reconcile` over the whole run, while both instances still run (their
        workers perform the read-backs its heals queue). Its report goes into this log; its exit status must be 0
        (nothing unresolved)."""
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(since))
        try:
            done = subprocess.run([os.path.join(BIN, "payment-service"), "reconcile", "--since", stamp],
                                  env=dict(env, LOG_LEVEL="warning"), capture_output=True, text=True, timeout=600)
            status, output = done.returncode, done.stdout + done.stderr
        except subprocess.TimeoutExpired as expired:
            status, output = 2, f"reconcile still running after {expired.timeout}s"
        for line in output.splitlines():
            log(f"reconcile: {line}")
        log(f"reconcile exit status {status}")
        return status

    def main(self):
        started = time.time()
        run_dir = tempfile.mkdtemp(prefix="payment-chaos-")
        os.chmod(run_dir, 0o755)  # PostgreSQL runs as `postgres` and must reach its folder inside
        self.pg = Postgres(os.path.join(run_dir, "pg"))
        sandbox = None
        self.instances = []
        ok = False
        try:
            log(f"run folder {run_dir}; PostgreSQL on {self.pg.port}")
            self.pg.script("start")
            self.sandbox_port = free_port()
            ports = [free_port(), free_port()]
            self.ports = ports
            faults = dict(FAULTS, seed=self.args.seed)
            flags = ["--error-before", str(faults["error_before"]), "--error-after", str(faults["error_after"]),
                     "--error-after-noop", str(faults["error_after_noop"]), "--unreadable-2xx", str(faults["unreadable_2xx"]),
                     "--refuse", ",".join(f"{op}={p}" for op, p in faults["refuse"].items()),
                     "--drop-before", str(faults["drop_before"]), "--drop-after", str(faults["drop_after"]),
                     "--latency-ms", ",".join(map(str, faults["latency_ms"])), "--rate-limit-rps", str(faults["rate_limit_rps"]),
                     "--webhook-duplicate", str(faults["webhook_duplicate"]), "--webhook-reorder",
                     "--webhook-delay-ms", ",".join(map(str, faults["webhook_delay_ms"])),
                     "--webhook-drop-first", str(faults["webhook_drop_first"]), "--seed", str(self.args.seed)]
            with open(os.path.join(run_dir, "sandbox.log"), "ab") as out:
                sandbox = subprocess.Popen(
                    [os.path.join(BIN, "stripe-sandbox"), "--port", str(self.sandbox_port),
                     "--webhook-url", f"http://127.0.0.1:{ports[0]}/webhooks/stripe", "--webhook-secret", WEBHOOK_SECRET,
                     "--log-level", "warning"] + flags, stdout=out, stderr=subprocess.STDOUT)
            for _ in range(200):
                try:
                    if request(self.sandbox_port, "GET", "/_sandbox/faults", timeout=1)[0] == 200:
                        break
                except OSError:
                    time.sleep(0.1)
            env = dict(os.environ, DATABASE_URL=self.pg.url, STRIPE_API_BASE=f"http://127.0.0.1:{self.sandbox_port}",
                       STRIPE_SECRET_KEY="sk_test_chaos", STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET, PAYMENT_API_TOKENS=f"chaos:admin:{TOKEN}",
                       ROLE="all", LOG_FORMAT="json", LOG_LEVEL="notice", HOST="127.0.0.1", DB_POOL_SIZE="8",
                       WORKER_CONCURRENCY="16", STRIPE_MAX_RPS=str(self.args.max_rps), WORKER_LEASE=str(WORKER_LEASE),
                       AUTHENTICATION_TIMEOUT=str(AUTHENTICATION_TIMEOUT), WEBHOOK_ALLOW_PRIVATE="1")
            for n, port in enumerate(ports):
                instance = Instance(f"service-{'ab'[n]}", port, dict(env, PORT=str(port)), run_dir)
                instance.start()
                self.instances.append(instance)
            for instance in self.instances:
                instance.wait_ready()
            log(f"sandbox on {self.sandbox_port} with faults {faults}; instances on {ports}")
            self.subscribe(run_dir)

            chaos = threading.Thread(target=self.chaos, daemon=True)
            chaos.start()
            load_start = time.time()
            with ThreadPoolExecutor(max_workers=self.args.clients) as pool:
                for future in [pool.submit(self.one_payment, i) for i in range(self.args.commands)]:
                    future.result()
            self.load_done.set()
            chaos.join()
            load_time = time.time() - load_start
            log(f"load done in {load_time:.0f}s: {dict(sorted(self.answers.items()))}; kills={self.kills}")

            for instance in self.instances:
                if instance.process.poll() is not None:
                    instance.start()
                instance.wait_ready()
            injected = self.injected()
            request(self.sandbox_port, "POST", "/_sandbox/faults", {}, timeout=10)
            log("faults off; waiting for convergence")
            converge_start = time.time()
            converged = self.converge(self.args.converge_timeout)
            log(f"converged={converged} after {time.time() - converge_start:.0f}s")
            counts, outcomes, problems = self.verify()
            counts.update(self.webhooks_delivered(self.args.converge_timeout))
            for problem in problems[:30]:
                log(problem)
            counts["unanswered"] = self.unanswered
            counts["reconcile_exit"] = self.reconcile(env, since=started - 300)
            self.log_after_the_hold()
            ok = all(v == 0 for v in counts.values())
            summary = " ".join(f"{k}={v}" for k, v in counts.items())
            print(f"chaos {'PASS' if ok else 'FAIL'}: commands={self.args.commands} acknowledged={len(self.ack_payments)} "
                  f"captures={len(self.ack_captures)} voids={len(self.ack_voids)} refunds={len(self.ack_refunds)} "
                  f"kills={self.kills} pg_restarts={self.pg_restarts} {summary} "
                  f"refused={outcomes['refused']} lease={WORKER_LEASE}s injected={injected} "
                  f"duration={time.time() - started:.0f}s",
                  flush=True)
        finally:
            if self.receiver and self.receiver.poll() is None:
                self.receiver.kill()
            for instance in self.instances:
                instance.terminate()
            if sandbox and sandbox.poll() is None:
                sandbox.terminate()
                try:
                    sandbox.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    sandbox.kill()
            try:
                self.pg.script("stop")
            except subprocess.CalledProcessError:
                pass
            if ok and not self.args.keep:
                shutil.rmtree(run_dir, ignore_errors=True)
            else:
                log(f"logs kept in {run_dir}")
        return 0 if ok else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--short", action="store_true", help="the CI run: 300 commands, a kill every 5 s")
    parser.add_argument("--commands", type=int, help="authorize commands (default 2000; --short 300)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--kill-every", type=float, help="seconds between SIGKILLs (default 4; --short 5)")
    parser.add_argument("--max-rps", type=int, default=40, help="STRIPE_MAX_RPS of each instance (default 40)")
    parser.add_argument("--seed", type=int, default=int(os.environ.get("CHAOS_SEED", "42")), help="fault and load seed")
    parser.add_argument("--command-deadline", type=float, default=300, help="a client gives a command up after this")
    parser.add_argument("--converge-timeout", type=float, help="seconds to wait for convergence (default 240; --short 120)")
    parser.add_argument("--keep", action="store_true", help="keep the run folder (logs, database) even on success")
    args = parser.parse_args()
    args.commands = args.commands or (300 if args.short else 2000)
    args.kill_every = args.kill_every or (5.0 if args.short else 4.0)
    args.converge_timeout = args.converge_timeout or (120 if args.short else 240)
    for binary in ("payment-service", "stripe-sandbox"):
        if not os.access(os.path.join(BIN, binary), os.X_OK):
            sys.exit(f"chaos: {BIN}/{binary} is missing: swift build --product {binary}")
    sys.exit(Run(args).main())


if __name__ == "__main__":
    main()
