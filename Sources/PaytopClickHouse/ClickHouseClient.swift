import Foundation
import PaytopExport
import PaytopJSON

/// ClickHouse's HTTP interface. Reads are GET requests, which ClickHouse runs read-only;
/// only `write` (paytop export) posts. Every failure is one sentence naming the server:
/// no answer, a timeout, an HTTP error with ClickHouse's own message.
public final class ClickHouseClient: @unchecked Sendable {
    public let endpoint: ClickHouseEndpoint
    private let http: BlockingHTTPClient

    public struct Failure: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    /// A query's answer in ClickHouse's JSONCompact: column names and types, rows of values
    /// (64-bit integers arrive as strings).
    public struct Result: Sendable {
        public var columns: [(name: String, type: String)]
        public var rows: [[JSONValue]]

        /// The column's index by name.
        public func index(_ name: String) -> Int? { columns.firstIndex { $0.name == name } }
    }

    /// With PAYTOP_CLICKHOUSE_TIMING set, each query's wall time and its first line go to
    /// stderr (what a slow view spends its time on); set to `sql`, the whole query too (to
    /// EXPLAIN it in clickhouse-client).
    let timing: Bool, timingSQL: Bool

    public init(_ endpoint: ClickHouseEndpoint, timeoutSeconds: Double = 10,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.endpoint = endpoint
        http = BlockingHTTPClient(timeoutSeconds: timeoutSeconds)
        timing = !(environment["PAYTOP_CLICKHOUSE_TIMING"] ?? "").isEmpty
        timingSQL = environment["PAYTOP_CLICKHOUSE_TIMING"] == "sql"
    }

    /// Runs a read (SELECT, DESC, SHOW, EXISTS) and returns its rows.
    public func read(_ sql: String) throws(Failure) -> Result {
        let start = ContinuousClock.now
        let body = try send("GET", sql + " FORMAT JSONCompact", body: nil)
        if timing {
            let d = ContinuousClock.now - start
            let ms = Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
            let first = timingSQL ? sql + "\n" : sql.split(separator: "\n").first.map(String.init) ?? ""
            FileHandle.standardError.write(Data((String(format: "clickhouse %7.1f ms  %6d bytes  ", ms, body.count) + (timingSQL ? first : String(first.prefix(110))) + "\n").utf8))
        }
        guard let v = try? JSONValue.parse(body), let meta = v["meta"]?.arrayValue, let data = v["data"]?.arrayValue else {
            throw Failure(description: "ClickHouse at \(endpoint.description) answered something other than JSONCompact")
        }
        return Result(columns: meta.map { ($0["name"]?.stringValue ?? "", $0["type"]?.stringValue ?? "") },
                      rows: data.map { $0.arrayValue ?? [] })
    }

    /// Runs a statement that writes (CREATE, INSERT): POST, with `data` after the query.
    public func write(_ sql: String, data: Data? = nil) throws(Failure) {
        _ = try send("POST", sql, body: data)
    }

    private func send(_ method: String, _ sql: String, body: Data?) throws(Failure) -> Data {
        var c = URLComponents(string: endpoint.base + "/")!
        var items = [URLQueryItem(name: "database", value: endpoint.database)]
        var payload = body
        if method == "GET" {
            items.append(URLQueryItem(name: "query", value: sql))
        } else if let b = body {
            items.append(URLQueryItem(name: "query", value: sql))
            payload = b
        } else {
            payload = Data(sql.utf8)
        }
        c.queryItems = items
        // '+' is a space to ClickHouse's form decoding: encode it.
        c.percentEncodedQuery = c.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        var headers: [String: String] = [:]
        if let user = endpoint.user { headers["X-ClickHouse-User"] = user }
        if let password = endpoint.password { headers["X-ClickHouse-Key"] = password }
        let response: BlockingHTTPClient.Response
        do {
            response = try http.send(method, c.url!, body: payload, headers: headers)
        } catch {
            throw Failure(description: "ClickHouse at \(endpoint.description) did not answer: \(error.description)")
        }
        guard response.status == 200 else {
            throw Failure(description: "ClickHouse at \(endpoint.description) refused the query (HTTP \(response.status)): \(Self.message(response.body))")
        }
        return response.body
    }

    /// ClickHouse's error text on one line, without its stack trace and version suffix.
    static func message(_ body: Data) -> String {
        var s = String(decoding: body.prefix(2_000), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if let nl = s.firstIndex(of: "\n") { s = String(s[..<nl]) }
        if let v = s.range(of: " (version ") { s = String(s[..<v.lowerBound]) }
        s = s.replacingOccurrences(of: "DB::Exception: ", with: "")
        return s.isEmpty ? "no message" : s
    }
}
