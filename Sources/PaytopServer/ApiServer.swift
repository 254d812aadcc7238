import Foundation
import Hummingbird
import Logging
import NIOCore
import PaytopEngine
import ServiceLifecycle

/// An HTTP server (the payments API, the OTLP receiver) on Hummingbird: started and stopped from synchronous code (the
/// CLI), serving on NIO's threads while the engine runs on its own.
public final class ApiServer: @unchecked Sendable {
    /// Where the server listens once bound (the port is the real one when 0 was asked).
    public let host: String
    public let port: Int
    private let task: Task<Void, Never>

    public enum StartError: Error, CustomStringConvertible {
        case cannotListen(address: String, reason: String)

        public var description: String {
            switch self {
            case .cannotListen(let address, let reason): "cannot listen on \(address): \(reason)"
            }
        }
    }

    /// Binds `host:port` and starts serving; returns once the socket is listening, or
    /// throws when it cannot be bound (address in use, not an address of this machine).
    public static func start(host: String, port: Int, api: some HTTPRoutes) throws -> ApiServer {
        let bound = BoundSignal()
        let router = api.makeRouter()
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "paytop"),
            onServerRunning: { channel in bound.succeed(port: channel.localAddress?.port ?? port) },
            // The console owns the terminal: the server says nothing on stderr.
            logger: Logger(label: "paytop.http", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        // A service group of its own, without signal handlers: paytop's own handlers
        // decide when to stop, and `stop` shuts the server down gracefully.
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [],
                                                      logger: Logger(label: "paytop.http", factory: { _ in SwiftLogNoOpLogHandler() })))
        let done = DispatchSemaphore(value: 0)
        let task = Task {
            do { try await group.run() } catch { bound.fail(error) }
            bound.fail(CancellationError())
            done.signal()
        }
        switch bound.wait() {
        case .success(let actualPort):
            return ApiServer(host: host, port: actualPort, task: task, group: group, finished: done)
        case .failure(let error):
            task.cancel()
            done.wait()
            throw StartError.cannotListen(address: "\(host):\(port)", reason: ApiServer.reason(error))
        }
    }

    private init(host: String, port: Int, task: Task<Void, Never>, group: ServiceGroup, finished: DispatchSemaphore) {
        self.host = host
        self.port = port
        self.task = task
        self.group = group
        self.finishedSignal = finished
    }

    private let group: ServiceGroup
    private let finishedSignal: DispatchSemaphore

    /// The base URL clients use.
    public var url: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return "http://\(h):\(port)"
    }

    /// Stops accepting connections, lets requests in flight finish, closes idle
    /// keep-alive connections and waits for the server to wind down: at most 5 s, then
    /// it is cancelled and given 2 s more. A handler that never returns cannot keep the
    /// process from exiting.
    public func stop() {
        let group = self.group
        Task { await group.triggerGracefulShutdown() }
        if finishedSignal.wait(timeout: .now() + 5) == .timedOut {
            task.cancel()
            if finishedSignal.wait(timeout: .now() + 2) == .timedOut { return }
        }
        finishedSignal.signal()  // a second stop returns at once
    }

    static func reason(_ error: Error) -> String {
        let text = String(describing: error)
        if text.contains("Address already in use") || text.contains("EADDRINUSE") { return "address already in use" }
        if text.contains("Cannot assign requested address") { return "not an address of this machine" }
        return text
    }
}

/// What an `ApiServer` serves: the payments API or the OTLP receiver.
public protocol HTTPRoutes: Sendable {
    func makeRouter() -> Router<BasicRequestContext>
}

/// The bind outcome, handed from the server's task to the thread that started it.
private final class BoundSignal: @unchecked Sendable {
    private let condition = NSCondition()
    private var result: Result<Int, Error>?

    func succeed(port: Int) { settle(.success(port)) }
    func fail(_ error: Error) { settle(.failure(error)) }

    private func settle(_ r: Result<Int, Error>) {
        condition.lock()
        if result == nil { result = r }
        condition.broadcast()
        condition.unlock()
    }

    func wait() -> Result<Int, Error> {
        condition.lock()
        defer { condition.unlock() }
        while result == nil { condition.wait() }
        return result!
    }
}
