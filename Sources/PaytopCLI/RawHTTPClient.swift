import Foundation

/// The ingest benchmark's client: one keep-alive HTTP/1.1 connection on a blocking
/// socket, writing pre-built requests and reading just the status line, the headers and
/// the body its Content-Length gives. URLSession (curl underneath) spent a fifth of the
/// machine's two cores on the same requests: a benchmark must measure the server.
final class RawHTTPClient {
    private let fd: Int32
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    struct Failure: Error, CustomStringConvertible { let description: String }

    init(host: String, port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(errno)") }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &addr.sin_addr)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { close(fd); throw Failure(description: "connect to \(host):\(port): errno \(errno)") }
    }

    deinit { close(fd) }

    /// A request's bytes: head and body, built once.
    static func request(path: String, contentType: String, body: [UInt8]) -> [UInt8] {
        Array("POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body
    }

    /// Sends one request and returns its status.
    func send(_ request: [UInt8]) throws -> Int {
        var sent = 0
        try request.withUnsafeBytes { raw in
            while sent < raw.count {
                let n = write(fd, raw.baseAddress! + sent, raw.count - sent)
                guard n > 0 else { throw Failure(description: "write: errno \(errno)") }
                sent += n
            }
        }
        var head: [UInt8] = []
        var bodyStart = 0
        while true {
            let n = read(fd, &buffer, buffer.count)
            guard n > 0 else { throw Failure(description: "the server closed the connection") }
            head.append(contentsOf: buffer[0..<n])
            if let end = Self.headEnd(head) { bodyStart = end; break }
        }
        let text = String(decoding: head[0..<bodyStart], as: UTF8.self)
        let status = Int(text.split(separator: " ", maxSplits: 2).dropFirst().first ?? "") ?? 0
        var length = 0
        for line in text.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
            length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
        }
        var have = head.count - bodyStart
        while have < length {
            let n = read(fd, &buffer, min(buffer.count, length - have))
            guard n > 0 else { throw Failure(description: "the server closed the connection mid-answer") }
            have += n
        }
        return status
    }

    private static func headEnd(_ b: [UInt8]) -> Int? {
        guard b.count >= 4 else { return nil }
        for i in 0...(b.count - 4) where b[i] == 13 && b[i + 1] == 10 && b[i + 2] == 13 && b[i + 3] == 10 { return i + 4 }
        return nil
    }
}
