import ArgumentParser
import PaytopJSON
import PaytopStore
import PaytopVocabulary

/// `paytop compare`: what is different about the checkouts of a range against a baseline
/// (docs/drill.md) — the console's range comparison as a command.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare the checkouts of a range of engine time with a baseline: ranked attribute differences.",
        discussion: """
            Times as in paytop checkouts: ISO-8601 or a clock time on the store's clock's day. The baseline is \
            the hour before the range unless given. Each difference is a value's share among the range's \
            checkouts and among the baseline's, for release per function, PSP error code, decline code, \
            merchant, currency and amount band; largest first.
            """)

    @OptionGroup var store: StoreOptions
    @Option(help: ArgumentHelp("The range's start.", valueName: "time")) var from: String
    @Option(help: ArgumentHelp("The range's end.", valueName: "time")) var to: String
    @Option(help: ArgumentHelp("The baseline's start (default: an hour before the range).", valueName: "time")) var baselineFrom: String?
    @Option(help: ArgumentHelp("The baseline's end (default: the range's start).", valueName: "time")) var baselineTo: String?
    @Option(help: ArgumentHelp("Compare only the range's failed or slow checkouts: all, failed, slow.", valueName: "which"))
    var only: String = "all"
    @Option(help: "Print at most N differences (0 for all).") var limit = 20
    @Flag(help: "Print as JSON.") var json = false

    func run() throws {
        guard let which = RangeComparison.Only(rawValue: only) else {
            throw CLIError(message: "--only must be all, failed or slow, not \"\(inert(only))\"")
        }
        guard limit >= 0 else { throw CLIError(message: "--limit must be 0 or more") }
        let c = try Store.openForReading(path: store.path)
        let now = try StoredEngineState.load(c).now
        let a = try CheckoutsCommand.time(from, option: "--from", now: now)
        let b = try CheckoutsCommand.time(to, option: "--to", now: now)
        guard a < b else { throw CLIError(message: "--from must be before --to") }
        let ba = try baselineFrom.map { try CheckoutsCommand.time($0, option: "--baseline-from", now: now) } ?? a - 3_600_000_000_000
        let bb = try baselineTo.map { try CheckoutsCommand.time($0, option: "--baseline-to", now: now) } ?? a
        guard ba < bb else { throw CLIError(message: "--baseline-from must be before --baseline-to") }
        let r = try RangeComparison.compare(c, from: a, to: b, baselineFrom: ba, baselineTo: bb, only: which)
        let shown = limit == 0 ? r.differences : Array(r.differences.prefix(limit))
        if json {
            func side(_ from: Int64, _ to: Int64, _ n: Int) -> JSONValue {
                .object(["from": .string(ISO8601.format(nanos: from)), "to": .string(ISO8601.format(nanos: to)), "checkouts": .number(Double(n))])
            }
            print(JSONValue.object([
                "range": side(a, b, r.rangeCheckouts), "baseline": side(ba, bb, r.baselineCheckouts), "only": .string(which.rawValue),
                "differences": .array(shown.map { d in
                    .object(["dimension": .string(d.dimension.rawValue), "value": .string(d.value),
                             "range_share": .rounded(d.rangeShare, 10_000), "baseline_share": .rounded(d.baselineShare, 10_000),
                             "difference": .rounded(d.difference, 10_000)])
                }),
            ]).encoded)
            return
        }
        print("range \(ISO8601.format(nanos: a)) → \(ISO8601.format(nanos: b)): \(r.rangeCheckouts) checkouts\(which == .all ? "" : " (\(which.rawValue))")"
              + " · baseline \(ISO8601.format(nanos: ba)) → \(ISO8601.format(nanos: bb)): \(r.baselineCheckouts)")
        if shown.isEmpty {
            print(r.rangeCheckouts > 0 ? "no value's share differs by a point or more"
                  : which == .all ? "no checkout arrived in the range" : "no checkout of the range is \(which.rawValue)")
        }
        for d in shown {
            let arrow = d.difference > 0 ? "more" : "fewer"
            print(WaterfallText.pad(String(format: "%+.1f pts", d.difference * 100), 11)
                  + WaterfallText.pad(String(format: "%5.1f %% vs %5.1f %%", d.rangeShare * 100, d.baselineShare * 100), 20)
                  + "\(d.dimension.rawValue) \(inert(d.value)) (\(arrow) in the range)")
        }
    }
}
