import Foundation
import PaytopJSON
import TOMLKit

/// A TOML file read as JSON: the scenarios' and the experiments' one way in.
enum TOMLDocument {
    enum Failure: Error {
        case unreadable
        case notUTF8
        /// Not TOML: where and why.
        case syntax(String)
    }

    static func text(path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw Failure.unreadable }
        guard let text = String(data: data, encoding: .utf8) else { throw Failure.notUTF8 }
        return text
    }

    static func json(_ text: String) throws -> JSONValue {
        do {
            return Scenario.toJSON(try TOMLTable(string: text))
        } catch let e as TOMLParseError {
            throw Failure.syntax("line \(e.source.begin.line): \(e.description)")
        } catch {
            throw Failure.syntax("\(error)")
        }
    }
}
