import Foundation

/// Where a ClickHouse is and how paytop names what it holds (docs/clickhouse.md): its HTTP
/// interface (8123), the database from the URL's `database` parameter (`default` as the
/// Collector's exporter), credentials from the URL or `PAYTOP_CLICKHOUSE_USER` /
/// `PAYTOP_CLICKHOUSE_PASSWORD`, and the exporter's table names unless overridden.
public struct ClickHouseEndpoint: Sendable, Equatable {
    /// scheme://host:port, without path, query or credentials.
    public var base: String
    public var database: String
    public var user: String?
    public var password: String?
    public var tables: Tables

    /// The exporter's default table names.
    public struct Tables: Sendable, Equatable {
        public var traces = "otel_traces"
        public var traceIDLookup = "otel_traces_trace_id_ts"
        public var logs = "otel_logs"
        public var gauge = "otel_metrics_gauge"
        public var sum = "otel_metrics_sum"
        public var histogram = "otel_metrics_histogram"
        public var summary = "otel_metrics_summary"
        public var exponentialHistogram = "otel_metrics_exponential_histogram"
        public init() {}

        /// The kinds `--clickhouse-table KIND=NAME` renames.
        public static let kinds = ["traces", "trace-id-lookup", "logs", "gauge", "sum", "histogram", "summary", "exponential-histogram"]

        /// Renames one table (`traces=my_spans`); a kind paytop does not know or a name that is
        /// not an identifier is one sentence.
        public mutating func rename(_ assignment: String) throws(BadURL) {
            let parts = assignment.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, ClickHouseEndpoint.isIdentifier(parts[1]) else {
                throw BadURL(description: "--clickhouse-table must be KIND=NAME with NAME of letters, digits and _, not \(assignment)")
            }
            switch parts[0] {
            case "traces": traces = parts[1]
            case "trace-id-lookup": traceIDLookup = parts[1]
            case "logs": logs = parts[1]
            case "gauge": gauge = parts[1]
            case "sum": sum = parts[1]
            case "histogram": histogram = parts[1]
            case "summary": summary = parts[1]
            case "exponential-histogram": exponentialHistogram = parts[1]
            default:
                throw BadURL(description: "--clickhouse-table: unknown kind \(parts[0]) (one of \(Tables.kinds.joined(separator: ", ")))")
            }
        }
    }

    public struct BadURL: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    /// Reads `http[s]://[user[:password]@]host[:port][/][?database=NAME]`; the environment
    /// gives credentials the URL does not.
    public init(url text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(BadURL) {
        guard let c = URLComponents(string: text), let scheme = c.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = c.host, !host.isEmpty else {
            throw BadURL(description: "--clickhouse must be an http(s) URL such as http://localhost:8123/?database=otel, not \(text)")
        }
        guard c.path.isEmpty || c.path == "/" else {
            throw BadURL(description: "--clickhouse: give the database as ?database=NAME, not as a path (\(c.path))")
        }
        let port = c.port ?? (scheme == "https" ? 8443 : 8123)
        base = "\(scheme)://\(host.contains(":") ? "[\(host)]" : host):\(port)"
        database = "default"
        for item in c.queryItems ?? [] {
            switch item.name {
            case "database":
                guard let v = item.value, Self.isIdentifier(v) else {
                    throw BadURL(description: "--clickhouse: database must be a name of letters, digits and _, not \(item.value ?? "nothing")")
                }
                database = v
            default:
                throw BadURL(description: "--clickhouse: unknown parameter \(item.name) (only database is read)")
            }
        }
        user = c.user.flatMap { $0.removingPercentEncoding } ?? environment["PAYTOP_CLICKHOUSE_USER"]
        password = c.password.flatMap { $0.removingPercentEncoding } ?? environment["PAYTOP_CLICKHOUSE_PASSWORD"]
        tables = Tables()
    }

    /// A table name paytop may put in SQL unquoted: letters, digits and _, not starting with a digit.
    public static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, !("0"..."9").contains(first), s.count <= 128 else { return false }
        return s.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    /// `database.table`, for SQL.
    public func qualified(_ table: String) -> String { "\(database).\(table)" }

    /// Where it is, for sentences (no credentials).
    public var description: String { base.replacingOccurrences(of: "http://", with: "").replacingOccurrences(of: "https://", with: "") }
}
