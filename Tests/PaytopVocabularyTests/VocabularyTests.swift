import Foundation
import Testing
import PaytopJSON
import PaytopVocabulary

/// The shared words: one codec for control commands, names that map both ways.
@Suite struct VocabularyTests {
    static let everyCommand: [ControlCommand] = [
        .pspOutage(on: true), .pspOutage(on: false), .pspLatency(on: true, factor: 250), .pspLatency(on: false, factor: 100),
        .pspDeclines(on: true, rate: 0.25, code: DeclineCode.fraudSuspected), .functionErrors(.wallet, rate: 0.1),
        .clearFaults, .rate(12.5), .pause, .resume, .speed(3),
        .deploy(service: .executor, version: "1.3.0 \"rc\"\n", regression: .latency),
        .deploy(service: .initializer, version: "2", regression: nil), .rollback(.wallet),
        .redrive(.executionDLQ), .redrive(.resultsDLQ),
    ]

    @Test func everyCommandSurvivesItsRowText() throws {
        for command in Self.everyCommand {
            let text = command.args.encoded
            #expect(try ControlCommand.parse(name: command.name, args: JSONValue.parse(Array(text.utf8))) == command)
        }
    }

    @Test func malformedCommandsAreRefusedWithAReason() {
        let bad: [(String, JSONValue)] = [
            ("fault", ["kind": "meteor"]), ("fault", ["kind": "psp-outage"]), ("rate", ["rate": -1]),
            ("deploy", ["service": "ledger", "version": "1"]), ("redrive", ["queue": "payment-execution-queue"]),
            ("explode", [:]),
        ]
        for (name, args) in bad {
            #expect(throws: ControlCommand.ParseError.self) { try ControlCommand.parse(name: name, args: args) }
        }
    }

    @Test func namesMapBothWays() {
        for f in FunctionName.allCases { #expect(FunctionName(deployedName: f.deployedName) == f) }
        #expect(FunctionName(deployedName: "psp") == nil)
        for q in QueueName.allCases { #expect(QueueName(userInput: q.rawValue) == q) }
        #expect(QueueName(userInput: "results-dlq") == .resultsDLQ)
        for e in BusinessEventName.allCases { #expect(BusinessEventName(name: e.name) == e) }
        #expect(Set(BusinessEventName.allCases.map(\.name)).count == BusinessEventName.allCases.count)
    }

    @Test func paymentStateFollowsTheLatestQueue() {
        #expect(PaymentState(isPaymentDone: true, outcome: "SUCCESS", latestQueue: .results) == .success)
        #expect(PaymentState(isPaymentDone: true, outcome: "FAILED", latestQueue: nil) == .failed)
        #expect(PaymentState(isPaymentDone: false, outcome: nil, latestQueue: .executionDLQ) == .deadLettered)
        #expect(PaymentState(isPaymentDone: false, outcome: nil, latestQueue: .results) == .settling)
        #expect(PaymentState(isPaymentDone: false, outcome: nil, latestQueue: .execution) == .executing)
    }

    /// The engine_state text keeps its shape: readers in other processes decode it.
    @Test func faultStateKeepsItsStoredShape() throws {
        var f = FaultState()
        f.pspOutage = true
        f.functionErrorRates[.executor] = 0.5
        let e = JSONEncoder()
        e.outputFormatting = .sortedKeys
        let text = String(decoding: try e.encode(f), as: UTF8.self)
        #expect(text == #"{"functionErrorRates":{"executor":0.5},"pspDeclineCode":"CARD_DECLINED","pspDeclineRate":0,"pspLatencyFactor":1,"pspOutage":true}"#)
        #expect(try JSONDecoder().decode(FaultState.self, from: Data(text.utf8)) == f)
    }
}
