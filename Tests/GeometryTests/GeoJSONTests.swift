import JSONText
import Testing
@testable import Geometry

@Suite struct GeoJSONTests {
    @Test func readsGeometryFeatureAndCollection() throws {
        let bare = try GeoJSON.features(from: Array(#"{"type":"Point","coordinates":[46.75,39.81,1200]}"#.utf8))
        #expect(bare == [Feature(geometry: .point(Position(46.75, 39.81)))])

        let collection = try GeoJSON.features(from: Array("""
        {"type":"FeatureCollection","features":[
          {"type":"Feature","id":"road","properties":{"name":"Lachin road"},"geometry":{"type":"LineString","coordinates":[[46.75,39.81],[46.55,39.64]]}},
          {"type":"Feature","properties":null,"geometry":null}
        ]}
        """.utf8))
        #expect(collection.count == 2)
        #expect(collection[0].id == .string("road"))
        #expect(collection[0].properties["name"] == .string("Lachin road"))
        #expect(collection[0].geometry == .lineString([Position(46.75, 39.81), Position(46.55, 39.64)]))
        #expect(collection[1].geometry == nil)
    }

    @Test(arguments: [
        (#"{"type":"Point","coordinates":[181,0]}"#, "coordinates: longitude 181.0 is outside -180..180"),
        (#"{"type":"Point","coordinates":[0,-90.5]}"#, "coordinates: latitude -90.5 is outside -90..90"),
        (#"{"type":"Point","coordinates":[0]}"#, "at least longitude and latitude"),
        (#"{"type":"Point","coordinates":[0,"1"]}"#, "coordinates[1]: a coordinate must be a number"),
        (#"{"type":"LineString","coordinates":[[0,0]]}"#, "at least 2 positions"),
        (#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}"#, "coordinates[0]: polygon ring is not closed"),
        (#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}"#, "at least 4 positions"),
        (#"{"type":"Circle","coordinates":[0,0]}"#, "unknown geometry type \"Circle\""),
        (#"{"type":"Point"}"#, "needs a \"coordinates\" member"),
        (#"{"coordinates":[0,0]}"#, "missing \"type\""),
        (#"[1,2]"#, "expected a GeoJSON object"),
        (#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[0,0],[1,0],[1,1],[0,1]]]]}}]}"#,
         "features[0].geometry.coordinates[1][0]: polygon ring is not closed"),
        (#"{"type":"FeatureCollection"}"#, "needs a \"features\" array"),
        (#"{"type":"Feature","properties":{}}"#, "needs a \"geometry\" member"),
        (#"{"type":"Feature","properties":[],"geometry":null}"#, "\"properties\" must be an object or null"),
        (#"{"type":"Point","coordinates":[0,0"#, "not valid JSON"),
    ])
    func rejectsBadInputNamingWhere(text: String, expected: String) {
        do {
            _ = try GeoJSON.features(from: Array(text.utf8))
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.description.contains(expected), "\(text): \(error)")
        }
    }

    @Test func writesRFC7946Orientation() throws {
        // Exterior clockwise and hole counter-clockwise on input: written the other way round.
        let shell = [Position(0, 0), Position(0, 4), Position(4, 4), Position(4, 0), Position(0, 0)]
        let hole = [Position(1, 1), Position(2, 1), Position(2, 2), Position(1, 2), Position(1, 1)]
        let text = GeoJSON.string(.polygon([shell, hole]))
        let back = try GeoJSON.features(from: Array(text.utf8))[0].geometry
        guard case .polygon(let rings)? = back else { Issue.record("not a polygon: \(text)"); return }
        #expect(Ring.isCounterClockwise(rings[0]))
        #expect(!Ring.isCounterClockwise(rings[1]))
        #expect(!text.contains("crs"))
    }

    @Test func writesAtMostSevenDecimals() {
        let text = GeoJSON.string(.lineString([Position(46.123456789, -39.000000049), Position(-0.00000001, 10)]))
        #expect(text == #"{"type":"LineString","coordinates":[[46.1234568,-39],[0,10]]}"#)
    }

    @Test func dropsRepeatsMadeByRounding() {
        let text = GeoJSON.string(.lineString([Position(1, 1), Position(1.00000001, 1), Position(2, 2)]))
        #expect(text == #"{"type":"LineString","coordinates":[[1,1],[2,2]]}"#)
    }

    @Test func documentIsDeterministic() throws {
        let feature = Feature(id: .number(7), geometry: .point(Position(1, 2)),
                              properties: JSONObject([("z", .number(1)), ("a", .string("b"))]))
        let one = GeoJSON.document([feature])
        #expect(one == "{\"type\":\"Feature\",\"id\":7,\"properties\":{\"a\":\"b\",\"z\":1},\"geometry\":{\"type\":\"Point\",\"coordinates\":[1,2]}}\n")
        let two = GeoJSON.document([feature, feature])
        #expect(two.hasPrefix("{\"type\":\"FeatureCollection\",\"features\":[\n{\"type\":\"Feature\""))
        #expect(try GeoJSON.features(from: Array(two.utf8)) == [feature, feature].map {
            Feature(id: $0.id, geometry: $0.geometry, properties: JSONObject([("a", .string("b")), ("z", .number(1))]))
        })
    }
}
