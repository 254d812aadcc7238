import PaytopJSON
import PaytopVocabulary

/// Every span paytop records, with the attributes stored once in `span_name`: those that
/// never vary, and the usual value of some that do — a span keeps only the attributes
/// whose value differs from its name's (a cold start's `faas.coldstart`, a redelivery's
/// receive count), as a merge patch over them. Names and attributes follow the
/// OpenTelemetry semantic conventions for HTTP, FaaS, messaging (aws_sqs) and databases
/// (aws.dynamodb).
enum SpanName: Int, CaseIterable {
    case apiRequest = 1, initializerInvocation, putPaymentEvent, batchWritePaymentOrder, sendExecution
    case executorInvocation, processExecution, updatePaymentOrder, pspCall, pspCharge, sendResults
    case walletInvocation, processResults, queryPaymentOrder, creditWallet, updatePaymentEvent

    var name: String {
        if let (operation, tables) = dynamoCall { return operation.rawValue + " " + tables[0].rawValue }
        switch self {
        case .apiRequest: return PipelineNames.paymentsRequestSpan
        case .initializerInvocation: return FunctionName.initializer.rawValue
        case .sendExecution: return "send " + QueueName.execution.rawValue
        case .executorInvocation: return FunctionName.executor.rawValue
        case .processExecution: return "process " + QueueName.execution.rawValue
        case .pspCall: return "POST /process"
        case .pspCharge: return "charge"
        case .sendResults: return "send " + QueueName.results.rawValue
        case .walletInvocation: return FunctionName.wallet.rawValue
        case .processResults: return "process " + QueueName.results.rawValue
        default: preconditionFailure("a DynamoDB span is named by its call")
        }
    }

    var kind: SpanKind {
        switch self {
        case .apiRequest, .initializerInvocation, .executorInvocation, .walletInvocation, .pspCharge: return .server
        case .sendExecution, .sendResults: return .producer
        case .processExecution, .processResults: return .consumer
        default: return .client
        }
    }

    /// The DynamoDB call a span stands for: its operation and the tables it touches.
    var dynamoCall: (operation: DynamoOperation, tables: [DynamoTable])? {
        switch self {
        case .putPaymentEvent: return (.putItem, [.paymentEvent])
        case .batchWritePaymentOrder: return (.batchWriteItem, [.paymentOrder])
        case .updatePaymentOrder: return (.updateItem, [.paymentOrder])
        case .queryPaymentOrder: return (.query, [.paymentOrder])
        case .creditWallet: return (.transactWriteItems, [.wallet, .ledgerEntry, .paymentOrder])
        case .updatePaymentEvent: return (.updateItem, [.paymentEvent])
        default: return nil
        }
    }

    /// The attributes of the name's row in `span_name`: the constant ones and the usual values.
    var nameAttributes: [String: JSONValue] {
        guard case .object(var o) = constantAttributes else { preconditionFailure("a span name's attributes are an object") }
        for (k, v) in usualAttributes { o[k] = v }
        return o
    }

    /// The value most spans of the name carry for an attribute that varies: a batch of one
    /// message, a first delivery, an order's update to EXECUTING (one of its two), a
    /// checkout marked done, a PSP's 200. The API's status code is not among them: a
    /// root span's `http.response.status_code` is what marks an HTTP request
    /// (`span_first_bad`, the API latency drill).
    var usualAttributes: [String: JSONValue] {
        switch self {
        case .executorInvocation, .walletInvocation: return ["messaging.batch.message_count": 1]
        case .processExecution, .processResults: return ["messaging.aws_sqs.receive_count": 1]
        case .updatePaymentOrder: return ["paytop.payment_order_status": .string(OrderStatus.executing.rawValue)]
        case .updatePaymentEvent: return ["paytop.is_payment_done": true]
        case .pspCall, .pspCharge: return ["http.response.status_code": 200]
        default: return [:]
        }
    }

    /// `nameAttributes` of every name, by raw value (looked up for each span recorded).
    static let attributesByCode: [[String: JSONValue]] = {
        var table = [[String: JSONValue]](repeating: [:], count: (allCases.map(\.rawValue).max() ?? 0) + 1)
        for n in allCases { table[n.rawValue] = n.nameAttributes }
        return table
    }()

    /// What a span of this name stores of `pairs`: those whose value differs from the
    /// name's, as a JSON object (nil when none does).
    func storedAttributes(_ pairs: [(String, JSONValue)]) -> String? {
        guard !pairs.isEmpty else { return nil }
        let name = Self.attributesByCode[rawValue]
        var same = 0
        for (k, v) in pairs where name[k] == v { same += 1 }
        if same == pairs.count { return nil }
        return JSONValue.encodedObject(same == 0 ? pairs : pairs.filter { name[$0.0] != $0.1 })
    }

    /// The attributes that never vary.
    var constantAttributes: JSONValue {
        func faas(_ function: FunctionName, trigger: String) -> JSONValue {
            ["faas.trigger": .string(trigger), "faas.name": .string(function.deployedName), "faas.coldstart": false,
             "faas.max_memory": 201_326_592, "cloud.provider": "aws", "cloud.platform": "aws_lambda",
             "cloud.region": "eu-west-1", "deployment.environment.name": "paytop"]
        }
        func dynamo(index: String? = nil) -> JSONValue {
            let (operation, tables) = dynamoCall!
            var o: [String: JSONValue] = [
                "db.system.name": "aws.dynamodb", "db.operation.name": .string(operation.rawValue),
                "db.collection.name": .string(tables[0].rawValue), "aws.dynamodb.table_names": .array(tables.map { .string($0.rawValue) }),
                "rpc.system": "aws-api", "rpc.service": "DynamoDB", "rpc.method": .string(operation.rawValue),
                "cloud.region": "eu-west-1",
            ]
            if let index { o["aws.dynamodb.index_name"] = .string(index) }
            return .object(o)
        }
        func sqs(_ queue: QueueName, _ operation: String, _ name: String) -> JSONValue {
            ["messaging.system": "aws_sqs", "messaging.operation.type": .string(operation),
             "messaging.operation.name": .string(name), "messaging.destination.name": .string(queue.rawValue),
             "cloud.region": "eu-west-1"]
        }
        switch self {
        case .apiRequest:
            return ["http.request.method": "POST", "http.route": "/v1/payments", "url.path": "/v1/payments",
                    "url.scheme": "https", "server.address": .string(PipelineNames.apiName + ".execute-api.eu-west-1.amazonaws.com"),
                    "cloud.provider": "aws", "deployment.environment.name": "paytop"]
        case .initializerInvocation: return faas(.initializer, trigger: "http")
        case .putPaymentEvent: return dynamo()
        case .batchWritePaymentOrder: return dynamo()
        case .sendExecution: return sqs(.execution, "send", "SendMessage")
        case .executorInvocation: return faas(.executor, trigger: "pubsub")
        case .processExecution: return sqs(.execution, "process", "process")
        case .updatePaymentOrder: return dynamo()
        case .pspCall:
            return ["http.request.method": "POST", "url.full": .string("https://" + PipelineNames.pspHost + "/process"),
                    "server.address": .string(PipelineNames.pspHost), "server.port": 443]
        case .pspCharge:
            return ["http.request.method": "POST", "http.route": "/process", "url.path": "/process", "url.scheme": "https"]
        case .sendResults: return sqs(.results, "send", "SendMessage")
        case .walletInvocation: return faas(.wallet, trigger: "pubsub")
        case .processResults: return sqs(.results, "process", "process")
        case .queryPaymentOrder: return dynamo(index: "checkout_id-index")
        case .creditWallet: return dynamo()
        case .updatePaymentEvent: return dynamo()
        }
    }
}
