import PaytopStore
import PaytopVocabulary
import PaytopJSON

/// One entry of a 400 response's `details`, as the seed's API reports it.
public struct ValidationIssue: Sendable, Equatable {
    public var field: String
    public var message: String
    public var value: JSONValue?

    public var json: JSONValue {
        var o: [String: JSONValue] = ["field": .string(field), "message": .string(message)]
        o["value"] = value ?? .null
        return .object(o)
    }
}

/// Every problem found in one request body.
public struct ValidationFailure: Error, Equatable {
    public var issues: [ValidationIssue]
}

/// The seed's request validation (its Pydantic models), with paytop's tightenings:
/// - `payment_orders` must hold 1–100 orders, with distinct `payment_order_id`s;
/// - `currency` must be an active ISO 4217 code, the same for every order of a checkout
///   (the executor charges the checkout's total in one PSP call);
/// - `amount` must be a decimal string with at most two fractional digits and at most
///   1,000,000,000,000.00;
/// - `buyer_info.email` must contain "@";
/// - identifiers must be 1–128 characters;
/// - `simulate.*.latency` must be 0–900 seconds and `simulate.psp.error_code` one of
///   the PSP's codes.
/// Everything else the original accepted is accepted. Every problem is reported, not just
/// the first. The card object's contents are never echoed back.
public enum PaymentRequestValidator {
    public static func validate(_ body: JSONValue) -> Result<PaymentRequest, ValidationFailure> {
        var issues: [ValidationIssue] = []
        guard case .object(let root) = body else {
            return .failure(ValidationFailure(issues: [ValidationIssue(field: "body", message: "Input should be a valid dictionary", value: nil)]))
        }
        let checkoutID = identifier(root["checkout_id"], field: "checkout_id", issues: &issues)

        var userID = "", email = ""
        switch root["buyer_info"] {
        case .object(let b)?:
            userID = identifier(b["user_id"], field: "buyer_info.user_id", issues: &issues)
            email = string(b["email"], field: "buyer_info.email", issues: &issues) ?? ""
            if case .string(let e)? = b["email"], !e.contains("@") {
                issues.append(.init(field: "buyer_info.email", message: "value is not a valid email address: it must contain \"@\"", value: .string(e)))
            }
        case nil: issues.append(.init(field: "buyer_info", message: "Field required", value: nil))
        case let other?: issues.append(.init(field: "buyer_info", message: "Input should be a valid dictionary", value: other))
        }

        var token: String?
        switch root["credit_card_info"] {
        case .object(let c)?:
            if case .string(let t)? = c["payment_token"] { token = t }
        case nil: issues.append(.init(field: "credit_card_info", message: "Field required", value: nil))
        case .some: issues.append(.init(field: "credit_card_info", message: "Input should be a valid dictionary", value: nil))
        }

        var orders: [PaymentRequest.Order] = []
        switch root["payment_orders"] {
        case .array(let list)?:
            if list.isEmpty {
                issues.append(.init(field: "payment_orders", message: "List should have at least 1 item", value: .array([])))
            } else if list.count > 100 {
                issues.append(.init(field: "payment_orders", message: "List should have at most 100 items", value: nil))
            }
            var seen = Set<String>()
            for (i, item) in list.prefix(100).enumerated() {
                let path = "payment_orders.\(i)"
                guard case .object(let o) = item else {
                    issues.append(.init(field: path, message: "Input should be a valid dictionary", value: item))
                    continue
                }
                let before = issues.count
                let id = identifier(o["payment_order_id"], field: path + ".payment_order_id", issues: &issues)
                let seller = identifier(o["seller_account"], field: path + ".seller_account", issues: &issues)
                let amount = money(o["amount"], field: path + ".amount", issues: &issues)
                let currency = currencyCode(o["currency"], field: path + ".currency", issues: &issues)
                if !id.isEmpty && !seen.insert(id).inserted {
                    issues.append(.init(field: path + ".payment_order_id", message: "duplicate payment_order_id in this checkout", value: .string(id)))
                }
                if issues.count == before, let amount {
                    orders.append(.init(paymentOrderID: id, sellerAccount: seller, amount: amount, currency: currency))
                }
            }
            if let first = orders.first, let odd = orders.firstIndex(where: { $0.currency != first.currency }) {
                issues.append(.init(field: "payment_orders.\(odd).currency", message: "every order of a checkout must use the same currency (\(first.currency))", value: .string(orders[odd].currency)))
            }
        case nil: issues.append(.init(field: "payment_orders", message: "Field required", value: nil))
        case let other?: issues.append(.init(field: "payment_orders", message: "Input should be a valid list", value: other))
        }

        var flags = SimulateFlags()
        if let sim = root["simulate"], sim != .null {
            flags = simulateFlags(sim, issues: &issues)
        }

        if !issues.isEmpty { return .failure(ValidationFailure(issues: issues)) }
        return .success(PaymentRequest(checkoutID: checkoutID, buyerUserID: userID, buyerEmail: email,
                                       paymentToken: token, orders: orders, simulate: flags))
    }

    static func string(_ v: JSONValue?, field: String, issues: inout [ValidationIssue]) -> String? {
        switch v {
        case .string(let s)?: return s
        case nil: issues.append(.init(field: field, message: "Field required", value: nil))
        case let other?: issues.append(.init(field: field, message: "Input should be a valid string", value: other))
        }
        return nil
    }

    static func identifier(_ v: JSONValue?, field: String, issues: inout [ValidationIssue]) -> String {
        guard let s = string(v, field: field, issues: &issues) else { return "" }
        if s.isEmpty || s.count > 128 {
            issues.append(.init(field: field, message: "String should have 1 to 128 characters", value: .string(String(s.prefix(140)))))
        }
        return s
    }

    static func money(_ v: JSONValue?, field: String, issues: inout [ValidationIssue]) -> Money? {
        guard let s = string(v, field: field, issues: &issues) else { return nil }
        if let m = Money(decimalString: s) { return m }
        let message = s.hasPrefix("-") ? "amount must be greater than or equal to 0"
            : "amount must be a decimal string with at most 2 decimal places, at most 1000000000000.00"
        issues.append(.init(field: field, message: message, value: .string(s)))
        return nil
    }

    static func currencyCode(_ v: JSONValue?, field: String, issues: inout [ValidationIssue]) -> String {
        guard let s = string(v, field: field, issues: &issues) else { return "" }
        if !ISO4217.active.contains(s) {
            issues.append(.init(field: field, message: "currency must be a 3-letter ISO 4217 code such as USD", value: .string(s)))
        }
        return s
    }

    static func simulateFlags(_ v: JSONValue, issues: inout [ValidationIssue]) -> SimulateFlags {
        var flags = SimulateFlags()
        guard case .object(let o) = v else {
            issues.append(.init(field: "simulate", message: "Input should be a valid dictionary", value: v))
            return flags
        }
        func function(_ name: String) -> SimulateFlags.Function? {
            guard let fv = o[name], fv != .null else { return nil }
            guard case .object(let f) = fv else {
                issues.append(.init(field: "simulate.\(name)", message: "Input should be a valid dictionary", value: fv))
                return nil
            }
            var out = SimulateFlags.Function()
            switch f["latency"] {
            case .number(let n)?:
                if n < 0 || n > 900 || !n.isFinite {
                    issues.append(.init(field: "simulate.\(name).latency", message: "latency must be between 0 and 900 seconds", value: .number(n)))
                } else { out.latencySeconds = n }
            case nil, .null?: break
            case let other?: issues.append(.init(field: "simulate.\(name).latency", message: "Input should be a valid number", value: other))
            }
            switch f["error"] {
            case .bool(let b)?: out.error = b
            case nil, .null?: break
            case let other?: issues.append(.init(field: "simulate.\(name).error", message: "Input should be a valid boolean", value: other))
            }
            switch f["message"] {
            case .string(let m)?: out.message = m
            case nil, .null?: break
            case let other?: issues.append(.init(field: "simulate.\(name).message", message: "Input should be a valid string", value: other))
            }
            return out
        }
        flags.initializer = function(FunctionName.initializer.rawValue)
        flags.executor = function(FunctionName.executor.rawValue)
        flags.wallet = function(FunctionName.wallet.rawValue)
        if let pv = o["psp"], pv != .null {
            if case .object(let p) = pv {
                for key in ["server_error", "error"] {
                    switch p[key] {
                    case .bool(let b)?: if key == "error" { flags.pspError = b } else { flags.pspServerError = b }
                    case nil, .null?: break
                    case let other?: issues.append(.init(field: "simulate.psp.\(key)", message: "Input should be a valid boolean", value: other))
                    }
                }
                switch p["error_code"] {
                case .string(let c)?:
                    if DeclineCode.all.contains(c) { flags.pspErrorCode = c } else {
                        issues.append(.init(field: "simulate.psp.error_code", message: "error_code must be one of \(DeclineCode.all.joined(separator: ", "))", value: .string(c)))
                    }
                case nil, .null?: break
                case let other?: issues.append(.init(field: "simulate.psp.error_code", message: "Input should be a valid string", value: other))
                }
            } else {
                issues.append(.init(field: "simulate.psp", message: "Input should be a valid dictionary", value: pv))
            }
        }
        return flags
    }
}

/// Active ISO 4217 currency codes.
enum ISO4217 {
    static let active: Set<String> = [
        "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BHD",
        "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CLP", "CNY",
        "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP",
        "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR",
        "IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT",
        "LAK", "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR",
        "MVR", "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK",
        "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD",
        "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY",
        "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS", "VES", "VND", "VUV", "WST", "XAF", "XCD", "XOF",
        "XPF", "YER", "ZAR", "ZMW", "ZWG",
    ]
}
