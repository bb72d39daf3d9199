import Foundation
import Testing
import Geometry
import JSONText
import TestSupport
@testable import Territory

/// Reading data/boundaries/drawing.json directly: the same geometry as tools/draw_boundaries.py
/// wrote to builtin.geojson, and every problem of a bad drawing reported at once.
@Suite struct DrawingTests {
    static func bytes(_ relative: String) throws -> [UInt8] {
        Array(try Data(contentsOf: TestSupport.packageRoot.appendingPathComponent(relative)))
    }

    /// The real drawing, parsed.
    static func drawing() throws -> JSONValue {
        try JSONReader.parse(bytes("data/boundaries/drawing.json"))
    }

    /// The descriptions of the problems of `json`.
    static func problems(_ json: JSONValue) -> [String] {
        Drawing.read(json).problems.map(\.description)
    }

    static let oneSided = "a border between districts needs both sides, or mark it \"outer\": true"

    // MARK: The real drawing

    @Test func shapesEqualTheCheckedInPack() throws {
        let (shapes, problems) = Drawing.read(try Self.drawing())
        #expect(problems.isEmpty, "\(problems)")
        let features = try GeoJSON.features(from: Self.bytes("Tests/TerritoryTests/Golden/drawn-shapes.geojson"))
        #expect(features.count == 25)
        #expect(shapes.map(\.id) == features.map { feature -> String in
            guard case .string(let id)? = feature.id else { return "?" }
            return id
        })
        for (shape, feature) in zip(shapes, features) {
            #expect(feature.id == .string(shape.id))
            #expect(feature.properties["name"] == .string(shape.name), "\(shape.id)")
            #expect(feature.properties["kind"] == .string(shape.kind.rawValue), "\(shape.id)")
            #expect(feature.properties["note"] == shape.note.map(JSONValue.string) ?? .null, "\(shape.id)")
            #expect(feature.geometry == shape.shape, "\(shape.id): geometry differs from the golden drawn-shapes.geojson")
        }
        // Not vacuous: the pack has every kind of geometry, and rings of many positions.
        #expect(shapes.filter { $0.kind == .district }.count == 11)
        #expect(shapes.map(\.shape.typeName).filter { $0 == "Polygon" }.count == 22)
        #expect(shapes.first { $0.id == "monitoring_centre" }?.shape.typeName == "Point")
        #expect(shapes.first { $0.id == "lachin_road_2022" }?.shape.lineStrings.first?.count == 25)
        #expect(shapes.first { $0.id == "nk_held_1994" }?.shape.polygons.first?.first?.count == 82)
    }

    @Test func realDrawingHasNoProblemsAndItsOuterArcsAreTheDistrictEdge() throws {
        let json = try Self.drawing()
        #expect(Self.problems(json) == [])
        guard case .object(let top) = json, case .object(let arcs)? = top["arcs"] else {
            Issue.record("drawing.json has no arcs object")
            return
        }
        let outer = arcs.members.filter { $0.value.member("outer") == .bool(true) }.map(\.key).sorted()
        #expect(outer == [
            "aras_fuzuli_e", "aras_fuzuli_w", "aras_jabrayil", "aras_zangilan", "arm_kalbajar", "arm_lachin_n",
            "arm_lachin_s", "arm_qubadli", "arm_zangilan", "east_aghdam", "east_fuzuli", "east_tartar_e",
            "east_tartar_w", "north_kalbajar_e", "north_kalbajar_w",
        ])
    }

    // MARK: Each problem, made by editing the real drawing

    @Test func unknownArcInARing() throws {
        // aghdam's second arc is its border with Tartar, which Tartar keeps using.
        let json = try Self.drawing().setting(["shapes", "aghdam", "rings", "0", "1"], to: .string("no_such_arc"))
        let (shapes, problems) = Drawing.read(json)
        #expect(problems.map(\.description) == [
            "shape 'aghdam': ring 1: unknown arc 'no_such_arc' after arc 'east_aghdam'",
            "arc 'aghdam_tartar_e': is used by one district only (shape 'tartar'); \(Self.oneSided)",
        ])
        #expect(problems.first?.subject == "shape 'aghdam'")
        #expect(problems.last?.subject == "arc 'aghdam_tartar_e'")
        #expect(shapes.count == 24 && !shapes.contains { $0.id == "aghdam" })
    }

    @Test func unknownNodeInAnArcALineAndAPoint() throws {
        let json = try Self.drawing()
            .setting(["arcs", "aghdam_fuzuli", "nodes", "1"], to: .string("nowhere"))  // an end
            .setting(["arcs", "aras_jabrayil", "nodes", "2"], to: .string("nowhere_2"))  // inside
            .setting(["shapes", "lachin_road_2020", "line", "3"], to: .string("nowhere_rd"))
            .setting(["shapes", "monitoring_centre", "point"], to: .string("nowhere_site"))
        let (shapes, problems) = Drawing.read(json)
        // Only the unknown nodes: not the rings that no longer chain for want of an arc's end.
        #expect(problems.map(\.description) == [
            "arc 'aras_jabrayil': unknown node 'nowhere_2' (node 3 of the arc) (used by shape 'jabrayil', shape 'nk_held_1994')",
            "arc 'aghdam_fuzuli': unknown node 'nowhere' (node 2 of the arc) (used by shape 'aghdam', shape 'fuzuli', shape 'sector_fuzuli')",
            "shape 'lachin_road_2020': line: unknown node 'nowhere_rd' (node 4 of the line)",
            "shape 'monitoring_centre': point: unknown node 'nowhere_site'",
        ])
        // The shapes built on the arc, the line and the point are left out; the others are still drawn.
        let missing = ["aghdam", "fuzuli", "sector_fuzuli", "jabrayil", "nk_held_1994", "lachin_road_2020", "monitoring_centre"]
        #expect(shapes.count == 25 - missing.count)
        #expect(!shapes.contains { missing.contains($0.id) })
        #expect(shapes.contains { $0.id == "lachin_road_2022" })
    }

    @Test func ringThatDoesNotClose() throws {
        // Without its last arc (the Fuzuli border) aghdam's ring stops short of where it began.
        let json = try Self.drawing().setting(["shapes", "aghdam", "rings", "0", "6"], to: nil)
        #expect(Self.problems(json) == [
            "shape 'aghdam': ring 1 does not close: it starts at node 'fuz_agd_agj' (arc 'east_aghdam') and ends at node 'khv_fuz_agd' (arc 'aghdam_khojavend')",
            "arc 'aghdam_fuzuli': is used by one district only (shape 'fuzuli'); \(Self.oneSided)",
        ])
    }

    @Test func arcThatDoesNotContinue() throws {
        // aghdam's ring with its third and fourth arcs swapped: after east_aghdam and
        // aghdam_tartar_e the ring stands at at_cl, where kalbajar_aghdam does not start or end.
        let swapped = try Self.drawing()
            .setting(["shapes", "aghdam", "rings", "0", "2"], to: .string("kalbajar_aghdam"))
            .setting(["shapes", "aghdam", "rings", "0", "3"], to: .string("aghdam_tartar_w"))
        #expect(Self.problems(swapped) == [
            "shape 'aghdam': ring 1: arc 'kalbajar_aghdam' does not continue from arc 'aghdam_tartar_e': the ring stands at node 'at_cl', and arc 'kalbajar_aghdam' runs from node 'kal_khj_agd' to node 'kal_agd_tar'",
        ])
        // At the second arc the first may be turned round: zangilan's ring with its second and last
        // arcs swapped is the same ring run the other way, from aras_zj instead of aras_tripoint.
        let turned = try Self.drawing().setting(["shapes", "zangilan", "rings", "0", "1"], to: .string("arm_zangilan"))
            .setting(["shapes", "zangilan", "rings", "0", "3"], to: .string("zangilan_jabrayil"))
        let (shapes, problems) = Drawing.read(turned)
        #expect(problems == [])
        let ring = try #require(shapes.first { $0.id == "zangilan" }?.shape.polygons.first?.first)
        let original = try #require(Drawing.read(try Self.drawing()).shapes.first { $0.id == "zangilan" }?.shape.polygons.first?.first)
        #expect(original.first == Position(46.532, 38.872))  // aras_tripoint
        #expect(ring.first == Position(46.778, 39.05))  // aras_zj
        #expect(ring != original && Set(ring) == Set(original) && ring.count == original.count)
        #expect(Drawing.signedDoubleArea(ring) > 0)
        let apart = try Self.drawing().setting(["shapes", "aghdam", "rings", "0", "1"], to: .string("kalbajar_aghdam"))
            .setting(["shapes", "aghdam", "rings", "0", "3"], to: .string("aghdam_tartar_e"))
        #expect(Self.problems(apart) == [
            "shape 'aghdam': ring 1: arc 'kalbajar_aghdam' does not continue from arc 'east_aghdam': they share no end (arc 'east_aghdam' runs from node 'fuz_agd_agj' to node 'agd_bar_tar', arc 'kalbajar_aghdam' from node 'kal_khj_agd' to node 'kal_agd_tar')",
        ])
    }

    @Test func districtArcWithOneSideOnly() throws {
        let json = try Self.drawing().setting(["arcs", "east_fuzuli", "outer"], to: nil)
        let (shapes, problems) = Drawing.read(json)
        #expect(problems == [DrawingProblem(
            subject: "arc 'east_fuzuli'",
            "is used by one district only (shape 'fuzuli'); a border between districts needs both sides, or mark it \"outer\": true")])
        #expect(problems.map(\.description) == [
            "arc 'east_fuzuli': is used by one district only (shape 'fuzuli'); a border between districts needs both sides, or mark it \"outer\": true",
        ])
        // The partition rule only reports: fuzuli is still drawn.
        #expect(shapes.count == 25)
        // "outer": false is the same as no mark.
        let unmarked = try Self.drawing().setting(["arcs", "east_fuzuli", "outer"], to: .bool(false))
        #expect(Drawing.read(unmarked).problems == problems)
    }

    @Test func outerArcUsedTwiceOrByNoDistrict() throws {
        let json = try Self.drawing()
            .setting(["arcs", "aghdam_fuzuli", "outer"], to: .bool(true))
            .setting(["arcs", "line_aghdam", "outer"], to: .bool(true))
        let (shapes, problems) = Drawing.read(json)
        #expect(problems.map(\.description) == [
            "arc 'aghdam_fuzuli': is marked \"outer\": true but is used by two districts (shape 'aghdam', shape 'fuzuli'); an outer arc lies on the edge of the covered area and belongs to one district only: drop \"outer\" or fix the rings",
            "arc 'line_aghdam': is marked \"outer\": true but no district uses it; an outer arc lies on the edge of the covered area, with one district on its inner side",
        ])
        #expect(shapes.count == 25)
    }

    @Test func unknownKind() throws {
        let json = try Self.drawing().setting(["shapes", "shusha_city", "kind"], to: .string("province"))
        let (shapes, problems) = Drawing.read(json)
        #expect(problems.map(\.description) == [
            "shape 'shusha_city': unknown kind 'province' (expected one of district, city, held, road, site, sector)",
        ])
        #expect(shapes.count == 24 && !shapes.contains { $0.id == "shusha_city" })
    }

    @Test func aDistrictThatIsNoLongerADistrictLeavesItsNeighboursOneSided() throws {
        // zangilan as kind "held": its inner borders lose a side, its outer arcs lose their district.
        let json = try Self.drawing().setting(["shapes", "zangilan", "kind"], to: .string("held"))
        let (shapes, problems) = Drawing.read(json)
        #expect(problems.map(\.description) == [
            "arc 'aras_zangilan': is marked \"outer\": true but no district uses it; an outer arc lies on the edge of the covered area, with one district on its inner side",
            "arc 'arm_zangilan': is marked \"outer\": true but no district uses it; an outer arc lies on the edge of the covered area, with one district on its inner side",
            "arc 'qubadli_zangilan': is used by one district only (shape 'qubadli'); \(Self.oneSided)",
            "arc 'zangilan_jabrayil': is used by one district only (shape 'jabrayil'); \(Self.oneSided)",
        ])
        #expect(shapes.first { $0.id == "zangilan" }?.kind == .held)
    }

    @Test func missingNameNoGeometryAndBadNodes() throws {
        let json = try Self.drawing()
            .setting(["shapes", "qubadli", "name"], to: nil)
            .setting(["shapes", "monitoring_centre", "point"], to: nil)
            .setting(["nodes", "site_monitoring", "lon"], to: .number(246.5))
            .setting(["nodes", "rd_lisagor", "lat"], to: .string("39.6"))
            .setting(["nodes", "sc_3", "lon"], to: nil)
        let (shapes, problems) = Drawing.read(json)
        #expect(problems.map(\.description) == [
            // Nodes in the order written.
            "node 'sc_3': has no lon (used by shape 'shusha_city')",
            "node 'rd_lisagor': lat must be a number, found a string (used by shape 'lachin_road_2020', shape 'lachin_road_2022')",
            "node 'site_monitoring': lon 246.5 is outside -180..180",
            "shape 'monitoring_centre': has none of rings, line or point",
            "shape 'qubadli': has no name",
        ])
        let gone = ["qubadli", "monitoring_centre", "shusha_city", "lachin_road_2020", "lachin_road_2022"]
        #expect(shapes.map(\.id).filter { gone.contains($0) } == [])
        #expect(shapes.count == 25 - gone.count)
    }

    @Test func manyProblemsAtOnceAreAllReported() throws {
        let json = try Self.drawing()
            .setting(["shapes", "aghdam", "rings", "0", "1"], to: .string("no_such_arc"))
            .setting(["shapes", "aghdam", "rings", "0", "4"], to: .string("no_such_arc_2"))
            .setting(["arcs", "jabrayil_fuzuli", "nodes", "0"], to: .string("nowhere"))
            .setting(["arcs", "east_tartar_w", "outer"], to: nil)
            .setting(["arcs", "qubadli_zangilan", "outer"], to: .bool(true))
            .setting(["shapes", "sector_hadrut", "kind"], to: .string("front"))
            .setting(["shapes", "shusha", "rings", "0", "5"], to: nil)
            .setting(["nodes", "kal_nw", "lat"], to: .number(-95))
        let problems = Self.problems(json)
        let expected = [
            "node 'kal_nw': lat -95 is outside -90..90 (used by shape 'kalbajar', shape 'nk_held_1994', shape 'nk_held_2020_11_10', shape 'sector_kalbajar_soviet')",
            "arc 'jabrayil_fuzuli': unknown node 'nowhere' (node 1 of the arc) (used by shape 'fuzuli', shape 'jabrayil')",
            "shape 'aghdam': ring 1: unknown arc 'no_such_arc' after arc 'east_aghdam'",
            "shape 'aghdam': ring 1: unknown arc 'no_such_arc_2' after arc 'kalbajar_aghdam'",
            "shape 'sector_hadrut': unknown kind 'front' (expected one of district, city, held, road, site, sector)",
            "shape 'shusha': ring 1 does not close: it starts at node 'khj_shu_lac' (arc 'khojaly_shusha_w') and ends at node 'sl_cl' (arc 'shusha_lachin_e')",
            "arc 'east_tartar_w': is used by one district only (shape 'tartar'); \(Self.oneSided)",
            "arc 'qubadli_zangilan': is marked \"outer\": true but is used by two districts (shape 'qubadli', shape 'zangilan'); an outer arc lies on the edge of the covered area and belongs to one district only: drop \"outer\" or fix the rings",
            "arc 'aghdam_tartar_e': is used by one district only (shape 'tartar'); \(Self.oneSided)",
            "arc 'khojaly_aghdam': is used by one district only (shape 'khojaly'); \(Self.oneSided)",
            "arc 'shusha_lachin_w': is used by one district only (shape 'lachin'); \(Self.oneSided)",
        ]
        #expect(problems.count == expected.count, "\(problems)")
        #expect(Set(problems) == Set(expected))
        // Each names what it is about.
        for name in ["no_such_arc", "no_such_arc_2", "nowhere", "east_tartar_w", "qubadli_zangilan", "front", "kal_nw"] {
            #expect(problems.contains { $0.contains("'\(name)'") }, "\(name)")
        }
    }

    @Test func theFileAsAWhole() throws {
        #expect(Self.problems(.array([])) == [
            "drawing: the top level is an array, not an object with \"nodes\", \"arcs\" and \"shapes\"",
        ])
        let json = try Self.drawing().setting(["nodes"], to: nil).setting(["shapes"], to: .array([]))
        let (shapes, problems) = Drawing.read(json)
        #expect(problems.map(\.description) == [
            "drawing: \"nodes\" is missing: it must be an object of named nodes with lon and lat",
            "drawing: \"shapes\" must be an object of named shapes, found an array",
        ])
        #expect(shapes.isEmpty)
    }

    // MARK: Assembly on a small drawing

    /// A unit square with a hole; its arcs are written in an order that needs the first arc reversed.
    static let square: JSONValue = .object(JSONObject([
        ("nodes", .object(JSONObject([
            ("a", node(0, 0)), ("b", node(1, 0)), ("c", node(1, 1)), ("d", node(0, 1)),
            ("h1", node(0.25, 0.25)), ("h2", node(0.75, 0.25)), ("h3", node(0.75, 0.75)), ("h4", node(0.25, 0.75)),
            ("r1", node(0.5078125, -12.3456785)), ("r2", node(46.1234565, 39.9999995)),
        ]))),
        ("arcs", .object(JSONObject([
            ("ab", arc(["a", "b"])), ("da", arc(["d", "a"])), ("bcd", arc(["b", "c", "d"])),
            ("hole", arc(["h1", "h2", "h3", "h4", "h1"])),
        ]))),
        ("shapes", .object(JSONObject([
            ("square", shape("district", rings: [["ab", "da", "bcd"], ["hole"]])),
            ("road", .object(JSONObject([("name", .string("Road")), ("kind", .string("road")), ("note", .null),
                                          ("line", .array([.string("r1"), .string("r2")]))]))),
        ]))),
    ]))

    static func node(_ lon: Double, _ lat: Double) -> JSONValue {
        .object(JSONObject([("lon", .number(lon)), ("lat", .number(lat))]))
    }

    static func arc(_ nodes: [String], outer: Bool = true) -> JSONValue {
        .object(JSONObject([("nodes", .array(nodes.map(JSONValue.string))), ("outer", .bool(outer))]))
    }

    static func shape(_ kind: String, rings: [[String]]) -> JSONValue {
        .object(JSONObject([
            ("name", .string("Shape")), ("kind", .string(kind)), ("note", .string("drawn for a test")),
            ("rings", .array(rings.map { .array($0.map(JSONValue.string)) })),
        ]))
    }

    @Test func chainsReversesOrientsAndRoundsAsTheScriptDoes() throws {
        let (shapes, problems) = Drawing.read(Self.square)
        #expect(problems == [])
        #expect(shapes.map(\.id) == ["road", "square"])
        let p = Position.init
        // ab then da: the ring must start reversed (b, a, d); chained b a d c b is clockwise, so the
        // exterior comes out reversed: counter-clockwise from b. The hole, written counter-clockwise, is turned clockwise.
        #expect(shapes.last == BoundaryShape(id: "square", name: "Shape", kind: .district, note: "drawn for a test", shape: .polygon([
            [p(1, 0), p(1, 1), p(0, 1), p(0, 0), p(1, 0)],
            [p(0.25, 0.25), p(0.25, 0.75), p(0.75, 0.75), p(0.75, 0.25), p(0.25, 0.25)],
        ])))
        // round(0.5078125, 6) is 0.507812 (a tie, to even), round(-12.3456785, 6) is -12.345678 and
        // round(39.9999995, 6) is 40.0 (by the exact binary values); Python's figures.
        #expect(shapes.first == BoundaryShape(id: "road", name: "Road", kind: .road, note: nil,
                                           shape: .lineString([p(0.507812, -12.345678), p(46.123457, 40.0)])))
    }

    @Test func roundingMatchesPython() {
        // Values and what Python's round(x, 6) gives for them.
        let cases: [(Double, Double)] = [
            (0.5078125, 0.507812), (-0.5078125, -0.507812), (0.5078135, 0.507814), (46.1234565, 46.123457),
            (46.12345650000001, 46.123457), (-12.3456785, -12.345678), (39.9999995, 40.0), (46.532, 46.532),
            (1e-8, 0), (5.000001e-7, 1e-6), (180, 180),
        ]
        for (value, python) in cases {
            #expect(Drawing.rounded6(value) == python, "round(\(value), 6)")
        }
        #expect(Drawing.rounded6(-1e-8).sign == .minus)
    }

    @Test func degenerateRings() throws {
        let json = Self.square
            .setting(["shapes", "back_and_forth"], to: Self.shape("city", rings: [["ab", "ab"]]))
            .setting(["shapes", "twice"], to: Self.shape("city", rings: [["bcd", "bcd"]]))
            .setting(["shapes", "empty"], to: Self.shape("city", rings: [[]]))
        let (shapes, problems) = Drawing.read(json)
        #expect(problems.map(\.description) == [
            "shape 'back_and_forth': ring 1 has fewer than 3 distinct nodes (node 'a', node 'b', from arc 'ab')",
            "shape 'empty': ring 1 has no arcs",
            "shape 'twice': ring 1 passes node 'c' twice (both in arc 'bcd')",
        ])
        #expect(shapes.map(\.id) == ["road", "square"])
    }
}

fileprivate extension JSONValue {
    /// The member `key` of an object.
    func member(_ key: String) -> JSONValue? {
        guard case .object(let object) = self else { return nil }
        return object[key]
    }

    /// A copy with the value at `path` (object keys, or array indices as digits) replaced, or removed when nil.
    func setting(_ path: [String], to new: JSONValue?) -> JSONValue {
        JSONValue.setting(self, path[...], to: new) ?? .null
    }

    private static func setting(_ value: JSONValue?, _ path: ArraySlice<String>, to new: JSONValue?) -> JSONValue? {
        guard let key = path.first else { return new }
        let rest = path.dropFirst()
        switch value {
        case .object(var object)?:
            if let i = object.members.lastIndex(where: { $0.key == key }) {
                if let changed = setting(object.members[i].value, rest, to: new) {
                    object.members[i].value = changed
                } else {
                    object.members.remove(at: i)
                }
            } else if let added = setting(nil, rest, to: new) {
                object.members.append((key, added))
            }
            return .object(object)
        case .array(var items)?:
            guard let i = Int(key), items.indices.contains(i) else { preconditionFailure("no item \(key) in the array") }
            if let changed = setting(items[i], rest, to: new) { items[i] = changed } else { items.remove(at: i) }
            return .array(items)
        default:
            preconditionFailure("cannot follow '\(key)' into \(value?.kindName ?? "nothing")")
        }
    }
}
