extension Migration {
    /// Payments, refunds, the processor operation queue, the event outbox, idempotency keys and webhook dedupe.
    static let v1InitialSchema = Migration(version: 1, name: "initial schema", sql: """
        CREATE FUNCTION rfc3339(timestamptz) RETURNS text
          LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
          AS $$ SELECT to_char($1 AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') $$;

        CREATE TABLE payments (
          id                  uuid PRIMARY KEY,
          cart_id             uuid NOT NULL,
          order_id            uuid NOT NULL,
          customer_id         uuid,
          amount              bigint NOT NULL CHECK (amount > 0),
          currency            char(3) NOT NULL,
          capture_mode        text NOT NULL CHECK (capture_mode IN ('manual', 'automatic')),
          payment_method      text NOT NULL,
          metadata            jsonb NOT NULL DEFAULT '{}',
          command             text NOT NULL,
          status              text NOT NULL
                              CHECK (status IN ('REQUESTED', 'AUTHORIZED', 'CAPTURED', 'VOIDED', 'FAILED')),
          amount_captured     bigint NOT NULL DEFAULT 0 CHECK (amount_captured >= 0),
          amount_refunded     bigint NOT NULL DEFAULT 0 CHECK (amount_refunded >= 0),
          failure_reason      text,
          decline_code        text,
          processor_reference text UNIQUE,
          last_error          jsonb,
          created_at          timestamptz NOT NULL DEFAULT clock_timestamp(),
          updated_at          timestamptz NOT NULL DEFAULT clock_timestamp(),
          CHECK (amount_refunded <= amount_captured)
        );
        CREATE INDEX payments_by_cart ON payments (cart_id, created_at DESC);
        -- One live payment per cart, whatever races the intake loses.
        CREATE UNIQUE INDEX payments_one_live_per_cart ON payments (cart_id)
          WHERE status IN ('REQUESTED', 'AUTHORIZED', 'CAPTURED');

        CREATE TABLE refunds (
          id                  uuid PRIMARY KEY,
          payment_id          uuid NOT NULL REFERENCES payments (id),
          amount              bigint NOT NULL CHECK (amount > 0),
          reason              text,
          status              text NOT NULL CHECK (status IN ('REQUESTED', 'PROCESSED', 'FAILED')),
          processor_reference text UNIQUE,
          failure_reason      text,
          created_at          timestamptz NOT NULL DEFAULT clock_timestamp(),
          updated_at          timestamptz NOT NULL DEFAULT clock_timestamp()
        );
        CREATE INDEX refunds_by_payment ON refunds (payment_id);

        -- The durable queue of processor calls the worker drives.
        CREATE TABLE operations (
          id               bigserial PRIMARY KEY,
          payment_id       uuid NOT NULL REFERENCES payments (id),
          refund_id        uuid REFERENCES refunds (id),
          kind             text NOT NULL CHECK (kind IN ('authorize', 'capture', 'void', 'refund')),
          status           text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'done', 'failed', 'cancelled')),
          amount           bigint,
          -- Stripe idempotency keys derive from it: `<key>:<step>` (creates add an attempt number).
          idempotency_key  text NOT NULL UNIQUE,
          attempts         integer NOT NULL DEFAULT 0,
          create_attempt   integer NOT NULL DEFAULT 0,
          -- Set in the transaction that records the first processor call (with its `*-requested` event).
          dispatched_at    timestamptz,
          next_attempt_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
          lease_owner      text,
          lease_until      timestamptz,
          last_error       text,
          created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
          updated_at       timestamptz NOT NULL DEFAULT clock_timestamp()
        );
        CREATE INDEX operations_due ON operations (next_attempt_at) WHERE status = 'queued';
        CREATE INDEX operations_by_payment ON operations (payment_id);
        -- A payment is authorized, captured and voided at most once.
        CREATE UNIQUE INDEX operations_once_per_payment ON operations (payment_id, kind)
          WHERE kind IN ('authorize', 'capture', 'void');

        -- The outbox. Readers page by (xid, seq) and only see rows older than every running transaction,
        -- so a row that commits late can never fall behind a cursor already handed out.
        CREATE TABLE events (
          seq          bigserial PRIMARY KEY,
          xid          xid8 NOT NULL DEFAULT pg_current_xact_id(),
          type         text NOT NULL,
          subject_id   uuid NOT NULL,
          payment_id   uuid NOT NULL,
          data         text NOT NULL,
          occurred_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
          UNIQUE (subject_id, type)
        );
        CREATE INDEX events_feed ON events (xid, seq);

        CREATE TABLE idempotency_keys (
          scope        text NOT NULL,
          key          text NOT NULL,
          fingerprint  text NOT NULL,
          resource_id  uuid NOT NULL,
          created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
          PRIMARY KEY (scope, key)
        );

        CREATE TABLE webhook_events (
          id           text PRIMARY KEY,
          type         text NOT NULL,
          received_at  timestamptz NOT NULL DEFAULT clock_timestamp()
        );
        """)
}
