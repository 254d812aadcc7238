import PaytopVocabulary
import ArgumentParser
import Foundation
import PaytopStore
import PaytopJSON

struct ReleasesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "releases",
        abstract: "Deployments per service with error rate and latency before and after, and the suspect release."
    )

    @OptionGroup var store: StoreOptions
    @Flag(help: "Print as JSON.") var json = false
    @Option(help: "Minutes of engine time compared before and after each deployment.") var window: Double = 10

    func validate() throws {
        guard window > 0 else { throw ValidationError("--window must be a positive number of minutes") }
    }

    func run() throws {
        let c = try Store.openForReading(path: store.path)
        let report = try ReleaseReport.load(c, windowNanos: Int64(window * 60e9))
        if json {
            func health(_ h: ReleaseReport.Health) -> JSONValue {
                ["count": .number(Double(h.count)), "errors": .number(Double(h.errors)),
                        "enough_data": .bool(h.enoughData), "error_rate": .rounded(h.errorRate, 10_000),
                        "mean_ms": .rounded(h.meanMillis, 10), "p95_ms": .rounded(h.p95Millis, 10)]
            }
            let list: [JSONValue] = report.deployments.map { d in
                .object(["at": .string(EngineTime(nanos: d.at).description), "cicd.deployment.id": .string(d.deploymentID),
                         "service": .string(d.service.rawValue), "artifact.version": .string(d.version),
                         "previous_version": d.previousVersion.map { .string($0) } ?? .null,
                         "vcs.ref.base.revision": .string(d.revision), "regression": d.regression.map { .string($0) } ?? .null,
                         "before": health(d.before), "after": health(d.after), "suspect": .bool(d.suspect)])
            }
            print(JSONValue.object(["deployments": .array(list),
                                    "suspect": report.suspect.map { .string($0.deploymentID) } ?? .null]).encoded)
            return
        }
        if report.deployments.isEmpty {
            print("no deployments recorded in \(store.path)")
            return
        }
        print(WaterfallText.pad("deployed at", 26) + WaterfallText.pad("service", 12) + WaterfallText.pad("version", 18)
              + WaterfallText.pad("errors before → after", 24) + "p95 before → after")
        for d in report.deployments {
            let version = (d.previousVersion.map { inert($0) + " → " } ?? "") + inert(d.version)
            let errors = d.before.errorRateText + " → " + d.after.errorRateText
            let p95 = d.before.p95Text + " → " + d.after.p95Text
            print(WaterfallText.pad(EngineTime(nanos: d.at).description, 26) + WaterfallText.pad(d.service.rawValue, 12)
                  + WaterfallText.pad(version, 18) + WaterfallText.pad(errors, 24) + p95 + (d.suspect ? "   ◀ SUSPECT" : ""))
        }
        if let s = report.suspect {
            print("suspect release: \(s.service) \(inert(s.version)) (\(s.deploymentID), revision \(s.revision.prefix(12)))")
        }
    }
}

