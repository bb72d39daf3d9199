import Foundation
import Testing
import Geodesy
import Geometry
import JSONText
import TestSupport
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

    /// The engine over the atlas: what answers come from (shared: engines are Sendable).
    static let engine: Engine = atlas.engine()

    @Test func dataIsValidAndControlNeverOverlaps() throws {
        let atlas = Self.atlas
        let problems = try atlas.validate()
        #expect(problems.isEmpty, "\(problems)")
        // Independently of validate(): on each slice, the control grounds' areas add up to the covered area.
        let covered = Atlas.areaKm2(atlas.covered)
        for slice in atlas.slices {
            let control = atlas.statements(in: slice).filter { $0.facet == .control }
            guard !control.isEmpty else { continue }
            let sum = control.map { Atlas.areaKm2(atlas.ground(of: $0)) }.reduce(0, +)
            #expect(abs(sum - covered) < 0.5, "\(slice): control adds up to \(sum) km² of \(covered) km²")
        }
    }

    /// Towns (coordinates from their encyclopaedia infoboxes) and who controlled them, by the facts.
    static let controlAtTowns: [(name: String, lon: Double, lat: Double, days: [(String, String?)])] = [
        ("Stepanakert", 46.7519, 39.8153, [("1994-05-11", nil), ("1994-05-12", "NK"), ("2020-11-09", "NK"), ("2020-11-10", "NK"),
                                           ("2021-06-01", "NK"), ("2023-09-19", "NK"), ("2023-09-20", "AZ"), ("2024-06-12", "AZ")]),
        ("Shusha", 46.7483, 39.7583, [("2020-09-26", "NK"), ("2020-11-07", "NK"), ("2020-11-08", "AZ"), ("2020-11-10", "AZ"), ("2020-12-01", "AZ")]),
        ("Lachin", 46.5469, 39.6408, [("2020-11-09", "NK"), ("2020-11-10", "RU"), ("2020-11-30", "RU"), ("2020-12-01", "RU"),
                                      ("2022-08-25", "RU"), ("2022-08-26", "AZ")]),
        ("Aghdam", 46.9286, 39.9836, [("2000-01-01", "NK"), ("2020-11-10", "NK"), ("2020-11-19", "NK"), ("2020-11-20", "AZ")]),
        ("Kalbajar", 46.0383, 40.1067, [("2020-11-14", "NK"), ("2020-11-15", "NK"), ("2020-11-24", "NK"), ("2020-11-25", "AZ")]),
        ("Fuzuli", 47.1431, 39.6003, [("2020-10-16", "NK"), ("2020-10-17", "AZ"), ("2020-11-10", "AZ")]),
        ("Jabrayil", 47.0261, 39.4000, [("2020-10-03", "NK"), ("2020-10-04", "AZ"), ("2020-11-10", "AZ")]),
        ("Zangilan", 46.6500, 39.0833, [("2020-10-19", "NK"), ("2020-10-20", "AZ"), ("2020-11-10", "AZ")]),
        ("Qubadli", 46.5797, 39.3439, [("2020-10-24", "NK"), ("2020-10-25", "AZ"), ("2020-11-10", "AZ")]),
        ("Hadrut", 46.9986, 39.5206, [("2020-10-01", "NK"), ("2020-10-08", "NK"), ("2020-10-09", "AZ"), ("2020-11-10", "AZ")]),
        ("Martuni", 47.1130, 39.7950, [("2020-11-10", "NK"), ("2021-06-01", "NK"), ("2023-09-20", "AZ")]),
        ("Tartar", 46.9290, 40.3450, [("1999-01-01", "AZ"), ("2020-11-10", "AZ")]),
    ]

    @Test(arguments: 0..<controlAtTowns.count)
    func controlAtTownsAroundEachChange(index: Int) throws {
        let atlas = Self.atlas
        let town = Self.controlAtTowns[index]
        for (date, expected) in town.days {
            let answer = Self.engine.status(at: Position(town.lon, town.lat), on: day(date))
            #expect(answer.covered)
            #expect(answer.control == expected, "\(town.name) on \(date): \(answer.control ?? "none"), expected \(expected ?? "none")")
            #expect(answer.sovereignty == "AZ")
        }
    }

    /// The villages that pin the 10 November 2020 line (data/line_villages.csv, each a place of
    /// data/towns.csv): taken in the war, Azerbaijani on the day of the statement and after;
    /// kept, on the Armenian side (or in the corridor, under the peacekeepers); handed over with
    /// Aghdam (20 November) or Kalbajar (25 November), Armenian-held on the day and Azerbaijani after;
    /// taken later (the pocket of Hin Tagher and Khtsaberd, 12-13 December 2020).
    @Test func villagesOnBothSidesOfTheLine() throws {
        let table = try CSVTable(contentsOf: projectData.appendingPathComponent("line_villages.csv"), required: ["place", "fate", "source"])
        let towns = Dictionary(uniqueKeysWithValues: Self.catalog.towns.map { ($0.id, $0) })
        var fates: [String: Int] = [:]
        for row in table.rows {
            guard let town = towns[row["place"]] else { Issue.record("line \(row.line): '\(row["place"])' is not a place of towns.csv"); continue }
            #expect(!row["source"].isEmpty, "\(town.id): no source for its fate")
            fates[row["fate"], default: 0] += 1
            let then = Self.engine.status(at: town.position, on: day("2020-11-10"))
            let after = Self.engine.status(at: town.position, on: day("2021-06-01"))
            let said = "\(town.name): \(then.control ?? "none") on 2020-11-10, \(after.control ?? "none") on 2021-06-01"
            switch row["fate"] {
            case "taken":
                #expect(then.control == "AZ" && after.control == "AZ", "taken: \(said)")
            case "kept":
                for answer in [then, after] {
                    #expect(answer.control == "NK" || (answer.control == "RU" && answer.zones.contains("Lachin corridor")), "kept: \(said)")
                }
            case "handed_over":
                #expect(then.control == "NK" && after.control == "AZ", "handed over: \(said)")
            case "taken_later":
                // The Hin Tagher–Khtsaberd pocket: held at the ceasefire, taken on 12-13 December 2020.
                let before = Self.engine.status(at: town.position, on: day("2020-12-11")), taken = Self.engine.status(at: town.position, on: day("2020-12-13"))
                #expect(then.control == "NK" && before.control == "NK" && taken.control == "AZ" && after.control == "AZ", "taken later: \(said)")
            default:
                Issue.record("line \(row.line): fate '\(row["fate"])' is not taken, kept, handed_over or taken_later")
            }
        }
        #expect((fates["taken"] ?? 0) >= 15 && (fates["kept"] ?? 0) >= 15 && (fates["handed_over"] ?? 0) >= 2, "\(fates)")
    }

    /// What the Armenian side held after 1 December 2020 (its ground and the corridor) within 10 %
    /// of the published estimates, near 3,000 km² (2,800: G. Tabakian; about 2,900: realkarabakh.com;
    /// about 3,170: G. Mikaelyan, Caucasian Knot, 21 November 2020).
    @Test func groundLeftToTheArmenianSideNearThePublishedEstimates() throws {
        let atlas = Self.atlas
        let slice = try #require(atlas.slice(containing: day("2021-06-01")))
        let held = atlas.statements(in: slice).filter { $0.facet == .control && ($0.holder == "NK" || $0.holder == "RU") }
        let km2 = held.map { Atlas.areaKm2(atlas.ground(of: $0)) }.reduce(0, +)
        #expect(km2 > 2_700 && km2 < 3_300, "\(km2) km²")
    }

    @Test func peacekeepersAlongTheContactLineAndTheCorridor() throws {
        let atlas = Self.atlas
        for (lon, lat) in [(46.7519, 39.8153), (46.5469, 39.6408), (47.113, 39.795)] {
            #expect(Self.engine.status(at: Position(lon, lat), on: day("2020-11-10")).presence == ["RU"])
            #expect(Self.engine.status(at: Position(lon, lat), on: day("2020-11-09")).presence.isEmpty)
            #expect(Self.engine.status(at: Position(lon, lat), on: day("2024-06-12")).presence.isEmpty, "withdrawal completed on 12 June 2024")
        }
        // Along the contact line until the withdrawal was completed; Lachin town left with the 2022 reroute.
        for (lon, lat) in [(46.7519, 39.8153), (47.113, 39.795)] {
            #expect(Self.engine.status(at: Position(lon, lat), on: day("2024-06-11")).presence == ["RU"])
        }
        #expect(Self.engine.status(at: Position(46.5469, 39.6408), on: day("2022-08-25")).presence == ["RU"])
        #expect(Self.engine.status(at: Position(46.5469, 39.6408), on: day("2022-08-26")).presence.isEmpty)
        // Not in Azerbaijani-held ground away from the line (Fuzuli).
        #expect(Self.engine.status(at: Position(47.1431, 39.6003), on: day("2021-06-01")).presence.isEmpty)
    }

    @Test func monitoringCentreFrom30January2021Until26April2024() throws {
        let atlas = Self.atlas
        guard let site = atlas.catalog.shapes["monitoring_centre"]?.shape.points.first else {
            Issue.record("no monitoring_centre in the pack"); return
        }
        #expect(Self.engine.status(at: site, on: day("2021-01-29")).presence.isEmpty)
        let open = Self.engine.status(at: site, on: day("2021-01-30"))
        #expect(open.presence == ["RU", "TR"])
        // Each Turkish mandate period is the authority for its own stretch of presence.
        for (date, id) in [("2021-06-01", "tr-mandate-2020"), ("2021-11-17", "tr-mandate-2021"), ("2022-11-17", "tr-mandate-2022"), ("2024-01-01", "tr-centre-closed-2024")] {
            let answer = Self.engine.status(at: site, on: day(date))
            #expect(answer.statements.contains { $0.id == id && $0.holder == "TR" }, "\(date): \(answer.statements.map(\.id))")
        }
        #expect(open.control == "AZ", "the centre stood in Azerbaijani-held ground")
        #expect(open.zones.contains("Joint Russian-Turkish Monitoring Centre"))
        #expect(Self.engine.status(at: site, on: day("2024-04-25")).presence == ["RU", "TR"])
        #expect(Self.engine.status(at: site, on: day("2024-04-26")).presence.isEmpty)
        // 200 m away there is no centre.
        let away = Geodesic.wgs84.direct(from: site, azimuth: 45, distance: 200)
        #expect(Self.engine.status(at: away, on: day("2022-01-01")).presence.isEmpty)
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
            guard Self.engine.places(at: mid) == ["Lachin District"],
                  g.distance(mid, road.last!) > 4_000, g.distance(mid, Position(46.7483, 39.7583)) > 8_000
            else { continue }
            let azimuth = g.inverse(a, b).azimuth1
            for side in [90.0, -90.0] {
                let inside = g.direct(from: mid, azimuth: azimuth + side, distance: 2_400)
                let outside = g.direct(from: mid, azimuth: azimuth + side, distance: 2_600)
                // Both probes in Lachin district too (near Shusha district the ground beside the road is the Armenian side's).
                guard Self.engine.places(at: inside) == ["Lachin District"], Self.engine.places(at: outside) == ["Lachin District"] else { continue }
                // Another part of the winding road may pass near the outer probe: then it is in the corridor too.
                let nearOther = GeodesicMeasure.distance(from: outside, toRun: road) < 2_500
                #expect(Self.engine.status(at: inside, on: day("2020-12-01")).control == "RU")
                if !nearOther {
                    #expect(Self.engine.status(at: outside, on: day("2020-12-01")).control == "AZ")
                    #expect(Self.engine.status(at: outside, on: day("2020-11-30")).control != "RU")
                }
                probed += 1
            }
        }
        #expect(probed >= 6, "too few probes: \(probed)")
    }

    @Test func layerOfTheDayHasOneFeaturePerFacetAndHolder() throws {
        let atlas = Self.atlas
        let slice = try #require(atlas.slice(containing: day("2020-11-20")))
        #expect(slice.interval.from == day("2020-11-20") && slice.interval.to == day("2020-11-25"))
        let features = try atlas.sliceFeatures(slice).map(\.feature)
        let keys = features.map { f -> String in
            guard case .string(let facet)? = f.properties["facet"], case .string(let holder)? = f.properties["holder"] else { return "?" }
            return "\(facet)/\(holder)"
        }
        #expect(keys == ["control/AZ", "control/NK", "control/RU", "sovereignty/AZ", "presence/RU", "access/open"])
        for f in features {
            #expect(f.properties["valid_from"] == .string("2020-11-20"))
            #expect(f.properties["valid_to"] == .string("2020-11-25"))
            guard case .array(let sources)? = f.properties["sources"] else { Issue.record("no sources"); continue }
            #expect(!sources.isEmpty, "every layer feature cites its sources")
        }
    }

    @Test func theCorridorRoutesAndTheirAccess() throws {
        let atlas = Self.atlas
        // Lachin town: open corridor in 2021, Azerbaijani from 26 August 2022.
        let lachin = Position(46.5469, 39.6408)
        #expect(Self.engine.status(at: lachin, on: day("2021-06-01")).access == "open")
        // The old road carried the traffic until the new route opened on 30 August 2022.
        #expect(Self.engine.status(at: lachin, on: day("2022-08-29")).access == "open")
        #expect(Self.engine.status(at: lachin, on: day("2022-08-30")).access == nil)
        // A point on the 2022 route, away from the old one.
        guard case .lineString(let road2022)? = atlas.catalog.shapes["lachin_road_2022"]?.shape,
              case .lineString(let road2020)? = atlas.catalog.shapes["lachin_road_2020"]?.shape else {
            Issue.record("no 2020 and 2022 roads in the pack"); return
        }
        let onNewRouteOnly = road2022.first { p in
            GeodesicMeasure.distance(from: p, toRun: road2020) > 4_000 && !Self.engine.places(at: p).isEmpty
        }
        let p = try #require(onNewRouteOnly, "the 2022 route should leave the 2020 one somewhere")
        #expect(Self.engine.status(at: p, on: day("2022-08-25")).control != "RU")
        #expect(Self.engine.status(at: p, on: day("2022-08-26")).control == "RU")
        #expect(Self.engine.status(at: p, on: day("2022-09-15")).access == "open")
        #expect(Self.engine.status(at: p, on: day("2022-12-11")).access == "open")
        #expect(Self.engine.status(at: p, on: day("2022-12-12")).access == "blocked")
        #expect(Self.engine.status(at: p, on: day("2023-04-23")).access == "checkpoint")
        #expect(Self.engine.status(at: p, on: day("2023-09-20")).control == "AZ")
    }

    @Test func theAuthoritiesOfNagornoKarabakhUntilTheirDissolution() throws {
        let atlas = Self.atlas
        let stepanakert = Position(46.7519, 39.8153)
        #expect(Self.engine.status(at: stepanakert, on: day("2023-09-19")).administration == nil, "stated only where it differs from control")
        let after = Self.engine.status(at: stepanakert, on: day("2023-10-01"))
        #expect(after.control == "AZ" && after.administration == "NK" && after.presence == ["RU"])
        #expect(Self.engine.status(at: stepanakert, on: day("2023-12-31")).administration == "NK")
        #expect(Self.engine.status(at: stepanakert, on: day("2024-01-01")).administration == nil, "the dissolution took effect on 1 January 2024")
        let decree = try #require(atlas.catalog.statements.first { $0.facet == .administration })
        #expect(decree.announced == day("2023-09-28"))
    }

    @Test func everyDaysControlIsAPartitionAcrossThirtyYears() throws {
        let atlas = Self.atlas
        #expect(atlas.slices.count >= 20)
        #expect(atlas.slices.first.map { $0.interval.from <= day("1994-05-12") } == true)
        // Five places in each slice: exactly one control holder inside the covered area.
        let places = [Position(46.7519, 39.8153), Position(46.5469, 39.6408), Position(47.0261, 39.4), Position(46.0383, 40.1067), Position(47.113, 39.795)]
        for slice in atlas.slices where slice.interval.from >= day("1994-05-12") {
            for p in places {
                let controls = Self.engine.status(at: p, on: slice.interval.from).statements.filter { $0.facet == .control }
                #expect(controls.count == 1, "\(p) on \(slice.interval.from): \(controls.map(\.id))")
            }
        }
    }

    @Test func timelineIsInOrderWithThePostponement() throws {
        let atlas = Self.atlas
        let events = Self.engine.timeline()
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.day <= $1.day })
        let postponed = events.filter { $0.change == .superseded }.map { "\($0.day) \($0.statement.id)" }
        #expect(postponed == ["2020-11-15 tri2020-p1-nk-kalbajar", "2020-11-15 tri2020-p6-kalbajar", "2024-04-18 tr-mandate-2023"])
        let atKalbajar = Self.engine.timeline(at: Position(46.0383, 40.1067))
        #expect(atKalbajar.contains { $0.statement.id == "tri2020-kalbajar-postponed" && $0.day == day("2020-11-25") })
        #expect(!atKalbajar.contains { $0.statement.id == "tri2020-p2-aghdam" })
    }

    @Test func statementsCiteTheirSources() {
        let atlas = Self.atlas
        for s in atlas.catalog.statements {
            #expect(!s.source.document.isEmpty && !s.source.clause.isEmpty, "\(s.id)")
            #expect(s.announced <= s.valid.from || s.supersedes != nil || s.facet == .presence || s.id.contains("nk-"),
                    "\(s.id): announced \(s.announced) after it took effect on \(s.valid.from)")
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
        let table = try CSVTable(contentsOf: reference.appendingPathComponent("places.csv"), required: ["name", "lon", "lat", "note"])
        var checked = 0
        for row in table.rows {
            guard let lon = Double(row["lon"]), let lat = Double(row["lat"]) else { continue }
            let fields = [row["name"]]
            let note = row["note"]
            let places = NagornoKarabakhDataTests.engine.places(at: Position(lon, lat))
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
        let table = try CSVTable(contentsOf: reference.appendingPathComponent("district_areas.csv"), required: ["district", "area_km2"])
        var checked = 0
        for row in table.rows {
            guard let official = Double(row["area_km2"]), row["district"].hasSuffix("District") else { continue }
            let name = row["district"]
            guard let shape = atlas.catalog.shapes.values.first(where: { $0.kind == .district && $0.name == name }) else {
                Issue.record("no district named \(name) in the pack"); continue
            }
            let km2 = GeodesicMeasure.measures(of: shape.shape).area / 1e6
            #expect(abs(km2 - official) / official < 0.15, "\(name): \(km2) km² drawn, \(official) km² official")
            checked += 1
        }
        #expect(checked == 11)
    }
}
