import Foundation
import Testing
@testable import PaytopEngine
@testable import PaytopStore
import PaytopVocabulary

/// Every experiment of the library (sample-data/experiments) gives the verdict it says it
/// gives, with seed 1, and keeps the money invariants.
@Suite struct ExperimentLibraryTests {
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("sample-data/experiments")

    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix(".toml") }.sorted()
    }

    @Test func theLibraryHasAnExperimentPerFaultFamily() throws {
        let experiments = try Self.files.map { try Experiment.load(path: Self.dir.appendingPathComponent($0).path) }
        #expect(experiments.count >= 7)
        #expect(experiments.allSatisfy { $0.expectedVerdict != nil })
        // Every verdict but failed (a library experiment's hypothesis holds before its method).
        #expect(Set(experiments.compactMap(\.expectedVerdict)) == [.completed, .deviated, .aborted])
    }

    @Test(arguments: files)
    func givesTheVerdictItSays(_ file: String) throws {
        let e = try Experiment.load(path: Self.dir.appendingPathComponent(file).path)
        let store = TempStore()
        let r = try ExperimentRunner.run(e, seed: 1, storePath: store.path)
        #expect(r.verdict == e.expectedVerdict, "\(file): \(r.verdict) \(r.probes.map { ($0.check.name, $0.before?.value, $0.during.map(\.value), $0.after?.value) })")
        #expect(try InvariantCheck.run(try Store.openForReading(path: store.path)).isClean, "\(file)")
    }
}
