import Testing
@testable import PaytopEngine
import PaytopVocabulary

/// `paytop grade`'s generated cases (docs/problems.md): every fault family is drawn, each
/// case's fault is a truth, and its switch-off ends that truth (so the grade knows when
/// the fault stopped).
@Suite struct GradeCaseTests {
    @Test func generatedCasesCoverEveryFaultFamilyAndEachEndsItsTruth() {
        var families: [String: Int] = [:]
        for seed in UInt64(1)...300 {
            let c = ProblemGrade.generatedCase(seed: seed)
            #expect(c.truths.count == 1)
            let t = c.truths[0]
            families[t.fault ?? t.kind.rawValue, default: 0] += 1
            // The fault's on and off are in the timeline, in that order, the off ending it.
            let on = c.timeline.first { ProblemGrade.truth($0.command, at: 0, until: 0) != nil }
            let off = c.timeline.last { a in on.map { ProblemGrade.ends($0.command, a.command) } ?? false }
            #expect(on != nil && off != nil && on!.at < off!.at, "\(c.name)")
            #expect(t.at == on?.at && t.until == off?.at, "\(c.name)")
        }
        let expected = ["psp-outage", "psp-latency", "psp-declines", "function-errors", "deploy", "psp-partial-outage", "hop-latency",
                        "function-concurrency", "lambda-error", "lambda-delay", "dynamodb-latency", "dynamodb-throttle", "visibility-timeout"]
        #expect(Set(families.keys) == Set(expected), "\(families)")
        #expect(families.values.allSatisfy { $0 >= 10 }, "\(families)")
    }
}
