import PaytopStore
import PaytopVocabulary
import PaytopJSON

/// Collects the spans, links and events the engine emits until the next flush, and
/// assigns the compact codes the store uses (trace numbers, service-version codes).
final class TelemetryRecorder {
    var enabled: Bool
    var nextTraceNo: Int64 = 1
    private var serviceCodes: [String: Int] = [:]
    private var nextServiceCode = 1
    /// Span and event names are written with the first batch of every engine.
    private var dictionariesPending = true

    var traces: [TraceRow] = []
    var spans: [SpanRow] = []
    var links: [SpanLinkRow] = []
    var events: [BusinessEventRow] = []
    var sdlcEvents: [SdlcEventRow] = []
    var newServices: [ServiceVersionRow] = []

    init(enabled: Bool) { self.enabled = enabled }

    var pendingCount: Int { traces.count + spans.count + links.count + events.count + sdlcEvents.count }

    func serviceCode(_ name: String, _ version: String) -> Int {
        let key = name + "\u{0}" + version
        if let c = serviceCodes[key] { return c }
        let c = nextServiceCode
        nextServiceCode += 1
        serviceCodes[key] = c
        newServices.append(ServiceVersionRow(code: c, name: name, version: version))
        return c
    }

    /// Restores the service codes a store already holds.
    func restoreService(code: Int, name: String, version: String) {
        serviceCodes[name + "\u{0}" + version] = code
        nextServiceCode = max(nextServiceCode, code + 1)
    }

    /// Moves everything collected into `batch`.
    func drain(into b: inout WriteBatch) {
        if dictionariesPending {
            dictionariesPending = false
            b.spanNames = SpanName.allCases.map {
                SpanNameRow(code: $0.rawValue, name: $0.name, kind: $0.kind, attributes: JSONValue.object($0.nameAttributes).encoded)
            }
            b.eventNames = BusinessEventName.allCases.map {
                EventNameRow(code: $0.rawValue, name: $0.name, type: $0.type, stage: $0.stage, message: $0.message)
            }
        }
        b.serviceVersions = newServices
        b.traces = traces
        b.spans = spans
        b.spanLinks = links
        b.businessEvents = events
        b.sdlcEvents = sdlcEvents
        newServices.removeAll()
        traces.removeAll(keepingCapacity: true)
        spans.removeAll(keepingCapacity: true)
        links.removeAll(keepingCapacity: true)
        events.removeAll(keepingCapacity: true)
        sdlcEvents.removeAll()
    }
}
