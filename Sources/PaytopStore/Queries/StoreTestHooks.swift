/// Deliberate damage for tests of the tools that must find it (`paytop sweep`'s planted
/// violation). Never called on a user's store by paytop itself.
public enum StoreTestHooks {
    /// Adds one cent to the first wallet's balance, so the wallets invariant fails.
    public static func spoilOneWalletBalance(path: String) throws {
        let c = try Store.openForWriting(path: path, create: false)
        let s = try c.cached("SELECT merchant_id, currency, balance FROM wallet ORDER BY 1, 2 LIMIT 1")
        guard try s.step(), let balance = Money(decimalString: s.string(2)) else { s.reset(); return }
        let (merchant, currency) = (s.string(0), s.string(1))
        s.reset()
        let u = try c.cached("UPDATE wallet SET balance = ? WHERE merchant_id = ? AND currency = ?")
        u.bind(1, (balance + Money(minorUnits: 1)).description).bind(2, merchant).bind(3, currency)
        try u.run()
    }
}
