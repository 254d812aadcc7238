import ArgumentParser
import Foundation
import PaytopClickHouse

/// `paytop clickhouse prepare --clickhouse URL`: the one thing paytop writes into a
/// ClickHouse a Collector fills — a projection of the logs table that keeps the business
/// events counted per minute, so the business views and the SLOs' conversion read it rather
/// than every log record (docs/clickhouse.md).
struct ClickHouseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clickhouse",
        abstract: "Prepare a ClickHouse an OpenTelemetry Collector fills for paytop.",
        subcommands: [Prepare.self])

    struct Prepare: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "prepare",
            abstract: "Add paytop's business projection to the exporter's logs table and build it for the data already there.",
            discussion: """
                ALTER TABLE … ADD PROJECTION paytop_business, then MATERIALIZE PROJECTION (waits until built; \
                ClickHouse keeps it up to date as the Collector writes). Needs a user allowed to ALTER the logs \
                table; the read commands stay read-only and use it when it is there. Idempotent.
                """)

        @OptionGroup var clickhouse: ClickHouseOptions
        @Flag(help: "Also a copy of the spans ordered by trace id (a trace read in one granule; doubles the traces table on disk).")
        var traceOrder = false
        @Option(help: "Seconds to wait for the projections to be built.") var timeout: Double = 3_600

        func validate() throws {
            guard clickhouse.given else { throw ValidationError("give --clickhouse URL") }
        }

        func run() throws {
            let started = ContinuousClock.now
            try ClickHouseOptions.reading {
                guard let client = try clickhouse.client(timeoutSeconds: timeout) else { return }
                try ExporterTables.prepare(client, traceOrder: traceOrder)
                let d = ContinuousClock.now - started
                let e = client.endpoint
                printError("paytop: \(e.qualified(e.tables.logs)) at \(e.description) has paytop's business projection"
                           + (traceOrder ? ", \(e.qualified(e.tables.traces)) its trace-ordered one" : "") + ", built in "
                           + String(format: "%.1f s", Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18))
            }
        }
    }
}
