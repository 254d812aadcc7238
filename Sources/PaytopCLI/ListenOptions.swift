import ArgumentParser
import PaytopEngine
import PaytopServer

/// Where the HTTP API listens: `HOST:PORT`, `[IPv6]:PORT`, or a bare `PORT` on loopback.
struct ListenAddress: Equatable {
    var host: String
    var port: Int

    static let loopbackDefault = ListenAddress(host: "127.0.0.1", port: 8080)

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    init?(_ text: String) {
        var host = "127.0.0.1", portText = Substring(text)
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            host = String(text[text.index(after: text.startIndex)..<close])
            portText = text[text.index(close, offsetBy: 2)...]
        } else if let colon = text.lastIndex(of: ":") {
            let h = text[..<colon]
            if h.contains(":") { return nil }  // an IPv6 address needs brackets
            if !h.isEmpty { host = String(h) }
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, let port = Int(portText), (0...65535).contains(port) else { return nil }
        self.init(host: host, port: port)
    }

    var isLoopback: Bool { host == "127.0.0.1" || host == "localhost" || host == "::1" || host.hasPrefix("127.") }
}

extension ListenAddress: ExpressibleByArgument {
    init?(argument: String) { self.init(argument) }
    /// How `--help` shows the default (ArgumentParser asks the value, not the type).
    var defaultValueDescription: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// Starts the API in front of an inbox the live engine drains, and says where it listens.
func startApi(_ address: ListenAddress, inbox: EngineInbox, storePath: String) throws -> ApiServer {
    do {
        return try ApiServer.start(host: address.host, port: address.port, api: PaymentsAPI(inbox: inbox, storePath: storePath))
    } catch let e as ApiServer.StartError {
        throw CLIError(message: e.description)
    }
}
