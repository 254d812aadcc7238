import PaytopStore

/// A recorded store's spans as the OTLP/HTTP request bodies `paytop export` would send
/// (ExportTraceServiceRequest, `spansPerRequest` spans each), encoded up front: the
/// ingest benchmark's client then only writes bytes.
public enum OTLPRequestBodies {
    public static func traces(storePath: String, spansPerRequest: Int = 2_048) throws -> [(body: [UInt8], spans: Int)] {
        let resolver = try RowResolver(storePath: storePath)
        var out: [(body: [UInt8], spans: Int)] = []
        var pending: [ExportSpan] = []
        func flush() {
            guard !pending.isEmpty else { return }
            out.append((OTLPEncoding.traces(pending), pending.count))
            pending.removeAll(keepingCapacity: true)
        }
        try RecordedTelemetry.read(storePath: storePath) { batch in
            for s in try resolver.resolve(batch).spans {
                pending.append(s)
                if pending.count == spansPerRequest { flush() }
            }
        }
        flush()
        return out
    }
}
