import PaytopVocabulary
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PaytopEngine
import PaytopStore
import PaytopJSON

/// The routes of paytop's HTTP API (docs/api.md):
///
/// - `POST /v1/payments`: the seed's API Gateway endpoint, answered by the engine (a 202
///   only once the checkout is durable: in the store's redo log);
/// - `GET /v1/payments/{checkout_id}`: the checkout and its orders as of the last durable
///   batch (the writer's uncommitted rows, else the file);
/// - `GET /healthz`: whether the engine is taking requests;
/// - `GET /openapi.json`: the OpenAPI 3.1 document of all of them (docs/openapi.json).
///
/// Every answer, errors included, is a JSON object.
public struct PaymentsAPI: Sendable, HTTPRoutes {
    /// Bodies above this many bytes get 413 without reaching the engine.
    public static let maxBodyBytes = 256 * 1024
    /// The engine has not looked at its inbox for this long: /healthz says it is stalled.
    static let stalledAfterNanos: Int64 = 5_000_000_000

    let inbox: EngineInbox
    let reader: StoreReader

    public init(inbox: EngineInbox, storePath: String) {
        self.inbox = inbox
        self.reader = StoreReader(path: storePath)
    }

    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: JSONErrorMiddleware())
        router.post("/v1/payments") { request, context in try await self.createPayment(request, context) }
        router.get("/v1/payments/:checkout_id") { _, context in try self.payment(context) }
        router.get("/healthz") { _, _ in self.health() }
        router.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"],
                     body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
        // Known paths answer other methods with 405 and the methods they take.
        let others: [HTTPRequest.Method] = [.get, .put, .patch, .delete, .post, .options]
        for (path, allowed) in [("/v1/payments", HTTPRequest.Method.post), ("/v1/payments/:checkout_id", .get), ("/healthz", .get),
                                ("/openapi.json", .get)] {
            for method in others where method != allowed {
                router.on(RouterPath(path), method: method) { request, _ in
                    Self.json(.methodNotAllowed, ["error": "Method Not Allowed",
                                                  "message": .string("\(request.method) is not allowed on \(request.uri.path); use \(allowed)")],
                              extra: [.allow: allowed.rawValue])
                }
            }
        }
        return router
    }

    // MARK: POST /v1/payments

    func createPayment(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        if let type = request.headers[.contentType], !Self.isJSON(type) {
            return Self.json(.unsupportedMediaType, ["error": "Unsupported Media Type",
                                                     "message": .string("Content-Type must be application/json, not \(type)")])
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > Self.maxBodyBytes {
            return Self.tooLarge()
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: Self.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            return Self.tooLarge()
        }
        let body = Array(buffer.readableBytesView)
        let traceparent = request.headers[Self.traceparentField]
        let answer: ApiResponse = await withCheckedContinuation { continuation in
            do throws(EngineInbox.Refusal) {
                try inbox.post(.init(rawBody: body, traceparent: traceparent, respond: { continuation.resume(returning: $0) }))
            } catch {
                continuation.resume(returning: ApiResponse(
                    status: 503, body: .object(["error": "Service Unavailable",
                                                "message": .string(error == .full ? "the engine is behind; retry shortly" : "the engine is stopping")]),
                    respondedAt: EngineTime(nanos: 0), checkoutID: nil))
            }
        }
        var headers: HTTPFields = [.contentType: "application/json"]
        if let tp = answer.traceparent { headers[Self.traceparentField] = tp }
        if answer.status == 503 || answer.status == 429 { headers[.retryAfter] = "1" }
        return Response(status: .init(code: answer.status), headers: headers,
                        body: .init(byteBuffer: ByteBuffer(string: answer.body.encoded)))
    }

    static let traceparentField = HTTPField.Name("traceparent")!

    /// application/json, with or without parameters, and the `+json` structured types; the
    /// media type is case-insensitive and may have optional whitespace (SP, HTAB) around it
    /// (RFC 9110 §8.3). Plain Swift: Foundation's trimming bridged through NSString and took
    /// ~6 % of the concurrency pool's CPU on every POST.
    static func isJSON(_ contentType: String) -> Bool {
        var media = contentType.prefix { $0 != ";" }
        while let c = media.first, c == " " || c == "\t" { media.removeFirst() }
        while let c = media.last, c == " " || c == "\t" { media.removeLast() }
        let type = media.lowercased()
        return type == "application/json" || (type.hasPrefix("application/") && type.hasSuffix("+json"))
    }

    static func tooLarge() -> Response {
        json(.contentTooLarge, ["error": "Payload Too Large", "message": .string("request bodies are limited to \(maxBodyBytes) bytes")])
    }

    // MARK: GET /v1/payments/{checkout_id}

    func payment(_ context: BasicRequestContext) throws -> Response {
        // The router hands the path segment over as sent; a client percent-encodes an id
        // with spaces, slashes or non-ASCII letters, so it is decoded here. A segment that
        // is not valid percent-encoding is taken literally (and is most likely a 404).
        let raw = context.parameters.get("checkout_id") ?? ""
        let id = raw.removingPercentEncoding ?? raw
        let found: CheckoutLookup.Checkout?
        do {
            // The writer's rows first, then the file: a batch leaves the writer only once
            // committed, so the two together always hold an answered checkout.
            let uncommitted = inbox.writer?.uncommittedRows(id)
            found = try reader.read { try CheckoutLookup.find($0, checkoutID: id, over: uncommitted) }
        } catch {
            return Self.json(.internalServerError, ["error": "Internal server error", "message": .string("store: \(error)")])
        }
        guard let checkout = found else {
            return Self.json(.notFound, ["error": "Not Found", "message": .string("no checkout \(id)")])
        }
        return Self.json(.ok, CheckoutJSON.object(checkout))
    }

    // MARK: GET /healthz

    func health() -> Response {
        var counts: [String: JSONValue] = ["inbox_depth": .number(Double(inbox.depth)), "in_flight": .number(Double(inbox.inFlight))]
        if let lag = inbox.writer?.lag() {
            // Durable in the redo log, not yet in the file readers (console, CLI) see.
            counts["store_lag_ms"] = .number(Double((lag.oldestNanos ?? 0) / 1_000_000))
            counts["uncommitted_batches"] = .number(Double(lag.batches))
            counts["redo_log_bytes"] = .number(Double(lag.redoBytes))
        }
        if inbox.isClosed {
            return Self.json(.serviceUnavailable, .object(counts.merging(["status": "stopping"]) { $1 }))
        }
        let idle = inbox.nanosSinceLastDrain
        if idle > Self.stalledAfterNanos {
            return Self.json(.serviceUnavailable, .object(counts.merging(["status": "stalled", "engine_idle_ms": .number(Double(idle / 1_000_000))]) { $1 }))
        }
        return Self.json(.ok, .object(counts.merging(["status": "ok"]) { $1 }))
    }

    static func json(_ status: HTTPResponse.Status, _ body: JSONValue, extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body.encoded)))
    }
}

/// Turns the router's own errors (unknown route, unreadable request) into JSON answers.
struct JSONErrorMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            let message: String = error.status == .notFound ? "no route \(request.method) \(request.uri.path)" : (error.body ?? error.status.reasonPhrase)
            return PaymentsAPI.json(error.status, ["error": .string(error.status.reasonPhrase), "message": .string(message)])
        } catch is NIOTooManyBytesError {
            return PaymentsAPI.tooLarge()
        } catch {
            return PaymentsAPI.json(.internalServerError, ["error": "Internal server error", "message": .string("\(error)")])
        }
    }
}
