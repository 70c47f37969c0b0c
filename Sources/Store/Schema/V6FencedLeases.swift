extension Migration {
    /// Fenced leases, new attempts after a refusal, and parked operations:
    /// - `lease_generation` grows by one at every claim; each write of a claim's effects names the generation
    ///   it holds, so a runner whose lease was taken over writes nothing;
    /// - `key_attempt` numbers the processor keys of an operation's calls (`…:capture:<n>` for n ≥ 1): a capture
    ///   or void refused for good ends `failed`, and asking again adds a row with the next number; a saved 500
    ///   that a read-back proved harmless moves the same row to the next number;
    /// - `parked`: the processor's answers cannot be read (a field a decision needs is missing, `protocol_faults`
    ///   counts them), or fresh create keys ran out; nothing is sent until a webhook's read-back or an operator
    ///   releases it;
    /// - only live captures and voids (queued or parked) are unique per payment: a failed one blocks nothing;
    /// - at most one sync *waits* per payment (never claimed yet): a sync already running has read what it read,
    ///   so an event arriving meanwhile queues another.
    static let v6FencedLeases = Migration(version: 6, name: "fenced leases and new attempts", sql: """
        ALTER TABLE operations ADD COLUMN lease_generation bigint NOT NULL DEFAULT 0;
        ALTER TABLE operations ADD COLUMN key_attempt integer NOT NULL DEFAULT 0;
        ALTER TABLE operations ADD COLUMN protocol_faults integer NOT NULL DEFAULT 0;
        ALTER TABLE operations DROP CONSTRAINT operations_status_check;
        ALTER TABLE operations ADD CONSTRAINT operations_status_check
          CHECK (status IN ('queued', 'done', 'failed', 'cancelled', 'parked'));
        ALTER TABLE operations DROP CONSTRAINT operations_idempotency_key_key;
        CREATE UNIQUE INDEX operations_key_attempt ON operations (idempotency_key, key_attempt);
        DROP INDEX operations_once_per_payment;
        CREATE UNIQUE INDEX operations_one_authorize ON operations (payment_id) WHERE kind = 'authorize';
        CREATE UNIQUE INDEX operations_one_live_capture_or_void ON operations (payment_id)
          WHERE kind IN ('capture', 'void') AND status IN ('queued', 'parked');
        CREATE INDEX operations_parked ON operations (payment_id) WHERE status = 'parked';
        DROP INDEX operations_one_queued_sync;
        CREATE UNIQUE INDEX operations_one_waiting_sync ON operations (payment_id)
          WHERE kind = 'sync' AND status = 'queued' AND lease_generation = 0;
        """)
}
