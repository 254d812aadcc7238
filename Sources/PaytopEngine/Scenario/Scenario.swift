import Foundation
import TOMLKit
import PaytopVocabulary
import PaytopJSON

/// A scenario file (sample-data/scenarios/*.toml): settings that override the defaults,
/// and a timeline of control commands at offsets from the start of the run.
/// docs/scenarios.md describes the format.
public struct Scenario: Sendable {
    public var name: String
    public var description: String
    /// Overrides for `EngineSettings`, in its snake_case JSON shape.
    public var settings: JSONValue
    public var timeline: [TimelineAction]

    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    public static func load(path: String) throws -> Scenario {
        do {
            return try parse(try TOMLDocument.text(path: path))
        } catch TOMLDocument.Failure.unreadable {
            throw LoadError(description: "cannot read scenario file \(path)")
        } catch TOMLDocument.Failure.notUTF8 {
            throw LoadError(description: "scenario file \(path) is not UTF-8 text")
        } catch let e as LoadError {
            throw LoadError(description: "scenario \(path): \(e.description)")
        }
    }

    public static func parse(_ text: String) throws -> Scenario {
        do {
            return try parse(root: try TOMLDocument.json(text))
        } catch TOMLDocument.Failure.syntax(let why) {
            throw LoadError(description: why)
        }
    }

    /// A scenario from its file's tables, read as JSON.
    static func parse(root: JSONValue) throws -> Scenario {
        guard case .object(let o) = root else { throw LoadError(description: "not a table") }
        for key in o.keys where !["name", "description", "settings", "timeline"].contains(key) {
            throw LoadError(description: "unknown key \"\(key)\" (expected name, description, settings, timeline)")
        }
        guard let name = o["name"]?.stringValue else { throw LoadError(description: "missing name = \"...\"") }
        var scenario = Scenario(name: name, description: o["description"]?.stringValue ?? "",
                                settings: o["settings"] ?? .object([:]), timeline: [])
        var probe = EngineSettings()
        try scenario.apply(to: &probe)
        if case .array(let actions)? = o["timeline"] {
            for (i, a) in actions.enumerated() {
                guard case .object(var fields) = a else { throw LoadError(description: "timeline[\(i)] is not a table") }
                guard let at = fields.removeValue(forKey: "at") else { throw LoadError(description: "timeline[\(i)]: missing at") }
                guard let offset = parseDuration(at) else {
                    throw LoadError(description: "timeline[\(i)]: at must be a duration such as \"90s\", \"5m\" or \"1h30m\"")
                }
                guard let command = fields.removeValue(forKey: "command")?.stringValue else {
                    throw LoadError(description: "timeline[\(i)]: missing command")
                }
                do {
                    let parsed = try ControlCommand.parse(name: command, args: .object(fields))
                    scenario.timeline.append(TimelineAction(at: offset, command: parsed))
                } catch let e as ControlCommand.ParseError {
                    throw LoadError(description: "timeline[\(i)]: \(e.description)")
                }
            }
        } else if o["timeline"] != nil {
            throw LoadError(description: "timeline must be an array of tables ([[timeline]])")
        }
        scenario.timeline.sort { $0.at < $1.at }
        return scenario
    }

    /// Overlays the scenario's settings on `settings`. Unknown keys and wrong types are errors.
    public func apply(to settings: inout EngineSettings) throws {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = .sortedKeys
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let base = try JSONValue.parse(try encoder.encode(settings))
        let merged = try Scenario.merge(base, self.settings, path: "settings")
        do {
            settings = try decoder.decode(EngineSettings.self, from: Data(merged.encoded.utf8))
        } catch {
            throw LoadError(description: "settings: a value has the wrong type (\(error))")
        }
        _ = try settings.orderAmounts.draw()
    }

    static func merge(_ base: JSONValue, _ patch: JSONValue, path: String) throws -> JSONValue {
        guard case .object(let p) = patch else { return patch }
        guard case .object(var b) = base else { throw LoadError(description: "\(path) is not a table") }
        for (k, v) in p {
            if path == "settings" && k == "seed" {
                throw LoadError(description: "settings.seed: the seed comes from --seed, not from the scenario")
            }
            if path == "settings.functions" {
                guard FunctionName(rawValue: k) != nil else {
                    throw LoadError(description: "unknown function \"\(k)\" in settings.functions")
                }
            }
            guard let existing = b[k] else {
                throw LoadError(description: "unknown key \"\(path).\(k)\"")
            }
            if case .object = v, existing != .null {
                b[k] = try merge(existing, v, path: path + "." + k)
            } else {
                b[k] = v
            }
        }
        return .object(b)
    }

    /// "90s", "5m", "1h30m", "250ms" or a number of seconds.
    static func parseDuration(_ v: JSONValue) -> Nanos? {
        if let n = v.numberValue, n >= 0 { return Span.seconds(n) }
        return v.stringValue.flatMap(DurationText.nanos)
    }

    static func toJSON(_ v: TOMLValueConvertible) -> JSONValue {
        switch v.type {
        case .table:
            var o: [String: JSONValue] = [:]
            for (k, x) in v.table! { o[k] = toJSON(x) }
            return .object(o)
        case .array: return .array(v.array!.map { toJSON($0) })
        case .string: return .string(v.string!)
        case .int: return .number(Double(v.int!))
        case .double: return .number(v.double!)
        case .bool: return .bool(v.bool!)
        default: return .string("\(v)")
        }
    }
}

/// A control command a scenario applies at `at` after the run starts.
public struct TimelineAction: Sendable, Equatable {
    public var at: Nanos
    public var command: ControlCommand
}
