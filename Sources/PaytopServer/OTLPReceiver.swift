import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PaytopIngest
import PaytopJSON
import PaytopProtobuf
import PaytopStore

/// OTLP/HTTP's three endpoints (https://opentelemetry.io/docs/specs/otlp/#otlphttp), fed
/// into an `Intake`:
///
/// - `POST /v1/traces`, `/v1/logs`, `/v1/metrics` with `application/x-protobuf` or
///   `application/json` bodies, optionally `Content-Encoding: gzip`;
/// - 200 with the signal's Export…ServiceResponse (in the request's encoding) only after
///   the commit that holds the items, `partial_success` when some were rejected;
/// - 400 (undecodable), 413 (over `maxBodyBytes`, before or after inflating), 415 (other
///   content types or encodings), 405 (other methods), each with a google.rpc.Status;
///   503 with `Retry-After` when the intake is behind (the exporter retries).
public struct OTLPReceiver: Sendable, HTTPRoutes {
    public static let maxBodyBytes = ReceiverLimits.maxBodyBytes

    let intake: Intake

    public init(intake: Intake) { self.intake = intake }

    enum Encoding { case protobuf, json }

    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        for signal in Signal.allCases {
            router.post(RouterPath(signal.path)) { request, _ in await self.receive(signal, request) }
            for method: HTTPRequest.Method in [.get, .put, .patch, .delete] {
                router.on(RouterPath(signal.path), method: method) { request, _ in
                    Self.status(.methodNotAllowed, .json, code: 12, "\(request.method) is not allowed on \(signal.path); use POST",
                                extra: [.allow: "POST"])
                }
            }
        }
        return router
    }

    func receive(_ signal: Signal, _ request: Request) async -> Response {
        guard let encoding = Self.encoding(request.headers[.contentType]) else {
            intake.countRefused(1, reason: "unsupported Content-Type \(request.headers[.contentType] ?? "(none)")")
            return Self.status(.unsupportedMediaType, .json, code: 3,
                               "Content-Type must be application/x-protobuf or application/json, not \(request.headers[.contentType] ?? "none")")
        }
        let contentEncoding = request.headers[.contentEncoding]?.lowercased().trimmingCharacters(in: .whitespaces) ?? "identity"
        guard contentEncoding == "gzip" || contentEncoding == "identity" else {
            intake.countRefused(1, reason: "unsupported Content-Encoding \(contentEncoding)")
            return Self.status(.unsupportedMediaType, encoding, code: 3, "Content-Encoding must be gzip or identity, not \(contentEncoding)")
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > Self.maxBodyBytes {
            intake.countRefused(1, reason: "a body of \(length) bytes")
            return Self.tooLarge(encoding)
        }
        var body: [UInt8]
        do {
            body = Array(try await request.body.collect(upTo: Self.maxBodyBytes).readableBytesView)
        } catch {
            intake.countRefused(1, reason: "a body over \(Self.maxBodyBytes) bytes")
            return Self.tooLarge(encoding)
        }
        if contentEncoding == "gzip" {
            do {
                body = try Gzip.inflate(body, limit: Self.maxBodyBytes)
            } catch Gzip.Failure.tooLarge {
                intake.countRefused(1, reason: "a gzip body inflating past \(Self.maxBodyBytes) bytes")
                return Self.tooLarge(encoding)
            } catch {
                intake.countRefused(1, reason: "a body that is not valid gzip")
                return Self.status(.badRequest, encoding, code: 3, "the body is not valid gzip")
            }
        }
        // Decoding runs on the concurrency pool's thread: at the receiver's lower priority,
        // so a console in this process (`paytop --otlp-receiver`) draws first. The
        // receiver's process runs no engine; nothing else of paytop's shares the pool.
        ThreadPriority.yieldToOthers()
        let telemetry: ReceivedTelemetry
        do {
            telemetry = switch encoding {
            case .protobuf: try OTLPProtobufDecoding.decode(signal, body)
            case .json: try OTLPJSONDecoding.decode(signal, body)
            }
        } catch {
            intake.countRefused(1, reason: "an undecodable \(signal.rawValue) body: \(error)")
            return Self.status(.badRequest, encoding, code: 3, "cannot decode the \(signal.rawValue) request: \(error)")
        }
        let result: Result<IngestMapper.Outcome, Error> = await withCheckedContinuation { continuation in
            do {
                try intake.submit(telemetry) { continuation.resume(returning: $0) }
            } catch {
                continuation.resume(returning: .failure(error))
            }
        }
        switch result {
        case .success(let outcome): return Self.exported(signal, encoding, outcome)
        case .failure(let error as Intake.Refused):
            return Self.status(.serviceUnavailable, encoding, code: 14, error.description, extra: [.retryAfter: "1"])
        case .failure(let error):
            return Self.status(.serviceUnavailable, encoding, code: 14, "the store could not take the items: \(error)",
                               extra: [.retryAfter: "5"])
        }
    }

    static func encoding(_ contentType: String?) -> Encoding? {
        guard let contentType else { return nil }
        let type = contentType.split(separator: ";", maxSplits: 1)[0].trimmingCharacters(in: .whitespaces).lowercased()
        switch type {
        case "application/x-protobuf", "application/protobuf": return .protobuf
        case "application/json": return .json
        default: return nil
        }
    }

    /// Export…ServiceResponse: empty, or partial_success { rejected_<items> = 1, error_message = 2 }.
    static func exported(_ signal: Signal, _ encoding: Encoding, _ o: IngestMapper.Outcome) -> Response {
        let rejectedKey = switch signal {
        case .traces: "rejectedSpans"
        case .logs: "rejectedLogRecords"
        case .metrics: "rejectedDataPoints"
        }
        switch encoding {
        case .protobuf:
            var w = ProtobufWriter()
            if o.rejected > 0 {
                w.message(1) { p in
                    p.int(1, Int64(o.rejected))
                    p.string(2, o.rejection ?? "")
                }
            }
            return Response(status: .ok, headers: [.contentType: "application/x-protobuf"],
                            body: .init(byteBuffer: ByteBuffer(bytes: w.bytes)))
        case .json:
            let body: JSONValue = o.rejected > 0
                ? ["partialSuccess": [rejectedKey: .string(String(o.rejected)), "errorMessage": .string(o.rejection ?? "")]]
                : [:]
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(string: body.encoded)))
        }
    }

    static func tooLarge(_ encoding: Encoding) -> Response {
        status(.contentTooLarge, encoding, code: 8, "request bodies are limited to \(maxBodyBytes) bytes (after inflating)")
    }

    /// A google.rpc.Status (code: a gRPC status code; 3 INVALID_ARGUMENT, 8
    /// RESOURCE_EXHAUSTED, 12 UNIMPLEMENTED, 14 UNAVAILABLE).
    static func status(_ status: HTTPResponse.Status, _ encoding: Encoding, code: Int64, _ message: String,
                       extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields
        let body: ByteBuffer
        switch encoding {
        case .protobuf:
            var w = ProtobufWriter()
            w.int(1, code)
            w.string(2, message)
            headers = [.contentType: "application/x-protobuf"]
            body = ByteBuffer(bytes: w.bytes)
        case .json:
            headers = [.contentType: "application/json"]
            body = ByteBuffer(string: JSONValue.object(["code": .number(Double(code)), "message": .string(message)]).encoded)
        }
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }
}
