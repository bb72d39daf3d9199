import Foundation
import Testing
import Geometry
import TestSupport
@testable import Territory

@Suite(.serialized) struct BatchClassifierTests {
    @Test func agreesWithStatusPointByPoint() throws {
        let atlas = try Atlas(Catalog.load(from: projectData))
        let engine = atlas.engine()
        let classifier = BatchClassifier(engine: engine, columns: CSVColumn.allCases)
        var random = SplitMix(state: 42)
        var csv = "id,lon,lat,date\n"
        var expected: [String] = []
        // Random places, and every vertex of the boundary pack (on edges: where answers are easiest to get wrong).
        var places: [(Position, Day)] = (0..<2_000).map { _ in (Position(random.uniform(45.6...47.6), random.uniform(38.8...40.5)), random.day()) }
        for shape in atlas.catalog.shapes.values.sorted(by: { $0.id < $1.id }) {
            for p in shape.shape.positions { places.append((p, random.day())) }
        }
        for (i, (p, d)) in places.enumerated() {
            csv += "p\(i),\(p.x),\(p.y),\(d)\n"
            let a = engine.status(at: p, on: d)
            let fields = [a.covered ? "true" : "false", a.control ?? "", a.sovereignty ?? "", a.administration ?? "",
                          a.presence.joined(separator: ";"), a.access ?? "", a.zones.joined(separator: ";"), a.statements.map(\.id).joined(separator: ";")]
            expected.append("p\(i)," + fields.map { $0.contains(",") ? "\"\($0)\"" : $0 }.joined(separator: ","))
        }
        var batch = PointBatch()
        let bytes = Array(csv.utf8)
        bytes.withUnsafeBufferPointer { b in
            guard case .success(let start) = DatedPointCSV.bodyStart(b) else { Issue.record("header refused"); return }
            DatedPointCSV.parse(UnsafeBufferPointer(rebasing: b[start...]), firstLine: 2, into: &batch)
        }
        #expect(batch.problems.isEmpty && batch.count == places.count)
        var out: [UInt8] = []
        var cache = BatchClassifier.AnswerCache()
        classifier.classify(batch, 0..<batch.count, cache: &cache, into: &out)
        let lines = String(decoding: out, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(lines.count == expected.count)
        var disagreements = 0
        for (got, want) in zip(lines, expected) where got != want {
            disagreements += 1
            if disagreements <= 5 { Issue.record("classifier: \(got)\nstatus:     \(want)") }
        }
        #expect(disagreements == 0)
        // The answers are not all alike: the points fall on many holders, in and out of the area.
        #expect(Set(lines.map { $0.split(separator: ",", omittingEmptySubsequences: false).dropFirst().prefix(2).joined(separator: ",") }).count >= 5)
    }

    @Test func columnsChooseAndOrderTheFields() throws {
        #expect(try CSVColumn.list("Control,zones,COVERED") == [.control, .zones, .covered])
        #expect(throws: TerritoryError.self) { try CSVColumn.list("control,colour") }
        #expect(throws: TerritoryError.self) { try CSVColumn.list("control,control") }
        #expect(String(decoding: CSVColumn.header([.covered, .presence]), as: UTF8.self) == "id,covered,presence\n")
        let answer = StatusAnswer(position: Position(0, 0), day: day("2020-01-01"), covered: true, found: [], places: ["A, B"])
        #expect(String(decoding: CSVColumn.fields(answer, [.covered, .control, .zones]), as: UTF8.self) == ",true,,\"A, B\"\n")
    }
}

