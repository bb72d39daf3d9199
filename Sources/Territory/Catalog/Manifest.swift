import Geometry
import JSONText

/// What catalog.json says, before the expressions are read.
struct Manifest {
    var title: String
    var boundaryFile: String
    var toleranceKm2: Double
    var actors: [String: Actor]
    var accessStates: [String: Actor]
    var groundsJSON: JSONValue?
    var coveredJSON: JSONValue?
    var palette: String?
    var licence: String?
}

extension Loader {
    /// Reads catalog.json: a missing `title` or `boundaries` falls back to its default; a missing
    /// `covered` or `actors` is a problem.
    mutating func readManifest() -> Manifest? {
        let file = Catalog.manifest
        guard let json = readJSON(file) else { return nil }
        guard case .object(let root) = json else {
            problems.append(Problem(file: file, "expected a JSON object, found \(json.kindName)"))
            return nil
        }
        let title = string(root["title"], file: file, subject: nil, field: "title", default: Catalog.defaultTitle)
        let boundaries = string(root["boundaries"], file: file, subject: nil, field: "boundaries", default: Catalog.defaultBoundaries)
        var tolerance = 0.05
        if let t = root["tolerance_km2"] {
            if case .number(let v) = t, v >= 0 { tolerance = v } else {
                problems.append(Problem(file: file, "'tolerance_km2' must be a number of km² (0 or more)"))
            }
        }
        let actors = codes(root["actors"], file: file, field: "actors", required: true)
        let accessStates = codes(root["access_states"], file: file, field: "access_states", required: false)
        if root["covered"] == nil {
            problems.append(Problem(file: file, "'covered' is missing: the ground the statements speak of"))
        }
        var palette: String?, licence: String?
        if root["palette"] != nil { palette = string(root["palette"], file: file, subject: nil, field: "palette") }
        if root["licence"] != nil { licence = string(root["licence"], file: file, subject: nil, field: "licence") }
        return Manifest(title: title, boundaryFile: boundaries, toleranceKm2: tolerance, actors: actors,
                        accessStates: accessStates, groundsJSON: root["grounds"], coveredJSON: root["covered"],
                        palette: palette, licence: licence)
    }
}
