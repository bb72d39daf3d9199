import Foundation
import GRDB
import Testing
import Geometry
@testable import Territory
@testable import TerritoryStore

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let projectData = packageRoot.appendingPathComponent("data")

func day(_ text: String) -> Day { try! Day(parsing: text) }

/// A store built from the project's data into a fresh temporary folder.
struct BuiltStore {
    let folder: URL
    let path: URL
    let atlas: Atlas

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("territory-store-\(UUID().uuidString)")
        path = folder.appendingPathComponent("nk.gpkg")
        atlas = try Atlas(Catalog.load(from: projectData))
        try Store.build(atlas, dataHash: DataFingerprint.hash(folder: projectData), to: path)
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }
}

/// Reproducible pseudo-random numbers (SplitMix64), so that a failure can be replayed.
struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + Double(next() >> 11) / Double(1 << 53) * (range.upperBound - range.lowerBound)
    }
    mutating func day() -> Day {
        Day(ordinal: try! Day(parsing: "1994-01-01").ordinal + Int(next() % 11_700))
    }
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
            #expect(try String.fetchAll(db, sql: "SELECT table_name FROM gpkg_geometry_columns ORDER BY table_name") == ["boundaries", "covered_area", "slices", "statements"])
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM gpkg_extensions WHERE extension_name = 'gpkg_rtree_index'") == 4)
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
            let (status, output) = try runTool("/usr/bin/python3", [validator, built.path.path])
            #expect(status == 0 && output.isEmpty, "validate_gpkg.py: \(output)")
        } else {
            print("skipped: GDAL's validate_gpkg.py (python3-gdal) is not installed")
        }
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/ogrinfo") {
            let (status, output) = try runTool("/usr/bin/ogrinfo", ["-ro", "-so", built.path.path, "slices"])
            #expect(status == 0, "\(output)")
            #expect(output.contains("valid_from: Date"), "\(output)")
            #expect(output.contains("Geometry: Multi Polygon"), "\(output)")
        }
    }

    @Test func answersAsTheAtlasDoes() throws {
        let built = try BuiltStore()
        defer { built.remove() }
        let store = try Store(path: built.path)
        var random = SplitMix(state: 20201110)
        for _ in 0..<250 {
            let p = Position(random.uniform(45.6...47.6), random.uniform(38.8...40.5))
            let d = random.day()
            let fromStore = try store.status(at: p, on: d)
            let fromAtlas = try built.atlas.status(at: p, on: d)
            #expect(fromStore == fromAtlas, "\(p) on \(d)")
        }
        for position in [nil, Position(46.0383, 40.1067), Position(46.7519, 39.8153)] {
            #expect(try store.timeline(at: position).map { "\($0.day) \($0.change) \($0.statement.id)" }
                    == built.atlas.timeline(at: position).map { "\($0.day) \($0.change) \($0.statement.id)" })
        }
    }

    @Test func layersAreTheAtlasLayersToTheByte() throws {
        let built = try BuiltStore()
        defer { built.remove() }
        let store = try Store(path: built.path)
        var all: [Feature] = []
        for slice in built.atlas.slices {
            let expected = try built.atlas.layer(slice, facets: Facet.allCases)
            all += expected
            #expect(GeoJSON.document(try store.layers(on: slice.from, facets: Facet.allCases)) == GeoJSON.document(expected), "\(slice)")
        }
        #expect(GeoJSON.document(try store.layers(on: nil, facets: Facet.allCases)) == GeoJSON.document(all))
        #expect(try store.layers(on: day("1900-01-01"), facets: Facet.allCases).isEmpty)
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
        let abandoned = built.folder.appendingPathComponent(".nk.gpkg.999999.building")
        try Data("half".utf8).write(to: abandoned)
        try Store.build(built.atlas, dataHash: "again", to: built.path)
        #expect(!FileManager.default.fileExists(atPath: abandoned.path))
        #expect(try Store(path: built.path).meta("data_hash") == "again")
    }

    @Test func refusesWhatIsNotAStore() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("territory-notstore-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let garbage = folder.appendingPathComponent("x.gpkg")
        try Data("this is not sqlite".utf8).write(to: garbage)
        #expect(throws: (any Error).self) { try Store(path: garbage) }
        #expect(throws: StoreError.self) { try Store(path: folder.appendingPathComponent("missing.gpkg")) }
    }

    @Test func fingerprintChangesWithAnyEdit() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("territory-fp-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: projectData, to: folder)
        defer { try? FileManager.default.removeItem(at: folder) }
        let before = try DataFingerprint.hash(folder: folder)
        #expect(try DataFingerprint.hash(folder: folder) == before)
        let file = folder.appendingPathComponent("statements/2020-11-10-trilateral.json")
        var text = try String(contentsOf: file, encoding: .utf8)
        text = text.replacingOccurrences(of: "point 2", with: "point 2 ")
        try text.write(to: file, atomically: true, encoding: .utf8)
        #expect(try DataFingerprint.hash(folder: folder) != before)
    }

    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func sha256KnownAnswers(text: String, digest: String) {
        var sha = SHA256()
        sha.update(text)
        #expect(sha.hexDigest() == digest)
    }

    @Test func sha256InPiecesEqualsAtOnce() {
        var whole = SHA256(), pieces = SHA256()
        let bytes = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        whole.update(bytes)
        var i = 0
        var random = SplitMix(state: 7)
        while i < bytes.count {
            let n = min(bytes.count - i, Int(random.next() % 130))
            pieces.update(Array(bytes[i..<(i + n)]))
            i += n
        }
        #expect(whole.hexDigest() == pieces.hexDigest())
        var million = SHA256()
        million.update([UInt8](repeating: 0x61, count: 1_000_000))
        #expect(million.hexDigest() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}

func runTool(_ path: String, _ arguments: [String]) throws -> (Int32, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, output)
}
