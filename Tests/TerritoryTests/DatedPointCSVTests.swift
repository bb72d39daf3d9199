import Testing
import Geometry
import TestSupport
@testable import Territory

@Suite struct DatedPointCSVTests {
    func parse(_ text: String) -> PointBatch {
        var batch = PointBatch()
        let bytes = Array(text.utf8)
        bytes.withUnsafeBufferPointer { b in
            guard case .success(let start) = DatedPointCSV.bodyStart(b) else { return }
            DatedPointCSV.parse(UnsafeBufferPointer(rebasing: b[start...]), firstLine: 2, into: &batch)
        }
        return batch
    }

    @Test func readsRowsAndNumbers() {
        let batch = parse("id,lon,lat,date\r\n7,46.123456,-39.5,2020-11-10\r\n\r\n\"q\",-0.000001,1e1,1994-05-12\n")
        #expect(batch.problems.isEmpty, "\(batch.problems)")
        #expect(batch.count == 2)
        #expect(Array(batch.id(0)) == Array("7".utf8) && Array(batch.id(1)) == Array("\"q\"".utf8))
        #expect(batch.lons == [46.123456, -0.000001] && batch.lats == [-39.5, 10])
        #expect(batch.days == [day("2020-11-10").ordinal, day("1994-05-12").ordinal])
    }

    @Test func fastNumbersAreCorrectlyRounded() {
        var random = SplitMix(state: 11)
        for _ in 0..<10_000 {
            let v = random.uniform(-180...180)
            let text = String(format: "%.6f", v)
            let bytes = Array(text.utf8)
            let parsed = bytes.withUnsafeBufferPointer { DatedPointCSV.number($0, 0, $0.count)?.0 }
            #expect(parsed == Double(text), "\(text)")
        }
    }

    @Test(arguments: [
        ("a,46.5,39.6,2020-02-30", "line 2: date '2020-02-30' is not a day: day 30 does not exist in February 2020"),
        ("a,46.5,39.6", "line 2: expected 4 fields (id,lon,lat,date), found 3"),
        ("a,46.5,39.6,2020-01-01,x", "line 2: expected 4 fields (id,lon,lat,date), found more"),
        (",46.5,39.6,2020-01-01", "line 2: the id is empty"),
        ("a,abc,39.6,2020-01-01", "line 2: lon 'abc' is not a number"),
        ("a,46.5,nan,2020-01-01", "line 2: lat 'nan' is not a number"),
        ("a,46.5,inf,2020-01-01", "line 2: lat 'inf' is not a number"),
        ("a,1e999,39,2020-01-01", "line 2: lon '1e999' is not a number"),
        ("a,246.5,39.6,2020-01-01", "line 2: lon 246.5 is outside -180..180"),
        ("a,46.5,-91,2020-01-01", "line 2: lat -91.0 is outside -90..90"),
        ("a,46.5,39.6,2020-1-1", "line 2: date '2020-1-1' is not a day"),
        ("a,46.5,39.6,1700-01-01", "line 2: date '1700-01-01' is outside the years 1800 to 2199"),
    ])
    func reportsBadRowsWithTheirLine(row: String, message: String) {
        let batch = parse("id,lon,lat,date\n\(row)\nok,1,2,2020-01-01\n")
        #expect(batch.count == 1, "the good row after the bad one is still read")
        #expect(batch.problems.count == 1)
        #expect(batch.problems.first.map { $0.description.hasPrefix(message) } == true, "\(batch.problems)")
    }

    @Test func refusesAWrongHeader() {
        for text in ["lon,lat,date\n", "", "\u{FEFF}id;lon;lat;date\n"] {
            let result = Array(text.utf8).withUnsafeBufferPointer { DatedPointCSV.bodyStart($0) }
            guard case .failure(let problem) = result else { Issue.record("accepted \(text.debugDescription)"); continue }
            #expect(problem.line == 1)
        }
        #expect(Array("\u{FEFF}id,lon,lat,date\n1,2,3,2020-01-01".utf8).withUnsafeBufferPointer { DatedPointCSV.bodyStart($0) } == .success(19))
    }

    @Test func aLineWithoutEndIsRefusedInBoundedMemory() {
        var chunker = LineChunker()
        let megabyte = [UInt8](repeating: 0x41, count: 1 << 19)
        #expect(throws: Never.self) { _ = try chunker.feed(megabyte[...], final: false) }
        #expect(throws: LineChunker.LineTooLong.self) {
            for _ in 0..<3 { _ = try chunker.feed(megabyte[...], final: false) }
        }
    }

    @Test func chunkerKeepsLinesWholeWhateverTheChunks() throws {
        let text = Array((0..<500).map { "r\($0),46.5,39.6,2020-01-01\n" }.joined().utf8)
        var random = SplitMix(state: 5)
        var chunker = LineChunker()
        var joined: [UInt8] = []
        var i = 0
        while i <= text.count {
            let n = min(text.count - i, Int(random.next() % 70))
            let final = i + n == text.count && n == 0
            if let lines = try chunker.feed(text[i..<(i + n)], final: final) {
                #expect(lines.last == 0x0A || final)
                joined += lines
            }
            if final { break }
            i += n
            if n == 0 && i == text.count {
                if let rest = try chunker.feed([], final: true) { joined += rest }
                break
            }
        }
        #expect(joined == text)
    }
}
