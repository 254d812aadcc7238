/// Schema v6: telemetry received from outside. Shipped migrations are frozen (MigrationsFrozenTests).
extension Migrations {
    /// Telemetry received from outside (OTLP/HTTP, Lambda log lines): which traces came in
    /// (and their W3C ids, for finding them again), span events, log records, a business
    /// event's own checkout (a received event may sit in a batch trace of many checkouts),
    /// and each receiver's counters (docs/store.md, docs/ingest.md). The engine writes none
    /// of these: its write path keeps its B-trees.
    static let v6 = """
    CREATE TABLE received_trace (
        trace_no INTEGER PRIMARY KEY,
        trace_id BLOB NOT NULL UNIQUE
    );
    CREATE TABLE received_resource (
        service_code INTEGER PRIMARY KEY,
        attributes   TEXT NOT NULL
    );
    CREATE TABLE span_event_data (
        trace_no       INTEGER NOT NULL,
        span_id        INTEGER NOT NULL,
        seq            INTEGER NOT NULL,
        time_offset_ns INTEGER NOT NULL,
        name           TEXT NOT NULL,
        attributes     TEXT,
        PRIMARY KEY (trace_no, span_id, seq)
    ) WITHOUT ROWID;
    CREATE VIEW span_event AS
    SELECT lower(hex(t.trace_id)) AS trace_id, printf('%016x', e.span_id) AS span_id,
           t.started_at + e.time_offset_ns AS time_unix_nano, e.name AS name, coalesce(e.attributes, '{}') AS attributes
    FROM span_event_data e JOIN trace t ON t.trace_no = e.trace_no;
    CREATE TABLE log_record (
        log_no          INTEGER PRIMARY KEY,
        time_unix_nano  INTEGER NOT NULL,
        severity_number INTEGER NOT NULL,
        severity_text   TEXT,
        body            TEXT,
        service_code    INTEGER NOT NULL,
        trace_no        INTEGER,
        span_id         INTEGER,
        attributes      TEXT,
        event_no        INTEGER
    );
    CREATE INDEX log_record_trace ON log_record (trace_no) WHERE trace_no IS NOT NULL;
    CREATE INDEX log_record_time ON log_record (time_unix_nano);
    ALTER TABLE business_event_data ADD COLUMN checkout_id TEXT;
    CREATE INDEX business_event_checkout ON business_event_data (checkout_id) WHERE checkout_id IS NOT NULL;
    DROP VIEW business_event;
    CREATE VIEW business_event AS
    SELECT e.event_no AS event_no, n.event_name AS event_name, n.event_type AS event_type,
           'payments' AS event_domain, 'payment-service' AS event_provider, '1.0' AS event_version,
           coalesce(e.checkout_id, t.checkout_id) AS checkout_id, e.outcome AS outcome, n.stage AS stage,
           e.biz_timestamp AS biz_timestamp,
           e.amount_total AS amount_total, e.amount_currency AS amount_currency, e.order_count AS order_count,
           e.payment_order_id AS payment_order_id, e.merchant_id AS merchant_id, e.error_code AS error_code,
           e.error_category AS error_category, e.psp_latency_ms AS psp_latency_ms,
           lower(hex(t.trace_id)) AS trace_id,
           CASE WHEN e.span_id IS NULL THEN NULL ELSE printf('%016x', e.span_id) END AS span_id,
           v.service_name AS service_name, v.service_version AS service_version, n.message AS message
    FROM business_event_data e JOIN business_event_name n ON n.event_code = e.event_code
    JOIN service_version v ON v.service_code = e.service_code
    LEFT JOIN trace t ON t.trace_no = e.trace_no;
    CREATE TABLE otlp_receiver (
        listen                 TEXT PRIMARY KEY,
        requests               INTEGER NOT NULL,
        spans_accepted         INTEGER NOT NULL,
        logs_accepted          INTEGER NOT NULL,
        metric_points_accepted INTEGER NOT NULL,
        business_events        INTEGER NOT NULL,
        refused                INTEGER NOT NULL,
        rejected               INTEGER NOT NULL,
        last_error             TEXT,
        updated_at             INTEGER NOT NULL
    ) WITHOUT ROWID;
    """
}
