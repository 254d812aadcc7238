/// Schema v9: the drill (docs/drill.md). Shipped migrations are frozen (MigrationsFrozenTests).
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
}
