import Foundation
import Geometry

/// A town drawn and labelled on maps (data/towns.csv), with the source of its coordinates.
public struct Town: Sendable, Equatable {
    /// A short id, unique in the file (`lachin`).
    public let id: String
    /// The name shown on maps (`Lachin (Berdzor)`).
    public let name: String
    public let position: Position
    /// `city`, `town`, `village` or `site` (a bridge, a monitoring centre).
    public let kind: String
    /// The boundary shape it lies in, where the file says.
    public let shape: String?
    /// Where the coordinates come from.
    public let source: String
    /// Other names and spellings (Azerbaijani, Armenian- and Russian-derived transliterations).
    public let variants: [String]

    public init(id: String, name: String, position: Position, kind: String, shape: String?, source: String, variants: [String] = []) {
        self.variants = variants
        self.id = id
        self.name = name
        self.position = position
        self.kind = kind
        self.shape = shape
        self.source = source
    }

    /// The kinds a row may have.
    public static let kinds: Set<String> = ["city", "town", "village", "site"]

    /// True for cities and towns: the places an overview map labels (villages and sites are many
    /// and close together: a picture of the whole area would be a thicket of names).
    public var isLabelledOnOverview: Bool { kind == "city" || kind == "town" }
}

extension Loader {
    /// Reads `towns.csv` (columns `id,name,lon,lat,kind,shape,source`, and `names`: other names,
    /// separated by ';'), in the file's order. A name shared by two towns is a problem. The
    /// file is optional; a coordinate that is not a number in range, an unknown kind or shape, a
    /// repeated id or a row without a source is a problem naming its line.
    mutating func loadTowns(shapes: [String: BoundaryShape]) -> [Town] {
        let file = Catalog.townsFile
        let url = folder.appendingPathComponent(file)
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let table: CSVTable
        do { table = try CSVTable(contentsOf: url, required: ["id", "name", "lon", "lat", "kind", "source"]) } catch {
            problems.append(Problem(file: file, error.message.replacingOccurrences(of: url.path + ": ", with: "")))
            return []
        }
        var towns: [Town] = []
        var seen = Set<String>()
        for row in table.rows {
            let subject = "line \(row.line)"
            let id = row["id"]
            guard !id.isEmpty, !row["name"].isEmpty else {
                problems.append(Problem(file: file, subject: subject, "a town needs an id and a name"))
                continue
            }
            guard let lon = Double(row["lon"]), lon.isFinite, (-180...180).contains(lon) else {
                problems.append(Problem(file: file, subject: subject, "lon '\(row["lon"])' of '\(id)' is not a longitude in degrees (-180 to 180)"))
                continue
            }
            guard let lat = Double(row["lat"]), lat.isFinite, (-90...90).contains(lat) else {
                problems.append(Problem(file: file, subject: subject, "lat '\(row["lat"])' of '\(id)' is not a latitude in degrees (-90 to 90)"))
                continue
            }
            guard Town.kinds.contains(row["kind"]) else {
                problems.append(Problem(file: file, subject: subject, "kind '\(row["kind"])' of '\(id)' is not one of \(Town.kinds.sorted().joined(separator: ", "))"))
                continue
            }
            let shape = row["shape"].isEmpty ? nil : row["shape"]
            if let shape, shapes[shape] == nil, !brokenShapeIDs.contains(shape) {
                problems.append(Problem(file: file, subject: subject, "'\(id)' names the unknown shape '\(shape)'"))
                continue
            }
            guard !row["source"].isEmpty else {
                problems.append(Problem(file: file, subject: subject, "the coordinates of '\(id)' have no source"))
                continue
            }
            guard seen.insert(id).inserted else {
                problems.append(Problem(file: file, subject: subject, "the id '\(id)' is used twice"))
                continue
            }
            let variants = row["names"].isEmpty ? [] : row["names"].split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            if variants.contains(where: { PlaceNames.fold($0).isEmpty }) {
                problems.append(Problem(file: file, subject: subject, "the names of '\(id)' hold an empty name (separate names with ';')"))
                continue
            }
            towns.append(Town(id: id, name: row["name"], position: Position(lon, lat), kind: row["kind"], shape: shape, source: row["source"],
                              variants: variants))
        }
        // Two places may share a name only when their shapes (districts) tell them apart.
        var owners: [String: [Town]] = [:]
        for town in towns {
            for name in Set(town.allNames.flatMap(PlaceNames.keys)) where !name.isEmpty {
                if let other = owners[name]?.first(where: { $0.shape == town.shape }) {
                    problems.append(Problem(file: file, subject: "town '\(town.id)'", "the name '\(name)' is also a name of '\(other.id)' in the same shape (\(town.shape ?? "none")): a shared name needs a distinguishing district"))
                }
                owners[name, default: []].append(town)
            }
        }
        return towns
    }
}
