import Foundation
import Testing
import TestSupport
import Geometry

/// A copy of data/ and a store path of its own in a temporary folder.
struct DataCopy {
    let folder: URL
    var data: URL { folder.appendingPathComponent("data") }
    var store: URL { folder.appendingPathComponent("store/nk.gpkg") }

    init() throws {
        folder = try temporaryFolder()
        try FileManager.default.copyItem(at: packageRoot.appendingPathComponent("data"), to: data)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("store"), withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }

    var options: [String] { ["--data", data.path, "--store", store.path] }
}

@Suite(.serialized) struct StoreCommandTests {
    @Test func queriesBuildTheStoreWhenMissingOrStale() throws {
        let copy = try DataCopy()
        defer { copy.remove() }
        let ask = ["status", "--lon", "46.5469", "--lat", "39.6408", "--date", "2020-12-01", "--format", "json"] + copy.options
        let first = try Run(ask)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("note: building the store \(copy.store.path) (it does not exist yet)"))
        let second = try Run(ask)
        #expect(second.stderr.isEmpty, "a fresh store is not rebuilt: \(second.stderr)")
        #expect(second.stdout == first.stdout)

        // Edit data/: the store is stale by its hash, whatever the file times.
        let file = copy.data.appendingPathComponent("statements/2020-11-10-trilateral.json")
        let text = try String(contentsOf: file, encoding: .utf8)
        try text.replacingOccurrences(of: "\"zone\": \"Lachin corridor\"", with: "\"zone\": \"The Lachin corridor\"").write(to: file, atomically: true, encoding: .utf8)
        let third = try Run(ask)
        #expect(third.stderr.contains("(data/ changed since it was built)"), "\(third.stderr)")
        #expect(third.stdout.contains("The Lachin corridor"))

        // A damaged store is rebuilt, not trusted.
        try Data("SQLite format 3\u{0}garbage".utf8).write(to: copy.store)
        let fourth = try Run(ask)
        #expect(fourth.status == 0)
        #expect(fourth.stderr.contains("it cannot be read"), "\(fourth.stderr)")

        // A file that is not a store is never replaced.
        let precious = copy.folder.appendingPathComponent("precious.txt")
        try Data("precious".utf8).write(to: precious)
        let refused = try Run(["status", "--lon", "46.5", "--lat", "39.6", "--date", "2021-01-01", "--data", copy.data.path, "--store", precious.path])
        #expect(refused.status == 74)
        #expect(refused.stderr.contains("precious.txt: exists and is not a territory store"), "\(refused.stderr)")
        #expect(try String(contentsOf: precious, encoding: .utf8) == "precious")
        let nowhere = try Run(["build", "--data", copy.data.path, "--store", copy.folder.appendingPathComponent("no/such/folder/x.gpkg").path])
        #expect(nowhere.status == 74 && nowhere.stderr.contains("does not exist"))
        #expect(!FileManager.default.fileExists(atPath: copy.folder.appendingPathComponent("no").path))
    }

    @Test func aBoundaryFileOutsideTheDataFolderCountsForStaleness() throws {
        let copy = try DataCopy()
        defer { copy.remove() }
        let fm = FileManager.default
        try fm.moveItem(at: copy.data.appendingPathComponent("boundaries"), to: copy.folder.appendingPathComponent("shapes"))
        let catalog = copy.data.appendingPathComponent("catalog.json")
        try String(contentsOf: catalog, encoding: .utf8)
            .replacingOccurrences(of: "\"boundaries/drawing.json\"", with: "\"../shapes/drawing.json\"")
            .write(to: catalog, atomically: true, encoding: .utf8)
        let ask = ["status", "--lon", "46.5", "--lat", "39.6", "--date", "2021-01-01", "--format", "json"] + copy.options
        #expect(try Run(ask).stderr.contains("it does not exist yet"))
        #expect(try Run(ask).stderr.isEmpty)
        let shapes = copy.folder.appendingPathComponent("shapes/drawing.json")
        try String(contentsOf: shapes, encoding: .utf8).replacingOccurrences(of: "\"Lachin District\"", with: "\"Lachin district\"")
            .write(to: shapes, atomically: true, encoding: .utf8)
        let after = try Run(ask)
        #expect(after.stderr.contains("data/ changed since it was built"), "\(after.stderr)")
        #expect(after.stdout.contains("\"Lachin district\""))
    }

    @Test func buildWritesAGeoPackage() throws {
        let copy = try DataCopy()
        defer { copy.remove() }
        let run = try Run(["build"] + copy.options)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("\(copy.store.path): built from \(copy.data.path)"))
        let header = try FileHandle(forReadingFrom: copy.store).read(upToCount: 16) ?? Data()
        #expect(header == Data("SQLite format 3\0".utf8))
    }

    @Test func aKilledBuildLeavesThePreviousStoreAnswering() throws {
        let copy = try DataCopy()
        defer { copy.remove() }
        #expect(try Run(["build"] + copy.options).status == 0)
        let ask = ["status", "--lon", "46.7519", "--lat", "39.8153", "--date", "2023-10-01", "--format", "json"] + copy.options
        let before = try Run(ask).stdout
        let original = try Data(contentsOf: copy.store)
        var delays = [5, 300]
        var random = SplitMix(state: 2023)
        for _ in 0..<6 { delays.append(random.integer(5...300)) }
        for delay in delays {
            let process = Process()
            process.executableURL = Run.binary
            process.arguments = ["build"] + copy.options
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(useconds_t(delay * 1000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            // Either the build finished (a whole new store) or it did not (the old one, untouched).
            let now = try Data(contentsOf: copy.store)
            #expect(now.count > 100_000)
            let after = try Run(ask)
            #expect(after.status == 0 && after.stdout == before, "after a kill at \(delay) ms: \(after.stderr)")
            if now != original { #expect(after.stderr.isEmpty) }
        }
        // What killed builds left behind is removed by the next build.
        #expect(try Run(["build"] + copy.options).status == 0)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: copy.store.deletingLastPathComponent().path).filter { $0 != "nk.gpkg" }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    @Test func csvOfDatedPointsInInputOrder() throws {
        let input = """
        id,lon,lat,date
        a,46.5469,39.6408,2020-12-01
        b,46.9286,39.9836,2020-11-19
        c,46.9286,39.9836,2020-11-20
        d,46.3386,39.5078,2021-01-01
        e,46.7519,39.8153,1990-01-01

        """
        let run = try Run(["status", "--csv", "-"], stdin: input)
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "id,control,sovereignty,administration,presence,access,zones")
        #expect(lines[1].hasPrefix("a,RU,AZ,,RU,open,\"Lachin District;"))
        #expect(lines[2].hasPrefix("b,NK,AZ,,,,Aghdam District;"))
        #expect(lines[3].hasPrefix("c,AZ,AZ,,,,Aghdam District;"))
        #expect(lines[4] == "d,,,,,,", "Goris, in Armenia, is outside the covered area")
        #expect(lines[5].hasPrefix("e,,,,,,Khojaly District"), "before any statement: no holders")
        #expect(lines.count == 7 && lines[6].isEmpty)

        // Stepanakert on 1 October 2023: Azerbaijan controls, the NK authorities still administer.
        let stepanakert = try Run(["status", "--csv", "-", "--columns", "covered,control,administration,access,statements"],
                                  stdin: "id,lon,lat,date\ns,46.7519,39.8153,2023-10-01\ng,46.3386,39.5078,2023-10-01\n")
        #expect(stepanakert.status == 0, "\(stepanakert.stderr)")
        let rows = stepanakert.stdout.split(separator: "\n").map(String.init)
        #expect(rows.first == "id,covered,control,administration,access,statements")
        #expect(rows.dropFirst().first?.hasPrefix("s,true,AZ,NK,,") == true, "\(rows)")
        let ids = rows.dropFirst().first?.split(separator: ",").last?.split(separator: ";").map(String.init) ?? []
        #expect(ids.contains("az2023-nk-ground") && ids.contains("nk-administration-2023") && ids.contains("unsc822-az-sovereignty"), "\(ids)")
        #expect(rows.last == "g,false,,,,")
        let bad = try Run(["status", "--csv", "-", "--columns", "control,colour"], stdin: "id,lon,lat,date\n")
        #expect(bad.status == 64 && bad.stderr.contains("--columns: 'colour' is not a column"), "\(bad.stderr)")
    }

    @Test func badRowsAreReportedAndSkippedOrStopEverythingWithStrict() throws {
        let input = "id,lon,lat,date\n1,46.5,39.6,2020-12-01\n2,46.5,39.6,2020-02-30\n3,46.5\n4,46.5,39.6,2021-01-01\n"
        let lenient = try Run(["status", "--csv", "-"], stdin: input)
        #expect(lenient.status == 0)
        #expect(lenient.stdout.split(separator: "\n").map { $0.prefix(2) } == ["id", "1,", "4,"])
        #expect(lenient.stderr.contains("<stdin>: line 3: date '2020-02-30' is not a day"))
        #expect(lenient.stderr.contains("<stdin>: line 4: expected 4 fields (id,lon,lat,date), found 2"))
        #expect(lenient.stderr.contains("2 points classified, 2 rows skipped"))

        let strict = try Run(["status", "--csv", "-", "--strict"], stdin: input)
        #expect(strict.status == 65)
        #expect(strict.stdout.isEmpty, "--strict writes nothing on failure")
        #expect(strict.stderr.contains("line 3: date '2020-02-30'"))

        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = folder.appendingPathComponent("out.csv")
        let written = try Run(["status", "--csv", "-", "--out", target.path], stdin: "id,lon,lat,date\n1,46.5,39.6,2020-12-01\n")
        #expect(written.status == 0 && written.stdout.isEmpty)
        #expect(try String(contentsOf: target, encoding: .utf8).hasPrefix("id,control,sovereignty,administration,presence,access,zones\n1,"))
        let failed = try Run(["status", "--csv", "-", "--out", target.path, "--strict"], stdin: "id,lon,lat,date\n1,x,39.6,2020-12-01\n")
        #expect(failed.status == 65)
        #expect(try String(contentsOf: target, encoding: .utf8).hasPrefix("id,control"), "the earlier output is kept")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["out.csv"])
    }

    @Test(arguments: [
        ("lon,lat,date\n1,2,2020-01-01\n", "line 1: expected the header 'id,lon,lat,date'"),
        ("", "empty input"),
    ])
    func refusesAFileThatIsNotDatedPoints(input: String, message: String) throws {
        let run = try Run(["status", "--csv", "-"], stdin: input)
        #expect(run.status == 65)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains(message), "\(run.stderr)")
    }

    @Test func manyPointsAcrossChunksKeepTheirOrder() throws {
        // More than one 1 MiB chunk, so that the two workers and the chunk seams are exercised.
        var input = "id,lon,lat,date\n"
        for i in 0..<60_000 { input += "\(i),\(46.0 + Double(i % 1000) / 500),\(39.0 + Double(i % 777) / 600),20\(10 + i % 14)-0\(1 + i % 9)-1\(i % 9)\n" }
        #expect(input.utf8.count > 2_000_000)
        let run = try Run(["status", "--csv", "-"], stdin: input)
        #expect(run.status == 0, "\(run.stderr)")
        let ids = run.stdout.split(separator: "\n").dropFirst().map { $0.prefix { $0 != "," } }
        #expect(ids.count == 60_000)
        #expect(ids.enumerated().allSatisfy { String($0.element) == String($0.offset) })
    }
}
