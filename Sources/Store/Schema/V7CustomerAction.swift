extension Migration {
    /// Customer-present checkout and Radar:
    /// - REQUIRES_ACTION: a customer-present authorization waits for the customer's 3-D Secure challenge. It is
    ///   live (one live payment per cart); `next_action_type` and `client_secret` are kept only while in it,
    ///   `action_required_at` since when (for `AUTHENTICATION_TIMEOUT` and the waiting gauge);
    /// - `customer_present`: the command asked for an on-session confirm;
    /// - `risk_outcome`, `review_status`, `review_reason`: what Radar said of the charge.
    static let v7CustomerAction = Migration(version: 7, name: "customer action and risk", sql: """
        ALTER TABLE payments DROP CONSTRAINT payments_status_check;
        ALTER TABLE payments ADD CONSTRAINT payments_status_check
          CHECK (status IN ('REQUESTED', 'REQUIRES_ACTION', 'AUTHORIZED', 'CAPTURED', 'VOIDED', 'FAILED'));
        DROP INDEX payments_one_live_per_cart;
        CREATE UNIQUE INDEX payments_one_live_per_cart ON payments (cart_id)
          WHERE status IN ('REQUESTED', 'REQUIRES_ACTION', 'AUTHORIZED', 'CAPTURED');
        ALTER TABLE payments
          ADD COLUMN customer_present boolean NOT NULL DEFAULT false,
          ADD COLUMN next_action_type text,
          ADD COLUMN client_secret text,
          ADD COLUMN action_required_at timestamptz,
          ADD COLUMN risk_outcome text,
          ADD COLUMN review_status text CHECK (review_status IN ('open', 'closed')),
          ADD COLUMN review_reason text;
        CREATE INDEX payments_requiring_action ON payments (action_required_at) WHERE status = 'REQUIRES_ACTION';
        """)
}
