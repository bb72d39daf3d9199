import Foundation
import Testing
import Geometry
import TestSupport
@testable import Territory

/// Places by name: every spelling, any case, with or without diacritics.
@Suite struct GazetteerTests {
    static let gazetteer: Gazetteer = {
        do { return Gazetteer(towns: try Catalog.load(from: projectData).towns) } catch { fatalError("data/ does not load: \(error)") }
    }()

    func id(_ name: String) -> String? {
        if case .found(let t) = Self.gazetteer.find(name) { return t.id }
        return nil
    }

    @Test func everySpellingFindsThePlace() {
        for name in ["Shusha", "shushi", "ŞUŞA", "Şuşa", "  Shusha  "] { #expect(id(name) == "shusha", "\(name)") }
        for name in ["Stepanakert", "Khankendi", "Xankəndi", "Xankendi", "stepanakert (khankendi)"] { #expect(id(name) == "stepanakert", "\(name)") }
        #expect(id("Kəlbəcər") == "kalbajar" && id("Karvachar") == "kalbajar" && id("kalbajar") == "kalbajar")
        #expect(PlaceNames.fold("Qubadlı") == "qubadli" && PlaceNames.fold("Füzuli") == "fuzuli")
        // One folding for the gazetteer and the import's district names, one list of kind words.
        #expect(PlaceNames.fold("Füzuli şəhəri") == "fuzuli seheri" && PlaceNames.fold("Füzuli şəhəri", schwa: "a") == "fuzuli sahari")
        #expect(PlaceNames.importKey("District of Şuşa") == "susa" && PlaceNames.importKey("Ağdam rayonu") == "agdam"
            && PlaceNames.importKey("Füzuli şəhəri") == "fuzuli" && PlaceNames.importKey("Kəlbəcər") == "kalbacar")
        #expect(PlaceNames.withoutKind("shusha city") == "shusha" && PlaceNames.withoutKind("city") == "city")
        // ə read as a or as e; a trailing kind word; the Russian-derived Gadrut.
        #expect(id("Xankandi") == "stepanakert" && id("Shusha city") == "shusha" && id("Aghdam district") == "aghdam" && id("Gadrut") == "hadrut")
        // A town shares its name with a village (Hakaku is Ağdam in Azerbaijani): the town, and
        // the village by its other names.
        #expect(id("Ağdam") == "aghdam" && id("Agdam") == "aghdam" && id("Hakaku") == "hakaku" && id("Akaku") == "hakaku")
    }

    @Test func badNamesAreRefusedCheaply() {
        #expect(Self.gazetteer.problem("--- ", argument: "--place")?.contains("give a place name") == true)
        #expect(Self.gazetteer.problem("\n", argument: "place")?.contains("give a place name") == true)
        let long = String(repeating: "Shusha", count: 1000)
        #expect(Self.gazetteer.problem(long, argument: "place") == "place: a place name of 6000 characters is longer than any (100 at most)")
    }

    @Test func anUnknownNameSuggestsTheNearest() {
        guard case .unknown(let near) = Self.gazetteer.find("Stepanakret") else { Issue.record("found something"); return }
        #expect(near.first?.id == "stepanakert")
        #expect(Self.gazetteer.problem("Stepanakret", argument: "--place") == "--place: no place 'Stepanakret'; did you mean Stepanakert (Khankendi)? (see 'territory places')")
        #expect(Self.gazetteer.problem("", argument: "--place")?.contains("give a place name") == true)
        #expect(Self.gazetteer.problem("Paris", argument: "place") == "place: no place 'Paris' (see 'territory places')")
        #expect(Self.gazetteer.problem("Lachn", argument: "place")?.contains("did you mean Lachin (Berdzor)?") == true)
        #expect(Self.gazetteer.problem("Sghnah", argument: "place")?.contains("did you mean Sghnakh (Sığnaq)?") == true)
    }

    @Test func anAmbiguousNameListsTheChoices() {
        let a = Town(id: "a", name: "Nor Kyank", position: Position(46.1, 39.9), kind: "village", shape: "lachin", source: "s")
        let b = Town(id: "b", name: "Nor Kyank", position: Position(46.9, 39.6), kind: "village", shape: "khojavend", source: "s")
        let g = Gazetteer(towns: [a, b])
        guard case .ambiguous(let both) = g.find("nor kyank") else { Issue.record("not ambiguous"); return }
        #expect(both.map(\.id) == ["a", "b"])
        #expect(g.problem("Nor Kyank", argument: "--place")?.contains("names 2 places: Nor Kyank in lachin [a], Nor Kyank in khojavend [b]") == true)
        #expect(id("a") == nil && g.find("a") == .found(a), "an id names its place")
        // A name equal to another place's id: the id still names its own place.
        let c = Town(id: "c", name: "Village", position: Position(46.5, 39.5), kind: "village", shape: "lachin", source: "s", variants: ["b"])
        #expect(Gazetteer(towns: [a, b, c]).find("b") == .found(b))
        guard case .failure(let p) = g.lookup("Nor Kyang", argument: "--place") else { Issue.record("found"); return }
        #expect(p.text.contains("did you mean Nor Kyank in lachin [a] or Nor Kyank in khojavend [b]?"), "\(p.text)")
    }

    @Test func nearestFirst() {
        let near = Self.gazetteer.near(Position(46.75, 39.80))
        #expect(near.first?.town.id == "stepanakert" && near.first!.km < 2)
        #expect(zip(near, near.dropFirst()).allSatisfy { $0.km <= $1.km })
    }

    @Test func everyPlaceLiesInItsShape() throws {
        let atlas = try Atlas(try Catalog.load(from: projectData))
        #expect(atlas.anchorProblems().isEmpty, "\(atlas.anchorProblems())")
        // A town moved 11 km south of Shusha's drawn city: the anchor names it and the metres.
        let catalog = try Catalog.load(from: projectData)
        let shusha = catalog.towns.first { $0.id == "shusha" }!
        let polygons = catalog.shapes["shusha_city"]!.shape.polygons
        let moved = Position(shusha.position.x, shusha.position.y - 0.1)
        let metres = Atlas.metresOutside(moved, polygons)
        #expect(!PolygonGrid(polygons, resolution: 1).contains(moved) && metres > 1000 && metres < 11200, "\(metres)")
    }

    @Test func theFileRefusesAmbiguityWithinOneShape() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("territory-places-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: projectData, to: folder)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("towns.csv")
        var text = try String(contentsOf: file, encoding: .utf8)
        text += "hadrut2,Hadrut,46.99,39.52,village,khojavend,\"a test row\",\n"
        text += "far,Far,200,39.52,village,khojavend,\"a test row\",\n"
        text += "void,Void,46.9,39.5,village,nowhere_shape,\"a test row\",\n"
        try text.write(to: file, atomically: true, encoding: .utf8)
        do {
            _ = try Catalog.load(from: folder)
            Issue.record("loaded")
        } catch {
            let m = "\(error)"
            #expect(m.contains("town 'hadrut2': the name 'hadrut' is also a name of 'hadrut' in the same shape (khojavend)"), "\(m)")
            #expect(m.contains("lon '200' of 'far' is not a longitude"), "\(m)")
            #expect(m.contains("'void' names the unknown shape 'nowhere_shape'"), "\(m)")
        }
    }
}
