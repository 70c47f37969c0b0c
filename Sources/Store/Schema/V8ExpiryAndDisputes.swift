extension Migration {
    /// After the hold:
    /// - `authorization_expires_at`: the processor's `capture_before` for the hold; `expiry_warned_at` records the
    ///   one `payment-authorization-expiring` of a payment (the sweep's compare-and-set makes it once);
    /// - `void_reason`: why a VOIDED payment was voided. A void operation carries the reason it was asked with
    ///   (`operations.void_reason`); the payment takes it when the void lands;
    /// - `disputes`: the processor's disputes of captured payments, as last read back by a `dispute` operation,
    ///   which reads one dispute (`dispute_reference`, `dp_…`) at a time; `amount_disputed` is kept with them;
    /// - `refunds.origin`: `processor` for a refund made elsewhere (the dashboard) and recorded from a read-back.
    static let v8ExpiryAndDisputes = Migration(version: 8, name: "expiry and disputes", sql: """
        ALTER TABLE payments
          ADD COLUMN authorization_expires_at timestamptz,
          ADD COLUMN expiry_warned_at timestamptz,
          ADD COLUMN void_reason text CHECK (void_reason IN ('CLIENT', 'EXPIRY_POLICY', 'EXPIRED', 'AUTHENTICATION')),
          ADD COLUMN amount_disputed bigint NOT NULL DEFAULT 0;
        CREATE INDEX payments_holds_by_expiry ON payments (authorization_expires_at) WHERE status = 'AUTHORIZED';

        ALTER TABLE refunds ADD COLUMN origin text NOT NULL DEFAULT 'service' CHECK (origin IN ('service', 'processor'));

        CREATE TABLE disputes (
          id                   uuid PRIMARY KEY,
          payment_id           uuid NOT NULL REFERENCES payments (id),
          processor_reference  text NOT NULL UNIQUE,
          amount               bigint NOT NULL,
          currency             text NOT NULL,
          reason               text,
          status               text NOT NULL CHECK (status IN ('warning_needs_response', 'warning_under_review', 'warning_closed',
                                 'needs_response', 'under_review', 'won', 'lost', 'prevented')),
          is_charge_refundable boolean NOT NULL,
          evidence_due_by      timestamptz,
          funds_withdrawn      boolean NOT NULL DEFAULT false,
          funds_reinstated     boolean NOT NULL DEFAULT false,
          created_at           timestamptz NOT NULL DEFAULT clock_timestamp(),
          updated_at           timestamptz NOT NULL DEFAULT clock_timestamp()
        );
        CREATE INDEX disputes_by_payment ON disputes (payment_id);

        ALTER TABLE operations DROP CONSTRAINT operations_kind_check;
        ALTER TABLE operations ADD CONSTRAINT operations_kind_check
          CHECK (kind IN ('authorize', 'capture', 'void', 'refund', 'sync', 'dispute'));
        ALTER TABLE operations
          ADD COLUMN dispute_reference text,
          ADD COLUMN void_reason text CHECK (void_reason IN ('CLIENT', 'EXPIRY_POLICY', 'AUTHENTICATION'));
        CREATE UNIQUE INDEX operations_one_waiting_dispute_read ON operations (dispute_reference)
          WHERE kind = 'dispute' AND status = 'queued' AND lease_generation = 0;
        """)
}
