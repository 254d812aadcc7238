/// Deliberate damage for tests of the tools that must find it (`paytop sweep`'s planted
/// violation). Never called on a user's store by paytop itself.
public enum StoreTestHooks {
    /// Adds one cent to the first wallet's balance, so the wallets invariant fails.
    public static func spoilOneWalletBalance(path: String) throws {
        let c = try Store.openForWriting(path: path, create: false)
        try c.execute("""
            UPDATE wallet SET balance = printf('%.2f', CAST(balance AS REAL) + 0.01)
            WHERE (merchant_id, currency) = (SELECT merchant_id, currency FROM wallet ORDER BY 1, 2 LIMIT 1)
            """)
    }
}
