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
            guard shapes[id] != nil else {
                problems.append(Problem(file: Catalog.namesFile, subject: "line \(row.line)", "unknown shape id '\(id)'"))
                continue
            }
            let folded = PlaceNames.fold(name)
            guard !folded.isEmpty else {
                problems.append(Problem(file: Catalog.namesFile, subject: "line \(row.line)", "the name '\(name)' has no letters"))
                continue
            }
            if !variants[id, default: []].contains(folded) { variants[id, default: []].append(folded) }
        }
        return variants
    }
}
