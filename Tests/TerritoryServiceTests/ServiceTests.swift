import Foundation
import Geometry
import JSONText
import Territory
import TerritoryService
import TerritoryStore
import Testing
import TestSupport

/// A store built from data/ into a temporary folder, shared by the tests of one suite.
final class StoreFixture: @unchecked Sendable {
    let folder: URL
    let path: URL
    let store: Store

    init() throws {
        folder = try temporaryFolder()
        path = folder.appendingPathComponent("nk.gpkg")
        let built = try Run(["build", "--store", path.path])
        guard built.status == 0 else { throw Run.Failure(message: built.stderr) }
        store = try Store(path: path)
    }

    deinit { try? FileManager.default.removeItem(at: folder) }
}

extension Run {
    struct Failure: Error { let message: String }
}

private func object(_ response: ServiceResponse) throws -> JSONObject {
    guard case .object(let o) = try JSONReader.parse(response.body) else { throw Run.Failure(message: "not a JSON object") }
    return o
}

@Suite(.serialized) struct ServiceTests {
    let fixture: StoreFixture
    let service: TerritoryService

    init() throws {
        fixture = try StoreFixture()
        service = try TerritoryService(store: fixture.store)
    }

    func get(_ path: String, _ query: String = "", accept: String? = nil) -> ServiceResponse {
        service.respond(method: "GET", path: path, query: Substring(query), accept: accept, base: "http://test")
    }

    /// An instant on a facet collection returns exactly the features of `territory layers
    /// --date D --facet F`: same geometry, same properties.
    @Test func anInstantIsTheLayersOfThatDay() throws {
        var compared = 0
        for facet in Facet.allCases {
            for d in ["1994-05-12", "2020-11-09", "2020-11-10", "2020-11-20", "2020-11-26", "2021-06-01", "2023-09-20", "2023-10-01", "2024-06-12"] {
                let layers = try Run(["layers", "--date", d, "--facet", facet.rawValue, "--store", fixture.path.path])
                #expect(layers.status == 0, "\(layers.stderr)")
                let expected = try GeoJSON.features(from: Array(layers.stdout.utf8))
                for query in ["datetime=\(d)&limit=10000", "datetime=\(d)T12:00:00Z", "datetime=\(d)T23:30:00-02:00".replacingOccurrences(of: "T23:30:00-02:00", with: "T01:30:00%2B01:00")] {
                    let response = get("/collections/\(facet.rawValue)/items", query)
                    #expect(response.status == 200 && response.contentType == "application/geo+json", "\(query): \(String(decoding: response.body, as: UTF8.self).prefix(300))")
                    let served = try GeoJSON.features(from: response.body)
                    #expect(served.map(\.properties) == expected.map(\.properties), "\(facet) on \(query)")
                    #expect(served.map(\.geometry) == expected.map(\.geometry), "\(facet) on \(query)")
                    let o = try object(response)
                    #expect(o["numberMatched"] == .number(Double(expected.count)) && o["numberReturned"] == .number(Double(expected.count)))
                    compared += 1
                }
            }
        }
        #expect(compared == Facet.allCases.count * 9 * 3)
        // An instant late on a day in a zone behind UTC is the next UTC day.
        let late = try GeoJSON.features(from: get("/collections/control/items", "datetime=2020-11-19T23:30:00-02:00").body)
        let next = try GeoJSON.features(from: get("/collections/control/items", "datetime=2020-11-20").body)
        #expect(late.map(\.properties) == next.map(\.properties))
    }

    @Test func pagesAreExactAndLinked() throws {
        let all = try object(get("/collections/control/items", "limit=10000"))
        guard case .number(let total)? = all["numberMatched"] else { Issue.record("no numberMatched"); return }
        #expect(total > 20)
        var seen: [String] = []
        var offset = 0
        while true {
            let page = try object(get("/collections/control/items", "limit=7&offset=\(offset)"))
            guard case .array(let features)? = page["features"], case .array(let links)? = page["links"] else { Issue.record("no features"); return }
            #expect(page["numberMatched"] == .number(total))
            #expect(page["numberReturned"] == .number(Double(features.count)))
            for f in features { if case .object(let fo) = f, case .string(let id)? = fo["id"] { seen.append(id) } }
            let rels = links.compactMap { link -> String? in if case .object(let l) = link, case .string(let r)? = l["rel"] { return r } else { return nil } }
            #expect(rels.contains("self") && rels.contains("collection"))
            #expect(rels.contains("prev") == (offset > 0))
            let hasNext = rels.contains("next")
            #expect(hasNext == (offset + features.count < Int(total)))
            if !hasNext { break }
            let next = links.compactMap { link -> String? in
                if case .object(let l) = link, l["rel"] == .string("next"), case .string(let h)? = l["href"] { return h } else { return nil }
            }.first!
            #expect(next.contains("limit=7") && next.contains("offset=\(offset + 7)"), "\(next)")
            offset += 7
        }
        #expect(seen.count == Int(total) && Set(seen).count == seen.count, "every feature once, ids unique")
        // Larger limits are clamped; each id opens its feature.
        #expect(try object(get("/collections/control/items", "limit=100000"))["numberReturned"] == .number(total))
        for id in seen.prefix(5) {
            let one = get("/collections/control/items/\(id)")
            #expect(one.status == 200)
            #expect(try object(one)["id"] == .string(id))
        }
        #expect(get("/collections/control/items/\(seen[0])x").status == 404)
    }

    @Test func filtersByHolderStatementAndBox() throws {
        let az = try GeoJSON.features(from: get("/collections/control/items", "holder=AZ&limit=10000").body)
        #expect(!az.isEmpty && az.allSatisfy { $0.properties["holder"] == .string("AZ") })
        let made = try GeoJSON.features(from: get("/collections/control/items", "statement=tri2020-p2-aghdam&limit=10000").body)
        #expect(!made.isEmpty && made.allSatisfy { f in
            if case .array(let s)? = f.properties["statements"] { return s.contains(.string("tri2020-p2-aghdam")) } else { return false }
        })
        // A box far from the area meets nothing; one around Lachin town meets the corridor.
        #expect(try object(get("/collections/control/items", "bbox=10,10,11,11"))["numberMatched"] == .number(0))
        let lachin = try GeoJSON.features(from: get("/collections/control/items", "bbox=46.54,39.63,46.55,39.65&datetime=2021-06-01").body)
        #expect(lachin.contains { $0.properties["holder"] == .string("RU") })
        let statements = try GeoJSON.features(from: get("/collections/statements/items", "datetime=2021-06-01&holder=RU&limit=10000").body)
        #expect(!statements.isEmpty && statements.allSatisfy { $0.properties["holder"] == .string("RU") })
    }

    /// The service pages and filters from memory; the store answers the same questions in SQL
    /// (R*Tree, date columns, slice_statements), its candidates then tested exactly with GEOS here.
    /// Both must name the same features, in the same order, at 200 random queries per collection.
    @Test func filtersInMemoryEqualTheStoresQueries() throws {
        var random = SplitMix(state: 20201110)
        let store = fixture.store
        let statements = try store.statements().items
        let holders = Array(Set(statements.map(\.0.holder))).sorted()
        let ids = statements.map(\.0.id)
        let context = GEOSContext()
        func meets(_ b: BBox, _ polygons: [[[Position]]]) throws -> Bool {
            let box = try Geometry(.polygon([[Position(b.minX, b.minY), Position(b.maxX, b.minY), Position(b.maxX, b.maxY), Position(b.minX, b.maxY), Position(b.minX, b.minY)]]), context: context)
            return try box.intersects(try Geometry(.multiPolygon(polygons), context: context))
        }
        func day() -> String { Day(ordinal: Int(random.next() % 12_000) + 8_800).description }
        var nonEmpty = 0
        for collection in ["statements"] + Facet.allCases.map(\.rawValue) {
            for _ in 0..<200 {
                var parameters: [String] = ["limit=10000"]
                var bbox: BBox?
                var during: DayRange?
                var holder: String?, statement: String?
                if random.next() % 2 == 0 {
                    let w = Double(random.next() % 1000) / 1000 * 0.8 + 0.001, h = Double(random.next() % 1000) / 1000 * 0.8 + 0.001
                    let x = 45.6 + Double(random.next() % 1000) / 1000 * 1.6, y = 39.2 + Double(random.next() % 1000) / 1000 * 1.2
                    bbox = try BBox(minX: x, minY: y, maxX: x + w, maxY: y + h)
                    parameters.append("bbox=\(x),\(y),\(x + w),\(y + h)")
                }
                switch random.next() % 4 {
                case 0: break
                case 1: let d = day(); parameters.append("datetime=\(d)"); during = try DayRange(from: Day(parsing: d), through: Day(parsing: d))
                case 2:
                    let a = day(), b = day()
                    let (lo, hi) = a <= b ? (a, b) : (b, a)
                    parameters.append("datetime=\(lo)/\(hi)"); during = try DayRange(from: Day(parsing: lo), through: Day(parsing: hi))
                default: let d = day(); parameters.append("datetime=../\(d)"); during = try DayRange(from: nil, through: Day(parsing: d))
                }
                if random.next() % 3 == 0 { holder = holders[Int(random.next() % UInt64(holders.count))]; parameters.append("holder=\(holder!)") }
                if random.next() % 4 == 0 { statement = ids[Int(random.next() % UInt64(ids.count))]; parameters.append("statement=\(statement!)") }
                let response = get("/collections/\(collection)/items", parameters.joined(separator: "&"))
                #expect(response.status == 200, "\(parameters)")
                let served = try GeoJSON.features(from: response.body).map { f -> String in if case .string(let id)? = f.id { id } else { "" } }
                var expected: [String] = []
                if collection == "statements" {
                    for (s, ground) in try store.statements(bbox: bbox, during: during).items
                    where (holder.map { $0 == s.holder } ?? true) && (statement.map { $0 == s.id } ?? true) {
                        if try bbox.map({ try meets($0, ground.polygons) }) ?? true { expected.append(s.id) }
                    }
                } else {
                    var q = Store.SliceQuery()
                    q.facets = [Facet(rawValue: collection)!]
                    q.bbox = bbox
                    q.during = during
                    q.holder = holder
                    q.statement = statement
                    for f in try store.slices(q).items where try bbox.map({ try meets($0, f.polygons) }) ?? true {
                        expected.append("\(f.holder).\(f.valid.from)")
                    }
                }
                #expect(served == expected, "\(collection) \(parameters)")
                if !expected.isEmpty { nonEmpty += 1 }
            }
        }
        #expect(nonEmpty > 300, "too few queries matched anything (\(nonEmpty)) to compare")
    }

    /// Status answers are written once per status and reused with each place and day: places
    /// sharing a status, and others, still answer exactly as `territory status`.
    @Test func statusAnswersReusedStillEqualTheTool() throws {
        for (lon, lat, d) in [(46.5469, 39.6408, "2021-06-01"), (46.5471, 39.6409, "2021-06-01"), (46.5471, 39.6409, "2021-06-02"),
                              (46.5471, 39.6409, "2020-11-09"), (46.0383, 40.1067, "2020-11-26"), (46.0384, 40.1068, "2020-11-26"), (44.0, 41.0, "1990-01-01")] {
            let cli = try Run(["status", "--lon", "\(lon)", "--lat", "\(lat)", "--date", d, "--format", "json", "--store", fixture.path.path])
            let served = get("/status", "lon=\(lon)&lat=\(lat)&date=\(d)")
            #expect(served.status == 200)
            #expect(String(decoding: served.body, as: UTF8.self) == cli.stdout, "(\(lon), \(lat)) on \(d)")
        }
    }

    @Test func landingConformanceCollectionsAndAPI() throws {
        let landing = try object(get("/"))
        guard case .array(let links)? = landing["links"] else { Issue.record("no links"); return }
        let rels = Set(links.compactMap { link -> String? in if case .object(let l) = link, case .string(let r)? = l["rel"] { return r } else { return nil } })
        #expect(rels.isSuperset(of: ["self", "service-desc", "conformance", "data"]))
        #expect(String(decoding: get("/").body, as: UTF8.self).contains("application/vnd.oai.openapi+json;version=3.0"))
        let classes = String(decoding: get("/conformance").body, as: UTF8.self)
        for c in ["core", "geojson", "oas30"] { #expect(classes.contains("ogcapi-features-1/1.0/conf/\(c)")) }
        guard case .array(let collections)? = try object(get("/collections"))["collections"] else { Issue.record("no collections"); return }
        let ids = collections.compactMap { c -> String? in if case .object(let o) = c, case .string(let id)? = o["id"] { return id } else { return nil } }
        #expect(ids == ["statements", "control", "sovereignty", "administration", "presence", "access"])
        let control = String(decoding: get("/collections/control").body, as: UTF8.self)
        #expect(control.contains("\"interval\":[[\"1994-05-12T00:00:00Z\",null]]"), "\(control)")
        let api = get("/api")
        #expect(api.status == 200 && api.contentType.hasPrefix("application/vnd.oai.openapi+json"))
        let apiText = String(decoding: api.body, as: UTF8.self)
        for path in ["/collections/{collectionId}/items", "/status", "/timeline", "/days"] { #expect(apiText.contains("\"\(path)\"")) }
    }

    @Test func statusTimelineAndDaysAnswerAsTheTool() throws {
        for (lon, lat, d) in [(46.5469, 39.6408, "2021-06-01"), (46.0383, 40.1067, "2020-11-20"), (46.0383, 40.1067, "2020-11-26"), (44.0, 41.0, "2021-06-01")] {
            let cli = try Run(["status", "--lon", "\(lon)", "--lat", "\(lat)", "--date", d, "--format", "json", "--store", fixture.path.path])
            let served = get("/status", "lon=\(lon)&lat=\(lat)&date=\(d)")
            #expect(served.status == 200)
            #expect(String(decoding: served.body, as: UTF8.self) == cli.stdout, "(\(lon), \(lat)) on \(d)")
        }
        let timeline = try Run(["timeline", "--lon", "46.0383", "--lat", "40.1067", "--format", "json", "--store", fixture.path.path])
        #expect(String(decoding: get("/timeline", "lon=46.0383&lat=40.1067").body, as: UTF8.self) == timeline.stdout)
        // The record chosen by as_of and view, the diff: the same answers as the tool's.
        for (query, args) in [("lon=46.0383&lat=40.1067&date=2020-11-16&as_of=2020-11-12", ["--lon", "46.0383", "--lat", "40.1067", "--date", "2020-11-16", "--as-of", "2020-11-12"]),
                              ("lon=46.7519&lat=39.8153&date=2019-06-01&view=NK", ["--lon", "46.7519", "--lat", "39.8153", "--date", "2019-06-01", "--view", "NK"])] {
            let cli = try Run(["status"] + args + ["--format", "json", "--store", fixture.path.path])
            #expect(String(decoding: get("/status", query).body, as: UTF8.self) == cli.stdout, "\(query)")
        }
        let asThen = try Run(["timeline", "--lon", "46.0383", "--lat", "40.1067", "--as-of", "2020-11-12", "--facet", "control", "--format", "json", "--store", fixture.path.path])
        #expect(String(decoding: get("/timeline", "lon=46.0383&lat=40.1067&as_of=2020-11-12&facet=control").body, as: UTF8.self) == asThen.stdout)
        let diff = try Run(["diff", "--from", "2020-11-09", "--to", "2020-12-01", "--facet", "control", "--format", "json", "--store", fixture.path.path])
        let servedDiff = get("/diff", "from=2020-11-09&to=2020-12-01&facet=control")
        #expect(servedDiff.status == 200 && String(decoding: servedDiff.body, as: UTF8.self) == diff.stdout)
        #expect(diff.stdout.contains(#""from_holder":"NK","to_holder":"RU""#))
        // Places by name.
        let named = try Run(["status", "--place", "Shushi", "--date", "2021-06-01", "--format", "json", "--store", fixture.path.path])
        #expect(String(decoding: get("/status", "place=Shushi&date=2021-06-01").body, as: UTF8.self) == named.stdout)
        let namedTimeline = try Run(["timeline", "--place", "Kalbajar", "--format", "json", "--store", fixture.path.path])
        #expect(String(decoding: get("/timeline", "place=Kalbajar").body, as: UTF8.self) == namedTimeline.stdout)
        #expect(get("/status", "place=Stepanakret&date=2021-06-01").status == 400)
        // Layers of another record: NK's view of sovereignty in 2019 holds its claim; the default does not.
        func holders(_ query: String) throws -> [String] {
            let page = try object(get("/collections/sovereignty/items", query))
            guard case .array(let features)? = page["features"] else { return [] }
            return features.compactMap { f in
                if case .object(let o) = f, case .object(let p)? = o["properties"], case .string(let h)? = p["holder"] { return h } else { return nil }
            }
        }
        #expect(try holders("datetime=2019-06-01&view=NK") == ["AZ", "NK"])
        #expect(try holders("datetime=2019-06-01") == ["AZ"])
        #expect(get("/collections/sovereignty/items", "view=ZZ").status == 400)
        let days = try object(get("/days"))
        guard case .array(let list)? = days["days"] else { Issue.record("no days"); return }
        let dates = list.compactMap { d -> String? in if case .object(let o) = d, case .string(let s)? = o["date"] { return s } else { return nil } }
        #expect(dates == fixture.store.engine.slices.map(\.interval.from.description))
        #expect(dates.contains("2020-11-10") && dates.contains("2020-11-20") && dates.contains("2020-11-25"))
    }

    @Test func timeFilterUnits() throws {
        #expect(try TimeFilter.parse("2021-06-01") == DayRange(from: day("2021-06-01"), through: day("2021-06-01")))
        #expect(try TimeFilter.parse("2021-06-01T00:30:00+01:00") == DayRange(from: day("2021-05-31"), through: day("2021-05-31")))
        #expect(try TimeFilter.parse("2021-06-01T23:30:00.5-00:45") == DayRange(from: day("2021-06-02"), through: day("2021-06-02")))
        #expect(try TimeFilter.parse("../2021-06-01") == DayRange(from: nil, through: day("2021-06-01")))
        #expect(try TimeFilter.parse("2021-06-01/") == DayRange(from: day("2021-06-01"), through: nil))
        for bad in ["2021-06-01T24:00:00Z", "2021-06-01T12:00:00", "x", "2021-06-02/2021-06-01", "a/b/c", ".."] {
            #expect(throws: ServiceError.self, "\(bad)") { try TimeFilter.parse(bad) }
        }
    }
}

/// The bad-request corpus and the server's life, against a real `territory serve`.
@Suite(.serialized) struct ServerTests {
    /// Every request of Corpus/requests.tsv gets its expected status and error code, and
    /// nothing a client sends produces a 5xx.
    @Test func theBadRequestCorpus() throws {
        let fixture = try StoreFixture()
        let server = try ServedTool(["--store", fixture.path.path, "--quiet", "--max-body", "65536"])
        defer { server.stop() }
        let file = packageRoot.appendingPathComponent("Tests/TerritoryServiceTests/Corpus/requests.tsv")
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(lines.count >= 100)
        var errorsSeen = 0
        for line in lines {
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard columns.count >= 4, let status = Int(columns[0]) else { Issue.record("bad corpus line: \(line)"); continue }
            let code = columns[1], method = columns[2], target = unescape(columns[3])
            let header = columns.count > 4 ? columns[4] : ""
            var body = columns.count > 5 ? unescape(columns[5]) : []
            if body == Array("@big".utf8) { body = Array(("id,lon,lat,date\n" + String(repeating: "a,46.5,39.8,2021-06-01\n", count: 3000)).utf8) }
            var head = Array("\(method) ".utf8) + target + Array(" HTTP/1.1\r\nHost: 127.0.0.1:\(server.port)\r\nConnection: close\r\n".utf8)
            if !header.isEmpty { head += Array("\(header)\r\n".utf8) }
            if method == "POST" || method == "PUT" || !body.isEmpty { head += Array("Content-Length: \(body.count)\r\n".utf8) }
            head += Array("\r\n".utf8) + body
            let answer = try RawHTTP.send(head, port: server.port)
            #expect(answer.status == status, "\(line): got \(answer.status) \(answer.text.prefix(200))")
            #expect(answer.status < 500, "\(line): a 5xx")
            if code != "-" {
                errorsSeen += 1
                guard let parsed = try? JSONReader.parse(answer.body), case .object(let o) = parsed else {
                    Issue.record("\(line): the error is not JSON: \(answer.text.prefix(200))")
                    continue
                }
                #expect(o["code"] == .string(code), "\(line): \(answer.text.prefix(200))")
                if case .string(let description)? = o["description"] { #expect(!description.isEmpty) } else { Issue.record("\(line): no description") }
            }
        }
        #expect(errorsSeen >= 100)
        // Requests no client library would send: raw bytes, broken request lines, huge headers.
        for raw in ["GET /collections/\u{7f} HTTP/1.1\r\nConnection: close\r\n\r\n", "GARBAGE\r\n\r\n", "GET / HTTP/9.9\r\nConnection: close\r\n\r\n",
                    "GET / HTTP/1.1\r\nConnection: close\r\nX-Big: " + String(repeating: "x", count: 100_000) + "\r\n\r\n"] {
            let answer = try? RawHTTP.send(Array(raw.utf8), port: server.port)
            if let answer { #expect(answer.status >= 400 && answer.status < 500, "\(raw.prefix(40)): \(answer.status)") }
        }
        let nonUTF8 = try? RawHTTP.send([UInt8]("GET /collections/".utf8) + [0xFF, 0xFE] + [UInt8](" HTTP/1.1\r\nConnection: close\r\n\r\n".utf8), port: server.port)
        if let nonUTF8 { #expect(nonUTF8.status >= 400 && nonUTF8.status < 500) }
        // Still answering after all that.
        #expect(try RawHTTP.get("/conformance", port: server.port).status == 200)
    }

    /// POST /status streams the rows of `status --csv`, in order.
    @Test func postingPointsAnswersAsStatusCSV() throws {
        let fixture = try StoreFixture()
        let server = try ServedTool(["--store", fixture.path.path, "--quiet"])
        defer { server.stop() }
        var random = SplitMix(state: 11)
        var csv = "id,lon,lat,date\n"
        for i in 0..<20_000 { csv += "p\(i),\(random.uniform(45.6...47.6)),\(random.uniform(38.8...40.5)),\(random.day())\n" }
        let cli = try Run(["status", "--csv", "-", "--store", fixture.path.path], stdin: csv)
        let request = Array("POST /status HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: text/csv\r\nContent-Length: \(csv.utf8.count)\r\n\r\n".utf8) + Array(csv.utf8)
        let answer = try RawHTTP.send(request, port: server.port)
        #expect(answer.status == 200)
        #expect(answer.headers["content-type"]?.hasPrefix("text/csv") == true)
        #expect(answer.text == cli.stdout)
    }

    /// A thousand clients at once against a server that serves 64 connections at a time
    /// (--max-connections): the others wait in the listen backlog and every client gets its
    /// answer, none a 5xx; the server lives on. A client that connects and sends nothing is
    /// closed after --idle-timeout, so idle clients cannot hold the places of those waiting.
    @Test func aThousandConnectionsAtOnce() throws {
        let fixture = try StoreFixture()
        let server = try ServedTool(["--store", fixture.path.path, "--quiet", "--max-connections", "64", "--idle-timeout", "2"])
        defer { server.stop() }
        // An idle client, and one that stops in the middle of its request, are closed after about 2 s.
        for partial in ["", "GET /status?lon=46.5"] {
            let started = Date()
            let idle = try ManyClients.run(Array(partial.utf8), count: 1, port: server.port, seconds: 10)
            #expect(idle.unfinished == 0 && Date().timeIntervalSince(started) < 8, "an idle connection ('\(partial)') is not closed: \(idle)")
        }
        let request = Array("GET /status?lon=46.5469&lat=39.6408&date=2021-06-01 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        let outcome = try ManyClients.run(request, count: 1000, port: server.port, seconds: 120)
        let answered = outcome.statuses.compactMap { $0 }
        #expect(answered.count == 1000 && answered.allSatisfy { $0 == 200 },
                "\(answered.count) answered (\(answered.filter { $0 == 200 }.count) with 200), \(outcome.failures) failed, \(outcome.unfinished) unfinished")
        #expect(server.process.isRunning)
        #expect(try RawHTTP.get("/status?lon=46.5469&lat=39.6408&date=2021-06-01", port: server.port).status == 200)
        #expect(server.stop() == 0)
    }

    /// Slow clients cannot hold a connection: one that asks for many large answers and reads
    /// none is cut off once nothing has been written for --send-timeout; one that sends its
    /// request a byte at a time is cut off --request-timeout after its first byte. The server
    /// answers others meanwhile and after.
    @Test func slowClientsAreCutOff() throws {
        let fixture = try StoreFixture()
        let server = try ServedTool(["--store", fixture.path.path, "--quiet", "--idle-timeout", "2", "--request-timeout", "3", "--send-timeout", "3"])
        defer { server.stop() }
        // 200 pipelined requests for every control feature (about 80 MB of answers), never read.
        let reader = try RawConnection(port: server.port)
        let ask = Array("GET /collections/control/items?limit=10000 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        #expect(reader.send(Array([[UInt8]](repeating: ask, count: 200).joined())))
        Thread.sleep(forTimeInterval: 6)
        #expect(try RawHTTP.get("/status?lon=46.5469&lat=39.6408&date=2021-06-01", port: server.port).status == 200)
        let got = reader.readToEnd(seconds: 20)
        #expect(got != nil, "the connection of a client that reads nothing is still open")
        let answers = got.map { String(decoding: $0, as: UTF8.self).components(separatedBy: "HTTP/1.1 200").count - 1 } ?? 0
        #expect(answers < 200, "every answer was written to a client that read none")
        // A POST /status whose body comes a byte every half second: cut off after about 3 s.
        // (A head sent that way is closed by the idle timeout alone.)
        let slow = try RawConnection(port: server.port)
        #expect(slow.send(Array("POST /status HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/csv\r\nContent-Length: 2000\r\n\r\n".utf8)))
        let started = Date()
        var cut = false
        for byte in Array(("id,lon,lat,date\n" + String(repeating: "a,46.5469,39.6408,2021-06-01\n", count: 10)).utf8).prefix(30) {
            if !slow.send([byte]) || slow.isClosedByPeer() { cut = true; break }
            Thread.sleep(forTimeInterval: 0.5)
        }
        #expect(cut && Date().timeIntervalSince(started) < 9, "a body sent a byte at a time is not cut off")
        // A client that reads slowly but steadily (a 4 KiB window, a read every 10 ms) gets the
        // whole of a large answer (20,000 points classified, about 3.9 MB, some 10 s) from a
        // server with the default timeouts: it is making progress.
        let patient = try ServedTool(["--store", fixture.path.path, "--quiet"])
        defer { patient.stop() }
        let body = "id,lon,lat,date\n" + (0..<20_000).map { "p\($0),46.5469,39.6408,2021-06-01\n" }.joined()
        let steady = try RawConnection(port: patient.port, receiveBuffer: 4096)
        #expect(steady.send(Array("POST /status HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/csv\r\nConnection: close\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)))
        var received: [UInt8] = []
        let reading = Date()
        while Date().timeIntervalSince(reading) < 60 {
            let part = steady.read(upTo: 65536)
            if part.isEmpty { break }
            received += part
            Thread.sleep(forTimeInterval: 0.01)
        }
        let answer = try? RawHTTP.parse(received)
        let rows = answer.map { $0.text.split(separator: "\n").count } ?? 0
        #expect(answer?.status == 200 && rows == 20_001 && answer?.text.contains("\np19999,") == true,
                "a steady slow reader lost its answer: \(received.count) bytes, \(rows) lines, \(Date().timeIntervalSince(reading)) s")
        #expect(try RawHTTP.get("/status?lon=46.5469&lat=39.6408&date=2021-06-01", port: server.port).status == 200)
        #expect(server.stop() == 0)
        #expect(patient.stop() == 0)
    }

    /// SIGTERM finishes and exits 0; the access log has a line per request; a store rebuilt
    /// underneath is taken up without a restart.
    @Test func logsReloadsAndStopsCleanly() throws {
        let fixture = try StoreFixture()
        let data = fixture.folder.appendingPathComponent("data")
        try FileManager.default.copyItem(at: projectData, to: data)
        let store = fixture.folder.appendingPathComponent("served.gpkg")
        #expect(try Run(["build", "--data", data.path, "--store", store.path]).status == 0)
        let server = try ServedTool(["--data", data.path, "--store", store.path])
        let before = try RawHTTP.get("/", port: server.port)
        #expect(before.status == 200 && before.text.contains("Nagorno-Karabakh"))
        #expect(try RawHTTP.get("/collections", port: server.port).status == 200)
        // Retitle the data and rebuild: within a few seconds the server answers from the new store.
        let catalog = data.appendingPathComponent("catalog.json")
        let text = try String(contentsOf: catalog, encoding: .utf8)
        guard case .object(let root) = try JSONReader.parse(text), case .string(let title)? = root["title"] else { Issue.record("no title"); return }
        try text.replacingOccurrences(of: "\"\(title)\"", with: "\"Rebuilt underneath\"").write(to: catalog, atomically: true, encoding: .utf8)
        #expect(try Run(["build", "--data", data.path, "--store", store.path]).status == 0)
        var taken = false
        for _ in 0..<40 where !taken {
            Thread.sleep(forTimeInterval: 0.25)
            let landing = try RawHTTP.get("/", port: server.port)
            #expect(landing.status == 200)
            taken = landing.text.contains("Rebuilt underneath")
        }
        #expect(taken, "the rebuilt store is taken up")
        #expect(server.stop() == 0, "SIGTERM ends it with status 0")
        #expect(server.log.contains("GET /collections 200"), "\(server.log)")
        #expect(server.log.contains("now answering from it"), "\(server.log)")
    }
}

/// `\n`, `\r`, `\t`, `\\` and `\xNN` in a corpus field.
private func unescape(_ text: String) -> [UInt8] {
    var out: [UInt8] = []
    let bytes = Array(text.utf8)
    var i = 0
    while i < bytes.count {
        if bytes[i] == UInt8(ascii: "\\"), i + 1 < bytes.count {
            switch bytes[i + 1] {
            case UInt8(ascii: "n"): out.append(10); i += 2; continue
            case UInt8(ascii: "r"): out.append(13); i += 2; continue
            case UInt8(ascii: "t"): out.append(9); i += 2; continue
            case UInt8(ascii: "\\"): out.append(92); i += 2; continue
            case UInt8(ascii: "x") where i + 3 < bytes.count:
                if let v = UInt8(String(decoding: bytes[(i + 2)...(i + 3)], as: UTF8.self), radix: 16) { out.append(v); i += 4; continue }
            default: break
            }
        }
        out.append(bytes[i])
        i += 1
    }
    return out
}

/// Real clients against a real server: GDAL's OAPIF driver, OWSLib, openapi-spec-validator.
@Suite(.serialized) struct ClientTests {
    static let python = packageRoot.appendingPathComponent(".build-venv/bin/python")

    @Test func gdalReadsTheCollectionsAndTheLayersOfADay() throws {
        let ogrinfo = URL(fileURLWithPath: "/usr/bin/ogrinfo"), ogr2ogr = URL(fileURLWithPath: "/usr/bin/ogr2ogr")
        guard FileManager.default.isExecutableFile(atPath: ogrinfo.path) else {
            Issue.record("GDAL's ogrinfo is missing: tools/deps installs gdal-bin")
            return
        }
        let fixture = try StoreFixture()
        let server = try ServedTool(["--store", fixture.path.path, "--quiet"])
        defer { server.stop() }
        let listed = try runTool(ogrinfo, ["-ro", "OAPIF:\(server.base)"])
        #expect(listed.status == 0, "\(listed.output)")
        for name in ["statements", "control", "sovereignty", "administration", "presence", "access"] {
            #expect(listed.output.contains(": \(name) (title:"), "\(name) listed: \(listed.output)")
        }
        let control = try runTool(ogrinfo, ["-ro", "-so", "OAPIF:\(server.base)", "control"])
        #expect(control.output.contains("TEMPORAL_INTERVAL_MIN=1994-05-12T00:00:00Z"), "\(control.output)")
        // ogr2ogr of the control collection with datetime in the URL reads what layers writes.
        let out = fixture.folder.appendingPathComponent("control-2021-06-01.geojson")
        let copied = try runTool(ogr2ogr, ["-f", "GeoJSON", out.path, "OAPIF:\(server.base)/collections/control?datetime=2021-06-01", "-lco", "COORDINATE_PRECISION=7"])
        #expect(copied.status == 0, "\(copied.output)")
        let read = try GeoJSON.features(from: Array(try Data(contentsOf: out)))
        let layers = try Run(["layers", "--date", "2021-06-01", "--facet", "control", "--store", fixture.path.path])
        let expected = try GeoJSON.features(from: Array(layers.stdout.utf8))
        #expect(read.count == expected.count && !read.isEmpty)
        func holders(_ features: [Feature]) -> [String] { features.compactMap { if case .string(let h)? = $0.properties["holder"] { h } else { nil } }.sorted() }
        #expect(holders(read) == holders(expected))
        for f in expected {
            guard let g = read.first(where: { $0.properties["holder"] == f.properties["holder"] }) else { continue }
            #expect(g.properties["valid_from"] == f.properties["valid_from"] && g.properties["area_km2"] == f.properties["area_km2"])
            #expect(g.geometry == f.geometry, "the geometry of \(String(describing: f.properties["holder"]))")
        }
    }

    @Test func owslibAndTheOpenAPIValidator() throws {
        let check = try? runTool(ClientTests.python, ["-c", "import owslib, openapi_spec_validator"])
        guard check?.status == 0 else {
            Issue.record("owslib or openapi-spec-validator missing in .build-venv: tools/deps installs tools/requirements.txt")
            return
        }
        let fixture = try StoreFixture()
        let server = try ServedTool(["--store", fixture.path.path, "--quiet"])
        defer { server.stop() }
        let script = """
        import json, sys, urllib.request
        from owslib.ogcapi.features import Features
        from openapi_spec_validator import validate
        base = sys.argv[1]
        w = Features(base)
        ids = [c["id"] for c in w.collections()["collections"]]
        assert ids == ["statements", "control", "sovereignty", "administration", "presence", "access"], ids
        day = w.collection_items("control", datetime_="2021-06-01", limit=1000)
        holders = sorted(f["properties"]["holder"] for f in day["features"])
        assert holders == ["AZ", "NK", "RU"], holders
        box = w.collection_items("control", bbox=[46.54, 39.63, 46.55, 39.65], datetime_="2021-06-01")
        assert [f["properties"]["holder"] for f in box["features"]] == ["RU"], box["features"]
        assert box["numberMatched"] == 1 and box["numberReturned"] == 1
        api = json.load(urllib.request.urlopen(base + "/api"))
        validate(api)
        print("ok", len(ids), holders)
        """
        let run = try runTool(ClientTests.python, ["-c", script, server.base])
        #expect(run.status == 0 && run.output.contains("ok 6"), "\(run.output)")
    }
}
