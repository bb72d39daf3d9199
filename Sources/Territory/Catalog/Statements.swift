import Geodesy
import Geometry
import JSONText

extension Loader {
    /// The fields a statement may have.
    static let statementFields = ["id", "facet", "holder", "zone", "ground", "from", "to", "announced", "source", "note", "supersedes",
                                  "to_announced", "claimed_by", "accepted_by", "disputed_by", "strength", "mandate"]

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
                             note: s.note, supersedes: s.supersedes, file: s.file, qualifiers: s.qualifiers)
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
            var qualifiers = Qualifiers()
            let fromRange = dayOrRange(o["from"], file: file, subject: subject, field: "from")
            let from = fromRange?.first
            qualifiers.fromLatest = fromRange?.last
            var to: Day?
            if let t = o["to"], t != .null {
                let range = dayOrRange(t, file: file, subject: subject, field: "to")
                to = range?.first
                qualifiers.toLatest = range?.last
            }
            let announced = day(o["announced"], file: file, subject: subject, field: "announced")
            if let t = o["to_announced"] {
                qualifiers.toAnnounced = day(t, file: file, subject: subject, field: "to_announced")
                if to == nil {
                    problems.append(Problem(file: file, subject: subject, "'to_announced' says when the end was made known, but there is no 'to'"))
                } else if let told = qualifiers.toAnnounced, let announced, told <= announced {
                    problems.append(Problem(file: file, subject: subject, "'to_announced' \(told) is not after 'announced' \(announced): give it only for an end made known later"))
                }
            }
            readClaims(o, into: &qualifiers, actors: actors, file: file, subject: subject)
            if let last = qualifiers.fromLatest, let to, last >= to {
                problems.append(Problem(file: file, subject: subject, "'from': the uncertain range ends on \(last), not before 'to' \(to)"))
            }
            if let facet, facet != .presence, qualifiers.strength != nil || qualifiers.mandate != nil {
                problems.append(Problem(file: file, subject: subject, "'strength' and 'mandate' belong to presence statements, not \(facet.rawValue)"))
            }
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
                zone: zone, note: optionalString(o["note"]), supersedes: optionalString(o["supersedes"]), file: file,
                qualifiers: qualifiers))
        }
        return result
    }

    /// A day, or an uncertain range written as an EDTF level-1 interval `YYYY-MM-DD/YYYY-MM-DD`
    /// (the event fell on some day between the two, both included).
    mutating func dayOrRange(_ value: JSONValue?, file: String, subject: String, field: String) -> (first: Day, last: Day?)? {
        guard let text = string(value, file: file, subject: subject, field: field) else { return nil }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 2 else {
            problems.append(Problem(file: file, subject: subject, "'\(field)': '\(text)' is neither a day nor an uncertain range YYYY-MM-DD/YYYY-MM-DD"))
            return nil
        }
        do {
            let first = try Day(parsing: parts[0])
            guard parts.count == 2 else { return (first, nil) }
            let last = try Day(parsing: parts[1])
            guard last > first else {
                problems.append(Problem(file: file, subject: subject, "'\(field)': the uncertain range \(text) ends before it starts (its last day must be after its first)"))
                return nil
            }
            return (first, last)
        } catch {
            problems.append(Problem(file: file, subject: subject, "'\(field)': \(error.message) (a day, or an uncertain range YYYY-MM-DD/YYYY-MM-DD)"))
            return nil
        }
    }

    /// `claimed_by`, `accepted_by` (lists of actor codes), `disputed_by` (a list of
    /// `{"actor", "source": {document, clause, quote, via, url}}`), `strength` and `mandate`.
    mutating func readClaims(_ o: JSONObject, into q: inout Qualifiers, actors: [String: Actor], file: String, subject: String) {
        func codes(_ field: String) -> [String] {
            guard let v = o[field] else { return [] }
            guard case .array(let items) = v, !items.isEmpty else {
                problems.append(Problem(file: file, subject: subject, "'\(field)' must be a non-empty list of actor codes"))
                return []
            }
            var out: [String] = []
            for item in items {
                guard case .string(let code) = item, actors[code] != nil else {
                    problems.append(Problem(file: file, subject: subject, "'\(field)' names unknown actor \({ if case .string(let t) = item { "'\(t)'" } else { item.kindName } }()) (catalog.json declares: \(actors.keys.sorted().joined(separator: ", ")))"))
                    continue
                }
                out.append(code)
            }
            return out
        }
        q.claimedBy = codes("claimed_by")
        q.acceptedBy = codes("accepted_by")
        if !q.acceptedBy.isEmpty, q.claimedBy.isEmpty {
            problems.append(Problem(file: file, subject: subject, "'accepted_by' goes with a claim: give 'claimed_by' too"))
        }
        if let v = o["disputed_by"] {
            guard case .array(let items) = v, !items.isEmpty else {
                problems.append(Problem(file: file, subject: subject, "'disputed_by' must be a non-empty list of {\"actor\", \"source\"}"))
                return
            }
            for (i, item) in items.enumerated() {
                let at = "disputed_by[\(i)]"
                guard case .object(let d) = item, case .string(let actor)? = d["actor"], case .object(let so)? = d["source"] else {
                    problems.append(Problem(file: file, subject: subject, "'\(at)' must be {\"actor\": CODE, \"source\": {\"document\", \"clause\", ...}}"))
                    continue
                }
                guard actors[actor] != nil else {
                    problems.append(Problem(file: file, subject: subject, "'\(at)' names unknown actor '\(actor)' (catalog.json declares: \(actors.keys.sorted().joined(separator: ", ")))"))
                    continue
                }
                guard let document = string(so["document"], file: file, subject: subject, field: "\(at).source.document"),
                      let clause = string(so["clause"], file: file, subject: subject, field: "\(at).source.clause") else { continue }
                q.disputedBy.append(Dispute(actor: actor, source: Source(document: document, clause: clause, quote: optionalString(so["quote"]),
                                                                         via: optionalString(so["via"]), url: optionalString(so["url"]))))
            }
        }
        for actor in Set(q.claimedBy + q.acceptedBy) where q.disputedBy.contains(where: { $0.actor == actor }) {
            problems.append(Problem(file: file, subject: subject, "'\(actor)' both claims or accepts it and disputes it"))
        }
        if let v = o["strength"] {
            guard case .object(let so) = v, !so.keys.isEmpty else {
                problems.append(Problem(file: file, subject: subject, "'strength' must be an object (\(Strength.fields.joined(separator: ", ")))"))
                return
            }
            for key in so.keys where !Strength.fields.contains(key) {
                problems.append(Problem(file: file, subject: subject, "'strength': unknown field '\(key)' (fields: \(Strength.fields.joined(separator: ", ")))"))
            }
            if let m = so["at_most"], !({ if case .bool = m { true } else { false } }()) {
                problems.append(Problem(file: file, subject: subject, "'strength.at_most' must be true or false, found \(m.kindName)"))
            }
            if let m = so["per"], !({ if case .string(let t) = m { !t.isEmpty } else { false } }()) {
                problems.append(Problem(file: file, subject: subject, "'strength.per' must be a non-empty string (e.g. \"side\"), found \(m.kindName)"))
            }
            for key in ["personnel", "armoured_personnel_carriers", "vehicles"] {
                if let n = so[key], !({ if case .number(let v) = n { v >= 1 && v == v.rounded() && v < 1e9 } else { false } }()) {
                    problems.append(Problem(file: file, subject: subject, "'strength.\(key)' must be a whole number above 0, found \(n.kindName)"))
                }
            }
            q.strength = Strength(json: v)
        }
        if let v = o["mandate"] { q.mandate = string(v, file: file, subject: subject, field: "mandate") }
    }
}
