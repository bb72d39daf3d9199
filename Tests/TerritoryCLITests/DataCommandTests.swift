import Foundation
import JSONText
import Testing
import TestSupport
import Geometry

@Suite(.serialized) struct DataCommandTests {
    @Test func statusAsJSON() throws {
        let run = try Run(["status", "--lon", "46.5469", "--lat", "39.6408", "--date", "2020-12-01", "--format", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix(#"{"lon":46.5469,"lat":39.6408,"date":"2020-12-01","covered":true,"control":"RU","sovereignty":"AZ","presence":["RU"],"administration":null,"access":"open","zones":["#))
        guard case .object(let o) = try JSONReader.parse(run.stdout), case .array(let ids)? = o["statements"] else {
            Issue.record("not an object: \(run.stdout)"); return
        }
        #expect(ids.contains(.string("tri2020-p6-corridor")))
        // Today's keys keep their place and types; the new ones carry what the text answer says.
        #expect(o.keys == ["lon", "lat", "date", "covered", "control", "sovereignty", "presence", "administration", "access", "zones", "statements",
                           "holders", "authority", "record_begins", "as_of", "view", "uncertain"])
        guard case .object(let holders)? = o["holders"], case .array(let control)? = holders["control"],
              case .object(let ru)? = control.first, case .array(let authority)? = o["authority"] else {
            Issue.record("no holders or authority: \(run.stdout)"); return
        }
        #expect(ru["code"] == .string("RU") && ru["name"] == .string("Russian peacekeeping contingent"))
        #expect(ru["statements"] == .array([.string("tri2020-p6-corridor")]))
        #expect(holders.keys == ["control", "sovereignty", "administration", "presence", "access"])
        #expect(holders["administration"] == .array([]))
        let corridor = authority.first { if case .object(let s) = $0 { return s["id"] == .string("tri2020-p6-corridor") } else { return false } }
        guard case .object(let c)? = corridor, case .object(let source)? = c["source"] else { Issue.record("the corridor is not in authority"); return }
        #expect(c["facet"] == .string("control") && c["holder_name"] == .string("Russian peacekeeping contingent"))
        #expect(c["valid_from"] == .string("2020-11-10") && c["valid_to"] == .string("2022-08-26") && c["announced"] == .string("2020-11-10"))
        #expect(source["document"] == .string("Trilateral statement of 9/10 November 2020") && source["clause"] == .string("point 6"))
        #expect(ids.count == authority.count, "every statement id has its full entry")
    }

    @Test func statusFromAnotherFolderFindsTheBuiltInData() throws {
        let run = try Run(["status", "--lon", "46.9286", "--lat", "39.9836", "--date", "2020-11-19"], in: URL(fileURLWithPath: "/"))
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("  control         NK (Nagorno-Karabakh authorities)\n"))
        #expect(run.stdout.contains("tri2020-p1-nk-aghdam"))
        #expect(run.stdout.contains("Trilateral statement of 9/10 November 2020, points 1 and 2"))
    }

    @Test func outsideTheCoveredAreaIsAnAnswerNotAnError() throws {
        let goris = try Run(["status", "--lon", "46.3386", "--lat", "39.5078", "--date", "2021-01-01", "--format", "json"])
        #expect(goris.status == 0)
        #expect(goris.stdout == #"{"lon":46.3386,"lat":39.5078,"date":"2021-01-01","covered":false,"control":null,"sovereignty":null,"presence":[],"administration":null,"access":null,"zones":[],"statements":[],"holders":{"control":[],"sovereignty":[],"administration":[],"presence":[],"access":[]},"authority":[],"record_begins":"1993-04-30","as_of":null,"view":null,"uncertain":[]}"# + "\n")
    }

    @Test func layersOpenInGDALAndFollowRFC7946() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("control.geojson")
        let run = try Run(["layers", "--date", "2020-11-25", "--facet", "control", "--out", file.path])
        #expect(run.status == 0, "\(run.stderr)")
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(!text.contains("\"crs\""))
        let features = try GeoJSON.features(from: Array(text.utf8))
        #expect(features.map { $0.properties["holder"] } == [.string("AZ"), .string("NK"), .string("RU")])
        for feature in features {
            for polygon in feature.geometry?.polygons ?? [] {
                #expect(Ring.isCounterClockwise(polygon[0]), "exterior rings run counter-clockwise")
                for hole in polygon.dropFirst() { #expect(!Ring.isCounterClockwise(hole), "holes run clockwise") }
            }
        }
        let ogrinfo = ["/usr/bin/ogrinfo", "/usr/local/bin/ogrinfo"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let ogrinfo else {
            print("skipped: ogrinfo (gdal-bin) is not installed; GDAL's reading of the layer is not checked")
            return
        }
        let (_, status, output) = try runTool(URL(fileURLWithPath: ogrinfo), ["-ro", "-al", "-so", file.path])
        #expect(status == 0, "\(output)")
        #expect(output.contains("Feature Count: 3"), "\(output)")
        #expect(output.contains("Geometry: Multi Polygon"), "\(output)")
        #expect(output.contains("valid_from: String") || output.contains("valid_from: Date"), "\(output)")
    }

    @Test func layersAreDeterministicToTheByte() throws {
        let a = try Run(["layers", "--all"])
        let b = try Run(["layers", "--all"])
        #expect(a.status == 0 && !a.stdout.isEmpty)
        #expect(a.stdout == b.stdout)
    }

    @Test func generatedLayersAreUpToDate() throws {
        let folder = packageRoot.appendingPathComponent("geojson")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".geojson") }.sorted()
        #expect(names.contains("all-slices.geojson") && names.contains("2020-11-10.geojson"))
        for name in names {
            let arguments: [String]
            if name == "all-slices.geojson" {
                arguments = ["layers", "--all"]
            } else {
                let date = String(name.dropLast(".geojson".count))
                arguments = ["layers", "--date", date]
            }
            let run = try Run(arguments + ["--data", packageRoot.appendingPathComponent("data").path])
            #expect(run.status == 0, "\(name): \(run.stderr)")
            let checkedIn = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            #expect(run.stdout == checkedIn, "geojson/\(name) is out of date with data/: run tools/regenerate")
            // Every geometry written is valid as GEOS judges it (a GIS user's overlay must not fail).
            let context = GEOSContext()
            for feature in try GeoJSON.features(from: Array(checkedIn.utf8)) {
                let validity = try Geometry(try #require(feature.geometry), context: context).validity()
                #expect(validity.isValid, "geojson/\(name): \(feature.id.map { JSONWriter.string($0) } ?? "?"): \(validity.reason)")
            }
        }
    }

    @Test func validateCoversTheDrawing() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("data")
        try FileManager.default.copyItem(at: projectData, to: data)
        let drawing = data.appendingPathComponent("boundaries/drawing.json")
        let text = try String(contentsOf: drawing, encoding: .utf8)
        // Cut in half: not JSON any more.
        try String(text.prefix(text.count / 2)).write(to: drawing, atomically: true, encoding: .utf8)
        let cut = try Run(["validate", "--data", data.path, "--store", folder.appendingPathComponent("s.gpkg").path])
        #expect(cut.status == 65)
        #expect(cut.stderr.contains("boundaries/drawing.json: not valid JSON"), "\(cut.stderr)")
        // An arc renamed in one ring: an unknown arc, named with its shape.
        try text.replacingOccurrences(of: "\"east_aghdam\",\n", with: "\"east_aghdamm\",\n").write(to: drawing, atomically: true, encoding: .utf8)
        let renamed = try Run(["validate", "--data", data.path])
        #expect(renamed.status == 65)
        #expect(renamed.stderr.contains("shape 'aghdam'") && renamed.stderr.contains("east_aghdamm"), "\(renamed.stderr)")
        #expect(renamed.stdout.isEmpty)
    }

    @Test func timelineReadsAsAChronology() throws {
        let run = try Run(["timeline"])
        #expect(run.status == 0)
        let lines = run.stdout.split(separator: "\n").dropFirst().filter { !$0.hasPrefix(" ") }
        let days = lines.map { String($0.prefix(10)) }
        #expect(days == days.sorted(), "in order")
        #expect(lines.contains { $0.hasPrefix("2020-10-04  control  NK → AZ  Jabrayil and the Aras valley (taken by 4 October 2020), 566 km² — ") && $0.hasSuffix("[war2020-az-jabrayil]") })
        #expect(lines.contains { $0.hasPrefix("2020-11-20  control  NK → AZ  Aghdam district (returned)") && $0.contains("point 2") })
        #expect(lines.contains { $0.hasPrefix("2020-10-09? control  NK → AZ  Hadrut") }, "the uncertain day is marked")
        #expect(run.stdout.contains("note: due 15 November 2020; postponed on 15 November 2020 to 25 November 2020"))
        #expect(!lines.contains { $0.hasPrefix("2020-11-15") }, "a superseded deadline changes no ground")
        let here = try Run(["timeline", "--lon", "46.0383", "--lat", "40.1067"])
        #expect(here.status == 0)
        #expect(here.stdout.contains("control        NK from 12 May 1994 until 25 November 2020, then AZ"), "\(here.stdout)")
        #expect(!here.stdout.contains("Aghdam"))
        let json = try Run(["timeline", "--lon", "46.0383", "--lat", "40.1067", "--facet", "control", "--from", "2020-01-01", "--format", "json"])
        guard case .object(let o) = try JSONReader.parse(json.stdout), case .array(let changes)? = o["changes"], changes.count == 1,
              case .object(let c) = changes[0] else { Issue.record("\(json.stdout)"); return }
        #expect(c["date"] == .string("2020-11-25") && c["from_holder"] == .string("NK") && c["to_holder"] == .string("AZ"))
        #expect(c["statements_to"] == .array([.string("tri2020-kalbajar-postponed")]))
        let asThen = try Run(["timeline", "--lon", "46.0383", "--lat", "40.1067", "--facet", "control", "--as-of", "2020-11-12", "--format", "json"])
        #expect(asThen.stdout.contains(#""as_of":"2020-11-12""#) && asThen.stdout.contains(#"{"date":"2020-11-15","facet":"control","from_holder":"NK","to_holder":"AZ""#), "\(asThen.stdout)")
    }

    @Test func asOfAndViewsFromTheCommandLine() throws {
        let asThen = try Run(["status", "--lon", "46.0383", "--lat", "40.1067", "--date", "2020-11-16", "--as-of", "2020-11-12", "--format", "json"])
        #expect(asThen.status == 0, "\(asThen.stderr)")
        #expect(asThen.stdout.contains(#""control":"AZ""#) && asThen.stdout.contains(#""as_of":"2020-11-12","view":null"#))
        let later = try Run(["status", "--lon", "46.0383", "--lat", "40.1067", "--date", "2020-11-16", "--as-of", "2020-11-16"])
        #expect(later.stdout.contains("control         NK") && later.stdout.contains("(as of 2020-11-16, in the default view)"))
        let nk = try Run(["status", "--lon", "46.7519", "--lat", "39.8153", "--date", "2019-06-01", "--view", "nk", "--format", "json"])
        #expect(nk.stdout.contains(#""sovereignty":"NK""#) && nk.stdout.contains(#""view":"NK""#), "\(nk.stdout)")
        let uncertain = try Run(["status", "--lon", "46.9986", "--lat", "39.5206", "--date", "2020-10-12"])
        #expect(uncertain.stdout.contains("uncertain       control changed from NK to AZ on a day between 9 October 2020 and 15 October 2020"), "\(uncertain.stdout)")
        // As-of and view answers for many points: the same rule, from the record asked.
        let folder = try temporaryFolder()
        let csv = folder.appendingPathComponent("p.csv")
        try "id,lon,lat,date\nk,46.0383,40.1067,2020-11-16\ns,46.7519,39.8153,2019-06-01\n".write(to: csv, atomically: true, encoding: .utf8)
        let batch = try Run(["status", "--csv", csv.path, "--columns", "control,sovereignty", "--as-of", "2020-11-12", "--view", "NK"])
        #expect(batch.stdout == "id,control,sovereignty\nk,AZ,AZ\ns,NK,NK\n", "\(batch.stdout)")
    }

    @Test func theTextAnswerReadsLikeProse() throws {
        let lachin = try Run(["status", "--lon", "46.5469", "--lat", "39.6408", "--date", "2020-12-01"])
        let lines = lachin.stdout.split(separator: "\n")
        #expect(lines.contains("  access          open"), "a state said once: \(lachin.stdout)")
        #expect(lines.contains { $0.hasPrefix("    control RU, Lachin corridor, 10 November 2020 until 26 August 2022 — Trilateral statement of 9/10 November 2020, point 6 (announced 10 November 2020) [tri2020-p6-corridor]") }, "\(lachin.stdout)")
        #expect(!lachin.stdout.contains("facts.csv"))
        let after = try Run(["status", "--lon", "46.7519", "--lat", "39.8153", "--date", "2023-10-01"])
        let rows = after.stdout.split(separator: "\n").filter { $0.hasPrefix("  ") && !$0.hasPrefix("   ") && !$0.contains("on the authority") }
        #expect(rows.contains { $0.hasPrefix("  administration  NK") }, "\(after.stdout)")
        // Every value starts in one column, the 19th, after a label padded with spaces.
        #expect(rows.count >= 5 && rows.allSatisfy { Array($0)[17] == " " && Array($0)[18] != " " }, "\(rows)")
        #expect(after.stdout.contains("since 20 September 2023"))
    }

    @Test func hintsInsteadOfSilentAnswers() throws {
        let swapped = try Run(["status", "--lon", "39.8153", "--lat", "46.7519", "--date", "2021-06-01"])
        #expect(swapped.status == 0 && swapped.stdout.contains("outside the covered area"))
        #expect(swapped.stderr.contains("did you swap --lon and --lat?"), "\(swapped.stderr)")
        let right = try Run(["status", "--lon", "44.5", "--lat", "40.2", "--date", "2021-06-01"])
        #expect(!right.stderr.contains("swap"), "Yerevan is outside either way: no hint")
        let early = try Run(["status", "--lon", "46.7519", "--lat", "39.8153", "--date", "1980-06-01"])
        #expect(early.stdout.contains("before the record begins (on 30 April 1993): no statement is in force yet"), "\(early.stdout)")
        let earlyJSON = try Run(["status", "--lon", "46.7519", "--lat", "39.8153", "--date", "1980-06-01", "--format", "json"])
        #expect(earlyJSON.stderr.contains("the record begins on 1993-04-30") && earlyJSON.stdout.contains(#""record_begins":"1993-04-30""#))
    }

    @Test func placesByName() throws {
        let json = try Run(["status", "--place", "shushi", "--date", "2021-06-01", "--format", "json"])
        #expect(json.status == 0, "\(json.stderr)")
        #expect(json.stdout.hasPrefix(#"{"place":{"id":"shusha","name":"Shusha (Shushi)","lon":46.7483,"lat":39.7583,"#), "\(json.stdout)")
        #expect(json.stdout.contains(#""lon":46.7483,"lat":39.7583,"date":"2021-06-01","covered":true"#))
        let text = try Run(["status", "--place", "Şuşa", "--date", "2021-06-01"])
        #expect(text.stdout.hasPrefix("Shusha (Shushi) (town, 39.7583°N, 46.7483°E; Wikipedia, Shusha: infobox coordinates)"), "\(text.stdout)")
        let typo = try Run(["status", "--place", "Stepanakret", "--date", "2021-06-01"])
        #expect(typo.status == 64 && typo.stderr.contains("no place 'Stepanakret'; did you mean Stepanakert (Khankendi)?"), "\(typo.stderr)")
        let both = try Run(["status", "--place", "Shusha", "--lon", "46.7", "--lat", "39.7", "--date", "2021-06-01"])
        #expect(both.status == 64 && both.stderr.contains("give --place or --lon and --lat, not both"))
        let timeline = try Run(["timeline", "--place", "Kəlbəcər", "--facet", "control"])
        #expect(timeline.stdout.hasPrefix("Timeline at Kalbajar (Karvachar), 40.1067°N, 46.0383°E:") && timeline.stdout.contains("NK from 12 May 1994 until 25 November 2020, then AZ"))
        let places = try Run(["places", "--near", "46.75,39.80", "--format", "json"])
        #expect(places.status == 0 && places.stdout.hasPrefix(#"[{"id":"stepanakert""#), "\(places.stdout.prefix(200))")
        let bad = try Run(["places", "--near", "46.75"])
        #expect(bad.status == 64 && bad.stderr.contains("--near: '46.75' is not LON,LAT"))
    }

    /// `status --csv` with a place column answers as the same points given by coordinates do.
    @Test func placeColumnAnswersAsCoordinates() throws {
        let named = "id,place,date\nq1,Shushi,2021-06-01\nq2,\"Stepanakert (Khankendi)\",2019-01-01\nq3,Stepanakret,2021-06-01\n\nq5,LAÇIN,2020-12-01\r\n"
        let run = try Run(["status", "--csv", "-", "--columns", "control,presence,access"], stdin: named)
        #expect(run.status == 0, "\(run.stderr)")
        let coordinates = "id,lon,lat,date\nq1,46.7483,39.7583,2021-06-01\nq2,46.7519,39.8153,2019-01-01\nq5,46.5469,39.6408,2020-12-01\n"
        let same = try Run(["status", "--csv", "-", "--columns", "control,presence,access"], stdin: coordinates)
        #expect(run.stdout == same.stdout && run.stdout == "id,control,presence,access\nq1,AZ,,\nq2,NK,,\nq5,RU,RU,open\n", "\(run.stdout)")
        // The unknown name is its row's problem, with its line and the nearest name.
        #expect(run.stderr.contains("<stdin>: line 4: place: no place 'Stepanakret'; did you mean Stepanakert (Khankendi)?") && run.stderr.contains("1 rows skipped"), "\(run.stderr)")
        let strict = try Run(["status", "--csv", "-", "--strict"], stdin: named)
        #expect(strict.status == 65 && strict.stdout.isEmpty && strict.stderr.contains("line 4"), "\(strict.stderr)")
        // Quotes, empty names and missing fields are named by line.
        let bad = try Run(["status", "--csv", "-"], stdin: "id,place,date\nq1,\"Shushi,2021-06-01\nq2,,2021-01-01\nq3,Shusha\n")
        #expect(bad.stderr.contains("line 2: the place's quote is not closed") && bad.stderr.contains("line 3: place: give a place name")
                && bad.stderr.contains("line 4: expected 3 fields (id,place,date), found 2"), "\(bad.stderr)")
        // Without a header, for a pipeline's stage.
        let headerless = try Run(["status", "--csv", "-", "--header", "id,place,date", "--columns", "control"], stdin: "a,Shusha,2021-06-01\n")
        #expect(headerless.status == 0 && headerless.stdout == "a,AZ\n", "\(headerless.stdout) \(headerless.stderr)")
        let header = try Run(["status", "--csv", "-"], stdin: "id,town,date\na,Shusha,2021-06-01\n")
        #expect(header.status == 65 && header.stderr.contains("expected the header 'id,lon,lat,date' (or 'id,place,date'), found 'id,town,date'"), "\(header.stderr)")
    }

    @Test func diffOpensInGDAL() throws {
        let text = try Run(["diff", "--from", "2020-11-09", "--to", "2020-12-01", "--facet", "control"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("control  NK → AZ") && text.stdout.contains("control  NK → RU"))
        let folder = try temporaryFolder()
        let out = folder.appendingPathComponent("diff.geojson")
        let run = try Run(["diff", "--from", "2020-11-09", "--to", "2020-12-01", "--format", "geojson", "--out", out.path])
        #expect(run.status == 0, "\(run.stderr)")
        guard let ogrinfo = ["/usr/bin/ogrinfo", "/usr/local/bin/ogrinfo"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            print("skipped: ogrinfo (gdal-bin) is not installed; GDAL's reading of the diff is not checked"); return
        }
        let (_, status, output) = try runTool(URL(fileURLWithPath: ogrinfo), ["-ro", "-al", "-so", out.path])
        #expect(status == 0, "\(output)")
        #expect(output.contains("Geometry: Multi Polygon") && output.contains("from_holder: String") && output.contains("Feature Count: 5"), "\(output)")
    }

    @Test func validateSaysAllIsWell() throws {
        let run = try Run(["validate"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("no problems"))
    }

    @Test func badDataIsRefusedByEveryCommandWithEveryProblem() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = packageRoot.appendingPathComponent("data")
        let copy = folder.appendingPathComponent("data")
        try FileManager.default.copyItem(at: data, to: copy)
        let file = copy.appendingPathComponent("statements/2020-11-10-trilateral.json")
        var text = try String(contentsOf: file, encoding: .utf8)
        text = text.replacingOccurrences(of: #""from": "2020-11-20""#, with: #""from": "2020-11-31""#)
        text = text.replacingOccurrences(of: #""holder": "RU", "zone": "Lachin corridor""#, with: #""holder": "RUS", "zone": "Lachin corridor""#)
        try text.write(to: file, atomically: true, encoding: .utf8)
        for command in [["validate"], ["layers", "--date", "2020-11-20"], ["status", "--lon", "46.5", "--lat", "39.6", "--date", "2020-12-01"], ["timeline"]] {
            let run = try Run(command + ["--data", copy.path])
            #expect(run.status == 65, "\(command): \(run.stderr)")
            #expect(run.stdout.isEmpty)
            #expect(run.stderr.contains("2 problems in the data"), "\(run.stderr)")
            #expect(run.stderr.contains("statements/2020-11-10-trilateral.json: statement 'tri2020-p2-aghdam': 'from': '2020-11-31' is not a day: day 31 does not exist in November 2020"), "\(run.stderr)")
            #expect(run.stderr.contains("statement 'tri2020-p6-corridor': unknown actor 'RUS'"), "\(run.stderr)")
        }
    }

    @Test(arguments: [
        (["status", "--lon", "46.5", "--lat", "39.6", "--date", "2020-02-30"], 64, "--date: '2020-02-30' is not a day"),
        (["status", "--lon", "246.5", "--lat", "39.6", "--date", "2020-12-01"], 64, "--lon: 246.5 is outside -180..180"),
        (["status", "--lon", "x", "--lat", "39.6", "--date", "2020-12-01"], 64, "--lon: 'x' is not a number"),
        (["layers"], 64, "give --date"),
        (["layers", "--date", "2020-11-20", "--facet", "influence"], 64, "--facet: 'influence' is not a facet"),
        (["timeline", "--lon", "46.5"], 64, "both --lon and --lat"),
        (["validate", "--data", "/nonexistent"], 66, "/nonexistent: no catalog.json here"),
    ])
    func refusesBadArguments(arguments: [String], status: Int32, message: String) throws {
        let run = try Run(arguments)
        #expect(run.status == status, "\(run.stderr)")
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains(message), "\(run.stderr)")
    }
}
