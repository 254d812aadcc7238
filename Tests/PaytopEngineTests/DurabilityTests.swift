import PaytopVocabulary
import Foundation
import Testing
@testable import PaytopEngine
@testable import PaytopStore

/// Durability and determinism: crashes lose nothing acknowledged, resumes credit nothing
/// twice, and a seed replays exactly.
@Suite struct DurabilityTests {
    /// Every table but the run metadata, as sorted text.
    static func content(_ store: TempStore) throws -> [String: [[String]]] {
        var out: [String: [[String]]] = [:]
        for t in StoreSummary.tables where t != "control_command" {
            out[t] = try store.rows("SELECT * FROM \(t) ORDER BY 1, 2")
        }
        return out
    }

    /// Steps `engine`, delivering the answers that became durable (and calling `each`),
    /// until its writer dies; records an issue if it never does.
    static func runUntilTheWriterDies(_ engine: Engine, each: () -> Void = {}) throws {
        do {
            for _ in 0..<200_000 {
                guard try engine.step(notAfter: EngineTime(nanos: .max)) else { break }
                engine.deliverCommittedResponses()
                each()
            }
            try engine.waitForCommits()
            Issue.record("the writer never died")
        } catch is StoreWriter.SimulatedCrash {
            engine.deliverCommittedResponses()
        }
    }

    @Test func sameSeedGivesTheSameStore() throws {
        var settings = testSettings(seed: 42, rate: 30, errorMix: true)
        settings.duplicateDeliveryProbability = 0.05
        let scenario = try Scenario.parse("""
            name = "mix"
            [[timeline]]
            at = "20s"
            command = "fault"
            kind = "psp-declines"
            on = true
            rate = 0.2
            """)
        let a = TempStore("a"), b = TempStore("b"), c = TempStore("c")
        try simulate(a, settings, checkouts: 1_500, scenario: scenario)
        try simulate(b, settings, checkouts: 1_500, scenario: scenario)
        settings.seed = 43
        try simulate(c, settings, checkouts: 1_500, scenario: scenario)
        let ca = try Self.content(a), cb = try Self.content(b)
        #expect(ca == cb)
        #expect(ca["payment_event"]!.count > 1_000)
        #expect(try Self.content(c)["payment_event"] != ca["payment_event"])
    }

    /// Crash the writer after each of several commits, resume on the same store, and
    /// finish: every checkout acknowledged before the crash survives and settles, the
    /// invariants hold, and nothing is credited twice.
    @Test(arguments: [1, 2, 3, 5, 8, 13])
    func killAndResumeLosesNothing(crashAfter commits: Int) throws {
        let store = TempStore("crash\(commits)")
        var settings = testSettings(seed: UInt64(100 + commits), rate: 40, errorMix: true)
        settings.duplicateDeliveryProbability = 0.1
        var acknowledged: [String] = []
        do {
            let engine = try makeEngine(store, settings, crashAfterCommits: commits, flushThreshold: 300)
            engine.onAcknowledged = { acknowledged.append($0) }
            engine.limitTraffic(to: 3_000)
            // Run until the writer dies at its crash point, delivering acknowledgements as
            // commits land; the engine and its uncommitted state are then dropped.
            try Self.runUntilTheWriterDies(engine)
        }
        #expect(!acknowledged.isEmpty)
        let beforeResume = Set(try store.rows("SELECT checkout_id FROM payment_event").map { $0[0] })
        let lost = Set(acknowledged).subtracting(beforeResume)
        #expect(lost.isEmpty, "\(lost.count) acknowledged checkouts missing after the crash, e.g. \(lost.first ?? "")")

        let resumed = try makeEngine(store, settings)
        #expect(resumed.now > EngineTime.simulationEpoch)
        _ = try SimulationRunner.run(resumed, checkouts: 200)
        try resumed.close()

        let report = try store.invariants()
        #expect(report.isClean, "\(report.violations)")
        let ended = try store.rows("""
            SELECT checkout_id FROM payment_event e WHERE is_payment_done = 1
               OR EXISTS (SELECT 1 FROM queue_message m WHERE m.checkout_id = e.checkout_id AND m.queue_name LIKE '%-dlq')
            """)
        let unfinished = Set(acknowledged).subtracting(ended.map { $0[0] })
        #expect(unfinished.isEmpty, "\(unfinished.count) acknowledged checkouts neither done nor dead-lettered")
        #expect(try store.int("SELECT count(*) FROM queue_message WHERE queue_name NOT LIKE '%-dlq'") == 0)
    }

    /// With a redo log the file commits many batches merged into one: the store it leaves
    /// is the one batch-by-batch commits leave (the log's position row aside).
    @Test func aRedoLoggedWriterLeavesTheSameStore() throws {
        var settings = testSettings(seed: 42, rate: 30, errorMix: true)
        settings.duplicateDeliveryProbability = 0.05
        let plain = TempStore("plain"), logged = TempStore("logged")
        let a = try makeEngine(plain, settings, flushThreshold: 300)
        _ = try SimulationRunner.run(a, checkouts: 1_500)
        try a.close()
        var options = Engine.Options(storePath: logged.path, mode: .simulated, settings: settings)
        options.flushThreshold = 300
        options.redoLog = true
        let b = try Engine(options)
        _ = try SimulationRunner.run(b, checkouts: 1_500)
        try b.close()
        #expect(b.writer.lag.commits * 3 < b.writer.durableSequence, "batches were merged: \(b.writer.lag.commits) commits")
        var ca = try Self.content(plain), cb = try Self.content(logged)
        cb["engine_state"] = cb["engine_state"]?.filter { $0.first != RedoLog.positionKey }
        #expect(ca.removeValue(forKey: "engine_state") == cb.removeValue(forKey: "engine_state"))
        for (table, rows) in ca { #expect(rows == cb[table], "\(table)") }
        #expect(!FileManager.default.fileExists(atPath: RedoLog.directory(for: logged.path)))
    }

    /// The writer dies with batches in its redo log and not in the file: the next engine
    /// applies them before it resumes, so every checkout acknowledged from the log survives.
    @Test func aKillWithTheRedoLogAheadOfTheFileLosesNothingAcknowledged() throws {
        let store = TempStore()
        var settings = testSettings(seed: 77, rate: 40, errorMix: true)
        settings.duplicateDeliveryProbability = 0.1
        var acknowledged: [String] = []
        do {
            var options = Engine.Options(storePath: store.path, mode: .simulated, settings: settings)
            options.flushThreshold = 300
            options.redoLog = true
            let engine = try Engine(options)
            engine.writer.commitInterval = 3_600_000_000_000  // nothing reaches the file on its own
            engine.onAcknowledged = { acknowledged.append($0) }
            engine.limitTraffic(to: 2_000)
            try Self.runUntilTheWriterDies(engine) { if acknowledged.count >= 600 { engine.writer.simulateKill() } }
        }
        #expect(acknowledged.count >= 600)
        let inFile = try Connection(path: store.path, mode: .readOnly).scalarInt("SELECT count(*) FROM payment_event") ?? 0
        #expect(inFile < Int64(acknowledged.count), "the file lagged the log when the writer died")

        let resumed = try makeEngine(store, settings)  // applies the log, then resumes
        let applied = Set(try store.rows("SELECT checkout_id FROM payment_event").map { $0[0] })
        let lost = Set(acknowledged).subtracting(applied)
        #expect(lost.isEmpty, "\(lost.count) acknowledged checkouts lost, e.g. \(lost.first ?? "")")
        _ = try SimulationRunner.run(resumed, checkouts: 100)
        try resumed.close()
        let report = try store.invariants()
        #expect(report.isClean, "\(report.violations)")
        let done = Set(try store.rows("""
            SELECT checkout_id FROM payment_event e WHERE is_payment_done = 1
               OR EXISTS (SELECT 1 FROM queue_message m WHERE m.checkout_id = e.checkout_id AND m.queue_name LIKE '%-dlq')
            """).map { $0[0] })
        #expect(Set(acknowledged).subtracting(done).isEmpty)
    }

    @Test func resumeContinuesFromTheStoredClockAndRandomState() throws {
        let store = TempStore()
        let first = try makeEngine(store, testSettings(seed: 9))
        _ = try SimulationRunner.run(first, checkouts: 100)
        let stoppedAt = first.now
        try first.close()
        let second = try makeEngine(store, testSettings(seed: 999))
        #expect(second.now == stoppedAt)
        #expect(second.settings.seed == 9)
        _ = try SimulationRunner.run(second, checkouts: 100)
        try second.close()
        #expect(try store.int("SELECT count(*) FROM payment_event") >= 190)
        #expect(try store.int("SELECT count(*) FROM run") == 2)
        #expect(try store.invariants().isClean)
    }

    /// Many seeds, each with a different mix of faults, duplicates and releases: the
    /// invariants hold after every one. A failure names its seed.
    @Test func seedSweepKeepsTheInvariants() throws {
        for seed in UInt64(1)...200 {
            let store = TempStore("sweep")
            var settings = testSettings(seed: seed, rate: 25, errorMix: true)
            settings.duplicateDeliveryProbability = [0, 0.05, 0.3][Int(seed % 3)]
            settings.eventSource.initialConcurrency = Int(seed % 4) + 1
            let actions: [String] = [
                "command = \"fault\"\nkind = \"psp-outage\"\non = true",
                "command = \"fault\"\nkind = \"psp-latency\"\non = true\nfactor = 80",
                "command = \"fault\"\nkind = \"psp-declines\"\non = true\nrate = 0.5",
                "command = \"fault\"\nkind = \"function-errors\"\nfunction = \"wallet\"\nrate = 0.3",
                "command = \"deploy\"\nservice = \"executor\"\nversion = \"9.9.9\"\nregression = \"errors\"",
            ]
            let first = actions[Int(seed % 5)], second = actions[Int((seed / 5) % 5)]
            let scenario = try Scenario.parse("""
                name = "sweep"
                [[timeline]]
                at = "\(seed % 7 + 1)s"
                \(first)
                [[timeline]]
                at = "\(seed % 5 + 3)s"
                \(second)
                [[timeline]]
                at = "40s"
                command = "fault"
                kind = "clear"
                [[timeline]]
                at = "50s"
                command = "redrive"
                queue = "payment-execution-queue-dlq"
                """)
            try simulate(store, settings, checkouts: 60, scenario: scenario)
            let report = try store.invariants()
            #expect(report.isClean, "seed \(seed): \(report.violations)")
            if !report.isClean { break }
        }
    }
}
