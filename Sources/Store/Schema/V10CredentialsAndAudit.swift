extension Migration {
    /// Who did what: `created_by` on payments and refunds and `actor` on operations (null on rows written before
    /// this version), and the append-only audit log. The trigger refuses UPDATE, DELETE and TRUNCATE to every
    /// role, the service's own (a superuser, which REVOKE cannot bind) included.
    static let v10CredentialsAndAudit = Migration(version: 10, name: "credentials and audit log", sql: """
        ALTER TABLE payments ADD COLUMN created_by text;
        ALTER TABLE refunds ADD COLUMN created_by text;
        ALTER TABLE operations ADD COLUMN actor text;

        CREATE TABLE audit_log (
          id            bigserial PRIMARY KEY,
          at            timestamptz NOT NULL DEFAULT clock_timestamp(),
          actor         text NOT NULL,
          action        text NOT NULL,
          subject       text NOT NULL,
          payment_id    text NOT NULL,
          reason        text CHECK (char_length(reason) <= 500),
          status_before text,
          status_after  text,
          request_id    text
        );
        CREATE INDEX audit_log_by_subject ON audit_log (subject, id);
        CREATE INDEX audit_log_by_payment ON audit_log (payment_id, id);

        CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
        END $$;
        CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
          FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
        REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC;
        """)
}
