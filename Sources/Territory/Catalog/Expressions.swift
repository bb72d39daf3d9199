import Geodesy
import Geometry
import JSONText

extension Loader {
    /// Reads the named grounds of catalog.json: expressions that statements share, referred to
    /// by name; checks their references and that none refers to itself through others.
    mutating func namedGrounds(_ value: JSONValue?, shapes: [String: BoundaryShape]) -> [String: GroundExpression] {
        let file = Catalog.manifest
        var grounds: [String: GroundExpression] = [:]
        if case .object(let named)? = value {
            for (name, value) in named.members {
                if shapes[name] != nil || grounds[name] != nil {
                    problems.append(Problem(file: file, subject: "ground '\(name)'", "duplicate id: a shape or another ground already has it"))
                    continue
                }
                if let e = expression(value, file: file, subject: "ground '\(name)'", path: "grounds.\(name)") { grounds[name] = e }
            }
        } else if value != nil {
            problems.append(Problem(file: file, "'grounds' must be an object of named expressions"))
        }
        let known = Set(shapes.keys).union(grounds.keys)
        for (name, e) in grounds.sorted(by: { $0.key < $1.key }) {
            _ = checkReferences(e, known: known, file: file, subject: "ground '\(name)'")
        }
        if let cycle = Loader.cycle(in: grounds) {
            problems.append(Problem(file: file, subject: "ground '\(cycle[0])'", "grounds refer to each other in a circle: \(cycle.joined(separator: " → "))"))
        }
        return grounds
    }

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

}
