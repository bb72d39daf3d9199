import Foundation
import Geodesy
import Geometry

/// Everything data/ says, loaded and checked: actors, the boundary pack, the covered area, the
/// statements. Loading reports every problem it finds at once (`Problems`), each naming its file
/// and the statement or shape at fault.
public struct Catalog: Sendable {
    /// The data folder it was read from.
    public let folder: URL
    public let title: String
    /// Actors by code.
    public let actors: [String: Actor]
    /// Access states by code (the holders of the `access` facet), e.g. `open`, `blocked`.
    public let accessStates: [String: Actor]

    /// The actor or access state a code stands for.
    public func holderName(_ code: String) -> String {
        actors[code]?.name ?? accessStates[code]?.name ?? code
    }
    /// The boundary pack's shapes by id.
    public let shapes: [String: BoundaryShape]
    /// The boundary pack's file, relative to the data folder.
    public let boundaryFile: String
    /// The ground the statements speak of; statements' grounds are clipped to it.
    public let covered: GroundExpression
    /// Named grounds defined in catalog.json, usable in any expression by name like shapes.
    public let grounds: [String: GroundExpression]
    /// Overlaps and gaps up to this many km² are tolerated (hand-drawn lines meet imperfectly).
    public let toleranceKm2: Double
    /// Every statement, ordered by file and position in it.
    public let statements: [Statement]

    /// The statements in force at some time: all but those another statement supersedes.
    public var effectiveStatements: [Statement] {
        let superseded = Set(statements.compactMap(\.supersedes))
        return statements.filter { !superseded.contains($0.id) }
    }

    /// The statement that supersedes `statement`, if any.
    public func successor(of statement: Statement) -> Statement? {
        statements.first { $0.supersedes == statement.id }
    }

    /// The catalog file's name inside a data folder.
    public static let manifest = "catalog.json"

    /// The imported boundary pack in use, if any.
    public let pack: PackInfo?

    /// Loads `folder`: `catalog.json`, the boundary pack it names, and every `statements/*.json`.
    /// With `pack`, the shapes of that imported pack replace the built-in shapes with the same ids.
    public static func load(from folder: URL, pack: PackFile? = nil) throws(Problems) -> Catalog {
        var loader = Loader(folder: folder)
        return try loader.load(pack: pack)
    }
}

/// An imported boundary pack to use instead of the built-in shapes it names.
public struct PackFile: Sendable {
    public let name: String
    public let url: URL

    public init(name: String, url: URL) {
        self.name = name
        self.url = url
    }
}

/// What an imported pack says of itself: its name, where it came from, its licence, and which
/// built-in shapes it replaces.
public struct PackInfo: Sendable {
    public let name: String
    public let file: URL
    public let source: String
    public let licence: String
    public let attribution: String
    public let replaced: [String]

    /// One line for outputs: "boundaries: NAME (SOURCE; ATTRIBUTION; LICENCE)".
    public var citation: String {
        "\(name): \(source); \(attribution); licence \(licence)"
    }
}

/// Reads data/ and gathers problems as it goes.
struct Loader {
    let folder: URL
    var problems: [Problem] = []
    /// Shapes whose feature is broken (already reported): references to them are not reported again.
    var brokenShapeIDs = Set<String>()

    init(folder: URL) {
        self.folder = folder
    }

    mutating func load(pack: PackFile?) throws(Problems) -> Catalog {
        let manifestFile = Catalog.manifest
        guard let manifest = readJSON(manifestFile) else { throw Problems(problems: problems) }
        guard case .object(let root) = manifest else {
            throw Problems(problems: [Problem(file: manifestFile, "expected a JSON object, found \(manifest.kindName)")])
        }
        let title = string(root["title"], file: manifestFile, subject: nil, field: "title") ?? "territory"
        var tolerance = 0.05
        if let t = root["tolerance_km2"] {
            if case .number(let v) = t, v >= 0 { tolerance = v } else {
                problems.append(Problem(file: manifestFile, "'tolerance_km2' must be a number of km² (0 or more)"))
            }
        }

        // Actors, and the access states that hold the access facet.
        let actors = codes(root["actors"], file: manifestFile, field: "actors", required: true)
        let accessStates = codes(root["access_states"], file: manifestFile, field: "access_states", required: false)

        // The boundary pack.
        let boundaryFile = string(root["boundaries"], file: manifestFile, subject: nil, field: "boundaries") ?? "boundaries/builtin.geojson"
        var shapes = loadShapes(boundaryFile)
        var packInfo: PackInfo?
        if let pack {
            let file = pack.url.path
            var replaced: [String] = []
            for (id, shape) in loadShapes(file).sorted(by: { $0.key < $1.key }) {
                guard let builtIn = shapes[id] else {
                    problems.append(Problem(file: file, subject: "shape '\(id)'", "the built-in pack has no shape '\(id)' to replace"))
                    continue
                }
                shapes[id] = BoundaryShape(id: id, name: builtIn.name, kind: builtIn.kind, note: shape.note, shape: shape.shape)
                replaced.append(id)
            }
            var meta = JSONObject()
            if case .object(let root)? = readJSON(file), case .object(let m)? = root["territory_pack"] { meta = m }
            func text(_ key: String) -> String {
                if case .string(let s)? = meta[key] { return s }
                return "unknown"
            }
            packInfo = PackInfo(name: pack.name, file: pack.url, source: text("source"), licence: text("licence"),
                                attribution: text("attribution"), replaced: replaced)
        }

        // Named grounds: expressions that statements share, referred to by name.
        var grounds: [String: GroundExpression] = [:]
        if case .object(let named)? = root["grounds"] {
            for (name, value) in named.members {
                if shapes[name] != nil || grounds[name] != nil {
                    problems.append(Problem(file: manifestFile, subject: "ground '\(name)'", "duplicate id: a shape or another ground already has it"))
                    continue
                }
                if let e = expression(value, file: manifestFile, subject: "ground '\(name)'", path: "grounds.\(name)") { grounds[name] = e }
            }
        } else if root["grounds"] != nil {
            problems.append(Problem(file: manifestFile, "'grounds' must be an object of named expressions"))
        }
        let known = Set(shapes.keys).union(grounds.keys)
        for (name, e) in grounds.sorted(by: { $0.key < $1.key }) {
            _ = checkReferences(e, known: known, file: manifestFile, subject: "ground '\(name)'")
        }
        if let cycle = Loader.cycle(in: grounds) {
            problems.append(Problem(file: manifestFile, subject: "ground '\(cycle[0])'", "grounds refer to each other in a circle: \(cycle.joined(separator: " → "))"))
        }

        // The covered area.
        var covered = GroundExpression.union([])
        if let c = root["covered"] {
            if let e = expression(c, file: manifestFile, subject: "covered", path: "covered") { covered = e }
        } else {
            problems.append(Problem(file: manifestFile, "'covered' is missing: the ground the statements speak of"))
        }
        _ = checkReferences(covered, known: known, file: manifestFile, subject: "covered")

        // Statements.
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
        // What supersedes what: the earlier statement must exist, and be superseded once.
        let ids = Dictionary(statements.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var supersededBy: [String: String] = [:]
        for statement in statements {
            guard let old = statement.supersedes else { continue }
            let subject = "statement '\(statement.id)'"
            if ids[old] == nil {
                problems.append(Problem(file: statement.file, subject: subject, "supersedes unknown statement '\(old)'"))
            } else if let other = supersededBy[old] {
                problems.append(Problem(file: statement.file, subject: subject, "supersedes '\(old)', which '\(other)' already supersedes"))
            } else if old == statement.id {
                problems.append(Problem(file: statement.file, subject: subject, "supersedes itself"))
            } else {
                supersededBy[old] = statement.id
            }
        }
        if statementFiles.isEmpty {
            problems.append(Problem(file: "statements/", "no statement files (*.json) found"))
        }

        guard problems.isEmpty else { throw Problems(problems: problems) }
        return Catalog(folder: folder, title: title, actors: actors, accessStates: accessStates, shapes: shapes, boundaryFile: boundaryFile,
                       covered: covered, grounds: grounds, toleranceKm2: tolerance, statements: statements, pack: packInfo)
    }

    // MARK: Files

    mutating func readBytes(_ file: String) -> [UInt8]? {
        let url = file.hasPrefix("/") ? URL(fileURLWithPath: file) : folder.appendingPathComponent(file)
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

    /// Reads an array of `{code, name, note}`.
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
            result[code] = Actor(code: code, name: name, note: optionalString(o["note"]))
        }
        return result
    }

    mutating func string(_ value: JSONValue?, file: String, subject: String?, field: String) -> String? {
        guard case .string(let s)? = value, !s.isEmpty else {
            let found = value.map { $0.kindName } ?? "nothing"
            problems.append(Problem(file: file, subject: subject, "'\(field)' must be a non-empty string, found \(found)"))
            return nil
        }
        return s
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

    // MARK: Boundary pack

    mutating func loadShapes(_ file: String) -> [String: BoundaryShape] {
        guard let json = readJSON(file) else { return [:] }
        // Feature by feature, so that one bad feature is reported and the others still load.
        var features: [Feature] = []
        if case .object(let root) = json, case .array(let items)? = root["features"] {
            for (i, item) in items.enumerated() {
                do {
                    features += try GeoJSON.features(from: item)
                } catch {
                    var subject = "features[\(i)]"
                    if case .object(let o) = item, case .string(let id)? = o["id"] {
                        subject = "shape '\(id)' (features[\(i)])"
                        brokenShapeIDs.insert(id)
                    }
                    problems.append(Problem(file: file, subject: subject, "not a usable GeoJSON feature: \(error)"))
                }
            }
        } else {
            do {
                features = try GeoJSON.features(from: json)
            } catch {
                problems.append(Problem(file: file, "not a usable GeoJSON boundary pack: \(error)"))
                return [:]
            }
        }
        var shapes: [String: BoundaryShape] = [:]
        let context = GEOSContext()
        for (i, feature) in features.enumerated() {
            guard case .string(let id)? = feature.id, !id.isEmpty else {
                problems.append(Problem(file: file, subject: "features[\(i)]", "a boundary shape needs a string \"id\""))
                continue
            }
            let subject = "shape '\(id)'"
            guard let shape = feature.geometry else {
                problems.append(Problem(file: file, subject: subject, "has a null geometry"))
                continue
            }
            if shapes[id] != nil {
                problems.append(Problem(file: file, subject: subject, "duplicate shape id"))
                continue
            }
            do {
                let validity = try Geometry(shape, context: context).validity()
                if !validity.isValid {
                    problems.append(Problem(file: file, subject: subject, "invalid geometry: \(validity.reason)"))
                    continue
                }
            } catch {
                problems.append(Problem(file: file, subject: subject, "invalid geometry: \(error.message)"))
                continue
            }
            let name: String
            if case .string(let n)? = feature.properties["name"] { name = n } else { name = id }
            let kind: String
            if case .string(let k)? = feature.properties["kind"] { kind = k } else { kind = "area" }
            shapes[id] = BoundaryShape(id: id, name: name, kind: kind, note: optionalString(feature.properties["note"]), shape: shape)
        }
        return shapes
    }

    // MARK: Expressions

    /// Reads a ground expression: a shape id, or `{"union": [...]}`, `{"intersection": [...]}`,
    /// `{"difference": [first, minus...]}`, `{"buffer": e, "width": "5km" | "distance": "2.5km", "ends": "round"|"flat"}`.
    mutating func expression(_ value: JSONValue, file: String, subject: String, path: String) -> GroundExpression? {
        switch value {
        case .string(let id):
            return .ref(id)
        case .object(let o):
            let operators = o.keys.filter { ["union", "intersection", "difference", "buffer"].contains($0) }
            guard operators.count == 1, let op = operators.first else {
                problems.append(Problem(file: file, subject: subject, "\(path): an expression object needs exactly one of union, intersection, difference, buffer (found \(o.keys.joined(separator: ", ")))"))
                return nil
            }
            if op == "buffer" {
                guard let inner = o["buffer"].flatMap({ expression($0, file: file, subject: subject, path: "\(path).buffer") }) else { return nil }
                let sizeKey = o["width"] != nil ? "width" : "distance"
                guard case .string(let text)? = o[sizeKey], o["width"] == nil || o["distance"] == nil else {
                    problems.append(Problem(file: file, subject: subject, "\(path): a buffer needs \"width\" (full, e.g. \"5km\") or \"distance\" (each side), as a string with a unit"))
                    return nil
                }
                var ends = MetricBuffer.Ends.round
                if let e = o["ends"] {
                    guard case .string(let s) = e, let parsed = MetricBuffer.Ends(rawValue: s) else {
                        problems.append(Problem(file: file, subject: subject, "\(path).ends: must be \"round\" or \"flat\""))
                        return nil
                    }
                    ends = parsed
                }
                do {
                    let length = try Length(parsing: text)
                    let side = Length(meters: sizeKey == "width" ? length.meters / 2 : length.meters)
                    _ = try MetricBuffer(distance: side.meters, ends: ends)
                    return .buffer(inner, distance: side, ends: ends)
                } catch {
                    problems.append(Problem(file: file, subject: subject, "\(path).\(sizeKey): \(error)"))
                    return nil
                }
            }
            guard case .array(let items)? = o[op], !items.isEmpty else {
                problems.append(Problem(file: file, subject: subject, "\(path).\(op): must be a non-empty array of expressions"))
                return nil
            }
            var parts: [GroundExpression] = []
            for (i, item) in items.enumerated() {
                guard let e = expression(item, file: file, subject: subject, path: "\(path).\(op)[\(i)]") else { return nil }
                parts.append(e)
            }
            switch op {
            case "union": return .union(parts)
            case "intersection": return .intersection(parts)
            default:
                guard parts.count >= 2 else {
                    problems.append(Problem(file: file, subject: subject, "\(path).difference: needs the ground first, then at least one ground to take away"))
                    return nil
                }
                return .difference(parts[0], Array(parts.dropFirst()))
            }
        default:
            problems.append(Problem(file: file, subject: subject, "\(path): expected a shape id or an expression object, found \(value.kindName)"))
            return nil
        }
    }

    mutating func checkReferences(_ e: GroundExpression, known: Set<String>, file: String, subject: String) -> Bool {
        var ok = true
        for id in Set(e.shapeIDs).sorted() where !known.contains(id) && !brokenShapeIDs.contains(id) {
            problems.append(Problem(file: file, subject: subject, "unknown shape id '\(id)' (known shapes and grounds: \(known.sorted().joined(separator: ", ")))"))
            ok = false
        }
        return ok
    }

    /// A circle of named grounds referring to each other, if any.
    static func cycle(in grounds: [String: GroundExpression]) -> [String]? {
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        var path: [String] = []
        func visit(_ name: String) -> [String]? {
            if state[name] == 2 { return nil }
            if state[name] == 1 { return Array(path[path.firstIndex(of: name)!...]) + [name] }
            state[name] = 1
            path.append(name)
            for next in grounds[name]!.shapeIDs where grounds[next] != nil {
                if let found = visit(next) { return found }
            }
            path.removeLast()
            state[name] = 2
            return nil
        }
        for name in grounds.keys.sorted() {
            if let found = visit(name) { return found }
        }
        return nil
    }

    // MARK: Statements

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
                id: id, facet: facet, holder: holder, ground: ground, interval: interval, announced: announced,
                source: Source(document: document, clause: clause, quote: optionalString(sourceObject["quote"]),
                              via: optionalString(sourceObject["via"]), url: optionalString(sourceObject["url"])),
                zone: zone, note: optionalString(o["note"]), supersedes: optionalString(o["supersedes"]), file: file))
        }
        return result
    }
}
