import ArgumentParser
import Foundation
import Geometry
import Territory
import TerritoryStore

/// Where imported boundary packs live: $TERRITORY_PACKS, else $XDG_DATA_HOME/territory/packs
/// (~/.local/share/territory/packs). Never inside data/: others' boundaries keep their own licence.
enum PackFolder {
    static var url: URL {
        let env = ProcessInfo.processInfo.environment
        if let path = env["TERRITORY_PACKS"], !path.isEmpty { return URL(fileURLWithPath: path) }
        if let xdg = env["XDG_DATA_HOME"], !xdg.isEmpty { return URL(fileURLWithPath: xdg).appendingPathComponent("territory/packs") }
        let home = env["HOME"].map { URL(fileURLWithPath: $0) } ?? FileManager.default.temporaryDirectory
        return home.appendingPathComponent(".local/share/territory/packs")
    }
}

/// `territory import`: an authority's administrative areas as a named boundary pack.
struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import administrative areas (GeoJSON or GeoPackage) as a named boundary pack.",
        discussion: """
        Matches the file's features to the built-in districts by the name in --name-field, \\
        with transliteration variants (Agdam / Aghdam / Ağdam, Fuzuli / Füzuli / Fizuli, \\
        Kalbajar / Kəlbəcər / Kelbajar, Qubadli / Gubadli / Kubatly, Jabrayil / Cəbrayıl / Jebrail, \\
        Zangilan / Zəngilan, Lachin / Laçın, Khojavend / Xocavənd, Shusha / Şuşa, ...). A city \\
        polygon cut out of its district (Shusha City, Khankendi City) is joined to the district. \\
        --id-map MAP.csv (header name,id) decides first: a name to a shape id, or to '-' to leave it \\
        out. The tool prints the matching table, the areas beside the built-in ones, and what it \\
        could not match, and saves the pack in the packs folder ($TERRITORY_PACKS, else \\
        ~/.local/share/territory/packs). Use it with --boundaries PACK on any command; shapes the \\
        file lacks keep their built-in geometry; statements do not change. Lines, points and \\
        hand-drawn grounds (held ground, roads, the monitoring centre) stay as drawn.

        Give the source's licence and attribution: they are written with the pack and cited in \\
        layers and answers made with it.

        EXAMPLES
          territory import aze_adm2.geojson --name-field shapeName --name geoboundaries \\
            --licence "CC BY-SA 3.0" --attribution "geoBoundaries (Runfola et al.)"
          territory status --boundaries geoboundaries --lon 46.93 --lat 39.98 --date 2020-11-20
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

    @Flag(help: "Make this pack the default for every command.")
    var `default` = false

    @OptionGroup var data: DataOptions

    func run() throws {
        try reporting("import") {
            guard !name.isEmpty, name != "builtin", name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }), name.allSatisfy(\.isASCII) else {
                throw Failure.usage("--name: '\(name)' is not a pack name (ASCII letters, digits, '-' and '_'; not 'builtin')")
            }
            let url = URL(fileURLWithPath: file)
            guard FileManager.default.fileExists(atPath: url.path) else { throw Failure.missingInput("\(file): no such file") }
            let features = try readAreas(url)
            let map = try readIDMap()
            let folder = try data.folder()
            let builtIn: Catalog
            do { builtIn = try Catalog.load(from: folder) } catch let problems as Problems {
                throw Failure.badData(DataOptions.report(problems.problems, in: folder))
            }
            let result: ImportResult
            do {
                result = try BoundaryImport.match(features, nameField: nameField, idMap: map, builtIn: builtIn.shapes)
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
            let unmatchedIDs = builtIn.shapes.values.filter { ["district", "city"].contains($0.kind) && !importedIDs.contains($0.id) }.map(\.id).sorted()
            report += "Built-in shapes the file lacks (they keep their drawn geometry): \(unmatchedIDs.isEmpty ? "none" : unmatchedIDs.joined(separator: ", "))\n"
            report += "Features not matched (\(result.unmatched.count)): \(result.unmatched.map(\.1).joined(separator: ", "))\n"
            let packs = PackFolder.url
            do { try FileManager.default.createDirectory(at: packs, withIntermediateDirectories: true) } catch {
                throw Failure.io("\(packs.path): cannot create the packs folder: \(error.localizedDescription)")
            }
            let target = packs.appendingPathComponent("\(name).geojson")
            let document = BoundaryImport.packDocument(result, name: name, source: source ?? url.lastPathComponent, licence: licence, attribution: attribution)
            // Check the data with the new lines before the pack is saved: a pack that makes the data
            // invalid is refused and nothing is left behind. Then say how the grounds move.
            let trial = packs.appendingPathComponent(".\(name).\(getpid()).trial.geojson")
            try writeOutput(document, to: trial.path)
            defer { try? FileManager.default.removeItem(at: trial) }
            var withPack = data
            withPack.boundaries = "\u{0}trial"
            DataOptions.trialPack = PackFile(name: name, url: trial)
            var withBuiltIn = data
            withBuiltIn.boundaries = "builtin"
            let after = try withPack.atlas()
            let before = try withBuiltIn.atlas()
            guard rename(trial.path, target.path) == 0 else { throw Failure.io("\(target.path): cannot write: \(String(cString: strerror(errno)))") }
            if `default` { try writeOutput(name + "\n", to: packs.appendingPathComponent("default").path) }
            report += "Saved \(target.path)\(`default` ? " (now the default)" : ""); use it with --boundaries \(name)\n"
            if licence == "unknown" { printError("territory import: note: no --licence given: say the source's licence so that outputs can cite it") }
            report += "Validation with the pack: no errors (warnings, if any, above)\n"
            report += "Statements whose ground moves by more than 1 km² with the new lines (built-in → \(name), km²):\n"
            var moved = 0
            for statement in before.catalog.statements {
                let old = Atlas.areaKm2(before.ground(of: statement)), new = Atlas.areaKm2(after.ground(of: statement))
                if abs(new - old) > 1 {
                    report += "  \(statement.id.padding(toLength: 30, withPad: " ", startingAt: 0)) \(String(format: "%9.1f → %9.1f", old, new))\n"
                    moved += 1
                }
            }
            if moved == 0 { report += "  none\n" }
            let covered = after.covered
            report += "Drawn grounds beyond the new covered area (cut off, km²):\n"
            for shape in after.catalog.shapes.values.sorted(by: { $0.id < $1.id }) where shape.kind == "held" {
                do {
                    let outside = try Geometry(shape.shape, context: covered.context).difference(covered)
                    let km2 = Atlas.areaKm2(outside)
                    if km2 > 0.01 { report += "  \(shape.id.padding(toLength: 30, withPad: " ", startingAt: 0)) \(String(format: "%9.1f", km2))\n" }
                } catch {
                    throw Failure.internalError("\(shape.id): \(error)")
                }
            }
            try writeOutput(report, to: nil)
        }
    }

    private func readAreas(_ url: URL) throws(Failure) -> [Feature] {
        let head = (try? FileHandle(forReadingFrom: url).read(upToCount: 16)) ?? Data()
        if head.starts(with: Data("SQLite format 3".utf8)) {
            do { return try GeoPackageReader.features(path: url, layer: layer) } catch let error as StoreError {
                throw .badData(error.message)
            } catch {
                throw .badData("\(file): \(error)")
            }
        }
        if layer != nil { throw .usage("--layer goes with a GeoPackage; \(file) is not one") }
        return try InputSource(file).features()
    }

    private func readIDMap() throws(Failure) -> [String: String] {
        guard let idMap else { return [:] }
        guard let text = try? String(contentsOfFile: idMap, encoding: .utf8) else { throw .missingInput("\(idMap): cannot be read") }
        var map: [String: String] = [:]
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            if i == 0 {
                guard fields == ["name", "id"] else { throw .badData("\(idMap): line 1: expected the header 'name,id'") }
                continue
            }
            guard fields.count == 2, !fields[0].isEmpty, !fields[1].isEmpty else {
                throw .badData("\(idMap): line \(i + 1): expected 'name,id'")
            }
            map[PlaceNames.fold(fields[0])] = fields[1]
        }
        return map
    }
}
