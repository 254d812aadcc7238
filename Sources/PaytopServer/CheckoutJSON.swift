import PaytopVocabulary
import Foundation
import PaytopStore
import PaytopJSON

/// `GET /v1/payments/{checkout_id}` as JSON: amounts as decimal strings, times as
/// RFC 3339 UTC with milliseconds, states as the store names them.
enum CheckoutJSON {
    static func object(_ c: CheckoutLookup.Checkout) -> JSONValue {
        var o: [String: JSONValue] = [
            "checkout_id": .string(c.checkoutID),
            "status": c.isPaymentDone ? "DONE" : "IN_PROGRESS",
            "is_payment_done": .bool(c.isPaymentDone),
            "amount_total": .string(c.amountTotal.description),
            "currency": .string(c.currency),
            "created_at": .string(time(c.createdAt)),
            "payment_orders": .array(c.orders.map(order)),
        ]
        if let v = c.outcome { o["outcome"] = .string(v) }
        if let v = c.failureCode { o["failure_code"] = .string(v) }
        if let v = c.doneAt { o["done_at"] = .string(time(v)) }
        if let v = c.traceID { o["trace_id"] = .string(v) }
        return .object(o)
    }

    static func order(_ p: PaymentOrderRow) -> JSONValue {
        var o: [String: JSONValue] = [
            "payment_order_id": .string(p.paymentOrderID),
            "buyer_account": .string(p.buyerAccount),
            "seller_account": .string(p.sellerAccount),
            "amount": .string(p.amount.description),
            "currency": .string(p.currency),
            "payment_order_status": .string(p.status),
            "ledger_updated": .bool(p.ledgerUpdated),
            "wallet_updated": .bool(p.walletUpdated),
            "created_at": .string(time(p.createdAt)),
        ]
        if let v = p.executingAt { o["executing_at"] = .string(time(v)) }
        if let v = p.completedAt { o["completed_at"] = .string(time(v)) }
        return .object(o)
    }

    static func time(_ nanos: Int64) -> String {
        EngineTime(nanos: nanos).description
    }
}
