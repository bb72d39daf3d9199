import Geodesy
import Geometry
import JSONText

extension Loader {
    /// Reads a boundary pack: a drawing (`nodes`, `arcs`, `shapes`: see `Drawing`) or GeoJSON
    /// features with a string id and properties name, kind and note. Every shape is checked valid
    /// by GEOS; each problem names the shape.
    mutating func loadShapes(_ file: String) -> [String: BoundaryShape] {
        guard let json = readJSON(file) else { return [:] }
        if case .object(let root) = json, root["arcs"] != nil || root["nodes"] != nil {
            return drawnShapes(json, file: file)
        }
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
            guard isValid(shape, file: file, subject: subject, context: context) else { continue }
            let name: String
            if case .string(let n)? = feature.properties["name"] { name = n } else { name = id }
            var kind = ShapeKind.area
            if let k = feature.properties["kind"], k != .null {
                guard case .string(let text) = k, let parsed = ShapeKind(rawValue: text) else {
                    problems.append(Problem(file: file, subject: subject, "unknown kind \(JSONWriter.string(k)) (one of \(ShapeKind.names))"))
                    continue
                }
                kind = parsed
            }
            shapes[id] = BoundaryShape(id: id, name: name, kind: kind, note: optionalString(feature.properties["note"]), shape: shape)
        }
        return shapes
    }

    /// The shapes of a drawing, each checked valid by GEOS like a GeoJSON pack's.
    mutating func drawnShapes(_ json: JSONValue, file: String) -> [String: BoundaryShape] {
        let (drawn, drawingProblems) = Drawing.read(json)
        for p in drawingProblems {
            problems.append(Problem(file: file, subject: p.subject, p.message))
            if p.subject.hasPrefix("shape '") { brokenShapeIDs.insert(String(p.subject.dropFirst(7).prefix { $0 != "'" })) }
        }
        var shapes: [String: BoundaryShape] = [:]
        let context = GEOSContext()
        for d in drawn {
            let subject = "shape '\(d.id)'"
            guard isValid(d.shape, file: file, subject: subject, context: context) else {
                brokenShapeIDs.insert(d.id)
                continue
            }
            shapes[d.id] = d
        }
        return shapes
    }

    /// True when GEOS finds the shape valid; otherwise a problem with GEOS's reason and place.
    mutating func isValid(_ shape: Shape, file: String, subject: String, context: GEOSContext) -> Bool {
        do {
            let validity = try Geometry(shape, context: context).validity()
            if validity.isValid { return true }
            problems.append(Problem(file: file, subject: subject, "invalid geometry: \(validity.reason)"))
        } catch {
            problems.append(Problem(file: file, subject: subject, "invalid geometry: \(error.message)"))
        }
        return false
    }
}
