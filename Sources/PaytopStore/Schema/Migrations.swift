/// The store's schema as an ordered list of migrations: v1–v3 here, v4, v5 and v6 in
/// Migrations+Settlement, +Rollups and +Received. A migration, once shipped, is never
/// edited: a change to the schema is a new migration appended to `all`, and
/// `PRAGMA user_version` records how many have run. docs/store.md documents every column.
enum Migrations {
    /// `PRAGMA application_id` of every paytop store: "payt" in ASCII.
    static let applicationID: Int64 = 0x7061_7974

    static let all: [String] = [v1, v2, v3, v4, v5, v6, v7, v8, v9, v10]

    static var latestVersion: Int { all.count }

    static let v1 = """
    CREATE TABLE payment_event (
        checkout_id      TEXT PRIMARY KEY,
        buyer_info       TEXT NOT NULL,
        seller_info      TEXT NOT NULL,
        credit_card_info TEXT NOT NULL,
        is_payment_done  INTEGER NOT NULL DEFAULT 0,
        amount_total     TEXT NOT NULL,
        currency         TEXT NOT NULL,
        order_count      INTEGER NOT NULL,
        outcome          TEXT,
        failure_code     TEXT,
        simulate         TEXT,
        request_hash     TEXT NOT NULL,
        created_at       INTEGER NOT NULL,
        done_at          INTEGER
    ) WITHOUT ROWID;
    CREATE TABLE payment_order (
        payment_order_id     TEXT PRIMARY KEY,
        checkout_id          TEXT NOT NULL,
        buyer_account        TEXT NOT NULL,
        seller_account       TEXT NOT NULL,
        amount               TEXT NOT NULL,
        currency             TEXT NOT NULL,
        payment_order_status TEXT NOT NULL
            CHECK (payment_order_status IN ('NOT_STARTED','EXECUTING','SUCCESS','FAILED')),
        ledger_updated       INTEGER NOT NULL DEFAULT 0,
        wallet_updated       INTEGER NOT NULL DEFAULT 0,
        created_at           INTEGER NOT NULL,
        executing_at         INTEGER,
        completed_at         INTEGER,
        updated_at           INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX payment_order_checkout_id ON payment_order (checkout_id);
    CREATE TABLE wallet (
        merchant_id TEXT NOT NULL,
        currency    TEXT NOT NULL,
        balance     TEXT NOT NULL,
        updated_at  INTEGER NOT NULL,
        PRIMARY KEY (merchant_id, currency)
    ) WITHOUT ROWID;
    CREATE TABLE ledger_entry (
        account          TEXT NOT NULL,
        direction        TEXT NOT NULL CHECK (direction IN ('debit','credit')),
        amount           TEXT NOT NULL,
        currency         TEXT NOT NULL,
        payment_order_id TEXT NOT NULL,
        created_at       INTEGER NOT NULL,
        entry_id         TEXT GENERATED ALWAYS AS
            ('txn-' || payment_order_id || CASE direction WHEN 'debit' THEN '-d' ELSE '-c' END) VIRTUAL,
        transaction_id   TEXT GENERATED ALWAYS AS ('txn-' || payment_order_id) VIRTUAL,
        PRIMARY KEY (payment_order_id, direction)
    ) WITHOUT ROWID;
    CREATE TABLE queue_message (
        message_id        TEXT PRIMARY KEY,
        queue_name        TEXT NOT NULL,
        source_queue      TEXT NOT NULL,
        checkout_id       TEXT NOT NULL,
        body              TEXT NOT NULL,
        attributes        TEXT NOT NULL,
        sent_at           INTEGER NOT NULL,
        visible_at        INTEGER NOT NULL,
        receive_count     INTEGER NOT NULL,
        first_received_at INTEGER,
        moved_at          INTEGER,
        last_error        TEXT
    ) WITHOUT ROWID;
    CREATE INDEX queue_message_queue ON queue_message (queue_name, visible_at);
    CREATE INDEX queue_message_checkout ON queue_message (checkout_id);
    CREATE TABLE psp_charge (
        idempotency_key TEXT PRIMARY KEY,
        psp_reference   TEXT NOT NULL,
        checkout_id     TEXT NOT NULL,
        amount          TEXT NOT NULL,
        currency        TEXT NOT NULL,
        status          TEXT NOT NULL CHECK (status IN ('SUCCEEDED','DECLINED')),
        decline_code    TEXT,
        requested_at    INTEGER NOT NULL,
        completed_at    INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE control_command (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        issued_at    INTEGER NOT NULL,
        source       TEXT NOT NULL,
        command      TEXT NOT NULL,
        args         TEXT NOT NULL,
        status       TEXT NOT NULL DEFAULT 'pending'
            CHECK (status IN ('pending','applied','rejected')),
        applied_at   INTEGER,
        result       TEXT
    );
    CREATE INDEX control_command_pending ON control_command (status, id);
    CREATE TABLE control_event (
        id         INTEGER PRIMARY KEY,
        at         INTEGER NOT NULL,
        source     TEXT NOT NULL,
        command_id INTEGER,
        command    TEXT NOT NULL,
        args       TEXT NOT NULL,
        summary    TEXT NOT NULL
    );
    CREATE TABLE engine_state (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE run (
        run_id        INTEGER PRIMARY KEY,
        mode          TEXT NOT NULL,
        paytop_version TEXT NOT NULL,
        started_wall  INTEGER NOT NULL,
        heartbeat_wall INTEGER NOT NULL,
        ended_wall    INTEGER,
        engine_start  INTEGER NOT NULL,
        engine_end    INTEGER,
        pid           INTEGER NOT NULL
    );
    """

    /// Telemetry: traces (compact, one B-tree per table; readable through the `span` and
    /// `span_link` views), business events and release events. docs/store.md.
    static let v2 = """
    ALTER TABLE payment_event ADD COLUMN trace_no INTEGER;
    CREATE INDEX payment_event_open ON payment_event (trace_no) WHERE is_payment_done = 0;
    CREATE TABLE trace (
        trace_no    INTEGER PRIMARY KEY,
        trace_id    BLOB NOT NULL,
        checkout_id TEXT,
        started_at  INTEGER NOT NULL
    );
    CREATE INDEX trace_checkout ON trace (checkout_id) WHERE checkout_id IS NOT NULL;
    CREATE INDEX trace_started ON trace (started_at);
    CREATE TABLE span_name (
        name_code  INTEGER PRIMARY KEY,
        name       TEXT NOT NULL,
        kind       TEXT NOT NULL CHECK (kind IN ('INTERNAL','SERVER','CLIENT','PRODUCER','CONSUMER')),
        attributes TEXT NOT NULL
    );
    CREATE TABLE service_version (
        service_code    INTEGER PRIMARY KEY,
        service_name    TEXT NOT NULL,
        service_version TEXT NOT NULL,
        UNIQUE (service_name, service_version)
    );
    CREATE TABLE span_data (
        trace_no       INTEGER NOT NULL,
        span_id        INTEGER NOT NULL,
        parent_span_id INTEGER,
        name_code      INTEGER NOT NULL,
        service_code   INTEGER NOT NULL,
        start_offset_ns INTEGER NOT NULL,
        duration_ns    INTEGER NOT NULL,
        status         INTEGER NOT NULL DEFAULT 0,
        status_message TEXT,
        attributes     TEXT,
        PRIMARY KEY (trace_no, span_id)
    ) WITHOUT ROWID;
    CREATE TABLE span_link_data (
        trace_no        INTEGER NOT NULL,
        span_id         INTEGER NOT NULL,
        linked_trace_no INTEGER NOT NULL,
        linked_span_id  INTEGER NOT NULL,
        PRIMARY KEY (trace_no, span_id, linked_trace_no, linked_span_id)
    ) WITHOUT ROWID;
    CREATE INDEX span_link_target ON span_link_data (linked_trace_no, linked_span_id);
    CREATE VIEW span AS
    SELECT lower(hex(t.trace_id)) AS trace_id,
           printf('%016x', s.span_id) AS span_id,
           CASE WHEN s.parent_span_id IS NULL THEN NULL ELSE printf('%016x', s.parent_span_id) END AS parent_span_id,
           n.name AS name, n.kind AS kind, v.service_name AS service_name, v.service_version AS service_version,
           t.started_at + s.start_offset_ns AS start_time_unix_nano,
           t.started_at + s.start_offset_ns + s.duration_ns AS end_time_unix_nano,
           CASE s.status WHEN 0 THEN 'UNSET' WHEN 1 THEN 'OK' ELSE 'ERROR' END AS status_code,
           s.status_message AS status_message,
           json_patch(json_patch(n.attributes, json_object('service.name', v.service_name, 'service.version', v.service_version)),
                      coalesce(s.attributes, '{}')) AS attributes,
           t.checkout_id AS checkout_id
    FROM span_data s JOIN trace t ON t.trace_no = s.trace_no
    JOIN span_name n ON n.name_code = s.name_code JOIN service_version v ON v.service_code = s.service_code;
    CREATE VIEW span_link AS
    SELECT lower(hex(t.trace_id)) AS trace_id, printf('%016x', l.span_id) AS span_id,
           lower(hex(lt.trace_id)) AS linked_trace_id, printf('%016x', l.linked_span_id) AS linked_span_id
    FROM span_link_data l JOIN trace t ON t.trace_no = l.trace_no JOIN trace lt ON lt.trace_no = l.linked_trace_no;
    CREATE TABLE business_event_name (
        event_code INTEGER PRIMARY KEY,
        event_name TEXT NOT NULL UNIQUE,
        event_type TEXT NOT NULL,
        stage      TEXT NOT NULL,
        message    TEXT NOT NULL
    );
    CREATE TABLE business_event_data (
        event_no         INTEGER PRIMARY KEY,
        event_code       INTEGER NOT NULL,
        outcome          TEXT NOT NULL,
        biz_timestamp    INTEGER NOT NULL,
        amount_total     TEXT,
        amount_currency  TEXT,
        order_count      INTEGER,
        payment_order_id TEXT,
        merchant_id      TEXT,
        error_code       TEXT,
        error_category   TEXT,
        psp_latency_ms   INTEGER,
        trace_no         INTEGER,
        span_id          INTEGER,
        service_code     INTEGER NOT NULL
    );
    CREATE INDEX business_event_trace ON business_event_data (trace_no);
    CREATE VIEW business_event AS
    SELECT e.event_no AS event_no, n.event_name AS event_name, n.event_type AS event_type,
           'payments' AS event_domain, 'payment-service' AS event_provider, '1.0' AS event_version,
           t.checkout_id AS checkout_id, e.outcome AS outcome, n.stage AS stage, e.biz_timestamp AS biz_timestamp,
           e.amount_total AS amount_total, e.amount_currency AS amount_currency, e.order_count AS order_count,
           e.payment_order_id AS payment_order_id, e.merchant_id AS merchant_id, e.error_code AS error_code,
           e.error_category AS error_category, e.psp_latency_ms AS psp_latency_ms,
           lower(hex(t.trace_id)) AS trace_id,
           CASE WHEN e.span_id IS NULL THEN NULL ELSE printf('%016x', e.span_id) END AS span_id,
           v.service_name AS service_name, v.service_version AS service_version, n.message AS message
    FROM business_event_data e JOIN business_event_name n ON n.event_code = e.event_code
    JOIN service_version v ON v.service_code = e.service_code
    LEFT JOIN trace t ON t.trace_no = e.trace_no;
    CREATE TABLE sdlc_event (
        id                    INTEGER PRIMARY KEY,
        at                    INTEGER NOT NULL,
        event_type            TEXT NOT NULL,
        event_status          TEXT NOT NULL CHECK (event_status IN ('started','finished')),
        cicd_deployment_id    TEXT NOT NULL,
        artifact_name         TEXT NOT NULL,
        artifact_version      TEXT NOT NULL,
        vcs_ref_base_revision TEXT NOT NULL,
        previous_version      TEXT,
        regression            TEXT,
        source                TEXT NOT NULL
    );
    CREATE TABLE metric_series (
        series_id  INTEGER PRIMARY KEY,
        name       TEXT NOT NULL,
        dimensions TEXT NOT NULL,
        unit       TEXT NOT NULL,
        kind       TEXT NOT NULL CHECK (kind IN ('gauge','counter','distribution')),
        UNIQUE (name, dimensions)
    );
    CREATE TABLE metric_data (
        series_id      INTEGER NOT NULL,
        period_seconds INTEGER NOT NULL,
        period_start   INTEGER NOT NULL,
        value          NUMERIC,
        count          INTEGER,
        min            REAL,
        max            REAL,
        p50            REAL,
        p95            REAL,
        p99            REAL,
        PRIMARY KEY (series_id, period_seconds, period_start)
    ) WITHOUT ROWID;
    CREATE VIEW metric_point AS
    SELECT s.name AS name, s.dimensions AS dimensions, s.unit AS unit, s.kind AS kind,
           d.period_start AS period_start, d.period_seconds AS period_length_seconds,
           d.value AS value, d.count AS count, d.min AS min, d.max AS max, d.p50 AS p50, d.p95 AS p95, d.p99 AS p99
    FROM metric_data d JOIN metric_series s ON s.series_id = d.series_id;
    """

    /// OTLP export: each exporter's counters, written about once a second by the
    /// exporter itself (docs/store.md, docs/otlp.md).
    static let v3 = """
    CREATE TABLE otlp_export (
        endpoint        TEXT PRIMARY KEY,
        spans_exported  INTEGER NOT NULL,
        logs_exported   INTEGER NOT NULL,
        metric_points_exported INTEGER NOT NULL,
        dropped         INTEGER NOT NULL,
        failed_requests INTEGER NOT NULL,
        queued          INTEGER NOT NULL,
        last_error      TEXT,
        updated_at      INTEGER NOT NULL
    ) WITHOUT ROWID;
    """
}
