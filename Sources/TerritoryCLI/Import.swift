import ArgumentParser
import Foundation
import Geometry
import Territory
import TerritoryStore

/// `territory import`: an authority's administrative areas as a named boundary pack.
struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        // Named here: deriving the name from the type costs ArgumentParser milliseconds at every start.
        commandName: "import",
        abstract: "Import administrative areas (GeoJSON or GeoPackage) as a named boundary pack.",
        discussion: """
        Matches the file's features to the built-in districts by the name in --name-field, \
        with transliteration variants (Agdam / Aghdam / Ağdam, Fuzuli / Füzuli / Fizuli, \
        Kalbajar / Kəlbəcər / Kelbajar, Qubadli / Gubadli / Kubatly, Jabrayil / Cəbrayıl / Jebrail, \
        Zangilan / Zəngilan, Lachin / Laçın, Khojavend / Xocavənd, Shusha / Şuşa, ...). A city \
        polygon cut out of its district (Shusha City, Khankendi City) is joined to the district. \
        --id-map MAP.csv (header name,id) decides first: a name to a shape id, or to '-' to leave it \
        out. The tool prints the matching table, the areas beside the built-in ones, and what it \
        could not match, and saves the pack in the packs folder ($TERRITORY_PACKS, else \
        ~/.local/share/territory/packs). Use it with --boundaries PACK on any command; shapes the \
        file lacks keep their built-in geometry; statements do not change. Lines, points and \
        hand-drawn grounds (held ground, roads, the monitoring centre) stay as drawn.

        Give the source's licence and attribution: they are written with the pack and cited in \
        layers and answers made with it.

        EXAMPLES
          territory import aze_adm2.geojson --name-field shapeName \\
            --name geoboundaries --licence "CC BY-SA 3.0" \\
            --attribution "geoBoundaries (Runfola et al.)"
          territory status --boundaries geoboundaries \\
            --lon 46.93 --lat 39.98 --date 2020-11-20
        """
    )

    @Argument(help: ArgumentHelp("GeoJSON (or GeoPackage) of administrative areas in WGS 84 longitude/latitude.", valueName: "FILE"))
    var file: String

    @Option(help: ArgumentHelp("The property holding each area's name, e.g. shapeName.", valueName: "FIELD"))
    var nameField: String

    @Option(help: ArgumentHelp("The pack's name (letters, digits, '-' and '_').", valueName: "PACK"))
    var name: String

    @Option(help: ArgumentHelp("A CSV with the header name,id sending names to shape ids ('-' leaves a name out).", valueName: "MAP.csv"))
    var idMap: String?

    @Option(help: ArgumentHelp("For a GeoPackage with several feature tables: the table to read.", valueName: "TABLE"))
    var layer: String?

    @Option(help: "Where the areas come from (default: the file's name).")
    var source: String?

    @Option(help: "The source's licence, e.g. \"CC BY-SA 3.0\".")
    var licence: String = "unknown"

    @Option(help: "The attribution the licence asks for.")
    var attribution: String = "unknown"

    @Flag(help: "Take an imported shape even when a place of data/towns.csv that names it falls outside it (by default such a shape keeps its drawn geometry).")
    var acceptMoved = false

    @Flag(help: "Make this pack the default for every command.")
    var `default` = false

    @OptionGroup var data: DataOptions

    func validate() throws {
        guard !name.isEmpty, name != "builtin", name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }), name.allSatisfy(\.isASCII) else {
            throw ValidationError("--name: '\(name)' is not a pack name (ASCII letters, digits, '-' and '_'; not 'builtin')")
        }
    }

    func run() throws {
        try reporting("import") {
            let url = URL(fileURLWithPath: file)
            guard FileManager.default.fileExists(atPath: url.path) else { throw Failure.missingInput("\(file): no such file") }
            let features = try readAreas(url)
            let map = try readIDMap()
            // The folder only: the pack chosen for other commands (perhaps the one being remade) plays no part.
            let choice = DataSet.Choice(data: data.data)
            let folder = try DataSet.folder(choice)
            let builtInSet = try DataSet(folder: folder, pack: nil, store: nil)
            let builtIn = try builtInSet.catalog()
            let result: ImportResult
            do {
                result = try BoundaryImport.match(features, nameField: nameField, idMap: map, catalog: builtIn, acceptMoved: acceptMoved)
            } catch let error as ImportError {
                throw Failure.badData("\(file): \(error.message)")
            } catch {
                throw Failure.badData("\(file): \(error)")
            }
            guard !result.features.isEmpty else {
                throw Failure.badData("\(file): no feature matched a built-in district by '\(nameField)' (e.g. \(result.unmatched.prefix(3).map(\.1).joined(separator: ", "))): give --id-map MAP.csv")
            }
            var report = "Matching table (\(file), field \(nameField)):\n"
            for m in result.matches { report += "  \(m.featureName.padding(toLength: 28, withPad: " ", startingAt: 0)) → \(m.shapeID) (\(m.how))\n" }
            report += "Areas, geodesic km² (built-in → imported; ground in one and not the other):\n"
            for c in result.comparisons {
                report += "  \(c.shapeID.padding(toLength: 14, withPad: " ", startingAt: 0)) \(String(format: "%9.1f → %9.1f   %8.1f", c.builtInKm2, c.importedKm2, c.differenceKm2))\n"
            }
            let importedIDs = Set(result.features.compactMap { f -> String? in if case .string(let id)? = f.id { return id } else { return nil } })
            let refused = Set(result.moved.filter { !$0.taken }.map(\.shapeID))
            let unmatchedIDs = builtIn.shapes.values.filter { $0.kind.isPlace && !importedIDs.contains($0.id) && !refused.contains($0.id) }.map(\.id).sorted()
            report += "Built-in shapes the file lacks (they keep their drawn geometry): \(unmatchedIDs.isEmpty ? "none" : unmatchedIDs.joined(separator: ", "))\n"
            report += "Features not matched (\(result.unmatched.count)): \(result.unmatched.map(\.1).joined(separator: ", "))\n"
            if !refused.isEmpty { report += "Refused by an anchor (they keep their drawn geometry): \(refused.sorted().joined(separator: ", "))\n" }
            for m in result.moved {
                report += m.taken
                    ? "Anchor: \(m.town) lies \(Int(m.metres.rounded())) m outside the imported '\(m.shapeID)'; taken anyway (--accept-moved)\n"
                    : "Anchor: \(m.town) lies \(Int(m.metres.rounded())) m outside the imported '\(m.shapeID)': not taken, it keeps its drawn geometry (--accept-moved takes it)\n"
            }
            let packs = DataSet.packFolder()
            do { try FileManager.default.createDirectory(at: packs, withIntermediateDirectories: true) } catch {
                throw Failure.io("\(packs.path): cannot create the packs folder: \(error.localizedDescription)")
            }
            let target = packs.appendingPathComponent("\(name).geojson")
            let document = BoundaryImport.packDocument(result, name: name, source: source ?? url.lastPathComponent, licence: licence, attribution: attribution)
            // Check the data with the new lines before the pack is saved: a pack that makes the data
            // invalid is refused and nothing is left behind. Then say how the grounds move.
            // The pack goes through the one atomic writer: its temporary file is the pack tried, and
            // it is committed only when the data validates with it (a kill leaves nothing in place).
            let output = try AtomicFile(path: target.path)
            try output.write(document)
            let trial = URL(fileURLWithPath: output.temporaryPath!)
            let after = try DataSet(folder: folder, pack: PackFile(name: name, url: trial), store: nil).atlas(warn: { printError("territory: \($0)") })
            let before = try builtInSet.atlas()
            try output.commit()
            if `default` { try writeOutput(name + "\n", to: packs.appendingPathComponent("default").path) }
            report += "Saved \(target.path)\(`default` ? " (now the default)" : ""); use it with --boundaries \(name)\n"
            if licence == "unknown" { printError("territory import: note: no --licence given: say the source's licence so that outputs can cite it") }
            report += "Validation with the pack: no errors (warnings, if any, above)\n"
            report += "Statements whose ground moves by more than 1 km² with the new lines (built-in → \(name), km²):\n"
            let (moved, cutOff) = try BoundaryImport.movements(from: before, to: after)
            for m in moved {
                report += "  \(m.id.padding(toLength: 30, withPad: " ", startingAt: 0)) \(String(format: "%9.1f → %9.1f", m.before, m.after))\n"
            }
            if moved.isEmpty { report += "  none\n" }
            report += "Drawn grounds beyond the new covered area (cut off, km²):\n"
            for c in cutOff { report += "  \(c.id.padding(toLength: 30, withPad: " ", startingAt: 0)) \(String(format: "%9.1f", c.km2))\n" }
            try writeOutput(report, to: nil)
        }
    }

    private func readAreas(_ url: URL) throws(Failure) -> [Feature] {
        let head = (try? FileHandle(forReadingFrom: url).read(upToCount: 16)) ?? Data()
        if head.starts(with: Data("SQLite format 3".utf8)) {
            do { return try GeoPackageReader.features(path: url, layer: layer) } catch let error as TerritoryError {
                throw .badData(error.message)
            } catch {
                throw .badData("\(file): \(error)")
            }
        }
        if layer != nil { throw .usage("--layer goes with a GeoPackage; \(file) is not one") }
        return try InputSource(file).features()
    }

    /// The id map: a CSV with the header name,id (quoted fields allowed), names folded.
    private func readIDMap() throws(Failure) -> [String: String] {
        guard let idMap else { return [:] }
        let table: CSVTable
        do { table = try CSVTable(contentsOf: URL(fileURLWithPath: idMap), required: ["name", "id"]) } catch { throw Failure(error) }
        var map: [String: String] = [:]
        for row in table.rows {
            guard !row["name"].isEmpty, !row["id"].isEmpty else { throw .badData("\(idMap): line \(row.line): expected 'name,id', both non-empty") }
            map[PlaceNames.importKey(row["name"])] = row["id"]
        }
        return map
    }
}
