import Foundation
import Geometry
import JSONText

/// Reads data/ and gathers problems as it goes: every part reports what it finds and goes on.
struct Loader {
    let folder: URL
    var problems: [Problem] = []
    /// Shapes whose feature is broken (already reported): references to them are not reported again.
    var brokenShapeIDs = Set<String>()

    init(folder: URL) {
        self.folder = folder
    }

    // MARK: Files

    func url(_ file: String) -> URL {
        file.hasPrefix("/") ? URL(fileURLWithPath: file) : folder.appendingPathComponent(file)
    }

    mutating func readBytes(_ file: String) -> [UInt8]? {
        let url = url(file)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            let exists = FileManager.default.fileExists(atPath: url.path)
            problems.append(Problem(file: file, exists ? "cannot be read" : "no such file in \(folder.path)"))
            return nil
        }
        return Array(data)
    }

    mutating func readJSON(_ file: String) -> JSONValue? {
        guard let bytes = readBytes(file) else { return nil }
        do {
            return try JSONReader.parse(bytes)
        } catch {
            problems.append(Problem(file: file, "not valid JSON: \(error)"))
            return nil
        }
    }

    func listStatementFiles() -> [String] {
        let dir = folder.appendingPathComponent("statements")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted().map { "statements/\($0)" }
    }

    // MARK: Typed fields

    /// Reads an array of `{code, name, note, colour}` (`colour` optional, `#RRGGBB`).
    mutating func codes(_ value: JSONValue?, file: String, field: String, required: Bool) -> [String: Actor] {
        var result: [String: Actor] = [:]
        guard case .array(let items)? = value else {
            if required || value != nil {
                problems.append(Problem(file: file, "'\(field)' must be an array of {code, name}"))
            }
            return result
        }
        for (i, item) in items.enumerated() {
            guard case .object(let o) = item,
                  let code = string(o["code"], file: file, subject: "\(field)[\(i)]", field: "code"),
                  let name = string(o["name"], file: file, subject: "\(field)[\(i)]", field: "name")
            else { continue }
            if result[code] != nil {
                problems.append(Problem(file: file, subject: "\(field) '\(code)'", "duplicate code"))
            }
            var colour: String?
            if let c = o["colour"] {
                if case .string(let text) = c, Actor.isColour(text) { colour = text.uppercased() } else {
                    problems.append(Problem(file: file, subject: "\(field) '\(code)'", "'colour' must be a colour written #RRGGBB (e.g. #0072B2), found \(c.kindName == "string" ? "'\(JSONWriter.string(c))'" : c.kindName)"))
                }
            }
            result[code] = Actor(code: code, name: name, note: optionalString(o["note"]), colour: colour)
        }
        return result
    }

    /// A required non-empty string; a problem when it is missing or of another type.
    mutating func string(_ value: JSONValue?, file: String, subject: String?, field: String) -> String? {
        guard case .string(let s)? = value, !s.isEmpty else {
            let found = value.map { $0.kindName } ?? "nothing"
            problems.append(Problem(file: file, subject: subject, "'\(field)' must be a non-empty string, found \(found)"))
            return nil
        }
        return s
    }

    /// An optional string: `default` when absent, a problem when present but not a non-empty string.
    mutating func string(_ value: JSONValue?, file: String, subject: String?, field: String, default fallback: String) -> String {
        guard let value else { return fallback }
        return string(value, file: file, subject: subject, field: field) ?? fallback
    }

    func optionalString(_ value: JSONValue?) -> String? {
        if case .string(let s)? = value, !s.isEmpty { return s }
        return nil
    }

    mutating func day(_ value: JSONValue?, file: String, subject: String, field: String) -> Day? {
        guard let text = string(value, file: file, subject: subject, field: field) else { return nil }
        do {
            return try Day(parsing: text)
        } catch {
            problems.append(Problem(file: file, subject: subject, "'\(field)': \(error.message)"))
            return nil
        }
    }
}
