/// Schema v9: the drill (docs/drill.md). Shipped migrations are frozen (MigrationsFrozenTests).
extension Migrations {
    /// Schema v9, the drill (docs/drill.md): the checkouts behind an error code and behind
    /// a merchant, newest first, without a scan. Error events are a few percent of events.
    static let v9 = """
    CREATE INDEX business_event_error ON business_event_data (error_code, biz_timestamp) WHERE error_code IS NOT NULL;
    CREATE INDEX payment_order_seller ON payment_order (seller_account, created_at);
    """
}
