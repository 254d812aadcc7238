/// Every span paytop records, with the attributes that never vary (stored once in
/// `span_name`). Names and attributes follow the OpenTelemetry semantic conventions for
/// HTTP, FaaS, messaging (aws_sqs) and databases (aws.dynamodb).
enum SpanName: Int, CaseIterable {
    case apiRequest = 1, initializerInvocation, putPaymentEvent, batchWritePaymentOrder, sendExecution
    case executorInvocation, processExecution, updatePaymentOrder, pspCall, pspCharge, sendResults
    case walletInvocation, processResults, queryPaymentOrder, creditWallet, updatePaymentEvent

    var name: String {
        switch self {
        case .apiRequest: return "POST /v1/payments"
        case .initializerInvocation: return "initializer"
        case .putPaymentEvent: return "PutItem PaymentEvent"
        case .batchWritePaymentOrder: return "BatchWriteItem PaymentOrder"
        case .sendExecution: return "send payment-execution-queue"
        case .executorInvocation: return "executor"
        case .processExecution: return "process payment-execution-queue"
        case .updatePaymentOrder: return "UpdateItem PaymentOrder"
        case .pspCall: return "POST /process"
        case .pspCharge: return "charge"
        case .sendResults: return "send payment-results-queue"
        case .walletInvocation: return "wallet"
        case .processResults: return "process payment-results-queue"
        case .queryPaymentOrder: return "Query PaymentOrder"
        case .creditWallet: return "TransactWriteItems Wallet"
        case .updatePaymentEvent: return "UpdateItem PaymentEvent"
        }
    }

    var kind: String {
        switch self {
        case .apiRequest, .initializerInvocation, .executorInvocation, .walletInvocation, .pspCharge: return "SERVER"
        case .sendExecution, .sendResults: return "PRODUCER"
        case .processExecution, .processResults: return "CONSUMER"
        default: return "CLIENT"
        }
    }

    var constantAttributes: JSONValue {
        func faas(_ function: String, trigger: String) -> JSONValue {
            ["faas.trigger": .string(trigger), "faas.name": .string("o11y-lab-payments-\(function)"), "faas.coldstart": false,
             "faas.max_memory": 201_326_592, "cloud.provider": "aws", "cloud.platform": "aws_lambda",
             "cloud.region": "eu-west-1", "deployment.environment.name": "paytop"]
        }
        func dynamo(_ operation: String, _ tables: [String], index: String? = nil) -> JSONValue {
            var o: [String: JSONValue] = [
                "db.system.name": "aws.dynamodb", "db.operation.name": .string(operation),
                "db.collection.name": .string(tables[0]), "aws.dynamodb.table_names": .array(tables.map { .string($0) }),
                "rpc.system": "aws-api", "rpc.service": "DynamoDB", "rpc.method": .string(operation),
                "cloud.region": "eu-west-1",
            ]
            if let index { o["aws.dynamodb.index_name"] = .string(index) }
            return .object(o)
        }
        func sqs(_ queue: String, _ operation: String, _ name: String) -> JSONValue {
            ["messaging.system": "aws_sqs", "messaging.operation.type": .string(operation),
             "messaging.operation.name": .string(name), "messaging.destination.name": .string(queue),
             "cloud.region": "eu-west-1"]
        }
        switch self {
        case .apiRequest:
            return ["http.request.method": "POST", "http.route": "/v1/payments", "url.path": "/v1/payments",
                    "url.scheme": "https", "server.address": "o11y-lab-initializer.execute-api.eu-west-1.amazonaws.com",
                    "cloud.provider": "aws", "deployment.environment.name": "paytop"]
        case .initializerInvocation: return faas("initializer", trigger: "http")
        case .putPaymentEvent: return dynamo("PutItem", ["PaymentEvent"])
        case .batchWritePaymentOrder: return dynamo("BatchWriteItem", ["PaymentOrder"])
        case .sendExecution: return sqs("payment-execution-queue", "send", "SendMessage")
        case .executorInvocation: return faas("executor", trigger: "pubsub")
        case .processExecution: return sqs("payment-execution-queue", "process", "process")
        case .updatePaymentOrder: return dynamo("UpdateItem", ["PaymentOrder"])
        case .pspCall:
            return ["http.request.method": "POST", "url.full": "https://psp.o11y-lab.internal/process",
                    "server.address": "psp.o11y-lab.internal", "server.port": 443]
        case .pspCharge:
            return ["http.request.method": "POST", "http.route": "/process", "url.path": "/process", "url.scheme": "https"]
        case .sendResults: return sqs("payment-results-queue", "send", "SendMessage")
        case .walletInvocation: return faas("wallet", trigger: "pubsub")
        case .processResults: return sqs("payment-results-queue", "process", "process")
        case .queryPaymentOrder: return dynamo("Query", ["PaymentOrder"], index: "checkout_id-index")
        case .creditWallet: return dynamo("TransactWriteItems", ["Wallet", "LedgerEntry", "PaymentOrder"])
        case .updatePaymentEvent: return dynamo("UpdateItem", ["PaymentEvent"])
        }
    }
}

/// The seed's business-event taxonomy, plus the checkout-level failure it forgot.
enum BusinessEventName: Int, CaseIterable {
    case requestReceived = 1, checkoutRejected, checkoutInitiated, checkoutQueued, pspResponse, walletQueued
    case orderSettled, checkoutSettled, orderFailed, checkoutFailed

    var name: String {
        switch self {
        case .requestReceived: return "payment.request.received"
        case .checkoutRejected: return "payment.checkout.rejected"
        case .checkoutInitiated: return "payment.checkout.initiated"
        case .checkoutQueued: return "payment.checkout.queued"
        case .pspResponse: return "payment.psp.response"
        case .walletQueued: return "payment.wallet.queued"
        case .orderSettled: return "payment.order.settled"
        case .checkoutSettled: return "payment.checkout.settled"
        case .orderFailed: return "payment.order.failed"
        case .checkoutFailed: return "payment.checkout.failed"
        }
    }

    var type: String { String(name.split(separator: ".").last!) }

    var stage: String {
        switch self {
        case .requestReceived: return "REQUEST"
        case .checkoutRejected: return "VALIDATION"
        case .checkoutInitiated, .checkoutQueued: return "INITIALIZATION"
        case .pspResponse: return "PSP_INTEGRATION"
        case .walletQueued: return "EXECUTION"
        case .orderSettled, .checkoutSettled, .orderFailed, .checkoutFailed: return "SETTLEMENT"
        }
    }

    var message: String {
        switch self {
        case .requestReceived: return "Payment request received"
        case .checkoutRejected: return "Payment checkout rejected"
        case .checkoutInitiated: return "Payment checkout initiated"
        case .checkoutQueued: return "Payment checkout queued"
        case .pspResponse: return "PSP response received"
        case .walletQueued: return "Payment result queued for wallet"
        case .orderSettled: return "Payment order settled"
        case .checkoutSettled: return "Payment checkout settled"
        case .orderFailed: return "Payment order failed"
        case .checkoutFailed: return "Payment checkout failed"
        }
    }
}
