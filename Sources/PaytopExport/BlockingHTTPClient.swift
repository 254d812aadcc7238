import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A plain HTTP/1.1 client for threads that may block (the exporter's sender, `paytop
/// pay`), on Foundation's URLSession.
public final class BlockingHTTPClient: @unchecked Sendable {
    public struct Response: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: Data
    }

    public enum Failure: Error, CustomStringConvertible {
        case badURL(String)
        /// No HTTP answer: refused, unreachable, timed out.
        case transport(String)

        public var description: String {
            switch self {
            case .badURL(let u): "not an http(s) URL: \(u)"
            case .transport(let m): m
            }
        }
    }

    private let session: URLSession

    public init(timeoutSeconds: Double = 10) {
        let c = URLSessionConfiguration.ephemeral
        c.timeoutIntervalForRequest = timeoutSeconds
        c.timeoutIntervalForResource = timeoutSeconds * 3
        c.httpMaximumConnectionsPerHost = 4
        c.urlCache = nil
        session = URLSession(configuration: c)
    }

    deinit { session.finishTasksAndInvalidate() }

    /// Checks that `text` is an absolute http or https URL with a host.
    public static func url(_ text: String) throws(Failure) -> URL {
        guard let u = URL(string: text), let scheme = u.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = u.host, !host.isEmpty else { throw .badURL(text) }
        return u
    }

    public func send(_ method: String, _ url: URL, body: Data? = nil, headers: [String: String] = [:]) throws(Failure) -> Response {
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.httpBody = body
        for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox()
        session.dataTask(with: request) { data, response, error in
            if let http = response as? HTTPURLResponse {
                var h: [String: String] = [:]
                for (k, v) in http.allHeaderFields { h[String(describing: k).lowercased()] = String(describing: v) }
                box.result = .success(Response(status: http.statusCode, headers: h, body: data ?? Data()))
            } else {
                box.result = .failure(.transport(error.map(Self.describe) ?? "no HTTP response"))
            }
            done.signal()
        }.resume()
        done.wait()
        return try box.result!.get()
    }

    static func describe(_ error: Error) -> String {
        let e = error as NSError
        switch e.code {
        case NSURLErrorCannotConnectToHost: return "connection refused"
        case NSURLErrorTimedOut: return "timed out"
        case NSURLErrorCannotFindHost: return "unknown host"
        case NSURLErrorNetworkConnectionLost: return "connection lost"
        default: return e.localizedDescription
        }
    }

    private final class ResultBox: @unchecked Sendable {
        var result: Result<Response, Failure>?
    }
}
