import PaytopJSON

/// An operator's command to the running engine. The CLI and the console write these as
/// rows of `control_command` (name + JSON args); scenario timelines hold the same names
/// and arguments. docs/control.md lists them.
public enum ControlCommand: Equatable, Sendable {
    case pspOutage(on: Bool)
    case pspLatency(on: Bool, factor: Double)
    case pspDeclines(on: Bool, rate: Double, code: String)
    case functionErrors(FunctionName, rate: Double)
    case clearFaults
    case rate(Double)
    case pause
    case resume
    case speed(Double)
    case deploy(service: FunctionName, version: String, regression: Release.Regression?)
    case rollback(FunctionName)
    case redrive(QueueName)
    /// The PSP's settlement batches deviate from its charges (nil: stop).
    case settlementDrift(SettlementDrift?)
    /// Run the reconciliation job now.
    case reconcile
    /// The PSP answers 500 to this share of charges (0: off).
    case pspPartialOutage(rate: Double)
    /// Latency added to a network hop, ms (0: off).
    case hopLatency(NetworkHop, millis: Double)
    /// The function's reserved concurrency set to N (nil: back to its own setting).
    case functionConcurrency(FunctionName, reserved: Int?)
    /// A queue's visibility timeout set to this many seconds (nil: back to the settings').
    case visibilityTimeout(QueueName, seconds: Double?)
    /// FIS's invocation-add-delay: this startup delay on a share (percentage) of the
    /// function's invocations (millis 0: off).
    case lambdaDelay(FunctionName, millis: Double, percentage: Double)
    /// FIS's invocation-error on a share of the function's invocations (0: off).
    case lambdaError(FunctionName, percentage: Double, preventExecution: Bool)
    /// Latency added to every call on a DynamoDB table, ms (0: off).
    case dynamoLatency(DynamoTable, millis: Double)
    /// The next message sent to the queue fails its handler every time it is processed.
    case poisonMessage(QueueName)
    /// This share of requests to a DynamoDB table is throttled (ProvisionedThroughputExceeded);
    /// the SDK retries with backoff (0: off).
    case dynamoThrottle(DynamoTable, rate: Double)
    /// An experiment runner's start and end, and an operator's abort (docs/experiments.md).
    case experiment(ExperimentSignal)

    /// Every fault kind `fault` takes (docs/control.md).
    public static let faultKinds = ["psp-outage", "psp-latency", "psp-declines", "psp-partial-outage", "function-errors", "settlement-drift",
                                    "hop-latency", "function-concurrency", "visibility-timeout", "lambda-delay", "lambda-error",
                                    "dynamodb-latency", "dynamodb-throttle", "poison-message", "clear"]

    public static let defaultLatencyFactor = 100.0
    public static let defaultDeclineRate = 0.3

    /// A fault switched on or off with its defaults, by its kind's name (psp-outage,
    /// psp-latency, psp-declines, settlement-drift); nil for any other kind.
    public static func fault(kind: String, on: Bool) -> ControlCommand? {
        switch kind {
        case "psp-outage": return .pspOutage(on: on)
        case "psp-latency": return .pspLatency(on: on, factor: defaultLatencyFactor)
        case "psp-declines": return .pspDeclines(on: on, rate: defaultDeclineRate, code: DeclineCode.cardDeclined)
        case "settlement-drift":
            return .settlementDrift(on ? SettlementDrift(kinds: SettlementDriftKind.allCases, rate: SettlementDrift.defaultRate) : nil)
        default: return nil
        }
    }

    /// A fault from its kind and `key=value` words (the console's `:fault`, `paytop fault`):
    /// `hop-latency hop=executor-psp milliseconds=2000`. Numbers, true/false and null are
    /// read as such.
    public static func fault(kind: String, words: [String]) throws -> ControlCommand {
        var args: [String: JSONValue] = ["kind": .string(kind)]
        for pair in words {
            let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2 else { throw ParseError("fault \(kind): \(pair) is not key=value") }
            args[kv[0]] = Double(kv[1]).map(JSONValue.number) ?? (kv[1] == "true" ? .bool(true) : kv[1] == "false" ? .bool(false)
                                                                   : kv[1] == "null" ? .null : .string(kv[1]))
        }
        return try parse(name: "fault", args: .object(args))
    }

    /// The `command` column.
    public var name: String {
        switch self {
        case .pspOutage, .pspLatency, .pspDeclines, .functionErrors, .clearFaults, .settlementDrift, .pspPartialOutage, .hopLatency,
             .functionConcurrency, .visibilityTimeout, .lambdaDelay, .lambdaError, .dynamoLatency, .dynamoThrottle, .poisonMessage: return "fault"
        case .rate: return "rate"
        case .pause: return "pause"
        case .resume: return "resume"
        case .speed: return "speed"
        case .deploy: return "deploy"
        case .rollback: return "rollback"
        case .redrive: return "redrive"
        case .reconcile: return "reconcile"
        case .experiment: return "experiment"
        }
    }

    /// The `args` column.
    public var args: JSONValue {
        switch self {
        case .pspOutage(let on): return ["kind": "psp-outage", "on": .bool(on)]
        case .pspLatency(let on, let factor): return ["kind": "psp-latency", "on": .bool(on), "factor": .number(factor)]
        case .pspDeclines(let on, let rate, let code):
            return ["kind": "psp-declines", "on": .bool(on), "rate": .number(rate), "code": .string(code)]
        case .functionErrors(let f, let rate): return ["kind": "function-errors", "function": .string(f.rawValue), "rate": .number(rate)]
        case .clearFaults: return ["kind": "clear"]
        case .rate(let r): return ["rate": .number(r)]
        case .pause, .resume: return [:]
        case .speed(let s): return ["speed": .number(s)]
        case .deploy(let s, let v, let r):
            var o: [String: JSONValue] = ["service": .string(s.rawValue), "version": .string(v)]
            if let r { o["regression"] = .string(r.rawValue) }
            return .object(o)
        case .rollback(let s): return ["service": .string(s.rawValue)]
        case .redrive(let q): return ["queue": .string(q.rawValue)]
        case .settlementDrift(let d):
            guard let d else { return ["kind": "settlement-drift", "on": false] }
            return ["kind": "settlement-drift", "on": true, "rate": .number(d.rate),
                    "kinds": .array(d.kinds.map { .string($0.rawValue) })]
        case .reconcile: return [:]
        case .pspPartialOutage(let r): return ["kind": "psp-partial-outage", "rate": .number(r)]
        case .hopLatency(let hop, let ms): return ["kind": "hop-latency", "hop": .string(hop.rawValue), "milliseconds": .number(ms)]
        case .functionConcurrency(let f, let n):
            return ["kind": "function-concurrency", "function": .string(f.rawValue), "reserved": n.map { .number(Double($0)) } ?? .null]
        case .visibilityTimeout(let q, let s):
            return ["kind": "visibility-timeout", "queue": .string(q.rawValue), "seconds": s.map(JSONValue.number) ?? .null]
        case .lambdaDelay(let f, let ms, let p):
            return ["kind": "lambda-delay", "function": .string(f.rawValue), "milliseconds": .number(ms), "percentage": .number(p)]
        case .lambdaError(let f, let p, let prevent):
            return ["kind": "lambda-error", "function": .string(f.rawValue), "percentage": .number(p), "prevent_execution": .bool(prevent)]
        case .dynamoLatency(let t, let ms): return ["kind": "dynamodb-latency", "table": .string(t.rawValue), "milliseconds": .number(ms)]
        case .poisonMessage(let q): return ["kind": "poison-message", "queue": .string(q.rawValue)]
        case .dynamoThrottle(let t, let r): return ["kind": "dynamodb-throttle", "table": .string(t.rawValue), "rate": .number(r)]
        case .experiment(.start(let n, let endsAt)):
            return ["action": "start", "name": .string(n), "ends_at_ms": .number(Double(endsAt / 1_000_000))]
        case .experiment(.abort): return ["action": "abort"]
        case .experiment(.end(let v)): return ["action": "end", "verdict": .string(v.rawValue)]
        }
    }

    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public let description: String
        public init(_ d: String) { description = d }
    }

    /// Reads a command from its name and arguments, rejecting anything malformed.
    public static func parse(name: String, args: JSONValue) throws -> ControlCommand {
        let o = args.objectValue ?? [:]
        func number(_ key: String, default d: Double? = nil, range: ClosedRange<Double>) throws -> Double {
            guard let v = o[key] else {
                if let d { return d }
                throw ParseError("\(name): missing \(key)")
            }
            guard let n = v.numberValue, n.isFinite, range.contains(n) else {
                throw ParseError("\(name): \(key) must be a number from \(range.lowerBound) to \(range.upperBound)")
            }
            return n
        }
        func flag(_ key: String) throws -> Bool {
            switch o[key] {
            case .bool(let b)?: return b
            case .string("on")?: return true
            case .string("off")?: return false
            default: throw ParseError("\(name): \(key) must be on or off")
            }
        }
        func service() throws -> FunctionName {
            guard let s = o["service"]?.stringValue, let f = FunctionName(rawValue: s) else {
                throw ParseError("\(name): service must be one of \(FunctionName.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return f
        }
        switch name {
        case "fault":
            switch o["kind"]?.stringValue {
            case "psp-outage": return .pspOutage(on: try flag("on"))
            case "psp-latency":
                return .pspLatency(on: try flag("on"), factor: try number("factor", default: defaultLatencyFactor, range: 1...10_000))
            case "psp-declines":
                let code = o["code"]?.stringValue ?? DeclineCode.cardDeclined
                guard DeclineCode.all.contains(code) else {
                    throw ParseError("fault psp-declines: code must be one of \(DeclineCode.all.joined(separator: ", "))")
                }
                return .pspDeclines(on: try flag("on"), rate: try number("rate", default: defaultDeclineRate, range: 0...1), code: code)
            case "function-errors":
                guard let s = o["function"]?.stringValue, let f = FunctionName(rawValue: s) else {
                    throw ParseError("fault function-errors: function must be one of \(FunctionName.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return .functionErrors(f, rate: try number("rate", range: 0...1))
            case "clear": return .clearFaults
            case "psp-partial-outage":
                let on = o["on"] == nil ? true : try flag("on")
                return .pspPartialOutage(rate: on ? try number("rate", default: 0.5, range: 0...1) : 0)
            case "function-concurrency":
                guard let s = o["function"]?.stringValue, let f = FunctionName(rawValue: s) else {
                    throw ParseError("fault function-concurrency: function must be one of \(FunctionName.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                if o["on"] != nil, try !flag("on") { return .functionConcurrency(f, reserved: nil) }
                if o["reserved"] == nil || o["reserved"] == .null { return .functionConcurrency(f, reserved: nil) }
                return .functionConcurrency(f, reserved: Int(try number("reserved", range: 0...1000)))
            case "lambda-delay", "lambda-error":
                let kind = o["kind"]!.stringValue!
                guard let s = o["function"]?.stringValue, let f = FunctionName(rawValue: s) else {
                    throw ParseError("fault \(kind): function must be one of \(FunctionName.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                let on = o["on"] == nil ? true : try flag("on")
                if kind == "lambda-delay" {
                    return .lambdaDelay(f, millis: on ? try number("milliseconds", default: 1_000, range: 0...900_000) : 0,
                                        percentage: try number("percentage", default: 100, range: 1...100))
                }
                var prevent = false
                if let p = o["prevent_execution"] {
                    guard case .bool(let b) = p else { throw ParseError("fault lambda-error: prevent_execution must be true or false") }
                    prevent = b
                }
                return .lambdaError(f, percentage: on ? try number("percentage", default: 100, range: 0...100) : 0, preventExecution: prevent)
            case "poison-message":
                guard let s = o["queue"]?.stringValue, let q = QueueName(rawValue: s), !q.isDeadLetterQueue else {
                    throw ParseError("fault poison-message: queue must be one of \(QueueName.allCases.filter { !$0.isDeadLetterQueue }.map(\.rawValue).joined(separator: ", "))")
                }
                return .poisonMessage(q)
            case "dynamodb-throttle":
                guard let s = o["table"]?.stringValue, let t = DynamoTable(rawValue: s) else {
                    throw ParseError("fault dynamodb-throttle: table must be one of \(DynamoTable.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                let on = o["on"] == nil ? true : try flag("on")
                return .dynamoThrottle(t, rate: on ? try number("rate", default: 0.5, range: 0...1) : 0)
            case "dynamodb-latency":
                guard let s = o["table"]?.stringValue, let t = DynamoTable(rawValue: s) else {
                    throw ParseError("fault dynamodb-latency: table must be one of \(DynamoTable.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                let on = o["on"] == nil ? true : try flag("on")
                return .dynamoLatency(t, millis: on ? try number("milliseconds", default: 100, range: 0...900_000) : 0)
            case "visibility-timeout":
                guard let s = o["queue"]?.stringValue, let q = QueueName(rawValue: s), !q.isDeadLetterQueue else {
                    throw ParseError("fault visibility-timeout: queue must be one of \(QueueName.allCases.filter { !$0.isDeadLetterQueue }.map(\.rawValue).joined(separator: ", "))")
                }
                if o["on"] != nil, try !flag("on") { return .visibilityTimeout(q, seconds: nil) }
                if o["seconds"] == nil || o["seconds"] == .null { return .visibilityTimeout(q, seconds: nil) }
                return .visibilityTimeout(q, seconds: try number("seconds", range: 1...43_200))
            case "hop-latency":
                guard let h = o["hop"]?.stringValue, let hop = NetworkHop(rawValue: h) else {
                    throw ParseError("fault hop-latency: hop must be one of \(NetworkHop.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                let on = o["on"] == nil ? true : try flag("on")
                return .hopLatency(hop, millis: on ? try number("milliseconds", default: 1_000, range: 0...900_000) : 0)
            case "settlement-drift":
                guard try flag("on") else { return .settlementDrift(nil) }
                var kinds = SettlementDriftKind.allCases
                if let v = o["kinds"], v != .null {
                    let names = v.arrayValue?.compactMap(\.stringValue) ?? v.stringValue.map { [$0] } ?? []
                    kinds = try names.map { n in
                        guard let k = SettlementDriftKind(rawValue: n) else {
                            throw ParseError("fault settlement-drift: kind must be one of \(SettlementDriftKind.allCases.map(\.rawValue).joined(separator: ", "))")
                        }
                        return k
                    }
                    guard !kinds.isEmpty else { throw ParseError("fault settlement-drift: kinds must name at least one kind") }
                }
                let rate = try number("rate", default: SettlementDrift.defaultRate, range: 0...1)
                return .settlementDrift(SettlementDrift(kinds: kinds, rate: rate))
            default:
                throw ParseError("fault: kind must be one of \(faultKinds.joined(separator: ", "))")
            }
        case "rate": return .rate(try number("rate", range: 0...100_000))
        case "pause": return .pause
        case "resume": return .resume
        case "speed": return .speed(try number("speed", range: 0.01...100_000))
        case "deploy":
            let s = try service()
            guard let v = o["version"]?.stringValue, !v.isEmpty, v.count <= 64 else {
                throw ParseError("deploy: version must be 1–64 characters")
            }
            var regression: Release.Regression?
            if let r = o["regression"], r != .null {
                guard let rs = r.stringValue, let parsed = Release.Regression(rawValue: rs) else {
                    throw ParseError("deploy: regression must be latency or errors")
                }
                regression = parsed
            }
            return .deploy(service: s, version: v, regression: regression)
        case "rollback": return .rollback(try service())
        case "redrive":
            guard let s = o["queue"]?.stringValue, let q = QueueName(userInput: s), q.isDeadLetterQueue else {
                throw ParseError("redrive: queue must be a dead-letter queue: \(QueueName.executionDLQ.rawValue) or \(QueueName.resultsDLQ.rawValue)")
            }
            return .redrive(q)
        case "reconcile": return .reconcile
        case "experiment":
            switch o["action"]?.stringValue {
            case "start":
                guard let n = o["name"]?.stringValue, !n.isEmpty, n.count <= 200 else {
                    throw ParseError("experiment start: name must be 1–200 characters")
                }
                guard let e = o["ends_at_ms"]?.numberValue, e.isFinite, e > 0, e < 9e15, e == e.rounded() else {
                    throw ParseError("experiment start: ends_at_ms must be engine time in whole milliseconds")
                }
                return .experiment(.start(name: n, endsAt: Int64(e) * 1_000_000))
            case "abort": return .experiment(.abort)
            case "end":
                guard let v = o["verdict"]?.stringValue.flatMap(ExperimentVerdict.init(rawValue:)) else {
                    throw ParseError("experiment end: verdict must be one of \(ExperimentVerdict.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return .experiment(.end(v))
            default:
                throw ParseError("experiment: action must be start, abort or end")
            }
        default:
            throw ParseError("unknown command \"\(name)\"; known: fault, rate, pause, resume, speed, deploy, rollback, redrive, reconcile, experiment")
        }
    }
}

/// A network hop whose latency a fault can raise (`hop-latency`).
public enum NetworkHop: String, CaseIterable, Sendable, Codable {
    /// API Gateway to the initializer (the integration's request).
    case apiInitializer = "api-initializer"
    /// The executor to the PSP, both ways.
    case executorPsp = "executor-psp"
}
