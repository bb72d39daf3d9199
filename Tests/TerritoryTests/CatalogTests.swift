import Foundation
import Testing
import Geometry
import TestSupport
@testable import Territory

@Suite struct CatalogTests {
    @Test func soundFixtureLoadsAndAnswers() throws {
        let fixture = try FixtureData()
        defer { fixture.remove() }
        #expect(fixture.problems().isEmpty, "\(fixture.problems())")
        let atlas = try Atlas(Catalog.load(from: fixture.folder))
        #expect(atlas.slices.map(\.interval.from.description) == ["2020-01-01", "2020-06-01", "2021-01-01"])
        let engine = atlas.engine()
        let west = Position(46.05, 40.02), onRoad = Position(46.05, 40.05)
        #expect(engine.status(at: west, on: day("2020-05-31")).control == "NK")
        #expect(engine.status(at: west, on: day("2020-06-01")).control == "AZ")
        #expect(engine.status(at: west, on: day("2019-12-31")).control == nil)
        let strip = engine.status(at: onRoad, on: day("2020-12-31"))
        #expect(strip.control == "RU" && strip.presence == ["RU"] && strip.sovereignty == "AZ")
        #expect(strip.zones == ["West district", "All", "Strip"])
        #expect(engine.status(at: onRoad, on: day("2021-01-01")).presence.isEmpty)
        let outside = engine.status(at: Position(47, 40), on: day("2020-07-01"))
        #expect(!outside.covered && outside.control == nil && outside.statements.isEmpty)
    }

    @Test func missingTitleAndBoundariesFallBackToTheirDefaults() throws {
        // No "title" and no "boundaries": the title is the default, and the pack is read from
        // boundaries/drawing.json (here a GeoJSON file at that place).
        let catalog = FixtureData.catalog.replacingOccurrences(of: #""title":"fixture","boundaries":"boundaries/pack.geojson","#, with: "")
        #expect(!catalog.contains("title") && !catalog.contains("pack.geojson"))
        let fixture = try FixtureData(catalog: catalog, files: ["boundaries/drawing.json": FixtureData.pack])
        defer { fixture.remove() }
        #expect(fixture.problems().isEmpty, "\(fixture.problems())")
        let loaded = try Catalog.load(from: fixture.folder)
        #expect(loaded.title == Catalog.defaultTitle && loaded.boundaryFile == "boundaries/drawing.json")
        #expect(loaded.shapes["west"]?.kind == .district && loaded.shapes["road"]?.kind == .road)
        // A title of the wrong type is still a problem.
        let wrong = try FixtureData(catalog: FixtureData.catalog.replacingOccurrences(of: #""title":"fixture""#, with: #""title":7"#))
        defer { wrong.remove() }
        #expect(wrong.problems().map(\.description).contains { $0.contains("'title' must be a non-empty string, found a number") })
    }

    @Test func theRecordAxisFollowsSupersession() throws {
        let later = #",{"id":"w-az-later","facet":"control","holder":"AZ","zone":"West","ground":{"difference":["west","strip"]},"from":"2020-07-01","announced":"2020-05-15","supersedes":"w-az","source":{"clause":"2bis"}}"#
        let superseding = FixtureData.statements.replacingOccurrences(of: "\n]}", with: later + "\n]}")
        let fixture = try FixtureData(statements: superseding.replacingOccurrences(of: #""to":"2020-06-01","announced":"2019-12-20","source":{"clause":"1"}"#, with: #""to":"2020-07-01","announced":"2019-12-20","source":{"clause":"1"}"#))
        defer { fixture.remove() }
        #expect(fixture.problems().isEmpty, "\(fixture.problems())")
        let catalog = try Catalog.load(from: fixture.folder)
        let old = try #require(catalog.statements.first { $0.id == "w-az" })
        let new = try #require(catalog.statements.first { $0.id == "w-az-later" })
        #expect(old.recorded == (try DayInterval(from: day("2019-12-20"), to: day("2020-05-15"))))
        #expect(new.recorded == (try DayInterval(from: day("2020-05-15"), to: nil)))
        #expect(!old.isOnRecord && new.isOnRecord)
        #expect(old.isOnRecord(asOf: day("2020-05-14")) && !old.isOnRecord(asOf: day("2020-05-15")))
        #expect(!new.isInForce(on: day("2020-06-15")) && new.isInForce(on: day("2020-07-01")))
        #expect(old.isInForce(on: day("2020-06-15"), asOf: day("2020-01-01")), "as the record stood then, the earlier date held")
        let slices = Slicing.slices(of: catalog.statements)
        #expect(slices.map(\.interval.from.description) == ["2020-01-01", "2020-07-01", "2021-01-01"])
        let asThen = Slicing.slices(of: catalog.statements, asOf: day("2020-02-01"))
        #expect(asThen.map(\.interval.from.description) == ["2020-01-01", "2020-06-01", "2020-07-01", "2021-01-01"], "the superseded date, as the record stood")
        // A statement announced before the one it supersedes cannot supersede it.
        let early = try FixtureData(statements: superseding.replacingOccurrences(of: #""announced":"2020-05-15""#, with: #""announced":"2019-12-01""#))
        defer { early.remove() }
        #expect(early.problems().map(\.description).contains { $0.contains("statement 'w-az-later': supersedes 'w-az' (announced 2019-12-20) but is announced on 2019-12-01") })
    }

    @Test func bufferedStripIsTwoKilometresWide() throws {
        let fixture = try FixtureData()
        defer { fixture.remove() }
        let atlas = try Atlas(Catalog.load(from: fixture.folder))
        let strip = try #require(atlas.catalog.statements.first { $0.id == "strip-ru" })
        // The road runs along 40.05°N; 1 km north is 0.009 degrees of latitude.
        let prepared = try PreparedGeometry(atlas.ground(of: strip))
        #expect(try prepared.covers(Position(46.1, 40.05 + 0.0089)))
        #expect(try !prepared.covers(Position(46.1, 40.05 + 0.0091)))
        #expect(try prepared.covers(Position(46.1, 40.05 - 0.0089)))
        #expect(try !prepared.covers(Position(46.1, 40.05 - 0.0091)))
    }

    /// Each bad edit, and the words its problem must carry.
    static let badEdits: [(name: String, statements: String?, files: [String: String], expected: [String])] = [
        ("unknown shape", FixtureData.statements.replacingOccurrences(of: #""ground":"strip","from":"2020-01-01","announced":"2019-12-20","source":{"clause":"4"}"#, with: #""ground":"stripe","from":"2020-01-01","announced":"2019-12-20","source":{"clause":"4"}"#),
         [:], ["statements/a.json: statement 'strip-ru': unknown shape id 'stripe'"]),
        ("unknown actor", FixtureData.statements.replacingOccurrences(of: #""holder":"NK""#, with: #""holder":"XX""#),
         [:], ["statement 'w-nk': unknown actor 'XX'"]),
        ("to before from", FixtureData.statements.replacingOccurrences(of: #""to":"2020-06-01""#, with: #""to":"2019-06-01""#),
         [:], ["statement 'w-nk': 'to' 2019-06-01 is not after 'from' 2020-01-01"]),
        ("impossible day", FixtureData.statements.replacingOccurrences(of: #""from":"2020-06-01""#, with: #""from":"2020-02-30""#),
         [:], ["statement 'w-az': 'from': '2020-02-30' is not a day: day 30 does not exist in February 2020"]),
        ("duplicate id", FixtureData.statements.replacingOccurrences(of: #""id":"w-az""#, with: #""id":"w-nk""#),
         [:], ["statement 'w-nk': duplicate statement id"]),
        ("overlapping control", FixtureData.statements.replacingOccurrences(of: #""ground":{"difference":["east","strip"]}"#, with: #""ground":"east""#),
         [:], ["statement 'strip-ru': control overlaps statement 'e-az'", "km² on 2020-01-01"]),
        ("gap in control", FixtureData.statements.replacingOccurrences(of: #"{"id":"e-az""#, with: #"{"id":"e-az","to":"2020-03-01""#),
         [:], ["control leaves a gap of", "km² with no holder on 2020-03-01"]),
        ("truncated file", String(FixtureData.statements.prefix(300)), [:], ["statements/a.json: not valid JSON", "truncated"]),
        ("self-intersecting shape", nil,
         ["boundaries/pack.geojson": FixtureData.pack.replacingOccurrences(of: "[[[46.1,40.0],[46.2,40.0],[46.2,40.1],[46.1,40.1],[46.1,40.0]]]", with: "[[[46.1,40.0],[46.2,40.1],[46.2,40.0],[46.1,40.1],[46.1,40.0]]]")],
         ["boundaries/pack.geojson: shape 'east': invalid geometry: Self-intersection"]),
        ("duplicate shape", nil,
         ["boundaries/pack.geojson": FixtureData.pack.replacingOccurrences(of: #""id":"road""#, with: #""id":"east""#)],
         ["shape 'east': duplicate shape id"]),
        ("unknown facet", FixtureData.statements.replacingOccurrences(of: #""facet":"presence""#, with: #""facet":"influence""#),
         [:], ["statement 'ru-here': unknown facet 'influence'"]),
        ("missing source", FixtureData.statements.replacingOccurrences(of: #"{"source":{"document":"Fixture accord"},"#, with: "{"),
         [:], ["statement 'w-nk': 'source.document' must be a non-empty string"]),
        ("supersedes nothing", FixtureData.statements.replacingOccurrences(of: #"{"id":"w-az","#, with: #"{"id":"w-az","supersedes":"nope","#),
         [:], ["statement 'w-az': supersedes unknown statement 'nope'"]),
        ("circular grounds", nil,
         ["catalog.json": FixtureData.catalog.replacingOccurrences(of: #""grounds":{"strip":{"buffer":"road","width":"2km","ends":"flat"}}"#, with: #""grounds":{"strip":{"union":["loop"]},"loop":{"union":["strip"]}}"#)],
         ["grounds refer to each other in a circle"]),
        ("unit-less width", nil,
         ["catalog.json": FixtureData.catalog.replacingOccurrences(of: #""width":"2km""#, with: #""width":"2""#)],
         ["ground 'strip': grounds.strip.width: '2' has no unit"]),
    ]

    @Test(arguments: 0..<badEdits.count)
    func reportsBadData(index: Int) throws {
        let edit = Self.badEdits[index]
        let fixture = try FixtureData(statements: edit.statements ?? FixtureData.statements, files: edit.files)
        defer { fixture.remove() }
        let problems = fixture.problems()
        let text = problems.map(\.description).joined(separator: "\n")
        #expect(!problems.isEmpty, "\(edit.name): no problem reported")
        for words in edit.expected {
            #expect(text.contains(words), "\(edit.name): expected '\(words)' in:\n\(text)")
        }
    }

    @Test func reportsEveryProblemAtOnce() throws {
        let broken = FixtureData.statements
            .replacingOccurrences(of: #""holder":"NK""#, with: #""holder":"XX""#)
            .replacingOccurrences(of: #""from":"2020-06-01""#, with: #""from":"2020-02-30""#)
            .replacingOccurrences(of: #""ground":"strip","from""#, with: #""ground":"nowhere","from""#)
        let fixture = try FixtureData(statements: broken)
        defer { fixture.remove() }
        let problems = fixture.problems()
        // The unknown ground is named by two statements: four problems in all, each reported.
        #expect(problems.count == 4, "\(problems)")
        #expect(Set(problems.compactMap(\.subject)) == ["statement 'w-nk'", "statement 'w-az'", "statement 'strip-ru'", "statement 'ru-here'"])
    }
}
