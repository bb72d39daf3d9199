import Foundation
import GRDB
import Testing
import Geometry
import JSONText
import TestSupport
@testable import Territory
@testable import TerritoryStore

/// A store built from the project's data into a fresh temporary folder.
struct BuiltStore {
    let folder: URL
    let path: URL
    let atlas: Atlas

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("territory-store-\(UUID().uuidString)")
        path = folder.appendingPathComponent("nk.gpkg")
        atlas = try Atlas(Catalog.load(from: projectData))
        try Store.build(atlas, dataHash: DataSet(folder: projectData, pack: nil, store: nil).fingerprint(), to: path)
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }
}

@Suite(.serialized) struct StoreTests {
    @Test func isAGeoPackage() throws {
        let built = try BuiltStore()
        defer { built.remove() }
        let queue = try DatabaseQueue(path: built.path.path)
        try queue.read { db in
            #expect(try Int.fetchOne(db, sql: "PRAGMA application_id") == 0x4750_4B47)
            #expect(try Int.fetchOne(db, sql: "PRAGMA user_version") == 10300)
            #expect(try Int.fetchAll(db, sql: "SELECT srs_id FROM gpkg_spatial_ref_sys ORDER BY srs_id") == [-1, 0, 4326])
            #expect(try String.fetchAll(db, sql: "SELECT table_name FROM gpkg_geometry_columns ORDER BY table_name") == ["boundaries", "covered_area", "slices", "statements", "towns"])
            #expect(try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info('slices') ORDER BY cid") == ["fid", "geom", "facet", "holder", "holder_name", "valid_from", "valid_to", "area_km2"])
            #expect(try String.fetchOne(db, sql: "SELECT recorded_to FROM statements WHERE statement_id = 'tri2020-p6-kalbajar'") == "2020-11-15")
            #expect(try String.fetchOne(db, sql: "SELECT recorded_to FROM statements WHERE statement_id = 'tri2020-kalbajar-postponed'") == nil)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM gpkg_extensions WHERE extension_name = 'gpkg_rtree_index'") == 5)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM towns") == built.atlas.catalog.towns.count)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM rtree_towns_geom") == built.atlas.catalog.towns.count)
            #expect(try String.fetchOne(db, sql: "SELECT colour FROM actors WHERE code = 'RU'") == "#009E73")
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM statements") == built.atlas.catalog.statements.count)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM rtree_statements_geom") == built.atlas.catalog.statements.count)
            #expect(try String.fetchOne(db, sql: "SELECT type FROM pragma_table_info('statements') WHERE name = 'valid_from'") == "DATE")
            let blob = try Data.fetchOne(db, sql: "SELECT geom FROM covered_area")!
            #expect(Array(blob.prefix(4)) == [0x47, 0x50, 0x00, 0x03], "GP, version 0, little-endian with an xy envelope")
            #expect(blob[4..<8].withUnsafeBytes { $0.loadUnaligned(as: Int32.self) } == 4326)
        }
        // GDAL's own GeoPackage validator and reader, when installed.
        let validator = "/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py"
        if FileManager.default.fileExists(atPath: validator), FileManager.default.fileExists(atPath: "/usr/bin/python3") {
            let run = try runTool(URL(fileURLWithPath: "/usr/bin/python3"), [validator, built.path.path])
            #expect(run.status == 0 && run.output.isEmpty, "validate_gpkg.py: \(run.output)")
        } else {
            print("skipped: GDAL's validate_gpkg.py (python3-gdal) is not installed")
        }
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/ogrinfo") {
            let run = try runTool(URL(fileURLWithPath: "/usr/bin/ogrinfo"), ["-ro", "-so", built.path.path, "slices"])
            #expect(run.status == 0, "\(run.output)")
            #expect(run.output.contains("valid_from: Date"), "\(run.output)")
            #expect(run.output.contains("Geometry: Multi Polygon"), "\(run.output)")
        }
    }

    @Test func answersAsTheAtlasDoes() throws {
        let built = try BuiltStore()
        defer { built.remove() }
        let store = try Store(path: built.path)
        let engine = built.atlas.engine()
        #expect(store.engine.statements == engine.statements, "the statements read back from the store are the atlas's")
        #expect(store.engine.slices == engine.slices)
        var random = SplitMix(state: 20201110)
        for _ in 0..<250 {
            let p = Position(random.uniform(45.6...47.6), random.uniform(38.8...40.5))
            let d = random.day()
            #expect(store.status(at: p, on: d) == engine.status(at: p, on: d), "\(p) on \(d)")
        }
        for position in [nil, Position(46.0383, 40.1067), Position(46.7519, 39.8153)] {
            #expect(store.timeline(at: position).map { "\($0.day) \($0.change) \($0.statement.id)" }
                    == engine.timeline(at: position).map { "\($0.day) \($0.change) \($0.statement.id)" })
        }
    }

    /// The engine's raster grids answer as GEOS's `covers` does, on every statement's ground, at
    /// random points of its box and at the point where a grid once answered wrongly.
    /// Both kinds of grid (many answers: cells of edges; few: one cell) answer as GEOS's
    /// `covers` at random points of every ground and at its vertices; and the same as each other
    /// at the middles of its edges (within 10⁻¹² of an edge counts as on it, where GEOS's exact
    /// arithmetic may find a midpoint a hair outside).
    @Test func everyGroundGridAgreesWithGEOS() throws {
        let built = try BuiltStore()
        defer { built.remove() }
        let many = try Store(path: built.path, use: .many).engine, few = try Store(path: built.path, use: .few).engine
        var random = SplitMix(state: 822)
        var checked = 0, differing = 0, betweenGrids = 0
        for (i, statement) in many.statements.enumerated() {
            let ground = many.ground(of: i)
            let context = GEOSContext()
            let prepared = try PreparedGeometry(try Geometry(ground, context: context))
            let xs = ground.positions.map(\.x), ys = ground.positions.map(\.y)
            var points = (0..<2_000).map { _ in Position(random.uniform(xs.min()!...xs.max()!), random.uniform(ys.min()!...ys.max()!)) }
            points.append(Position(47.197149437097785, 39.82810618127727))
            let corners = ground.positions
            points += corners.prefix(300)
            for p in points {
                let geos = try prepared.covers(try Geometry(.point(p), context: context))
                for (use, engine) in [("many", many), ("few", few)] {
                    checked += 1
                    if engine.covers(statement: i, p) != geos {
                        differing += 1
                        if differing <= 5 { Issue.record("\(use): \(statement.id) at \(p.x) \(p.y): grid \(!geos), GEOS \(geos)") }
                    }
                }
            }
            for (a, b) in zip(corners, corners.dropFirst()).prefix(300) {
                let p = Position((a.x + b.x) / 2, (a.y + b.y) / 2)
                if many.covers(statement: i, p) != few.covers(statement: i, p) {
                    betweenGrids += 1
                    if betweenGrids <= 5 { Issue.record("\(statement.id) at \(p.x) \(p.y): the two grids differ") }
                }
            }
        }
        #expect(differing == 0, "\(differing) of \(checked) answers")
        #expect(betweenGrids == 0)
    }

    @Test func layersAreTheAtlasLayersToTheByte() throws {
        let built = try BuiltStore()
        defer { built.remove() }
        let store = try Store(path: built.path)
        var all: [SliceFeature] = []
        for slice in built.atlas.slices {
            let expected = try built.atlas.sliceFeatures(slice)
            all += expected
            #expect(try store.layers(on: slice.interval.from) == expected, "\(slice)")
        }
        #expect(try store.layers(on: nil) == all)
        #expect(GeoJSON.document(try store.layers(on: nil).map(\.feature)) == GeoJSON.document(all.map(\.feature)))
        #expect(try store.layers(on: day("1900-01-01")).isEmpty)
    }

    @Test func aFailedBuildLeavesTheOldStore() throws {
        let built = try BuiltStore()
        defer { built.remove() }
        let before = try Data(contentsOf: built.path)
        // The target's folder is a file: the build cannot even start its temporary file.
        let blocked = built.folder.appendingPathComponent("not-a-folder")
        try Data("x".utf8).write(to: blocked)
        #expect(throws: (any Error).self) { try Store.build(built.atlas, dataHash: "h", to: blocked.appendingPathComponent("nk.gpkg")) }
        #expect(try Data(contentsOf: built.path) == before)
        // An abandoned build of a process that is gone is cleaned up by the next build.
        let abandoned = built.folder.appendingPathComponent(".nk.gpkg.999999.1f2e.tmp")
        try Data("half".utf8).write(to: abandoned)
        // Another target's temporary file (of "nk.gpkg.5") is not this target's to remove.
        let other = built.folder.appendingPathComponent(".nk.gpkg.5.999999.ab.tmp")
        try Data("other".utf8).write(to: other)
        try Store.build(built.atlas, dataHash: "again", to: built.path)
        #expect(!FileManager.default.fileExists(atPath: abandoned.path))
        #expect(FileManager.default.fileExists(atPath: other.path))
        #expect(try Store(path: built.path).meta["data_hash"] == "again")
    }

    @Test func refusesWhatIsNotAStore() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("territory-notstore-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let garbage = folder.appendingPathComponent("x.gpkg")
        try Data("this is not sqlite".utf8).write(to: garbage)
        #expect(throws: (any Error).self) { try Store(path: garbage) }
        #expect(throws: TerritoryError.missingInput("\(folder.appendingPathComponent("missing.gpkg").path): no store here")) { try Store(path: folder.appendingPathComponent("missing.gpkg")) }
    }

    @Test func fingerprintChangesWithAnyEdit() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("territory-fp-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: projectData, to: folder)
        defer { try? FileManager.default.removeItem(at: folder) }
        let set = try DataSet(folder: folder, pack: nil, store: nil)
        let before = try set.fingerprint()
        #expect(before.count == 64 && before.allSatisfy(\.isHexDigit))
        #expect(try set.fingerprint() == before)
        let file = folder.appendingPathComponent("statements/2020-11-10-trilateral.json")
        var text = try String(contentsOf: file, encoding: .utf8)
        text = text.replacingOccurrences(of: "point 2", with: "point 2 ")
        try text.write(to: file, atomically: true, encoding: .utf8)
        #expect(try set.fingerprint() != before)
        // A boundary pack in use counts too.
        let pack = folder.appendingPathComponent("pack.geojson")
        try "{}".write(to: pack, atomically: true, encoding: .utf8)
        let withPack = try DataSet(folder: folder, pack: PackFile(name: "p", url: pack), store: nil)
        #expect(try withPack.fingerprint() != set.fingerprint())
        #expect(withPack.storePath != set.storePath, "one store per data folder and pack")
    }

    @Test func answersManyTasksAtOnce() async throws {
        let built = try BuiltStore()
        defer { built.remove() }
        let store = try Store(path: built.path)
        var random = SplitMix(state: 99)
        let asks = (0..<400).map { _ in (Position(random.uniform(45.6...47.6), random.uniform(38.8...40.5)), random.day()) }
        let expected = asks.map { built.atlas.engine().status(at: $0.0, on: $0.1) }
        // Eight tasks, each with its own share, all on one store at once: the same answers.
        let answers = try await withThrowingTaskGroup(of: (Int, StatusAnswer, Int).self) { group in
            for (i, ask) in asks.enumerated() {
                group.addTask {
                    let layers = try store.layers(on: ask.1, facets: [.control]).count
                    return (i, store.status(at: ask.0, on: ask.1), layers)
                }
            }
            var all = [(StatusAnswer, Int)?](repeating: nil, count: asks.count)
            for try await (i, answer, layers) in group { all[i] = (answer, layers) }
            return all.map { $0! }
        }
        for (i, (answer, layers)) in answers.enumerated() {
            #expect(answer == expected[i])
            #expect(layers == (try store.layers(on: asks[i].1, facets: [.control]).count))
        }
    }

    @Test func pagesAndBoxesOverSlicesAndStatements() throws {
        let built = try BuiltStore()
        defer { built.remove() }
        let store = try Store(path: built.path)
        var query = Store.SliceQuery()
        query.facets = [.control]
        let all = try store.slices(query)
        #expect(all.matched == all.items.count && all.matched > 30)
        query.limit = 10
        query.offset = 5
        let page = try store.slices(query)
        #expect(page.matched == all.matched)
        #expect(page.items == Array(all.items[5..<15]))
        // A box around Lachin town: only features whose envelope reaches it.
        query = Store.SliceQuery()
        query.bbox = try BBox(minX: 46.54, minY: 39.63, maxX: 46.55, maxY: 39.65)
        query.during = try DayRange(from: day("2021-06-01"), through: day("2021-06-01"))
        let here = try store.slices(query)
        #expect(Set(here.items.map { "\($0.facet.rawValue)/\($0.holder)" }).isSuperset(of: ["control/RU", "sovereignty/AZ", "presence/RU", "access/open"]))
        #expect(here.items.allSatisfy { $0.valid.contains(day("2021-06-01")) })
        query.holder = "RU"
        #expect(try store.slices(query).items.allSatisfy { $0.holder == "RU" })
        var corridor = Store.SliceQuery()
        corridor.statement = "tri2020-p6-corridor"
        let made = try store.slices(corridor).items
        #expect(!made.isEmpty && made.allSatisfy { $0.statements.contains("tri2020-p6-corridor") })
        // Far away: nothing.
        query = Store.SliceQuery()
        query.bbox = try BBox(minX: 10, minY: 10, maxX: 11, maxY: 11)
        #expect(try store.slices(query).matched == 0)
        let statements = try store.statements(bbox: BBox(minX: 46.54, minY: 39.63, maxX: 46.55, maxY: 39.65), during: try DayRange(from: day("2021-06-01"), through: nil))
        #expect(statements.items.map(\.0.id).contains("tri2020-p6-corridor"))
        #expect(!statements.items.map(\.0.id).contains("bishkek1994-nk-held"))
        #expect(throws: TerritoryError.self) { try BBox(minX: 47, minY: 39, maxX: 46, maxY: 40) }
        #expect(throws: TerritoryError.self) { try BBox(minX: 46, minY: -91, maxX: 47, maxY: 40) }
    }

    @Test func everyGeometryWrittenIsValid() throws {
        let built = try BuiltStore()
        defer { built.remove() }
        let store = try Store(path: built.path)
        let context = GEOSContext()
        var checked = 0
        for feature in try store.layers(on: nil) {
            // As written: 7 decimals, read back.
            let text = GeoJSON.document([feature.feature])
            let read = try GeoJSON.features(from: Array(text.utf8))
            let validity = try Geometry(read[0].geometry!, context: context).validity()
            #expect(validity.isValid, "\(feature.id): \(validity.reason)")
            checked += 1
        }
        for (info, shape) in try store.statements().items {
            let validity = try Geometry(shape, context: context).validity()
            #expect(validity.isValid, "statement \(info.id): \(validity.reason)")
        }
        #expect(checked == (try store.slices(Store.SliceQuery()).matched) && checked > 100)
    }
}
