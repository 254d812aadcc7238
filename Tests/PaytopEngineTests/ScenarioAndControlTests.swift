import PaytopVocabulary
import Foundation
import Testing
@testable import PaytopEngine
@testable import PaytopStore

@Suite struct ScenarioAndControlTests {
    @Test func everyShippedScenarioLoads() throws {
        let dir = repositoryRoot.appendingPathComponent("sample-data/scenarios")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".toml") }.sorted()
        #expect(names == ["bad-release.toml", "black-friday.toml", "decline-surge.toml", "latency-spike.toml",
                          "psp-outage.toml", "settlement-drift.toml", "steady.toml"])
        for n in names {
            let s = try Scenario.load(path: dir.appendingPathComponent(n).path)
            var settings = EngineSettings()
            try s.apply(to: &settings)
            #expect(s.name + ".toml" == n)
            if n == "black-friday.toml" {
                #expect(settings.functions[.initializer]?.reservedConcurrency == 8)
                #expect(settings.api.throttleRate == 400)
            }
        }
    }

    @Test(arguments: [
        ("name = \"x\"\nbogus = 1", "unknown key \"bogus\""),
        ("name = \"x\"\n[settings]\nrate_per_secnd = 3", "unknown key \"settings.rate_per_secnd\""),
        ("name = \"x\"\n[settings]\nrate_per_second = \"fast\"", "wrong type"),
        ("name = \"x\"\n[settings.functions.payer]\nreserved_concurrency = 3", "unknown function \"payer\""),
        ("name = \"x\"\n[[timeline]]\nat = \"soon\"\ncommand = \"pause\"", "at must be a duration"),
        ("name = \"x\"\n[[timeline]]\nat = \"1m\"\ncommand = \"explode\"", "unknown command \"explode\""),
        ("name = \"x\"\n[[timeline]]\nat = \"1m\"\ncommand = \"fault\"\nkind = \"psp-outage\"", "on must be on or off"),
        ("name = = \"x\"", "line 1"),
        ("description = \"no name\"", "missing name"),
    ])
    func badScenariosAreRefusedWithTheReason(text: String, reason: String) {
        do {
            _ = try Scenario.parse(text)
            Issue.record("accepted: \(text)")
        } catch let e as Scenario.LoadError {
            #expect(e.description.contains(reason), "\(e.description)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    /// Orders look like the seed's (its script sent 10–100): the median order of a default
    /// simulation lies in 10–100, with a tail above it and none past the maximum; the
    /// uniform shape is a setting; bad settings are refused with their key.
    @Test func orderAmountsLookLikeTheSeeds() throws {
        func cents(_ store: TempStore) throws -> [Int64] {
            try store.rows("SELECT amount FROM payment_order").map { Money(decimalString: $0[0])!.minorUnits }.sorted()
        }
        let store = TempStore()
        try simulate(store, testSettings(rate: 20), checkouts: 2_000)
        let amounts = try cents(store)
        #expect(amounts.count > 3_000)
        let median = amounts[amounts.count / 2]
        #expect((1_000...10_000).contains(median), "median \(median) cents")
        let p99 = amounts[amounts.count * 99 / 100]
        #expect(p99 > 20_000 && amounts.last! <= 1_000_000, "p99 \(p99), max \(amounts.last!)")

        var uniform = testSettings(rate: 20)
        try Scenario.parse("""
            name = "uniform"
            [settings.order_amounts]
            shape = "uniform"
            min = "10.00"
            max = "20.00"
            """).apply(to: &uniform)
        let other = TempStore()
        try simulate(other, uniform, checkouts: 300)
        let flat = try cents(other)
        #expect(flat.first! >= 1_000 && flat.last! <= 2_000 && flat.first! < 1_100 && flat.last! > 1_900)

        for (key, value) in [("median", "\"abc\""), ("min", "\"-1.00\""), ("median", "\"50000.00\""), ("sigma", "-1.0")] {
            var s = EngineSettings()
            #expect(throws: Scenario.LoadError.self) {
                try Scenario.parse("name = \"bad\"\n[settings.order_amounts]\n\(key) = \(value)\n").apply(to: &s)
            }
        }
    }

    @Test func durationsReadAsHumansWriteThem() {
        #expect(Scenario.parseDuration("90s") == Span.seconds(Int64(90)))
        #expect(Scenario.parseDuration("1h30m") == Span.minutes(90))
        #expect(Scenario.parseDuration("250ms") == Span.ms(250))
        #expect(Scenario.parseDuration(.number(2.5)) == Span.ms(2500))
        #expect(Scenario.parseDuration("5 minutes") == nil)
    }

    @Test func controlCommandsAreAppliedAcknowledgedAndRecorded() throws {
        let store = TempStore()
        let engine = try makeEngine(store, testSettings())
        let writerSide = try Store.openForWriting(path: store.path, create: false)
        let good = try ControlQueue.enqueue(writerSide, .pspOutage(on: true), source: "test", issuedAtMillis: 0)
        let bad = try ControlQueue.enqueue(writerSide, name: "fault", argsText: "{\"kind\":\"meteor\"}", source: "test", issuedAtMillis: 0)
        let garbage = try ControlQueue.enqueue(writerSide, name: "rate", argsText: "not json", source: "test", issuedAtMillis: 0)
        #expect(try engine.pollControlCommands() == 3)
        #expect(try engine.pollControlCommands() == 0)  // never applied twice
        #expect(engine.faults.pspOutage)
        try engine.waitForCommits()
        #expect(try ControlQueue.status(writerSide, id: good) == .init(status: "applied", result: "PSP outage on"))
        #expect(try ControlQueue.status(writerSide, id: bad)?.status == "rejected")
        #expect(try ControlQueue.status(writerSide, id: garbage)?.result == "args are not valid JSON")
        #expect(try store.rows("SELECT command_id, command, summary FROM control_event")
                == [[String(good), "fault", "PSP outage on"]])
        try engine.close()
    }

    @Test func pausingStopsArrivalsAndARateChangeTakesEffectAtOnce() throws {
        let store = TempStore()
        let engine = try makeEngine(store, testSettings(rate: 0.001))
        try engine.apply(.rate(100))
        let start = engine.now
        while try engine.step(notAfter: start + Span.seconds(Int64(10))) {}
        #expect(engine.traffic.generated > 500)  // not waiting out a gap drawn at the old rate
        try engine.apply(.pause)
        let paused = engine.traffic.generated
        while try engine.step(notAfter: start + Span.seconds(Int64(20))) {}
        #expect(engine.traffic.generated == paused)
        try engine.close()
    }
}
