-- wrk script: the reference for the delivery rate, one connection POSTing an event like the deliverer's to the
-- same receiver (its own rate with one request in flight, as a strictly ordered endpoint allows).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Payment-Event-Id"] = "1000-1"
wrk.headers["Payment-Event-Type"] = "payment-succeeded"
wrk.headers["Payment-Signature"] = "t=1700000000,v1=0000000000000000000000000000000000000000000000000000000000000000"
wrk.body = '{"id":"1000-1","type":"payment-succeeded","occurredAt":"2026-12-01T00:00:00.000Z","data":{"paymentId":"'
  .. '6f1c3a52-0000-4000-8000-000000000001","orderId":"6f1c3a52-0000-4000-8000-000000000002","amount":4999,"currency":"USD",'
  .. '"processorReference":"pi_bench","succeededAt":"2026-12-01T00:00:00.000Z"}}'
