import Testing
@testable import PaytopStore
import PaytopVocabulary

/// The critical path of a hand-built checkout: parallel children, a gap, a child
/// overflowing its parent, a failed delivery and the queue waits; and its statistics.
@Suite struct CriticalPathTests {
    static let ms: Int64 = 1_000_000

    static func span(_ id: String, _ parent: String?, _ name: String, _ kind: SpanKind, _ from: Int64, _ to: Int64,
                     service: String = "svc") -> TraceWaterfall.SpanLine {
        TraceWaterfall.SpanLine(spanID: id, parentSpanID: parent, name: name, kind: kind, serviceName: service, serviceVersion: "1",
                                start: from * ms, end: to * ms, status: .ok, statusMessage: nil, attributes: "{}", coldStart: false,
                                linkedFrom: [])
    }

    /// API → initializer (two parallel writes, a gap, a send) → a failed delivery, a
    /// visibility timeout, the second delivery (its PSP call overflowing it) → send → wallet.
    static let checkout = [
        span("root", nil, "POST /v1/payments", .server, 0, 30, service: "api"),
        span("init", "root", "initializer", .server, 2, 25, service: "initializer"),
        span("put", "init", "PutItem", .client, 3, 8, service: "initializer"),
        span("batch", "init", "BatchWriteItem", .client, 5, 12, service: "initializer"),
        span("send", "init", "send q", .producer, 14, 16, service: "initializer"),
        span("try1", "send", "process q", .consumer, 100, 150, service: "executor"),
        span("try2", "send", "process q", .consumer, 450, 500, service: "executor"),
        span("psp", "try2", "POST /process", .client, 460, 520, service: "executor"),
        span("send2", "try2", "send r", .producer, 495, 498, service: "executor"),
        span("wallet", "send2", "process r", .consumer, 600, 640, service: "wallet"),
    ]

    @Test func thePathRunsThroughTheQueueWaitsAndAddsUpToTheCheckoutsTime() throws {
        let path = try #require(CriticalPath.of(Self.checkout))
        let got = path.segments.map { ($0.spanID ?? "wait", $0.start / Self.ms, $0.end / Self.ms) }
        let want: [(String, Int64, Int64)] = [
            ("root", 0, 2), ("init", 2, 3), ("put", 3, 5), ("batch", 5, 12), ("init", 12, 14), ("send", 14, 16),
            ("wait", 16, 100), ("try1", 100, 150), ("wait", 150, 450), ("try2", 450, 460), ("psp", 460, 495),
            ("send2", 495, 498), ("wait", 498, 600), ("wallet", 600, 640),
        ]
        #expect(got.count == want.count, "\(got)")
        for (g, w) in zip(got, want) { #expect(g == w) }
        #expect(path.segments.reduce(0) { $0 + $1.nanos } == path.end - path.start)
        #expect(path.start == 0 && path.end == 640 * Self.ms)
        #expect(path.segments[6].kind == .queueWait && path.segments[6].name == "wait before process q")
        #expect(path.segments[12].name == "wait before process r")
        #expect(path.onPath["init"] == 3 * Self.ms)
    }

    @Test func aLaterRootContinuesFromTheWorkThatEndedBeforeIt() throws {
        // Two traces of one checkout (a received batch invocation is a trace of its own).
        let spans = [
            Self.span("a", nil, "POST /v1/payments", .server, 0, 10),
            Self.span("b", nil, "process q", .consumer, 40, 70),
            Self.span("c", "b", "charge", .client, 45, 60),
        ]
        let path = try #require(CriticalPath.of(spans))
        #expect(path.segments.map { $0.spanID ?? "wait" } == ["a", "wait", "b", "c", "b"])
        #expect(path.segments.reduce(0) { $0 + $1.nanos } == 70 * Self.ms)
    }

    @Test func selfTimeIsWhatNoChildCovers() {
        let stats = TraceStatistics.of(Self.checkout)
        func row(_ op: String) -> TraceStatistics.Row? { stats.rows.first { $0.operation == op } }
        #expect(row("POST /v1/payments")?.selfNanos == 7 * Self.ms)   // 30 − initializer's 23
        #expect(row("initializer")?.selfNanos == 12 * Self.ms)       // 23 − (3…12 ∪ 14…16)
        #expect(row("process q")?.count == 2)
        #expect(row("process q")?.totalNanos == 100 * Self.ms)
        #expect(row("process q")?.selfNanos == 60 * Self.ms)         // try1 50 + try2 (50 − 460…500)
        #expect(row("POST /process")?.selfNanos == 60 * Self.ms)
        #expect(row("process r")?.selfPercent == 6.25)               // 40 of 640
        // Largest self time first; of equals, by service then operation.
        #expect(stats.rows.prefix(2).map(\.operation) == ["POST /process", "process q"])
    }
}
