import PaytopVocabulary
import PaytopJSON

/// Builds the requests of simulated buyers, as the seed's traffic generator did: 1–3
/// orders per checkout, amounts drawn as `OrderAmounts` says (log-normal around 40.00 by
/// default; the seed's script sent 10–100), sellers seller-acct-001…010, and — when
/// the error mix is on — its background errors: validation 2 %, PSP business decline 3 %,
/// initializer 0.2 %, executor 0.1 %, wallet 0.1 %.
enum TrafficGenerator {
    static let sellers = (1...10).map { "seller-acct-" + (($0 < 10) ? "00\($0)" : "0\($0)") }
    /// Most buyers pay in dollars.
    static let currencies: [(String, Double)] = [("USD", 0.7), ("EUR", 0.2), ("GBP", 0.1)]

    enum Mix: CaseIterable {
        case valid, validation, decline, initializerError, executorError, walletError
    }

    static func pickMix(_ random: inout SeededRandom) -> Mix {
        let u = random.unit()
        switch u {
        case ..<0.02: return .validation
        case ..<0.05: return .decline
        case ..<0.052: return .initializerError
        case ..<0.053: return .executorError
        case ..<0.054: return .walletError
        default: return .valid
        }
    }

    static func request(random: inout SeededRandom, errorMix: Bool, amounts: OrderAmountDraw, at now: EngineTime) -> JSONValue {
        let mix = errorMix ? pickMix(&random) : .valid
        let checkoutID = random.timeOrderedID("chk-", at: now)
        let user = "user-" + random.hex(6)
        let u = random.unit()
        var cumulative = 0.0
        var currency = "USD"
        for (code, share) in currencies {
            cumulative += share
            if u < cumulative { currency = code; break }
        }
        let count = Int(random.int(in: 1...3))
        var orders: [JSONValue] = []
        orders.reserveCapacity(count)
        for _ in 0..<count {
            let cents = amounts.next(&random)
            orders.append(.object([
                "payment_order_id": .string(random.timeOrderedID("po-", at: now)),
                "seller_account": .string(random.pick(sellers)),
                "amount": .string(String(cents / 100) + "." + (cents % 100 < 10 ? "0" : "") + String(cents % 100)),
                "currency": .string(currency),
            ]))
        }
        var body: [String: JSONValue] = [
            "checkout_id": .string(checkoutID),
            "buyer_info": .object(["user_id": .string(user), "email": .string(user + "@example.com")]),
            "credit_card_info": .object(["payment_token": .string("tok_" + random.hex(16))]),
            "payment_orders": .array(orders),
        ]
        switch mix {
        case .valid: break
        case .validation:
            corrupt(&body, random: &random)
        case .decline:
            body["simulate"] = .object(["psp": .object(["error": true, "error_code": .string(random.pick(DeclineCode.all))])])
        case .initializerError:
            body["simulate"] = .object([FunctionName.initializer.rawValue: .object(["error": true, "message": "Simulated initializer failure"])])
        case .executorError:
            body["simulate"] = .object([FunctionName.executor.rawValue: .object(["error": true, "message": "Simulated executor failure"])])
        case .walletError:
            body["simulate"] = .object([FunctionName.wallet.rawValue: .object(["error": true, "message": "Simulated wallet failure"])])
        }
        return .object(body)
    }

    /// One of the malformed requests a careless client sends.
    static func corrupt(_ body: inout [String: JSONValue], random: inout SeededRandom) {
        switch random.int(in: 0...4) {
        case 0:  // amount as a JSON number
            if case .array(var orders) = body["payment_orders"], case .object(var first) = orders[0] {
                first["amount"] = .number(42.5)
                orders[0] = .object(first)
                body["payment_orders"] = .array(orders)
            }
        case 1: body["buyer_info"] = nil
        case 2:
            if case .array(var orders) = body["payment_orders"], case .object(var first) = orders[0] {
                first["amount"] = "-10.00"
                orders[0] = .object(first)
                body["payment_orders"] = .array(orders)
            }
        case 3: body["payment_orders"] = .array([])
        default:
            if case .array(var orders) = body["payment_orders"], case .object(var first) = orders[0] {
                first["currency"] = "usd"
                orders[0] = .object(first)
                body["payment_orders"] = .array(orders)
            }
        }
    }
}
