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
