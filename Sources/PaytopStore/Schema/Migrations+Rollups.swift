/// Schema v5: the roll-ups. Shipped migrations are frozen (MigrationsFrozenTests).
extension Migrations {
    /// The roll-ups the Business and Functions views and their CLI twins read (docs/store.md):
    /// business events counted per minute and per hour of engine time by event, outcome,
    /// currency, merchant and error, with their amounts summed exactly in hundredths; the
    /// PSP's latencies counted per minute, per hour and millisecond (a window reads its
    /// first partial hour in minutes, the rest in hours); and each distribution's histogram per
    /// roll-up minute, for percentiles over any window. The writer keeps them in the same
    /// transaction as what they count; a store from before them is filled from its events
    /// here (its earlier distributions keep only their per-minute percentiles).
    static let v5 = """
    CREATE TABLE business_rollup (
        period_seconds INTEGER NOT NULL CHECK (period_seconds IN (60, 3600)),
        period_start   INTEGER NOT NULL,
        event_code     INTEGER NOT NULL,
        outcome        TEXT NOT NULL,
        currency       TEXT NOT NULL,
        merchant_id    TEXT NOT NULL,
        error_code     TEXT NOT NULL,
        error_category TEXT NOT NULL,
        events         INTEGER NOT NULL,
        amount_minor   INTEGER NOT NULL,
        PRIMARY KEY (period_seconds, period_start, event_code, outcome, currency, merchant_id, error_code, error_category)
    ) WITHOUT ROWID;
    CREATE TABLE psp_latency_rollup (
        period_seconds INTEGER NOT NULL CHECK (period_seconds IN (60, 3600)),
        period_start   INTEGER NOT NULL,
        latency_ms     INTEGER NOT NULL,
        events         INTEGER NOT NULL,
        PRIMARY KEY (period_seconds, period_start, latency_ms)
    ) WITHOUT ROWID;
    CREATE TABLE metric_histogram (
        series_id    INTEGER NOT NULL,
        period_start INTEGER NOT NULL,
        buckets      BLOB NOT NULL,
        PRIMARY KEY (series_id, period_start)
    ) WITHOUT ROWID;
    WITH periods (seconds) AS (VALUES (60), (3600))
    INSERT INTO business_rollup
    SELECT seconds, biz_timestamp / (seconds * 1000000000) * (seconds * 1000000000), event_code, outcome,
           coalesce(amount_currency, ''), coalesce(merchant_id, ''), coalesce(error_code, ''), coalesce(error_category, ''),
           count(*), coalesce(sum(CAST(replace(amount_total, '.', '') AS INTEGER)), 0)
    FROM business_event_data, periods GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
    WITH periods (seconds) AS (VALUES (60), (3600))
    INSERT INTO psp_latency_rollup
    SELECT seconds, biz_timestamp / (seconds * 1000000000) * (seconds * 1000000000), psp_latency_ms, count(*)
    FROM business_event_data, periods WHERE event_code = 5 AND psp_latency_ms IS NOT NULL GROUP BY 1, 2, 3;
    """
}
