import PaytopVocabulary
import PaytopStore
import PaytopJSON

/// How `paytop check` and `paytop simulate` print an invariant report.
extension InvariantReport {
    var json: JSONValue {
        .object([
            "ok": .bool(isClean),
            "checked": .array(checked.map { .string($0) }),
            "counts": .object(counts.mapValues { .number(Double($0)) }),
            "violations": .array(violations.map {
                .object(["invariant": .string($0.invariant), "count": .number(Double($0.count)),
                         "examples": .array($0.examples.map { .string($0) })])
            }),
        ])
    }

    /// One line per violated invariant and its examples (data printed inert).
    var violationLines: [String] {
        violations.flatMap { v in ["  ✖ \(v.invariant): \(v.count)"] + v.examples.map { "      " + inert($0) } }
    }
}
