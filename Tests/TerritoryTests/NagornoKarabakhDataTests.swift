import Foundation
import Testing
import Geodesy
import Geometry
@testable import Territory

/// The project's own data: the 10 November 2020 statement, on the hand-drawn boundary pack.
@Suite(.serialized) struct NagornoKarabakhDataTests {
    static let catalog: Catalog = {
        do { return try Catalog.load(from: projectData) } catch { fatalError("data/ does not load: \(error)") }
    }()

    /// An atlas of its own for each test: atlases belong to one task.
    static var atlas: Atlas {
        do { return try Atlas(catalog) } catch { fatalError("data/ does not resolve: \(error)") }
    }

    @Test func dataIsValidAndControlNeverOverlaps() throws {
        let atlas = Self.atlas
        let problems = try atlas.validate()
        #expect(problems.isEmpty, "\(problems)")
        // Independently of validate(): on each slice, the control grounds' areas add up to the covered area.
        let covered = Atlas.areaKm2(atlas.covered)
        for slice in atlas.slices {
            let control = atlas.statements(on: slice.from).filter { $0.facet == .control }
            guard !control.isEmpty else { continue }
            let sum = control.map { Atlas.areaKm2(atlas.ground(of: $0)) }.reduce(0, +)
            #expect(abs(sum - covered) < 0.5, "\(slice): control adds up to \(sum) km² of \(covered) km²")
        }
    }

    /// Towns (coordinates from their encyclopaedia infoboxes) and who controlled them, by the facts.
    static let controlAtTowns: [(name: String, lon: Double, lat: Double, days: [(String, String?)])] = [
        ("Stepanakert", 46.7519, 39.8153, [("2020-11-09", nil), ("2020-11-10", "NK"), ("2021-06-01", "NK")]),
        ("Shusha", 46.7483, 39.7583, [("2020-11-10", "AZ"), ("2020-12-01", "AZ")]),
        ("Lachin", 46.5469, 39.6408, [("2020-11-10", "RU"), ("2020-11-30", "RU"), ("2020-12-01", "RU")]),
        ("Aghdam", 46.9286, 39.9836, [("2020-11-10", "NK"), ("2020-11-19", "NK"), ("2020-11-20", "AZ")]),
        ("Kalbajar", 46.0383, 40.1067, [("2020-11-14", "NK"), ("2020-11-15", "NK"), ("2020-11-24", "NK"), ("2020-11-25", "AZ")]),
        ("Fuzuli", 47.1431, 39.6003, [("2020-11-10", "AZ")]),
        ("Jabrayil", 47.0261, 39.4000, [("2020-11-10", "AZ")]),
        ("Zangilan", 46.6500, 39.0833, [("2020-11-10", "AZ")]),
        ("Qubadli", 46.5797, 39.3439, [("2020-11-10", "AZ")]),
        ("Hadrut", 46.9986, 39.5206, [("2020-11-10", "AZ")]),
        ("Martuni", 47.1130, 39.7950, [("2020-11-10", "NK"), ("2021-06-01", "NK")]),
        ("Tartar", 46.9290, 40.3450, [("2020-11-10", "AZ")]),
    ]

    @Test(arguments: 0..<controlAtTowns.count)
    func controlAtTownsAroundEachChange(index: Int) throws {
        let atlas = Self.atlas
        let town = Self.controlAtTowns[index]
        for (date, expected) in town.days {
            let answer = try atlas.status(at: Position(town.lon, town.lat), on: day(date))
            #expect(answer.covered)
            #expect(answer.control == expected, "\(town.name) on \(date): \(answer.control ?? "none"), expected \(expected ?? "none")")
            #expect(answer.sovereignty == "AZ")
        }
    }

    @Test func peacekeepersAlongTheContactLineAndTheCorridor() throws {
        let atlas = Self.atlas
        for (lon, lat) in [(46.7519, 39.8153), (46.5469, 39.6408), (47.113, 39.795)] {
            #expect(try atlas.status(at: Position(lon, lat), on: day("2020-11-10")).presence == ["RU"])
            #expect(try atlas.status(at: Position(lon, lat), on: day("2020-11-09")).presence.isEmpty)
        }
        // Not in Azerbaijani-held ground away from the line (Fuzuli).
        #expect(try atlas.status(at: Position(47.1431, 39.6003), on: day("2021-06-01")).presence.isEmpty)
    }

    @Test func monitoringCentreFrom30January2021Until26April2024() throws {
        let atlas = Self.atlas
        guard let site = atlas.catalog.shapes["monitoring_centre"]?.shape.points.first else {
            Issue.record("no monitoring_centre in the pack"); return
        }
        #expect(try atlas.status(at: site, on: day("2021-01-29")).presence.isEmpty)
        let open = try atlas.status(at: site, on: day("2021-01-30"))
        #expect(open.presence == ["RU", "TR"])
        #expect(open.control == "AZ", "the centre stood in Azerbaijani-held ground")
        #expect(open.zones.contains("Joint Russian-Turkish Monitoring Centre"))
        #expect(try atlas.status(at: site, on: day("2024-04-25")).presence == ["RU", "TR"])
        #expect(try atlas.status(at: site, on: day("2024-04-26")).presence.isEmpty)
        // 200 m away there is no centre.
        let away = Geodesic.wgs84.direct(from: site, azimuth: 45, distance: 200)
        #expect(try atlas.status(at: away, on: day("2022-01-01")).presence.isEmpty)
    }

    @Test func theCorridorIsFiveKilometresWide() throws {
        let atlas = Self.atlas
        // Probes square to the 2020 road, in Lachin district between Lachin town and the border.
        guard case .lineString(let road)? = atlas.catalog.shapes["lachin_road_2020"]?.shape else {
            Issue.record("no lachin_road_2020 in the pack"); return
        }
        let g = Geodesic.wgs84
        var probed = 0
        for i in road.indices.dropFirst() {
            let a = road[i - 1], b = road[i]
            let mid = Position((a.x + b.x) / 2, (a.y + b.y) / 2)
            // Only segments well inside Lachin district, away from the ends and from Shusha.
            guard try atlas.places(at: mid) == ["Lachin District"],
                  g.distance(mid, road.last!) > 4_000, g.distance(mid, Position(46.7483, 39.7583)) > 8_000
            else { continue }
            let azimuth = g.inverse(a, b).azimuth1
            for side in [90.0, -90.0] {
                let inside = g.direct(from: mid, azimuth: azimuth + side, distance: 2_400)
                let outside = g.direct(from: mid, azimuth: azimuth + side, distance: 2_600)
                // Another part of the winding road may pass near the outer probe: then it is in the corridor too.
                let nearOther = GeodesicMeasure.distance(from: outside, toRun: road) < 2_500
                #expect(try atlas.status(at: inside, on: day("2020-12-01")).control == "RU")
                if !nearOther {
                    #expect(try atlas.status(at: outside, on: day("2020-12-01")).control == "AZ")
                    #expect(try atlas.status(at: outside, on: day("2020-11-30")).control != "RU")
                }
                probed += 1
            }
        }
        #expect(probed >= 6, "too few probes: \(probed)")
    }

    @Test func layerOfTheDayHasOneFeaturePerFacetAndHolder() throws {
        let atlas = Self.atlas
        let slice = try #require(atlas.slice(containing: day("2020-11-20")))
        #expect(slice.from == day("2020-11-20") && slice.to == day("2020-11-25"))
        let features = try atlas.layer(slice, facets: Facet.allCases)
        let keys = features.map { f -> String in
            guard case .string(let facet)? = f.properties["facet"], case .string(let holder)? = f.properties["holder"] else { return "?" }
            return "\(facet)/\(holder)"
        }
        #expect(keys == ["control/AZ", "control/NK", "control/RU", "sovereignty/AZ", "presence/RU"])
        for f in features {
            #expect(f.properties["valid_from"] == .string("2020-11-20"))
            #expect(f.properties["valid_to"] == .string("2020-11-25"))
            guard case .array(let sources)? = f.properties["sources"] else { Issue.record("no sources"); continue }
            #expect(!sources.isEmpty, "every layer feature cites its sources")
        }
    }

    @Test func timelineIsInOrderWithThePostponement() throws {
        let atlas = Self.atlas
        let events = try atlas.timeline()
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.day <= $1.day })
        let postponed = try #require(events.first { $0.change == .superseded })
        #expect(postponed.statement.id == "tri2020-p6-kalbajar" && postponed.day == day("2020-11-15"))
        let atKalbajar = try atlas.timeline(at: Position(46.0383, 40.1067))
        #expect(atKalbajar.contains { $0.statement.id == "tri2020-kalbajar-postponed" && $0.day == day("2020-11-25") })
        #expect(!atKalbajar.contains { $0.statement.id == "tri2020-p2-aghdam" })
    }

    @Test func statementsCiteTheirSources() {
        let atlas = Self.atlas
        for s in atlas.catalog.statements {
            #expect(!s.source.document.isEmpty && !s.source.clause.isEmpty, "\(s.id)")
            #expect(s.announced <= s.interval.from || s.supersedes != nil || s.facet == .presence || s.id.contains("nk-"),
                    "\(s.id): announced \(s.announced) after it took effect on \(s.interval.from)")
        }
    }
}

/// The boundary pack against independent data (../shared/reference): capitals in their districts,
/// areas near the official ones. Skips when the folder is absent.
@Suite struct BoundaryPackAgainstReferenceTests {
    @Test func capitalsFallInTheirDistricts() throws {
        guard let reference = referenceFolder else {
            print("skipped: ../shared/reference is absent; capitals are not checked against it")
            return
        }
        let atlas = NagornoKarabakhDataTests.atlas
        let text = try String(contentsOf: reference.appendingPathComponent("places.csv"), encoding: .utf8)
        var checked = 0
        for line in text.split(whereSeparator: \.isNewline).dropFirst() {
            let fields = csvFields(String(line))
            guard fields.count >= 7, let lon = Double(fields[2]), let lat = Double(fields[3]) else { continue }
            let note = fields[6]
            let places = try atlas.places(at: Position(lon, lat))
            if note.hasPrefix("Armenia") {
                #expect(places.isEmpty, "\(fields[0]) is in Armenia but falls in \(places)")
            } else {
                let district = note.components(separatedBy: ";")[0].replacingOccurrences(of: "Agdam", with: "Aghdam")
                    .replacingOccurrences(of: " (AZE ADM2)", with: "")
                    .replacingOccurrences(of: "Khankendi City", with: "Khojaly District")
                    .replacingOccurrences(of: "Shusha City", with: "Shusha District")
                #expect(places.contains(district), "\(fields[0]) (\(lon), \(lat)) falls in \(places), expected \(district)")
            }
            checked += 1
        }
        #expect(checked >= 9)
    }

    @Test func districtAreasWithinFifteenPercentOfOfficial() throws {
        guard let reference = referenceFolder else {
            print("skipped: ../shared/reference is absent; district areas are not checked against it")
            return
        }
        let atlas = NagornoKarabakhDataTests.atlas
        let text = try String(contentsOf: reference.appendingPathComponent("district_areas.csv"), encoding: .utf8)
        var checked = 0
        for line in text.split(whereSeparator: \.isNewline).dropFirst() {
            let fields = csvFields(String(line))
            guard fields.count >= 2, let official = Double(fields[1]), fields[0].hasSuffix("District") else { continue }
            let name = fields[0]
            guard let shape = atlas.catalog.shapes.values.first(where: { $0.kind == "district" && $0.name == name }) else {
                Issue.record("no district named \(name) in the pack"); continue
            }
            let km2 = GeodesicMeasure.measures(of: shape.shape).area / 1e6
            #expect(abs(km2 - official) / official < 0.15, "\(name): \(km2) km² drawn, \(official) km² official")
            checked += 1
        }
        #expect(checked == 11)
    }
}

/// Splits one CSV line, honouring double quotes.
func csvFields(_ line: String) -> [String] {
    var fields: [String] = [], current = "", quoted = false
    var iterator = line.makeIterator()
    while let c = iterator.next() {
        if c == "\"" { quoted.toggle() } else if c == "," && !quoted { fields.append(current); current = "" } else { current.append(c) }
    }
    fields.append(current)
    return fields
}
