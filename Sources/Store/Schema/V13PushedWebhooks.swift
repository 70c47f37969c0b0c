extension Migration {
    /// Pushed webhooks: subscribers' endpoints, each with its own cursor over the outbox, and the delivery log.
    /// - the retry schedule (`failing_since`, `next_attempt_at`, `previous_secret_until`) is in unix seconds of the
    ///   deliverer's clock, which tests can move; leases are in the database's clock, like the operations';
    /// - `lease_generation` grows at every claim and fences every write of a delivery's effects; `cursor_version`
    ///   grows at every replay, so a delivery in flight cannot move the cursor an operator has just moved back;
    /// - one log row per (endpoint, event) for the cursor's deliveries, plus one per operator redelivery.
    static let v13PushedWebhooks = Migration(version: 13, name: "pushed webhooks", sql: """
        CREATE TABLE webhook_endpoints (
          id                    uuid PRIMARY KEY,
          url                   text NOT NULL CHECK (char_length(url) <= 2048),
          events                text[] NOT NULL CHECK (cardinality(events) >= 1),
          description           text CHECK (char_length(description) <= 500),
          enabled               boolean NOT NULL DEFAULT true,
          disabled_reason       text,
          secret                text NOT NULL,
          previous_secret       text,
          previous_secret_until bigint,
          cursor_xid            xid8 NOT NULL,
          cursor_seq            bigint NOT NULL,
          cursor_version        bigint NOT NULL DEFAULT 0,
          failures              integer NOT NULL DEFAULT 0,
          failing_since         bigint,
          next_attempt_at       bigint NOT NULL DEFAULT 0,
          lease_owner           text,
          lease_until           timestamptz,
          lease_generation      bigint NOT NULL DEFAULT 0,
          created_by            text,
          created_at            timestamptz NOT NULL DEFAULT clock_timestamp(),
          updated_at            timestamptz NOT NULL DEFAULT clock_timestamp()
        );
        CREATE INDEX webhook_endpoints_due ON webhook_endpoints (next_attempt_at) WHERE enabled;

        CREATE TABLE webhook_deliveries (
          id              bigserial PRIMARY KEY,
          endpoint_id     uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
          event_xid       xid8 NOT NULL,
          event_seq       bigint NOT NULL,
          event_type      text NOT NULL,
          redelivery      boolean NOT NULL DEFAULT false,
          status          text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
          attempts        integer NOT NULL DEFAULT 0,
          last_status     integer,
          last_error      text,
          last_attempt_at timestamptz,
          requested_by    text,
          created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
          updated_at      timestamptz NOT NULL DEFAULT clock_timestamp()
        );
        CREATE UNIQUE INDEX webhook_deliveries_one_per_event ON webhook_deliveries (endpoint_id, event_seq) WHERE NOT redelivery;
        CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, id);
        CREATE INDEX webhook_deliveries_waiting ON webhook_deliveries (endpoint_id) WHERE redelivery AND status = 'pending';
        CREATE INDEX webhook_deliveries_age ON webhook_deliveries (updated_at) WHERE status <> 'pending';
        """)
}
