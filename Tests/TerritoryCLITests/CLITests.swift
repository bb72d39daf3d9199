import Foundation
import JSONText
import Testing
import TestSupport
import Geometry
import Geodesy

/// The 2020 Lachin road, roughly, from town coordinates: Stepanakert, Shusha, Lachin, Goris.
let lachinRoad = """
{"type":"Feature","id":"road","properties":{"name":"Lachin road","source":"town coordinates"},"geometry":{"type":"LineString","coordinates":[[46.7519,39.8153],[46.7483,39.7583],[46.5469,39.6408],[46.3386,39.5078]]}}
"""
let roadPositions = [Position(46.7519, 39.8153), Position(46.7483, 39.7583), Position(46.5469, 39.6408), Position(46.3386, 39.5078)]

@Suite(.serialized) struct BufferCommandTests {
    @Test func corridorFromAFile() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("road.geojson")
        try lachinRoad.write(to: file, atomically: true, encoding: .utf8)

        let run = try Run(["buffer", file.path, "--width", "5km"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.isEmpty)
        let features = try GeoJSON.features(from: Array(run.stdout.utf8))
        #expect(features.count == 1)
        let feature = try #require(features.first)
        #expect(feature.id == .string("road"))
        #expect(feature.properties["name"] == .string("Lachin road"))
        #expect(feature.properties["buffer_width_m"] == .number(5_000))
        #expect(feature.properties["buffer_distance_m"] == .number(2_500))
        #expect(feature.properties["buffer_ends"] == .string("round"))
        let shape = try #require(feature.geometry)
        let area = GeodesicMeasure.measures(of: shape).area / 1e6
        guard case .number(let reported)? = feature.properties["area_km2"] else { Issue.record("no area_km2"); return }
        #expect(abs(reported - area) < 0.01)
        #expect(reported > 270 && reported < 276, "5 km × 51 km plus the round ends, less the bends: \(reported)")
        // Every vertex of what was written lies 2.5 km from the road, within 0.1 %.
        var worst = 0.0
        for p in shape.positions {
            worst = max(worst, abs(GeodesicMeasure.distance(from: p, toRun: roadPositions) - 2_500) / 2_500)
        }
        #expect(worst < 1e-3, "worst \(worst)")
        // Written coordinates have at most 7 decimals.
        let decimals = run.stdout.split(whereSeparator: { ",[]".contains($0) }).compactMap { token -> Int? in
            guard Double(token) != nil, let dot = token.firstIndex(of: ".") else { return nil }
            return token.distance(from: dot, to: token.endIndex) - 1
        }
        #expect((decimals.max() ?? 0) <= 7)
    }

    @Test func distanceFromStandardInputEqualsHalfTheWidth() throws {
        let byWidth = try Run(["buffer", "-", "--width", "5km"], stdin: lachinRoad)
        let byDistance = try Run(["buffer", "--distance", "2500m"], stdin: lachinRoad)
        #expect(byWidth.status == 0 && byDistance.status == 0)
        #expect(byWidth.stdout == byDistance.stdout, "the same buffer, to the byte")
        let again = try Run(["buffer", "-", "--width", "5km"], stdin: lachinRoad)
        #expect(again.stdout == byWidth.stdout, "deterministic output")
    }

    @Test func severalFeaturesGiveACollectionInOrder() throws {
        let input = """
        {"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"name":"centre"},"geometry":{"type":"Point","coordinates":[46.93,39.98]}},
        {"type":"Feature","properties":{"name":"district"},"geometry":{"type":"Polygon","coordinates":[[[46.5,39.5],[46.7,39.5],[46.7,39.7],[46.5,39.7],[46.5,39.5]]]}}
        ]}
        """
        let run = try Run(["buffer", "--distance", "300m", "--ends", "flat"], stdin: input)
        #expect(run.status == 0, "\(run.stderr)")
        let features = try GeoJSON.features(from: Array(run.stdout.utf8))
        #expect(features.map { $0.properties["name"] } == [.string("centre"), .string("district")])
        #expect(features.allSatisfy { $0.properties["buffer_ends"] == .string("flat") })
        guard case .number(let circle)? = features[0].properties["area_km2"] else { Issue.record("no area"); return }
        #expect(abs(circle - Double.pi * 0.09) < 0.001, "a 300 m circle: \(circle) km²")
    }

    @Test func outputFileIsWrittenWholeAndNothingIsLeftBehind() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = folder.appendingPathComponent("corridor.geojson")
        let run = try Run(["buffer", "--width", "5km", "--out", target.path], stdin: lachinRoad)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.isEmpty)
        let written = try String(contentsOf: target, encoding: .utf8)
        #expect(written == (try Run(["buffer", "--width", "5km"], stdin: lachinRoad)).stdout)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["corridor.geojson"])

        // A failure keeps the earlier output as it was.
        let failed = try Run(["buffer", "--width", "5km", "--out", target.path], stdin: "{\"type\":\"Point\"")
        #expect(failed.status == 65)
        #expect(try String(contentsOf: target, encoding: .utf8) == written)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["corridor.geojson"])

        let nowhere = try Run(["buffer", "--width", "5km", "--out", folder.appendingPathComponent("missing/dir/x.geojson").path], stdin: lachinRoad)
        #expect(nowhere.status == 74)
        #expect(nowhere.stderr.contains("missing/dir/x.geojson"))
    }
}

@Suite(.serialized) struct MeasureCommandTests {
    let cell = #"{"type":"Feature","properties":{"name":"cell"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}}"#

    @Test func json() throws {
        let input = "{\"type\":\"FeatureCollection\",\"features\":[\(cell),\(lachinRoad)]}"
        let run = try Run(["measure", "--format", "json"], stdin: input)
        #expect(run.status == 0, "\(run.stderr)")
        guard case .object(let doc) = try JSONReader.parse(run.stdout),
              case .array(let rows)? = doc["features"], case .object(let total)? = doc["total"],
              case .object(let first) = rows[0], case .object(let second) = rows[1]
        else { Issue.record("unexpected shape: \(run.stdout)"); return }
        #expect(first["name"] == .string("cell"))
        guard case .number(let area)? = first["area_km2"], case .number(let length)? = second["length_km"],
              case .number(let totalArea)? = total["area_km2"]
        else { Issue.record("missing numbers"); return }
        // The closed-form ellipsoidal zone area of a 1° × 1° cell at the equator is 12,308.4639 km².
        #expect(abs(area - 12_308.4639) < 0.001, "1° × 1° at the equator: \(area)")
        #expect(abs(length - 51.185) < 0.01)
        #expect(totalArea == area)
    }

    @Test func table() throws {
        let run = try Run(["measure", "-"], stdin: cell)
        #expect(run.status == 0)
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("feature") == true)
        #expect(lines.contains { $0.hasPrefix("cell") && $0.hasSuffix("12308.464") }, "\(run.stdout)")
        #expect(lines.last?.hasPrefix("total") == true)
    }
}

/// Bad input: one line on standard error naming the input and the problem, a non-zero exit, nothing on stdout.
@Suite(.serialized) struct BadInputTests {
    static let cases: [(arguments: [String], stdin: [UInt8]?, status: Int32, message: String)] = [
        (["buffer", "--width", "5km"], [0xFF, 0xFE, 0x7B, 0x00, 0x22, 0x00], 65, "<stdin>: not valid JSON: not UTF-8"),
        (["buffer", "--width", "5km"], Array(("{\"type\":\"Point\",\"coordinates\":[46.7,").utf8), 65, "<stdin>: line 1, column 37: not valid JSON: unexpected end of input"),
        (["buffer", "--width", "5km"], Array(("").utf8), 65, "<stdin>: not valid JSON: empty input"),
        (["buffer", "--width", "5km"], Array(("{\"type\":\"Feature\",\"properties\":{},\"geometry\":null}").utf8), 65, "<stdin>: the feature has a null geometry"),
        (["buffer", "--width", "5km"], Array(("{\"type\":\"Point\",\"coordinates\":[246.7,39.8]}").utf8), 65, "longitude 246.7 is outside -180..180"),
        (["buffer", "--width", "5km"], Array(("{\"type\":\"Point\",\"coordinates\":[46.7,99]}").utf8), 65, "latitude 99.0 is outside -90..90"),
        (["buffer", "--width", "5km"], Array(("{\"type\":\"Point\",\"coordinates\":[NaN,39.8]}").utf8), 65, "unexpected character 'N'"),
        (["buffer", "--width", "5km"], Array(("{\"type\":\"Point\",\"coordinates\":[1e400,39.8]}").utf8), 65, "too large"),
        (["buffer", "--width", "5km"], Array((String(repeating: "[", count: 20_000)).utf8), 65, "nesting deeper"),
        (["buffer", "--width", "5km"], Array(("{\"type\":\"FeatureCollection\",\"features\":[]}").utf8), 65, "no features"),
        (["buffer", "--width", "5km"], Array(("{\"type\":\"FeatureCollection\",\"features\":[\(lachinRoad),{\"type\":\"Feature\",\"properties\":{},\"geometry\":null}]}").utf8), 65, "features[1]: the feature has a null geometry"),
        (["buffer", "--width", "5km"], Array(("{\"type\":\"Point\",\"coordinates\":[179.99,0]}").utf8), 65, "antimeridian"),
        (["buffer", "--width", "5"], Array((lachinRoad).utf8), 64, "--width: '5' has no unit"),
        (["buffer", "--width", "-5km"], Array((lachinRoad).utf8), 64, "--width: '-5km' must be greater than zero"),
        (["buffer", "--width", "0m"], Array((lachinRoad).utf8), 64, "greater than zero"),
        (["buffer", "--width", "infkm"], Array((lachinRoad).utf8), 64, "not a number"),
        (["buffer", "--distance", "nanm"], Array((lachinRoad).utf8), 64, "--distance"),
        (["buffer"], Array((lachinRoad).utf8), 64, "give the buffer size"),
        (["buffer", "--width", "5km", "--distance", "1km"], Array((lachinRoad).utf8), 64, "not both"),
        (["buffer", "--distance", "2000km"], Array((lachinRoad).utf8), 64, "at most 500 km"),
        (["buffer", "--width", "5km", "/nonexistent/road.geojson"], nil, 66, "/nonexistent/road.geojson: no such file"),
        (["measure", "/nonexistent/road.geojson"], nil, 66, "/nonexistent/road.geojson: no such file"),
        (["buffer", "--distance", "1e-300m"], Array(lachinRoad.utf8), 64, "less than this tool buffers (at least 1 cm on each side)"),
        (["buffer", "--width", "5km"], Array(#"{"type":"Polygon","coordinates":[[[46,39],[46.1,39.1],[46.1,39],[46,39.1],[46,39]]]}"#.utf8), 65, "<stdin>: invalid geometry: Self-intersection"),
        (["status", "--csv", "/tmp"], nil, 66, "/tmp: is a directory, not a file"),
        (["status", "--csv", "-", "--check", "--out", "/tmp/never.csv"], nil, 64, "--check reads the rows and writes nothing"),
        (["status", "--check", "--lon", "46.5", "--lat", "39.8", "--date", "2021-06-01"], nil, 64, "--check and --columns go with --csv"),
        (["status", "--csv", "-"], Array("id,lon,lat,date".utf8) + [UInt8](repeating: 0x41, count: 3 << 20), 65, "longer than 1024 KiB: not a CSV of dated points"),
        (["measure"], Array(("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,1]]]}").utf8), 65, "coordinates[0]: polygon ring is not closed"),
    ]

    /// `status --csv --check` reads every row and writes nothing: 0 when all can be classified,
    /// 65 naming the rows that cannot.
    @Test func checkReadsEveryRowAndWritesNothing() throws {
        let good = try Run(["status", "--csv", "-", "--check"], bytes: Array("id,lon,lat,date\na,46.5,39.8,2021-06-01\nb,46.6,39.7,2020-11-09\n".utf8))
        #expect(good.status == 0 && good.stdout.isEmpty, "\(good.status): \(good.stderr)")
        #expect(good.stderr.contains("2 rows read: every one can be classified"), "\(good.stderr)")
        let bad = try Run(["status", "--csv", "-", "--check"], bytes: Array("id,lon,lat,date\na,46.5,39.8,2021-06-01\nb,46.6,north,2020-11-09\n".utf8))
        #expect(bad.status == 65 && bad.stdout.isEmpty, "\(bad.status): \(bad.stderr)")
        #expect(bad.stderr.contains("line 3: lat 'north' is not a number") && bad.stderr.contains("2 rows read: 1 can be classified, 1 cannot") && bad.stderr.contains("1 row cannot be read"), "\(bad.stderr)")
    }

    @Test(arguments: 0..<cases.count)
    func refuses(index: Int) throws {
        let c = Self.cases[index]
        let run = try Run(c.arguments, bytes: c.stdin ?? [])
        #expect(run.status == c.status, "\(c.arguments) → \(run.status): \(run.stderr)")
        #expect(run.stdout.isEmpty, "nothing on stdout: \(run.stdout.prefix(200))")
        #expect(run.stderr.contains(c.message), "\(run.stderr)")
        #expect(run.stderr.hasPrefix("territory "))
        #expect(run.stderr.filter { $0 == "\n" }.count == 1, "one line: \(run.stderr)")
    }

    @Test func randomBytesNeverCrash() throws {
        var random = SplitMix(state: 1337)
        for _ in 0..<20 {
            let bytes = (0..<random.integer(0...399)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            let run = try Run(["measure"], stdin: String(decoding: bytes, as: UTF8.self))
            #expect(run.status == 65, "\(run.stderr)")
        }
    }

    @Test func helpTeachesExitCodesAndExamples() throws {
        let root = try Run(["--help"])
        #expect(root.status == 0)
        #expect(root.stdout.contains("65  bad data"))
        let buffer = try Run(["buffer", "--help"])
        #expect(buffer.stdout.contains("--width"))
        #expect(buffer.stdout.contains("EXAMPLES"))
        // Prose renders as prose: no stray line-continuation backslashes before the examples.
        for command in ["import", "status", "layers", "build", "validate", "measure", "buffer", "timeline"] {
            let help = try Run([command, "--help"])
            #expect(help.status == 0)
            let prose = help.stdout.components(separatedBy: "EXAMPLES")[0]
            #expect(!prose.contains("\\"), "\(command) --help: \(prose)")
        }
        #expect(try Run(["import", "--help"]).stdout.contains("--name-field, with transliteration variants"))
    }

    @Test func buffersAsWrittenAreValid() throws {
        let context = GEOSContext()
        for (arguments, input) in [(["buffer", "--width", "5km"], lachinRoad), (["buffer", "--distance", "300m", "--ends", "flat"], lachinRoad),
                                   (["buffer", "--distance", "2km"], #"{"type":"Polygon","coordinates":[[[46,39],[46.1,39],[46.1,39.1],[46,39.1],[46,39]]]}"#)] {
            let run = try Run(arguments, stdin: input)
            #expect(run.status == 0, "\(run.stderr)")
            for feature in try GeoJSON.features(from: Array(run.stdout.utf8)) {
                let validity = try Geometry(try #require(feature.geometry), context: context).validity()
                #expect(validity.isValid, "\(arguments): \(validity.reason)")
            }
        }
    }

    @Test func aMistypedCommandSaysSoAndSuggests() throws {
        let run = try Run(["stauts", "--lon", "46.5", "--lat", "39.6", "--date", "2021-01-01"])
        #expect(run.status == 64)
        #expect(run.stderr.hasPrefix("territory: unknown command 'stauts' (did you mean 'status'?)"), "\(run.stderr)")
        #expect(run.stdout.isEmpty)
        let far = try Run(["frobnicate"])
        #expect(far.status == 64 && far.stderr.contains("unknown command 'frobnicate'") && !far.stderr.contains("did you mean"), "\(far.stderr)")
        #expect(try Run(["layer", "--all"]).stderr.contains("did you mean 'layers'?"))
    }

    @Test func typedArgumentsAreCheckedWithTheirReason() throws {
        let date = try Run(["status", "--lon", "46.5", "--lat", "39.6", "--date", "2020-02-30"])
        #expect(date.status == 64)
        #expect(date.stderr.contains("--date: '2020-02-30' is not a day: day 30 does not exist in February 2020"), "\(date.stderr)")
        let facet = try Run(["layers", "--date", "2020-11-25", "--facet", "Control"])
        #expect(facet.status == 0, "facets are case-insensitive: \(facet.stderr)")
        #expect(facet.stdout.contains(#""facet":"control""#) && !facet.stdout.contains(#""facet":"presence""#))
        let unknown = try Run(["layers", "--date", "2020-11-25", "--facet", "influence"])
        #expect(unknown.status == 64 && unknown.stderr.contains("--facet: 'influence' is not a facet"), "\(unknown.stderr)")
        let width = try Run(["buffer", "--width", "5"], stdin: lachinRoad)
        #expect(width.status == 64 && width.stderr.contains("--width"), "\(width.stderr)")
    }
}
