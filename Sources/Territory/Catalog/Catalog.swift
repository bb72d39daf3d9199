import Foundation
import JSONText
import Geodesy
import Geometry

/// Everything data/ says, loaded and checked: actors, the boundary pack, the covered area, the
/// statements. Loading reports every problem it finds at once (`Problems`), each naming its file
/// and the statement or shape at fault.
///
/// The loader reads data/ in parts: the manifest (`catalog.json`), the shapes (a drawing of nodes
/// and shared arcs, or GeoJSON), the ground expressions, the statements and the place names.
public struct Catalog: Sendable {
    /// The data folder it was read from.
    public let folder: URL
    public let title: String
    /// Actors by code.
    public let actors: [String: Actor]
    /// Access states by code (the holders of the `access` facet), e.g. `open`, `blocked`.
    public let accessStates: [String: Actor]
    /// The boundary pack's shapes by id.
    public let shapes: [String: BoundaryShape]
    /// The boundary pack's file, relative to the data folder (or absolute).
    public let boundaryFile: String
    /// The ground the statements speak of; statements' grounds are clipped to it.
    public let covered: GroundExpression
    /// Named grounds defined in catalog.json, usable in any expression by name like shapes.
    public let grounds: [String: GroundExpression]
    /// Overlaps and gaps up to this many km² are tolerated (hand-drawn lines meet imperfectly).
    public let toleranceKm2: Double
    /// Every statement, ordered by file and position in it.
    public let statements: [Statement]
    /// Other spellings of the shapes' names, by shape id, folded (`PlaceNames.importKey`): read from
    /// `names.csv` in the data folder.
    public let nameVariants: [String: [String]]
    /// The districts' official areas by shape id, each with its source (`official_areas.csv`).
    public let officialAreas: [String: OfficialArea]
    /// The imported boundary pack in use, if any.
    public let pack: PackInfo?
    /// The towns drawn on maps, with the sources of their coordinates (`towns.csv`).
    public let towns: [Town]
    /// Which palette the actors' colours come from, and why (catalog.json's `palette`).
    public let palette: String?
    /// The licence of the data (catalog.json's `licence`), for credit lines.
    public let licence: String?

    /// The actor or access state a code stands for.
    public func holderName(_ code: String) -> String {
        actors[code]?.name ?? accessStates[code]?.name ?? code
    }

    /// The statement that supersedes `statement`, if any.
    public func successor(of statement: Statement) -> Statement? {
        statements.first { $0.supersedes == statement.id }
    }

    /// The catalog file's name inside a data folder.
    public static let manifest = "catalog.json"
    /// The boundary pack used when catalog.json names none.
    public static let defaultBoundaries = "boundaries/drawing.json"
    /// The title used when catalog.json gives none.
    public static let defaultTitle = "territory"
    /// The file of name variants inside a data folder.
    public static let namesFile = "names.csv"
    /// The file of official district areas inside a data folder.
    public static let officialAreasFile = "official_areas.csv"
    /// The file of towns drawn on maps inside a data folder.
    public static let townsFile = "towns.csv"

    /// Loads `folder`: `catalog.json`, the boundary pack it names, every `statements/*.json` and
    /// `names.csv`. With `pack`, the shapes of that imported pack replace the built-in shapes with
    /// the same ids.
    public static func load(from folder: URL, pack: PackFile? = nil) throws(Problems) -> Catalog {
        var loader = Loader(folder: folder)
        return try loader.load(pack: pack)
    }

    /// What queries tell of a statement, with its ground's area.
    public func info(_ statement: Statement, areaKm2: Double) -> StatementInfo {
        StatementInfo(id: statement.id, facet: statement.facet, holder: statement.holder, holderName: holderName(statement.holder),
                      zone: statement.zone, valid: statement.valid, announced: statement.announced, recorded: statement.recorded,
                      source: statement.source, note: statement.note, supersedes: statement.supersedes, file: statement.file, areaKm2: areaKm2,
                      qualifiers: statement.qualifiers)
    }
}

/// An imported boundary pack to use instead of the built-in shapes it names.
public struct PackFile: Sendable, Equatable {
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

    /// One line for outputs: "NAME: SOURCE; ATTRIBUTION; licence LICENCE".
    public var citation: String {
        "\(name): \(source); \(attribution); licence \(licence)"
    }
}

extension Loader {
    /// Reads every part and puts the catalog together, or throws every problem found.
    mutating func load(pack: PackFile?) throws(Problems) -> Catalog {
        guard let manifest = readManifest() else { throw Problems(problems: problems) }
        var shapes = loadShapes(manifest.boundaryFile)
        var packInfo: PackInfo?
        if let pack { packInfo = applyPack(pack, to: &shapes) }
        let grounds = namedGrounds(manifest.groundsJSON, shapes: shapes)
        let known = Set(shapes.keys).union(grounds.keys)
        var covered = GroundExpression.union([])
        if let c = manifest.coveredJSON {
            if let e = expression(c, file: Catalog.manifest, subject: "covered", path: "covered") { covered = e }
        }
        _ = checkReferences(covered, known: known, file: Catalog.manifest, subject: "covered")
        let statements = loadAllStatements(actors: manifest.actors, accessStates: manifest.accessStates, known: known)
        let variants = loadNameVariants(shapes: shapes)
        let areas = loadOfficialAreas(shapes: shapes)
        let towns = loadTowns(shapes: shapes)

        guard problems.isEmpty else { throw Problems(problems: problems) }
        return Catalog(folder: folder, title: manifest.title, actors: manifest.actors, accessStates: manifest.accessStates,
                       shapes: shapes, boundaryFile: manifest.boundaryFile, covered: covered, grounds: grounds,
                       toleranceKm2: manifest.toleranceKm2, statements: statements, nameVariants: variants, officialAreas: areas, pack: packInfo,
                       towns: towns, palette: manifest.palette, licence: manifest.licence)
    }

    /// Replaces built-in shapes with the pack's, keeping their names and kinds.
    mutating func applyPack(_ pack: PackFile, to shapes: inout [String: BoundaryShape]) -> PackInfo {
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
        return PackInfo(name: pack.name, file: pack.url, source: text("source"), licence: text("licence"),
                        attribution: text("attribution"), replaced: replaced)
    }
}
