/// Schemas v9 and v10: the drill (docs/drill.md). Shipped migrations are frozen (MigrationsFrozenTests).
extension Migrations {
    /// Schema v9, the drill (docs/drill.md): the checkouts behind an error code, a merchant,
    /// a failure and a cold start, newest first, without a scan. Error events, failed
    /// checkouts and cold starts are a few percent of theirs; `CheckoutSearch` repeats the
    /// partial indexes' WHERE word for word.
    static let v9 = """
    CREATE INDEX business_event_error ON business_event_data (error_code, biz_timestamp) WHERE error_code IS NOT NULL;
    CREATE INDEX payment_order_seller ON payment_order (seller_account, created_at);
    CREATE INDEX payment_event_failed ON payment_event (trace_no) WHERE outcome = 'FAILED';
    CREATE INDEX span_cold ON span_data (trace_no) WHERE instr(attributes, '"faas.coldstart":true') > 0;
    """

    /// Schema v10, the drill's API latency SLO (docs/drill.md): the traces whose first span
    /// (the API's request, or the client's around it) answered slowly, failed or was
    /// throttled — the candidates for the SLO's bad events, a few percent of the traces.
    static let v10 = """
    CREATE INDEX span_first_bad ON span_data (trace_no)
    WHERE start_offset_ns = 0 AND (duration_ns > 300000000 OR status = 2 OR instr(attributes, '"http.response.status_code":429') > 0);
    """
}
