import ArgumentParser
import PaytopJSON
import PaytopVocabulary

/// The options of the commands that report over a window of engine time (`paytop
/// business`, `paytop functions`): the store, `--json`, and `--since DURATION`.
struct WindowOptions: ParsableArguments {
    @OptionGroup var store: StoreOptions
    @Flag(help: "Print as JSON.") var json = false
    @Option(help: ArgumentHelp("Window of engine time ending at the store's clock: 5m, 1h, 6h, 1d, … (default: all of it).",
                               valueName: "duration"))
    var since: String?

    /// The window in nanoseconds (nil: all of engine time); a bad one is refused.
    func nanos() throws -> Int64? {
        guard let since else { return nil }
        guard let n = DurationText.nanos(since), n > 0 else {
            throw CLIError(message: "--since must be a duration such as 5m, 1h, 6h or 1d, not \"\(inert(since))\"")
        }
        return n
    }

    /// The window as the JSON twins print it.
    func json(at: Int64, from: Int64?) -> JSONValue {
        .object([
            "since": since.map { .string($0) } ?? .null,
            "from": from.map { .string(EngineTime(nanos: $0).description) } ?? .null,
            "to": .string(EngineTime(nanos: at).description),
        ])
    }

    /// The heading of the text reports.
    func heading(_ what: String, at: Int64) -> String {
        "\(what) at \(EngineTime(nanos: at)) (engine time), " + (since.map { "last \($0)" } ?? "all engine time")
    }
}
