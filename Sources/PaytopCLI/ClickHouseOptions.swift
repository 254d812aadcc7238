import ArgumentParser
import PaytopClickHouse

/// `--clickhouse URL` on the read commands (docs/clickhouse.md): read the ClickHouse an
/// OpenTelemetry Collector fleet fills instead of paytop's own store. `--db` with it is
/// refused; a bad URL or anything ClickHouse answers amiss is one sentence, exit 2.
struct ClickHouseOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The ClickHouse an OpenTelemetry Collector fills (its HTTP interface), e.g. http://localhost:8123/?database=otel "
                               + "(credentials in the URL or PAYTOP_CLICKHOUSE_USER/PASSWORD).", valueName: "url"))
    var clickhouse: String?
    @Option(name: .customLong("clickhouse-table"),
            help: ArgumentHelp("A table not named as the exporter names it: \(ClickHouseEndpoint.Tables.kinds.joined(separator: "|"))=NAME (repeatable).",
                               valueName: "kind=name"))
    var tables: [String] = []

    var given: Bool { clickhouse != nil }

    /// Refuses `--db` and `--clickhouse` together.
    func refuse(with store: StoreOptions) throws {
        if clickhouse != nil && store.db != nil { throw ValidationError("give --db PATH or --clickhouse URL, not both") }
        if clickhouse == nil && !tables.isEmpty { throw ValidationError("--clickhouse-table goes with --clickhouse URL") }
    }

    /// The client for `--clickhouse`; nil without it. Each request gives up after
    /// `timeoutSeconds` (the console waits less than a command: it reads in its loop).
    func client(timeoutSeconds: Double = 10) throws -> ClickHouseClient? {
        guard let clickhouse else { return nil }
        return try Self.reading {
            var endpoint = try ClickHouseEndpoint(url: clickhouse)
            for t in tables { try endpoint.tables.rename(t) }
            return ClickHouseClient(endpoint, timeoutSeconds: timeoutSeconds)
        }
    }

    /// Where the command reads, for its sentences.
    func location(_ store: StoreOptions) throws -> String {
        guard let client = try client() else { return store.path }
        return "ClickHouse at \(client.endpoint.description) (\(client.endpoint.database))"
    }

    /// Runs `body`, a ClickHouse failure or bad URL becoming its one sentence.
    static func reading<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as ClickHouseEndpoint.BadURL {
            throw CLIError(message: inert(e.description))
        } catch let e as ClickHouseClient.Failure {
            throw CLIError(message: inert(e.description))
        }
    }

    /// For what reads only paytop's own store: `--clickhouse` said in one sentence, exit 2.
    func refuseOnClickHouse(_ what: String, instead: String) throws {
        guard given else { return }
        throw CLIError(message: "\(what) not built on ClickHouse yet (docs/clickhouse.md); there, \(instead)")
    }
}
