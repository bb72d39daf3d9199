import Geodesy
import Geometry
import JSONText

extension Loader {
    /// The fields a statement may have.
    static let statementFields = ["id", "facet", "holder", "zone", "ground", "from", "to", "announced", "source", "note", "supersedes"]

    /// Reads every `statements/*.json`, checks ids and supersessions, and sets each statement's
    /// recorded interval: `[announced, the announcement of the statement that supersedes it)`.
    mutating func loadAllStatements(actors: [String: Actor], accessStates: [String: Actor], known: Set<String>) -> [Statement] {
        var statements: [Statement] = []
        let statementFiles = listStatementFiles()
        var seen: [String: String] = [:]
        for file in statementFiles {
            for statement in loadStatements(file, actors: actors, accessStates: accessStates, known: known) {
                if let first = seen[statement.id] {
                    problems.append(Problem(file: file, subject: "statement '\(statement.id)'", "duplicate statement id (first in \(first))"))
                    continue
                }
                seen[statement.id] = file
                statements.append(statement)
            }
        }
        if statementFiles.isEmpty {
            problems.append(Problem(file: "statements/", "no statement files (*.json) found"))
        }
        // What supersedes what: the earlier statement must exist, be superseded once, and be
        // announced before the statement that supersedes it.
        let ids = Dictionary(statements.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var supersededBy: [String: Statement] = [:]
        for statement in statements {
            guard let old = statement.supersedes else { continue }
            let subject = "statement '\(statement.id)'"
            if old == statement.id {
                problems.append(Problem(file: statement.file, subject: subject, "supersedes itself"))
            } else if ids[old] == nil {
                problems.append(Problem(file: statement.file, subject: subject, "supersedes unknown statement '\(old)'"))
            } else if let other = supersededBy[old] {
                problems.append(Problem(file: statement.file, subject: subject, "supersedes '\(old)', which '\(other.id)' already supersedes"))
            } else if statement.announced <= ids[old]!.announced {
                problems.append(Problem(file: statement.file, subject: subject, "supersedes '\(old)' (announced \(ids[old]!.announced)) but is announced on \(statement.announced): a statement must be announced after the one it supersedes"))
            } else {
                supersededBy[old] = statement
            }
        }
        return statements.map { s in
            guard let successor = supersededBy[s.id] else { return s }
            return Statement(id: s.id, facet: s.facet, holder: s.holder, ground: s.ground, valid: s.valid, announced: s.announced,
                             recorded: try! DayInterval(from: s.announced, to: successor.announced), source: s.source, zone: s.zone,
                             note: s.note, supersedes: s.supersedes, file: s.file)
        }
    }

    mutating func loadStatements(_ file: String, actors: [String: Actor], accessStates: [String: Actor], known: Set<String>) -> [Statement] {
        guard let json = readJSON(file) else { return [] }
        guard case .object(let root) = json, case .array(let items)? = root["statements"] else {
            problems.append(Problem(file: file, "expected an object with a \"statements\" array"))
            return []
        }
        var defaults = JSONObject()
        if case .object(let s)? = root["source"] { defaults = s }
        var result: [Statement] = []
        for (i, item) in items.enumerated() {
            guard case .object(let o) = item else {
                problems.append(Problem(file: file, subject: "statements[\(i)]", "expected a statement object, found \(item.kindName)"))
                continue
            }
            guard case .string(let id)? = o["id"], !id.isEmpty else {
                problems.append(Problem(file: file, subject: "statements[\(i)]", "a statement needs a non-empty string \"id\""))
                continue
            }
            let subject = "statement '\(id)'"
            let before = problems.count

            var facet: Facet?
            if let text = string(o["facet"], file: file, subject: subject, field: "facet") {
                facet = Facet(rawValue: text)
                if facet == nil {
                    problems.append(Problem(file: file, subject: subject, "unknown facet '\(text)' (one of \(Facet.allCases.map(\.rawValue).joined(separator: ", ")))"))
                }
            }
            let holder = string(o["holder"], file: file, subject: subject, field: "holder")
            if let holder, let facet {
                if facet.holdsAccessStates, accessStates[holder] == nil {
                    problems.append(Problem(file: file, subject: subject, "unknown access state '\(holder)' (catalog.json declares: \(accessStates.keys.sorted().joined(separator: ", ")))"))
                } else if !facet.holdsAccessStates, actors[holder] == nil {
                    problems.append(Problem(file: file, subject: subject, "unknown actor '\(holder)' (catalog.json declares: \(actors.keys.sorted().joined(separator: ", ")))"))
                }
            }
            let zone = string(o["zone"], file: file, subject: subject, field: "zone")
            var ground: GroundExpression?
            if let g = o["ground"] {
                ground = expression(g, file: file, subject: subject, path: "ground")
                if let e = ground, !checkReferences(e, known: known, file: file, subject: subject) { ground = nil }
            } else {
                problems.append(Problem(file: file, subject: subject, "'ground' is missing"))
            }
            let from = day(o["from"], file: file, subject: subject, field: "from")
            var to: Day?
            if let t = o["to"], t != .null { to = day(t, file: file, subject: subject, field: "to") }
            let announced = day(o["announced"], file: file, subject: subject, field: "announced")
            var interval: DayInterval?
            if let from {
                do { interval = try DayInterval(from: from, to: to) } catch {
                    problems.append(Problem(file: file, subject: subject, error.message))
                }
            }
            for key in o.keys where !Loader.statementFields.contains(key) {
                problems.append(Problem(file: file, subject: subject, "unknown field '\(key)' (fields: \(Loader.statementFields.joined(separator: ", ")))"))
            }

            var sourceObject = defaults
            if case .object(let s)? = o["source"] {
                for member in s.members { sourceObject.members.append(member) }
            } else if o["source"] != nil {
                problems.append(Problem(file: file, subject: subject, "'source' must be an object {document, clause, quote}"))
            }
            let document = string(sourceObject["document"], file: file, subject: subject, field: "source.document")
            let clause = string(sourceObject["clause"], file: file, subject: subject, field: "source.clause")

            guard problems.count == before, let facet, let holder, let zone, let ground, let interval, let announced,
                  let document, let clause
            else { continue }
            result.append(Statement(
                id: id, facet: facet, holder: holder, ground: ground, valid: interval, announced: announced,
                recorded: try! DayInterval(from: announced, to: nil),
                source: Source(document: document, clause: clause, quote: optionalString(sourceObject["quote"]),
                              via: optionalString(sourceObject["via"]), url: optionalString(sourceObject["url"])),
                zone: zone, note: optionalString(o["note"]), supersedes: optionalString(o["supersedes"]), file: file))
        }
        return result
    }
}
