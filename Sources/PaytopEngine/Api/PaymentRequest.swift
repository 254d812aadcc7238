import PaytopStore
import PaytopJSON
import PaytopVocabulary

/// A validated `POST /v1/payments` body.
public struct PaymentRequest: Sendable, Equatable {
    public struct Order: Sendable, Equatable {
        public var paymentOrderID: String
        public var sellerAccount: String
        public var amount: Money
        public var currency: String
    }

    public var checkoutID: String
    public var buyerUserID: String
    public var buyerEmail: String
    /// The card token, the only part of `credit_card_info` paytop keeps.
    public var paymentToken: String?
    public var orders: [Order]
    public var simulate: SimulateFlags

    public var currency: String { orders[0].currency }
    public var total: Money { orders.reduce(.zero) { $0 + $1.amount } }

    /// FNV-1a over every field, to tell a resubmission of the same body from a different
    /// body under the same checkout_id.
    public var bodyHash: String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ s: String) {
            for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
            h = (h ^ 0xFF) &* 0x0000_0100_0000_01B3
        }
        mix(checkoutID); mix(buyerUserID); mix(buyerEmail); mix(paymentToken ?? "")
        for o in orders { mix(o.paymentOrderID); mix(o.sellerAccount); mix(o.amount.description); mix(o.currency) }
        mix(simulate.json ?? "")
        return String(h, radix: 16)
    }
}

/// The per-request `simulate` object of the seed: latency and errors for each function,
/// and PSP behaviour.
public struct SimulateFlags: Sendable, Equatable {
    public struct Function: Sendable, Equatable {
        public var latencySeconds: Double = 0
        public var error = false
        public var message: String?
        public init(latencySeconds: Double = 0, error: Bool = false, message: String? = nil) {
            self.latencySeconds = latencySeconds; self.error = error; self.message = message
        }
    }

    public var initializer: Function?
    public var executor: Function?
    public var wallet: Function?
    public var pspServerError = false
    public var pspError = false
    public var pspErrorCode: String?

    public init() {}

    public var isEmpty: Bool {
        initializer == nil && executor == nil && wallet == nil && !pspServerError && !pspError && pspErrorCode == nil
    }

    /// JSON for the store and queue messages; nil when no flag is set.
    public var json: String? {
        if isEmpty { return nil }
        var o: [String: JSONValue] = [:]
        func fn(_ f: Function) -> JSONValue {
            var v: [String: JSONValue] = ["latency": .number(f.latencySeconds), "error": .bool(f.error)]
            if let m = f.message { v["message"] = .string(m) }
            return .object(v)
        }
        if let f = initializer { o[FunctionName.initializer.rawValue] = fn(f) }
        if let f = executor { o[FunctionName.executor.rawValue] = fn(f) }
        if let f = wallet { o[FunctionName.wallet.rawValue] = fn(f) }
        if pspServerError || pspError || pspErrorCode != nil {
            var p: [String: JSONValue] = ["server_error": .bool(pspServerError), "error": .bool(pspError)]
            if let c = pspErrorCode { p["error_code"] = .string(c) }
            o["psp"] = .object(p)
        }
        return JSONValue.object(o).encoded
    }

    /// Reads flags back from stored JSON (already validated when first accepted).
    public static func fromStored(_ json: String?) -> SimulateFlags {
        guard let json, let v = try? JSONValue.parse(json) else { return SimulateFlags() }
        var issues: [ValidationIssue] = []
        return PaymentRequestValidator.simulateFlags(v, issues: &issues)
    }
}
