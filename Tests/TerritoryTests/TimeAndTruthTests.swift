import Foundation
import Testing
import Geodesy
import Geometry
import JSONText
import TestSupport
@testable import Territory

/// Answers as the record stood, diffs, the chronology of changes, uncertain days, claims and
/// points of view, strength and mandates, on the project's own data.
@Suite(.serialized) struct TimeAndTruthTests {
    static let catalog: Catalog = {
        do { return try Catalog.load(from: projectData) } catch { fatalError("data/ does not load: \(error)") }
    }()

    static var atlas: Atlas {
        do { return try Atlas(catalog) } catch { fatalError("data/ does not resolve: \(error)") }
    }

    static let engine: Engine = atlas.engine()

    static let kalbajar = Position(46.0383, 40.1067)
    static let stepanakert = Position(46.7519, 39.8153)
    static let hadrut = Position(46.9986, 39.5206)

    @Test func kalbajarAsTheRecordStood() {
        let e = Self.engine
        // Due on 15 November as announced on the 10th; postponed on the 15th to the 25th.
        #expect(e.status(at: Self.kalbajar, on: day("2020-11-16"), in: RecordView(asOf: day("2020-11-12"))).control == "AZ")
        #expect(e.status(at: Self.kalbajar, on: day("2020-11-16"), in: RecordView(asOf: day("2020-11-14"))).control == "AZ")
        #expect(e.status(at: Self.kalbajar, on: day("2020-11-16"), in: RecordView(asOf: day("2020-11-15"))).control == "NK")
        #expect(e.status(at: Self.kalbajar, on: day("2020-11-16"), in: RecordView(asOf: day("2020-11-16"))).control == "NK")
        #expect(e.status(at: Self.kalbajar, on: day("2020-11-16")).control == "NK")
        #expect(e.status(at: Self.kalbajar, on: day("2020-11-25")).control == "AZ")
        // Every answer says its record.
        guard case .object(let asThen) = e.status(at: Self.kalbajar, on: day("2020-11-16"), in: RecordView(asOf: day("2020-11-12"))).json(),
              case .object(let today) = e.status(at: Self.kalbajar, on: day("2020-11-16")).json() else { Issue.record("not objects"); return }
        #expect(asThen["as_of"] == .string("2020-11-12") && asThen["view"] == .null)
        #expect(today["as_of"] == .null && today["view"] == .null)
    }

    @Test func anEndAnnouncedLaterIsOpenUntilThen() {
        let e = Self.engine
        // The NK positions "until 20 September 2023" were not known in 2021: as of then, NK on.
        let asOf2021 = RecordView(asOf: day("2021-06-01"))
        #expect(e.status(at: Self.stepanakert, on: day("2023-10-01"), in: asOf2021).control == "NK")
        #expect(e.status(at: Self.stepanakert, on: day("2023-10-01")).control == "AZ")
        // Nor was the 2022 route: the 2020 corridor goes on as of 2021.
        let lachin = Position(46.5469, 39.6408)
        #expect(e.status(at: lachin, on: day("2023-01-01"), in: asOf2021).control == "RU")
        #expect(e.status(at: lachin, on: day("2023-01-01")).control == "AZ")
        // As of a day before a statement was announced, it is not there at all.
        #expect(e.status(at: Self.stepanakert, on: day("2020-11-20"), in: RecordView(asOf: day("2020-11-09"))).presence == [])
        #expect(e.status(at: Self.stepanakert, on: day("2020-11-20")).presence == ["RU"])
        let sovietEra = e.statements.filter { $0.isHeld(by: RecordView(asOf: day("1994-01-01"))) }.map(\.id)
        #expect(sovietEra == ["unsc822-az-sovereignty"], "\(sovietEra)")
    }

    @Test func anAsOfAnswerTellsOnlyWhatWasKnown() throws {
        let e = Self.engine
        // As of 5 October 2020, the NK ground of the 4th had no known end: neither its end nor its range is told.
        let answer = e.status(at: Self.stepanakert, on: day("2020-10-05"), in: RecordView(asOf: day("2020-10-05")))
        guard case .object(let o) = answer.json(), case .array(let authority)? = o["authority"] else { Issue.record("no authority"); return }
        let held = authority.first { if case .object(let a) = $0 { a["id"] == .string("war2020-nk-held-1004") } else { false } }
        guard case .object(let a)? = held else { Issue.record("war2020-nk-held-1004 not in force: \(authority)"); return }
        #expect(a["valid_to"] == .null && a["to_announced"] == nil && a["to_latest"] == nil, "\(a)")
        // Today it is told.
        guard case .object(let t) = e.statement("war2020-nk-held-1004")!.json else { return }
        #expect(t["to_announced"] == .string("2020-10-09") && t["to_latest"] == .string("2020-10-15"))
        // The monitoring centre: as of January 2024 the Turkish mandate ran to November; it closed in April.
        #expect(e.statements.first { $0.id == "tr-centre-closed-2024" }?.supersedes == "tr-mandate-2023")
        let asOfJanuary = RecordView(asOf: day("2024-01-10"))
        let mandates = e.statements.filter { $0.holder == "TR" && $0.facet == .presence && $0.isInForce(on: day("2024-06-01"), in: asOfJanuary) }.map(\.id)
        #expect(mandates == ["tr-mandate-2023"], "\(mandates)")
        #expect(!e.statements.contains { $0.holder == "TR" && $0.facet == .presence && $0.isInForce(on: day("2024-06-01"), in: .today) })
        // A day after the record's last change is today's record; days of a quiet spell share one.
        #expect(e.canonical(RecordView(asOf: day("2099-01-01"))).isToday)
        #expect(e.canonical(RecordView(asOf: day("2020-11-13"))) == e.canonical(RecordView(asOf: day("2020-11-12"))))
        #expect(e.canonical(RecordView(asOf: day("2020-11-15"))) != e.canonical(RecordView(asOf: day("2020-11-14"))))
        // Claims are not events of the default record (the server's /days).
        #expect(!e.timeline().contains { $0.statement.qualifiers.isClaim })
    }

    @Test func diffOfNovember2020AddsUpToTheCoveredArea() throws {
        let atlas = Self.atlas
        let changes = try Self.engine.diff(from: day("2020-11-09"), to: day("2020-12-01"), facets: [.control])
        func change(_ a: String, _ b: String) -> HolderChange? { changes.first { $0.fromHolders == [a] && $0.toHolders == [b] } }
        let returned = try #require(change("NK", "AZ"))
        for zone in ["Aghdam district (returned)", "Kalbajar district (returned)", "Lachin district (returned, less the corridor)"] {
            #expect(returned.zones.contains(zone), "\(returned.zones)")
        }
        #expect(returned.statementsTo.map(\.id).contains("tri2020-kalbajar-postponed"))
        #expect(returned.statementsFrom.map(\.id) == ["war2020-nk-held-1108"])
        let corridor = try #require(change("NK", "RU"))
        #expect(corridor.zones == ["Lachin corridor"] && corridor.statementsTo.map(\.id) == ["tri2020-p6-corridor"])
        // Our own computation from the layers of each day: for every pair of holders, the area
        // of the one's feature on the first day meeting the other's on the second.
        let context = GEOSContext()
        func layers(_ d: Day) throws -> [String: Geometry] {
            let features = try atlas.sliceFeatures(atlas.slice(containing: d)!, facets: [.control])
            return try Dictionary(uniqueKeysWithValues: features.map { ($0.holder, try Geometry(.multiPolygon($0.polygons), context: context)) })
        }
        let before = try layers(day("2020-11-09")), after = try layers(day("2020-12-01"))
        var unchanged = 0.0
        for (a, ga) in before {
            for (b, gb) in after {
                let km2 = Atlas.areaKm2(try ga.intersection(gb))
                if a == b {
                    unchanged += km2
                } else if km2 > 0.01 {
                    let found = try #require(change(a, b), "\(a) → \(b): \(km2) km² in the layers, not in the diff")
                    #expect(abs(found.areaKm2 - km2) < 0.05, "\(a) → \(b): diff \(found.areaKm2), layers \(km2)")
                }
            }
        }
        let changed = changes.map(\.areaKm2).reduce(0, +)
        let covered = Atlas.areaKm2(atlas.covered)
        #expect(abs(changed + unchanged - covered) < 0.1, "changed \(changed) + unchanged \(unchanged) vs covered \(covered)")
        // The same diff with nothing to compare: no change.
        #expect(try Self.engine.diff(from: day("2021-06-01"), to: day("2021-06-01")).isEmpty)
    }

    @Test func theTimelineIsAChronologyOfChanges() throws {
        let e = Self.engine
        let all = try e.changes()
        #expect(zip(all, all.dropFirst()).allSatisfy { $0.day <= $1.day })
        // A capture reads as a change from the side that lost it to the side that took it.
        let jabrayil = try #require(all.first { $0.day == day("2020-10-04") && $0.facet == .control })
        #expect(jabrayil.fromHolders == ["NK"] && jabrayil.toHolders == ["AZ"])
        #expect(abs(jabrayil.areaKm2 - e.statement("war2020-az-jabrayil")!.areaKm2) < 0.5)
        #expect(!all.contains { $0.fromHolders == $0.toHolders })
        // Every change is a day on which a slice begins.
        let starts = Set(e.slices.map(\.interval.from))
        #expect(all.allSatisfy { starts.contains($0.day) })
        // At Kalbajar town: NK until 25 November 2020, then AZ; nothing about ground elsewhere.
        let here = try e.changes(at: Self.kalbajar).filter { $0.facet == .control }
        #expect(here.map { "\($0.day) \($0.fromHolders) \($0.toHolders)" } == ["1994-05-12 [] [\"NK\"]", "2020-11-25 [\"NK\"] [\"AZ\"]"])
        let chronology = try e.chronology(at: Self.kalbajar)
        #expect(Chronology.sentence(chronology.holders.first { $0.facet == .control }!.runs) == "NK from 12 May 1994 until 25 November 2020, then AZ")
        // The superseded deadline stays as a note.
        let handover = try #require(chronology.changes.first { $0.day == day("2020-11-25") })
        #expect(chronology.notes(handover).contains { $0.hasPrefix("due 15 November 2020; postponed on 15 November 2020 to 25 November 2020") })
        // As the record stood on 12 November, the handover was due on the 15th.
        let asThen = try e.changes(at: Self.kalbajar, in: RecordView(asOf: day("2020-11-12"))).filter { $0.facet == .control }
        #expect(asThen.last?.day == day("2020-11-15") && asThen.last?.toHolders == ["AZ"])
        // Filters.
        let november = chronology.filtered(from: day("2020-11-01"), to: day("2020-11-30"), facets: [.control])
        #expect(november.changes.count == 1)
    }

    @Test func hadrutFellOnAnUncertainDay() throws {
        let e = Self.engine
        let inside = e.status(at: Self.hadrut, on: day("2020-10-12"))
        #expect(inside.control == "AZ", "slices take the announced day, the range's first")
        let u = try #require(inside.uncertain.first)
        #expect(inside.uncertain.count == 1)
        #expect(u.facet == .control && u.first == day("2020-10-09") && u.last == day("2020-10-15") && u.before == ["NK"] && u.after == ["AZ"])
        guard case .object(let o) = inside.json(), case .array(let list)? = o["uncertain"], case .object(let item)? = list.first else {
            Issue.record("no uncertain in JSON"); return
        }
        #expect(item["between"] == .array([.string("2020-10-09"), .string("2020-10-15")]) && item["before"] == .string("NK") && item["after"] == .string("AZ"))
        #expect(e.status(at: Self.hadrut, on: day("2020-10-15")).uncertain.isEmpty)
        #expect(e.status(at: Self.hadrut, on: day("2020-10-08")).uncertain.isEmpty)
        // Elsewhere the same statements' ranges change nothing: no uncertainty there.
        #expect(e.status(at: Self.stepanakert, on: day("2020-10-12")).uncertain.isEmpty)
        // Layers carry the range; the timeline marks it.
        let atlas = Self.atlas
        let az = try atlas.sliceFeatures(atlas.slice(containing: day("2020-10-12"))!, facets: [.control]).first { $0.holder == "AZ" }
        #expect(az?.uncertain.contains { $0.statement == "war2020-az-hadrut" && $0.end == "from" && $0.range == "2020-10-09/2020-10-15" } == true)
        let change = try #require(try e.changes().first { $0.day == day("2020-10-09") && $0.facet == .control })
        #expect(change.uncertain?.first == day("2020-10-09") && change.uncertain?.last == day("2020-10-15"))
        // A diff to a day inside the range says so too.
        let diff = try e.diff(from: day("2020-10-05"), to: day("2020-10-12"), facets: [.control])
        #expect(diff.count == 1 && diff[0].uncertain?.first == day("2020-10-09") && diff[0].uncertain?.last == day("2020-10-15"))
    }

    @Test func claimsAndPointsOfView() throws {
        let e = Self.engine
        let nk = RecordView(view: "NK"), az = RecordView(view: "AZ"), ru = RecordView(view: "RU")
        #expect(e.status(at: Self.stepanakert, on: day("2019-06-01"), in: nk).sovereignty == "NK")
        #expect(e.status(at: Self.stepanakert, on: day("2019-06-01")).sovereignty == "AZ")
        #expect(e.status(at: Self.stepanakert, on: day("2019-06-01"), in: az).sovereignty == "AZ")
        // The claim ends with the dissolution; outside the former oblast NK's view is AZ's.
        #expect(e.status(at: Self.stepanakert, on: day("2024-01-01"), in: nk).sovereignty == "AZ")
        #expect(e.status(at: Self.kalbajar, on: day("2019-06-01"), in: nk).sovereignty == "AZ")
        // The Turkish deployment: claimed by AZ and TR, disputed by RU, not in the default view.
        #expect(e.status(at: Self.stepanakert, on: day("2021-06-01"), in: az).presence == ["RU", "TR"])
        #expect(e.status(at: Self.stepanakert, on: day("2021-06-01"), in: RecordView(view: "TR")).presence == ["RU", "TR"])
        #expect(e.status(at: Self.stepanakert, on: day("2021-06-01"), in: ru).presence == ["RU"])
        #expect(e.status(at: Self.stepanakert, on: day("2021-06-01")).presence == ["RU"])
        let claim = try #require(e.statement("tr2020-deployment-claim"))
        #expect(claim.qualifiers.claimedBy == ["AZ", "TR"] && claim.qualifiers.disputedBy.map(\.actor) == ["RU"])
        #expect(claim.qualifiers.disputedBy.first?.source.quote == "has not been agreed")
        // The default view and the data checks leave claims out: sovereignty still covers once.
        #expect(try Self.atlas.validate().isEmpty)
        guard case .object(let o) = e.status(at: Self.stepanakert, on: day("2019-06-01"), in: nk).json() else { Issue.record("not an object"); return }
        #expect(o["view"] == .string("NK"))
        // NK's view of sovereignty in 2019, as layers: the claim and AZ's remainder tile the covered area.
        let features = try e.features(on: day("2019-06-01"), facets: [.sovereignty], in: nk)
        #expect(features.map(\.holder) == ["AZ", "NK"] && features.allSatisfy { $0.record == nk })
        let covered = Atlas.areaKm2(Self.atlas.covered)
        #expect(abs(features.map(\.areaKm2).reduce(0, +) - covered) < 0.1)
    }

    @Test func everyGeometryComputedOnTheSpotIsValid() throws {
        let e = Self.engine
        let context = GEOSContext()
        let features = try e.features(on: nil, in: RecordView(asOf: day("2021-06-01"), view: "NK"))
        let diff = try e.diff(from: day("1994-06-01"), to: day("2024-12-31"))
        #expect(features.count > 50 && !diff.isEmpty)
        for polygons in features.map(\.polygons) + diff.map(\.polygons) + (try e.changes()).map(\.polygons) {
            let g = try Geometry(.multiPolygon(polygons), context: context)
            #expect(try g.isValid())
            #expect(try Geometry(GeoJSON.asWritten(g.shape), context: context).isValid(), "still valid at 7 decimals")
        }
    }

    @Test func strengthAndMandate() throws {
        let e = Self.engine
        let answer = e.status(at: Self.stepanakert, on: day("2021-06-01"))
        let contingent = try #require(answer.statements.first { $0.id == "tri2020-p3-ru-peacekeepers" })
        #expect(contingent.qualifiers.strength?.summary == "1,960 personnel, 90 armoured personnel carriers, 380 vehicles")
        #expect(contingent.qualifiers.mandate?.contains("6 months") == true)
        let centre = try #require(e.statement("tri2020-p5-monitoring-ru"))
        #expect(centre.qualifiers.strength?.summary == "up to 60 personnel per side")
        guard case .object(let o) = contingent.json, case .object(let s)? = o["strength"] else { Issue.record("no strength in JSON"); return }
        #expect(s["personnel"] == .number(1960) && s["vehicles"] == .number(380))
        let arrival = try #require(try e.changes(at: Self.stepanakert).first { $0.facet == .presence })
        let chronology = try e.chronology(at: Self.stepanakert)
        #expect(chronology.notes(arrival).contains("Russian peacekeeping contingent: 1,960 personnel, 90 armoured personnel carriers, 380 vehicles"))
    }

    @Test func badDataIsNamed() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("territory-truth-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: projectData, to: folder)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("statements/claims.json")
        var text = try String(contentsOf: file, encoding: .utf8)
        text = text.replacingOccurrences(of: #""claimed_by": ["AZ", "TR"]"#, with: #""claimed_by": ["AZ", "XX"]"#)
        text = text.replacingOccurrences(of: #""from": "1991-09-02""#, with: #""from": "1991-09-02/1991-08-01""#)
        try text.write(to: file, atomically: true, encoding: .utf8)
        do {
            _ = try Catalog.load(from: folder)
            Issue.record("bad claims loaded")
        } catch {
            let message = "\(error)"
            #expect(message.contains("statement 'tr2020-deployment-claim': 'claimed_by' names unknown actor 'XX'"), "\(message)")
            #expect(message.contains("statement 'nkr1991-sovereignty-claim': 'from': the uncertain range 1991-09-02/1991-08-01 ends before it starts"), "\(message)")
        }
    }
}
