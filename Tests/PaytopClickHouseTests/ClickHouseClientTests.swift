import Foundation
import PaytopTestSupport
import Testing
@testable import PaytopClickHouse

/// The ClickHouse adapter's footing: the URL as the exporter's users write it, reads as
/// GET (read-only: a write sent that way is refused by ClickHouse), tables and columns
/// found with DESC TABLE, and every failure one sentence naming the server.
@Suite struct ClickHouseEndpointTests {
    @Test func theURLGivesTheDatabaseAndCredentialsAndTheEnvironmentFillsIn() throws {
        let e = try ClickHouseEndpoint(url: "http://reader:s%40cret@ch.internal:8123/?database=otel", environment: [:])
        #expect(e.base == "http://ch.internal:8123" && e.database == "otel" && e.user == "reader" && e.password == "s@cret")
        #expect(e.qualified(e.tables.traces) == "otel.otel_traces")
        let d = try ClickHouseEndpoint(url: "https://ch.example", environment: ["PAYTOP_CLICKHOUSE_USER": "u", "PAYTOP_CLICKHOUSE_PASSWORD": "p"])
        #expect(d.base == "https://ch.example:8443" && d.database == "default" && d.user == "u" && d.password == "p")
        for bad in ["ch.internal:8123", "ftp://x", "http://x/otel", "http://x/?database=a;DROP", "http://x/?db=otel"] {
            #expect(throws: ClickHouseEndpoint.BadURL.self, "\(bad)") { try ClickHouseEndpoint(url: bad, environment: [:]) }
        }
    }
}

@Suite(.serialized) struct ClickHouseClientTests {
    @Test(.enabled(if: ClickHouseFront.available, "python3 with chdb (CI installs it)"))
    func readsAreReadOnlyAndTheSchemaIsFoundWithDescTable() throws {
        let front = try ClickHouseFront()
        let e = try ClickHouseEndpoint(url: front.url + "/?database=otel", environment: [:])
        let client = ClickHouseClient(e)
        #expect(try client.read("SELECT 1 + 1 AS two").rows.first?.first?.numberValue == 2)
        // Absent table: one sentence naming it.
        #expect(throws: ClickHouseClient.Failure(description: "ClickHouse at \(e.description) has no table otel.otel_traces")) {
            try ClickHouseSchema.describe(client, [e.tables.traces])
        }
        for statement in ExporterTables.traces(e) { try client.write(statement) }
        let schema = try ClickHouseSchema.describe(client, [e.tables.traces, e.tables.traceIDLookup])
        try schema.require(e.tables.traces, ExporterTables.traceColumns, at: e)
        #expect(schema.columns[e.tables.traces]?["Duration"] == "UInt64")
        #expect(schema.has(e.tables.traces, "Events.Timestamp"))
        // An older exporter's table without a column paytop reads: the sentence names it.
        try client.write("CREATE TABLE otel.old_traces (Timestamp DateTime64(9), TraceId String) ENGINE = MergeTree ORDER BY Timestamp")
        let old = try ClickHouseSchema.describe(client, ["old_traces"])
        #expect(throws: ClickHouseClient.Failure(description: "ClickHouse table otel.old_traces has no column SpanId (paytop reads the Collector exporter's columns: docs/clickhouse.md)")) {
            try old.require("old_traces", ExporterTables.traceColumns, at: e)
        }
        // Reads go as GET, which ClickHouse runs read-only: a write sent as a read is refused.
        do {
            _ = try client.read("DROP TABLE otel.old_traces")
            Issue.record("a write went through a read")
        } catch {
            #expect(error.description.contains("refused the query (HTTP 500): Code: 164. Cannot execute query in readonly mode"), "\(error)")
        }
        #expect(try client.read("EXISTS TABLE otel.old_traces").rows.first?.first?.numberValue == 1)
        // ClickHouse's own error, on one line without its stack trace.
        do {
            _ = try client.read("SELECT nope FROM otel.otel_traces")
            Issue.record("an unknown column was read")
        } catch {
            #expect(error.description.hasPrefix("ClickHouse at \(e.description) refused the query (HTTP ") && !error.description.contains("\n"), "\(error)")
        }
    }

    @Test(.enabled(if: ClickHouseFront.available, "python3 with chdb (CI installs it)"))
    func noAnswerATimeoutAndA404AreOneSentenceEach() throws {
        let slow = try ClickHouseFront(delaySeconds: 3)
        let timedOut = ClickHouseClient(try ClickHouseEndpoint(url: slow.url, environment: [:]), timeoutSeconds: 1)
        #expect(throws: ClickHouseClient.Failure(description: "ClickHouse at \(timedOut.endpoint.description) did not answer: timed out")) {
            try timedOut.read("SELECT 1")
        }
        // ClickHouse answers an unknown table 404, with its own words.
        let front = try ClickHouseFront()
        let client = ClickHouseClient(try ClickHouseEndpoint(url: front.url, environment: [:]))
        do {
            _ = try client.read("SELECT 1 FROM default.absent")
            Issue.record("an absent table was read")
        } catch {
            #expect(error.description.hasPrefix("ClickHouse at \(client.endpoint.description) refused the query (HTTP 404): Code: 60."), "\(error)")
            #expect(error.description.contains("absent") && !error.description.contains("\n"))
        }
        // A port nobody listens on.
        let closed = ClickHouseClient(try ClickHouseEndpoint(url: "http://127.0.0.1:1", environment: [:]))
        #expect(throws: ClickHouseClient.Failure(description: "ClickHouse at 127.0.0.1:1 did not answer: connection refused")) {
            try closed.read("SELECT 1")
        }
    }
}
