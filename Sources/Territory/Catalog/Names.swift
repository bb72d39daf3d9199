import Foundation

extension Loader {
    /// Reads `names.csv` (columns `shape,name,language`): other spellings of the shapes' names,
    /// folded, by shape id. The file is optional; a row naming an unknown shape is a problem.
    mutating func loadNameVariants(shapes: [String: BoundaryShape]) -> [String: [String]] {
        let url = folder.appendingPathComponent(Catalog.namesFile)
        guard FileManager.default.fileExists(atPath: url.path) else { return [:] }
        let table: CSVTable
        do { table = try CSVTable(contentsOf: url, required: ["shape", "name"]) } catch {
            problems.append(Problem(file: Catalog.namesFile, error.message.replacingOccurrences(of: url.path + ": ", with: "")))
            return [:]
        }
        var variants: [String: [String]] = [:]
        for row in table.rows {
            let id = row["shape"], name = row["name"]
            if brokenShapeIDs.contains(id) { continue }
            guard shapes[id] != nil else {
                problems.append(Problem(file: Catalog.namesFile, subject: "line \(row.line)", "unknown shape id '\(id)'"))
                continue
            }
            let folded = PlaceNames.importKey(name)
            guard !folded.isEmpty else {
                problems.append(Problem(file: Catalog.namesFile, subject: "line \(row.line)", "the name '\(name)' has no letters"))
                continue
            }
            if !variants[id, default: []].contains(folded) { variants[id, default: []].append(folded) }
        }
        return variants
    }
}

/// A district's official area, with its source (data/official_areas.csv).
public struct OfficialArea: Sendable, Equatable {
    public let km2: Double
    public let source: String
}

extension Loader {
    /// Reads `official_areas.csv` (columns `id,name,area_km2,source`): the districts' official
    /// areas, each with its source. The file is optional; an unknown district, an area that is not
    /// a positive number or a missing source is a problem.
    mutating func loadOfficialAreas(shapes: [String: BoundaryShape]) -> [String: OfficialArea] {
        let file = Catalog.officialAreasFile
        let url = folder.appendingPathComponent(file)
        guard FileManager.default.fileExists(atPath: url.path) else { return [:] }
        let table: CSVTable
        do { table = try CSVTable(contentsOf: url, required: ["id", "name", "area_km2", "source"]) } catch {
            problems.append(Problem(file: file, error.message.replacingOccurrences(of: url.path + ": ", with: "")))
            return [:]
        }
        var areas: [String: OfficialArea] = [:]
        for row in table.rows {
            let subject = "line \(row.line)"
            if brokenShapeIDs.contains(row["id"]) { continue }
            guard shapes[row["id"]]?.kind == .district else {
                problems.append(Problem(file: file, subject: subject, "'\(row["id"])' is not a district of the boundary pack"))
                continue
            }
            guard let km2 = Double(row["area_km2"]), km2.isFinite, km2 > 0 else {
                problems.append(Problem(file: file, subject: subject, "area_km2 '\(row["area_km2"])' is not a positive number of km²"))
                continue
            }
            guard !row["source"].isEmpty else {
                problems.append(Problem(file: file, subject: subject, "the area of '\(row["id"])' has no source"))
                continue
            }
            if areas[row["id"]] != nil { problems.append(Problem(file: file, subject: subject, "'\(row["id"])' is listed twice")) }
            areas[row["id"]] = OfficialArea(km2: km2, source: row["source"])
        }
        return areas
    }
}
