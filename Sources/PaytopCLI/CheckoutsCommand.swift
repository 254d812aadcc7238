import ArgumentParser
import Foundation
import PaytopIngest
import PaytopJSON
import PaytopStore
import PaytopVocabulary

/// `paytop checkouts`: the checkouts behind a figure, newest first — the console's drill
/// lists as a command (docs/drill.md); both ask `CheckoutSearch`.
struct CheckoutsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkouts",
        abstract: "List the checkouts that match: a window, state, outcome, error code, stage, merchant, currency, release, slowness, cold starts.",
        discussion: """
            Times are engine time: ISO-8601 (2025-12-02T22:35:00Z) or a clock time (22:35, 22:35:10) on the \
            store's clock's day. --json prints one object per line: checkout_id, state, outcome, amount_total, \
            currency, created_at, done_at, duration_ms (end to end; to the store's clock for one in flight), \
            error_code, merchants.
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var clickhouse: ClickHouseOptions
    @Option(help: ArgumentHelp("Accepted at or after this time.", valueName: "time")) var from: String?
    @Option(help: ArgumentHelp("Accepted at or before this time.", valueName: "time")) var to: String?
    @Option(help: ArgumentHelp("Accepted within this long before the store's clock: 5m, 1h, …", valueName: "duration")) var since: String?
    @Option(help: ArgumentHelp("SUCCESS, FAILED, DEAD_LETTERED, SETTLING or EXECUTING.", valueName: "state")) var state: String?
    @Option(help: ArgumentHelp("SUCCESS or FAILED.", valueName: "outcome")) var outcome: String?
    @Option(help: ArgumentHelp("With a business event carrying this code (PSP_SERVER_ERROR, CARD_DECLINED, …).", valueName: "code"))
    var errorCode: String?
    @Option(help: ArgumentHelp("Lost at this stage: VALIDATION, INITIALIZATION, PSP or SETTLEMENT (or 3_PSP, …).", valueName: "stage"))
    var stage: String?
    @Option(help: ArgumentHelp("With an order for this merchant.", valueName: "id")) var merchant: String?
    @Option(help: ArgumentHelp("In this currency.", valueName: "cur")) var currency: String?
    @Option(help: ArgumentHelp("Served by this release: executor@1.3.0.", valueName: "service@version")) var release: String?
    @Option(help: ArgumentHelp("End to end longer than this: 500ms, 2m, …", valueName: "duration")) var slowerThan: String?
    @Flag(help: "Served by a cold start (of --function, when given).") var cold = false
    @Option(help: ArgumentHelp("Served by this function (initializer, executor, wallet), its longest work on each first.", valueName: "function"))
    var function: String?
    @Option(help: ArgumentHelp("With an error other than a decline recorded at or after this time (what an errors chart counts).", valueName: "time"))
    var erredFrom: String?
    @Option(help: ArgumentHelp("… and at or before this time.", valueName: "time")) var erredTo: String?
    @Option(help: ArgumentHelp("A bad event of this SLO: api-latency, settlement or payment-success.", valueName: "slo")) var badFor: String?
    @Option(help: ArgumentHelp("newest (first) or slowest (end to end, longest first).", valueName: "order")) var sort = "newest"
    @Option(help: "At most N (0 for all).") var limit = 100
    @Flag(help: "One JSON object per line.") var json = false

    func validate() throws {
        guard limit >= 0 else { throw ValidationError("--limit must be 0 or more") }
        if since != nil && (from != nil || to != nil) { throw ValidationError("give --since or --from/--to, not both") }
    }

    func run() throws {
        try clickhouse.refuseOnClickHouse("the drill reads payment state and the indexes paytop's own store keeps:",
                                          instead: "`paytop events --checkout ID` and `paytop trace ID` show a checkout")
        let c = try Store.openForReading(path: store.path)
        let now = try StoredEngineState.load(c).now
        let filter = try self.filter(now: now)
        let rows = try CheckoutSearch.find(c, filter)
        if json {
            for r in rows { print(Self.json(r).encoded) }
            return
        }
        print(WaterfallText.pad("checkout", 26) + WaterfallText.pad("state", 14) + WaterfallText.pad("amount", 14)
              + WaterfallText.pad("accepted", 26) + WaterfallText.pad("end to end", 12) + WaterfallText.pad("error", 20) + "merchants")
        for r in rows {
            print(WaterfallText.pad(inert(r.checkoutID), 26) + WaterfallText.pad(r.state.rawValue, 14)
                  + WaterfallText.pad("\(inert(r.amountTotal)) \(inert(r.currency))", 14)
                  + WaterfallText.pad(ISO8601.format(nanos: r.createdAt), 26) + WaterfallText.pad(WaterfallText.duration(r.durationNanos), 12)
                  + WaterfallText.pad(inert(r.errorCode ?? "—"), 20) + r.merchants.map(inert).joined(separator: " "))
        }
        if rows.isEmpty { print("no checkout matches") }
    }

    func filter(now: Int64) throws -> CheckoutSearch.Filter {
        var f = CheckoutSearch.Filter()
        f.limit = limit
        if let since {
            guard let n = DurationText.nanos(since), n > 0 else { throw CLIError(message: "--since must be a duration such as 5m or 1h, not \"\(inert(since))\"") }
            f.from = now - n
        }
        if let from { f.from = try Self.time(from, option: "--from", now: now) }
        if let to { f.to = try Self.time(to, option: "--to", now: now) }
        if let state {
            guard let s = PaymentState(rawValue: state.uppercased()) else {
                throw CLIError(message: "--state must be one of \(PaymentState.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(inert(state))\"")
            }
            f.state = s
        }
        if let outcome {
            guard ["SUCCESS", "FAILED"].contains(outcome.uppercased()) else { throw CLIError(message: "--outcome must be SUCCESS or FAILED, not \"\(inert(outcome))\"") }
            f.outcome = outcome.uppercased()
        }
        f.errorCode = errorCode
        if let stage {
            guard let s = LossStage.allCases.first(where: { $0.key == stage.uppercased() || $0.label == stage.uppercased() }) else {
                throw CLIError(message: "--stage must be one of \(LossStage.allCases.map(\.key).joined(separator: ", ")), not \"\(inert(stage))\"")
            }
            f.stage = s
        }
        f.merchant = merchant
        f.currency = currency?.uppercased()
        if let release {
            let parts = release.split(separator: "@", maxSplits: 1).map(String.init)
            guard parts.count == 2, let fn = FunctionName(rawValue: parts[0]) ?? FunctionName(deployedName: parts[0]), !parts[1].isEmpty else {
                throw CLIError(message: "--release must be SERVICE@VERSION with a service of \(FunctionName.pipelineOrder.map(\.rawValue).joined(separator: ", ")), not \"\(inert(release))\"")
            }
            f.release = .init(fn, parts[1])
        }
        if let slowerThan {
            guard let n = DurationText.nanos(slowerThan), n >= 0 else { throw CLIError(message: "--slower-than must be a duration such as 500ms or 2m, not \"\(inert(slowerThan))\"") }
            f.slowerThan = n
        }
        f.cold = cold
        if let function {
            guard let fn = FunctionName(rawValue: function) ?? FunctionName(deployedName: function) else {
                throw CLIError(message: "--function must be one of \(FunctionName.pipelineOrder.map(\.rawValue).joined(separator: ", ")), not \"\(inert(function))\"")
            }
            f.invocationsOf = fn
        }
        if erredFrom != nil || erredTo != nil {
            let a = try erredFrom.map { try Self.time($0, option: "--erred-from", now: now) } ?? Int64.min
            let b = try erredTo.map { try Self.time($0, option: "--erred-to", now: now) } ?? Int64.max
            guard a <= b else { throw CLIError(message: "--erred-from is after --erred-to") }
            f.erredBetween = a...b
        }
        if let badFor {
            guard let slo = SloName(rawValue: badFor.lowercased()) else {
                throw CLIError(message: "--bad-for must be one of \(SloName.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(inert(badFor))\"")
            }
            f.badFor = slo
        }
        guard let order = CheckoutSearch.Sort(rawValue: sort.lowercased()) else {
            throw CLIError(message: "--sort must be newest or slowest, not \"\(inert(sort))\"")
        }
        f.sort = order
        if let a = f.from, let b = f.to, a > b { throw CLIError(message: "--from is after --to") }
        return f
    }

    /// ISO-8601, or a clock time on the day of the store's clock.
    static func time(_ text: String, option: String, now: Int64) throws -> Int64 {
        if let t = LogTimestamp.nanos(text) { return t }
        let parts = text.split(separator: ":").map { Int($0) }
        if (2...3).contains(parts.count), parts.allSatisfy({ $0 != nil }) {
            let (h, m, s) = (parts[0]!, parts[1]!, parts.count == 3 ? parts[2]! : 0)
            if (0..<24).contains(h), (0..<60).contains(m), (0..<60).contains(s) {
                let day = now - ((now % 86_400_000_000_000) + 86_400_000_000_000) % 86_400_000_000_000
                return day + Int64(h * 3600 + m * 60 + s) * 1_000_000_000
            }
        }
        throw CLIError(message: "\(option) must be an ISO-8601 time (2025-12-02T22:35:00Z) or a clock time (22:35), not \"\(inert(text))\"")
    }

    static func json(_ r: CheckoutSearch.Row) -> JSONValue {
        var o: [String: JSONValue] = [
            "checkout_id": .string(r.checkoutID), "state": .string(r.state.rawValue), "amount_total": .string(r.amountTotal),
            "currency": .string(r.currency), "created_at": .string(ISO8601.format(nanos: r.createdAt)),
            "duration_ms": .number(Double(r.durationNanos / 1_000_000)), "merchants": .array(r.merchants.map { .string($0) }),
        ]
        o["outcome"] = r.outcome.map { .string($0) } ?? .null
        o["done_at"] = r.doneAt.map { .string(ISO8601.format(nanos: $0)) } ?? .null
        o["error_code"] = r.errorCode.map { .string($0) } ?? .null
        return .object(o)
    }
}
