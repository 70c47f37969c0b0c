#!/usr/bin/env python3
"""Checkout latency: an authorization with `Prefer: wait` through the service, next to the processor's own
create plus confirm, measured by the same client in the same run (`make bench`, step 6).

    latency.py --api http://127.0.0.1:18080 --token bench --processor http://127.0.0.1:18111 \
               --concurrency 1 --count 400

Each of `concurrency` threads keeps one connection to each side and, in turn, times:
- the processor: POST /v1/payment_intents (the gateway's own form), then POST …/confirm with
  `payment_method=pm_card_visa&off_session=true`: the two calls an authorization costs at the processor;
- the service: POST /payments/authorize with `Prefer: wait=10` for a new cart, answered 201 AUTHORIZED.
Rounds alternate the two sides so that a noisy spell on this shared machine falls on both. Prints the median
and p99 of each, and the service's excess over the processor.
"""
import argparse
import http.client
import json
import statistics
import sys
import threading
import time
import urllib.parse
import uuid


def connection(base):
    parts = urllib.parse.urlsplit(base)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)


def post(conn, path, body, headers, what, accept):
    """One POST on `conn`; its decoded answer, or the bench stops when `accept` refuses it."""
    conn.request("POST", path, body, headers)
    response = conn.getresponse()
    answer = response.read()
    decoded = json.loads(answer) if answer else {}
    if not accept(response.status, decoded):
        sys.exit(f"latency: {what} answered {response.status}: {answer[:200]!r}")
    return decoded


def processor_pair(conn):
    """The processor's create plus confirm, as the gateway sends them; seconds."""
    key = uuid.uuid4().hex
    headers = {"Authorization": "Bearer sk_test_bench", "Content-Type": "application/x-www-form-urlencoded"}
    create = urllib.parse.urlencode({
        "amount": 4999, "currency": "usd", "capture_method": "manual", "payment_method_types[]": "card",
        "metadata[payment_id]": key,
    })
    confirm = urllib.parse.urlencode({"payment_method": "pm_card_visa", "off_session": "true"})
    start = time.perf_counter()
    intent = post(conn, "/v1/payment_intents", create, {**headers, "Idempotency-Key": key + ":create"}, "processor create",
                  lambda status, _: status == 200)["id"]
    post(conn, f"/v1/payment_intents/{intent}/confirm", confirm, {**headers, "Idempotency-Key": key + ":confirm"},
         "processor confirm", lambda status, body: status == 200 and body.get("status") == "requires_capture")
    return time.perf_counter() - start


def service_authorization(conn, token):
    """One AuthorizePayment with `Prefer: wait`, answered once AUTHORIZED; seconds."""
    body = json.dumps({
        "cartId": str(uuid.uuid4()), "customerId": "3f0c6a2e-1d7b-4c55-8f0e-2b9a7c4d5e60", "amount": 4999, "currency": "USD",
    })
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Prefer": "wait=10"}
    start = time.perf_counter()
    post(conn, "/payments/authorize", body, headers, "service",
         lambda status, answer: status == 201 and answer.get("status") == "AUTHORIZED")
    return time.perf_counter() - start


def run(args):
    processor, service = [], []
    lock = threading.Lock()
    per_thread = max(1, args.count // args.concurrency)

    def worker(index):
        pconn, sconn = connection(args.processor), connection(args.api)
        # Warm both connections (and the service's prepared statements) before timing.
        for _ in range(5):
            processor_pair(pconn)
            service_authorization(sconn, args.token)
        mine_p, mine_s = [], []
        for _ in range(per_thread):
            mine_p.append(processor_pair(pconn))
            mine_s.append(service_authorization(sconn, args.token))
        with lock:
            processor.extend(mine_p)
            service.extend(mine_s)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(args.concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return processor, service


def quantile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--api", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--processor", required=True)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--count", type=int, default=400)
    args = parser.parse_args()
    processor, service = run(args)
    ms = lambda seconds: seconds * 1000
    p50p, p99p = ms(statistics.median(processor)), ms(quantile(processor, 0.99))
    p50s, p99s = ms(statistics.median(service)), ms(quantile(service, 0.99))
    print(f"concurrency {args.concurrency}, {len(service)} authorizations: "
          f"service (Prefer: wait) p50 {p50s:.2f} ms, p99 {p99s:.2f} ms; "
          f"processor create+confirm p50 {p50p:.2f} ms, p99 {p99p:.2f} ms; "
          f"excess p50 {p50s - p50p:+.2f} ms, p99 {p99s - p99p:+.2f} ms")


if __name__ == "__main__":
    main()
