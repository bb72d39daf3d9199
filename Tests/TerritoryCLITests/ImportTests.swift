import Foundation
import Testing
import TestSupport
import Geometry

/// A packs folder and a store folder of one test's own, so that imports touch nothing else.
struct PackPlace {
    let folder: URL
    var environment: [String: String] {
        ["TERRITORY_PACKS": folder.appendingPathComponent("packs").path, "XDG_CACHE_HOME": folder.appendingPathComponent("cache").path,
         "TERRITORY_BOUNDARIES": ""]
    }

    init() throws { folder = try temporaryFolder() }
    func remove() { try? FileManager.default.removeItem(at: folder) }
}

let referenceBoundaries: URL? = {
    let url = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/reference/aze_adm2_geoboundaries.geojson")
    return FileManager.default.fileExists(atPath: url.path) ? url : nil
}()

@Suite(.serialized) struct ImportTests {
    @Test func importsGeoBoundariesAndAnswersWithIt() throws {
        guard let reference = referenceBoundaries else {
            print("skipped: ../shared/reference is absent; the geoBoundaries import is not tested")
            return
        }
        let place = try PackPlace()
        defer { place.remove() }
        let env = place.environment
        let run = try Run(["import", reference.path, "--name-field", "shapeName", "--name", "geoboundaries",
                           "--licence", "CC BY-SA 3.0", "--attribution", "geoBoundaries (Runfola et al.)"], environment: env)
        #expect(run.status == 0, "\(run.stderr)")
        for line in ["Agdam District               → aghdam (name)", "Khankendi City               → khojaly (city)",
                     "Shusha City                  → shusha (city)", "Shusha City                  → shusha_city (name)"] {
            #expect(run.stdout.contains(line), "\(line)\n\(run.stdout)")
        }
        // Anchors: geoBoundaries' Shusha City lies south of the town; that shape is not taken.
        #expect(run.stdout.contains("Built-in shapes the file lacks (they keep their drawn geometry): none"), "\(run.stdout)")
        #expect(run.stdout.contains("Anchor: shusha lies 252 m outside the imported 'shusha_city': not taken, it keeps its drawn geometry"), "\(run.stdout)")
        let shusha = try Run(["status", "--boundaries", "geoboundaries", "--place", "Shusha", "--date", "2021-06-01", "--format", "json"], environment: env)
        #expect(shusha.stdout.contains(#""control":"AZ""#), "\(shusha.stdout)")
        let moved = try Run(["import", reference.path, "--name-field", "shapeName", "--name", "moved", "--accept-moved"], environment: env)
        #expect(moved.status == 0 && moved.stdout.contains("taken anyway (--accept-moved)") && moved.stderr.contains("lies 252 m outside its shape 'shusha_city'"), "\(moved.stdout)\n\(moved.stderr)")
        let swallowed = try Run(["status", "--boundaries", "moved", "--place", "Shusha", "--date", "2021-06-01", "--format", "json"], environment: env)
        #expect(swallowed.stdout.contains(#""control":"RU""#), "taken anyway, the corridor swallows the town: \(swallowed.stdout)")
        #expect(run.stdout.contains("Refused by an anchor (they keep their drawn geometry): shusha_city"))
        // A district that loses a place cannot keep its drawn lines beside imported neighbours: refused.
        let data = place.folder.appendingPathComponent("data")
        try FileManager.default.copyItem(at: projectData, to: data)
        let towns = data.appendingPathComponent("towns.csv")
        try (try String(contentsOf: towns, encoding: .utf8) + "edge,Edge Village,46.74,39.49,village,khojavend,\"a test row\",\n").write(to: towns, atomically: true, encoding: .utf8)
        let district = try Run(["import", reference.path, "--name-field", "shapeName", "--name", "edge", "--data", data.path], environment: env)
        #expect(district.status == 65 && district.stderr.contains("the place 'edge' lies") && district.stderr.contains("outside the imported district 'khojavend'"), "\(district.stderr)")
        #expect(run.stdout.contains("Features not matched (66)"))
        #expect(run.stdout.contains("Statements whose ground moves"))
        let pack = try String(contentsOf: place.folder.appendingPathComponent("packs/geoboundaries.geojson"), encoding: .utf8)
        #expect(pack.contains(#""licence":"CC BY-SA 3.0""#) && pack.contains(#""attribution":"geoBoundaries (Runfola et al.)""#))

        // Status with the pack: the same statements, on the new lines, citing the licence.
        for (date, control) in [("2020-11-19", "NK"), ("2020-11-20", "AZ")] {
            let status = try Run(["status", "--boundaries", "geoboundaries", "--lon", "46.9286", "--lat", "39.9836", "--date", date, "--format", "json"], environment: env)
            #expect(status.status == 0, "\(status.stderr)")
            #expect(status.stdout.contains(#""control":"\#(control)""#), "\(status.stdout)")
            #expect(status.stdout.contains("CC BY-SA 3.0"))
        }
        // The statements did not change: the timeline names the same ones.
        func ids(_ output: String) -> [Substring] { output.split(separator: "\n").compactMap { $0.split(separator: "[").last?.dropLast() } }
        let builtIn = try Run(["timeline"], environment: env)
        let imported = try Run(["timeline", "--boundaries", "geoboundaries"], environment: env)
        #expect(imported.status == 0 && ids(imported.stdout) == ids(builtIn.stdout))
        // The area report: geoBoundaries' Agdam beside the official figure.
        let areas = try Run(["measure", "--districts", "--boundaries", "geoboundaries"], environment: env)
        #expect(areas.stdout.contains("boundary pack geoboundaries"))
        #expect(areas.stdout.contains("Aghdam District        1045.5          1150       -9.1 %"), "\(areas.stdout)")
        // Layers made with the pack cite it.
        let layers = try Run(["layers", "--date", "2021-06-01", "--facet", "control", "--boundaries", "geoboundaries"], environment: env)
        #expect(layers.stdout.contains("geoBoundaries (Runfola et al.); licence CC BY-SA 3.0"))
        // Made the default, it is used without --boundaries; 'builtin' turns it off.
        #expect(try Run(["import", reference.path, "--name-field", "shapeName", "--name", "gb2", "--default"], environment: env).status == 0)
        #expect(try Run(["measure", "--districts"], environment: env).stdout.contains("boundary pack gb2"))
        #expect(try Run(["measure", "--districts", "--boundaries", "builtin"], environment: env).stdout.contains("built-in boundary pack"))
    }

    @Test func importsAGeoPackageAndAnIDMap() throws {
        let place = try PackPlace()
        defer { place.remove() }
        let env = place.environment
        let store = place.folder.appendingPathComponent("nk.gpkg")
        #expect(try Run(["build", "--store", store.path], environment: env).status == 0)
        // The store's own boundaries table: every district matches itself.
        let run = try Run(["import", store.path, "--layer", "boundaries", "--name-field", "name", "--name", "same"], environment: env)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("Aghdam District              → aghdam (name)"))
        #expect(run.stdout.contains("Statements whose ground moves by more than 1 km² with the new lines (built-in → same, km²):\n  none"), "\(run.stdout)")

        // An explicit map for names no variant knows; '-' leaves one out. (The box holds Aghdam's
        // places: the town, the villages handed over with it and the monitoring centre.)
        let areas = """
        {"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"rayon":"Rayon A"},"geometry":{"type":"Polygon","coordinates":[[[46.7,39.85],[47.15,39.85],[47.15,40.2],[46.7,40.2],[46.7,39.85]]]}},
        {"type":"Feature","properties":{"rayon":"Rayon B"},"geometry":{"type":"Polygon","coordinates":[[[45.0,39.0],[45.1,39.0],[45.1,39.1],[45.0,39.1],[45.0,39.0]]]}},
        {"type":"Feature","properties":{"rayon":"Somewhere"},"geometry":{"type":"Polygon","coordinates":[[[45.0,39.0],[45.1,39.0],[45.1,39.1],[45.0,39.1],[45.0,39.0]]]}}
        ]}
        """
        let file = place.folder.appendingPathComponent("areas.geojson")
        try areas.write(to: file, atomically: true, encoding: .utf8)
        let map = place.folder.appendingPathComponent("map.csv")
        try "name,id\nRayon A,aghdam\nRayon B,-\n".write(to: map, atomically: true, encoding: .utf8)
        let mapped = try Run(["import", file.path, "--name-field", "rayon", "--name", "mapped", "--id-map", map.path], environment: env)
        #expect(mapped.status == 0, "\(mapped.stderr)")
        #expect(mapped.stdout.contains("Rayon A                      → aghdam (map)"))
        #expect(mapped.stdout.contains("Features not matched (2): Rayon B (left out by the map), Somewhere"))
        #expect(mapped.stdout.contains("Built-in shapes the file lacks (they keep their drawn geometry): fuzuli, jabrayil"))
    }

    @Test(arguments: [
        (["import", "{areas}", "--name-field", "shapeName", "--name", "x"], 65, "no feature has a string property 'shapeName'"),
        (["import", "{areas}", "--name-field", "rayon", "--name", "bad name"], 64, "--name: 'bad name' is not a pack name"),
        (["import", "/nonexistent.geojson", "--name-field", "rayon", "--name", "x"], 66, "/nonexistent.geojson: no such file"),
        (["import", "{areas}", "--name-field", "rayon", "--name", "x", "--id-map", "{badmap}"], 65, "sends 'Rayon A' to 'atlantis', which is not a built-in shape"),
        (["status", "--boundaries", "nosuchpack", "--lon", "46.5", "--lat", "39.6", "--date", "2020-12-01"], 66, "--boundaries: no pack 'nosuchpack'"),
    ])
    func refuses(arguments: [String], status: Int32, message: String) throws {
        let place = try PackPlace()
        defer { place.remove() }
        let areas = place.folder.appendingPathComponent("areas.geojson")
        try #"{"type":"Feature","properties":{"rayon":"Rayon A"},"geometry":{"type":"Polygon","coordinates":[[[46.8,39.9],[47.1,39.9],[47.1,40.1],[46.8,39.9]]]}}"#
            .write(to: areas, atomically: true, encoding: .utf8)
        let badmap = place.folder.appendingPathComponent("bad.csv")
        try "name,id\nRayon A,atlantis\n".write(to: badmap, atomically: true, encoding: .utf8)
        let args = arguments.map { $0.replacingOccurrences(of: "{areas}", with: areas.path).replacingOccurrences(of: "{badmap}", with: badmap.path) }
        let run = try Run(args, environment: place.environment)
        #expect(run.status == status, "\(run.stderr)")
        #expect(run.stderr.contains(message), "\(run.stderr)")
    }
}
