import Foundation
import Testing
import TestSupport

/// The classifier as a stage of a Spark job: tools/spark-classify on PySpark in local mode with
/// two workers, the binary and the store shipped with SparkFiles, against `status --csv`.
@Suite(.serialized) struct SparkTests {
    static let python = packageRoot.appendingPathComponent(".build-venv/bin/python")

    static var pysparkInstalled: Bool {
        guard FileManager.default.isExecutableFile(atPath: python.path),
              let run = try? runTool(python, ["-c", "import pyspark"]) else { return false }
        return run.status == 0
    }

    @Test func headerlessRowsStreamThroughAsAStage() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = folder.appendingPathComponent("nk.gpkg").path
        #expect(try Run(["build", "--store", store]).status == 0)
        let rows = "a,46.5469,39.6408,2021-06-01\nb,46.0383,40.1067,2020-11-20\nc,46.0383,40.1067,2020-11-26\n"
        let piped = try Run(["status", "--csv", "-", "--header", "id,lon,lat,date", "--store", store, "--store-only", "--columns", "control"],
                            stdin: rows, environment: ["TERRITORY_DATA": "/nonexistent"])
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(piped.stdout == "a,RU\nb,NK\nc,AZ\n")
        let headed = try Run(["status", "--csv", "-", "--store", store, "--columns", "control"], stdin: "id,lon,lat,date\n" + rows)
        #expect(headed.stdout == "id,control\n" + piped.stdout)
        // The columns must be the ones read; --store-only needs a store; neither goes without --csv.
        let wrong = try Run(["status", "--csv", "-", "--header", "id,lat,lon,date", "--store", store], stdin: rows)
        #expect(wrong.status == 64 && wrong.stderr.contains("--header"), "\(wrong.stderr)")
        #expect(try Run(["status", "--csv", "-", "--store-only"], stdin: rows).status == 64)
        #expect(try Run(["status", "--lon", "46", "--lat", "40", "--date", "2021-01-01", "--store-only", "--store", store]).status == 64)
        // Store-only with no store there: a clear error, not a build.
        let missing = try Run(["status", "--csv", "-", "--header", "id,lon,lat,date", "--store", folder.appendingPathComponent("none.gpkg").path, "--store-only"], stdin: rows)
        #expect(missing.status != 0 && missing.stderr.contains("none.gpkg"), "\(missing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("none.gpkg").path))
    }

    @Test func sparkLocalModeGivesTheRowsOfStatusCSV() throws {
        guard SparkTests.pysparkInstalled else {
            print("skipped: pyspark is not installed in .build-venv (tools/deps installs tools/requirements.txt)")
            return
        }
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = folder.appendingPathComponent("nk.gpkg").path
        #expect(try Run(["build", "--store", store]).status == 0)
        var random = SplitMix(state: 4_3_0)
        var csv = "id,lon,lat,date\n"
        for i in 0..<100_000 { csv += "s\(i),\(random.uniform(45.6...47.6)),\(random.uniform(38.8...40.5)),\(random.day())\n" }
        let points = folder.appendingPathComponent("points.csv")
        try csv.write(to: points, atomically: true, encoding: .utf8)
        let columns = "covered,control,sovereignty,administration,presence,access,zones,statements"
        let ours = try Run(["status", "--csv", points.path, "--store", store, "--columns", columns])
        #expect(ours.status == 0, "\(ours.stderr)")

        let out = folder.appendingPathComponent("classified")
        let spark = try runTool(SparkTests.python, [packageRoot.appendingPathComponent("tools/spark-classify").path, points.path, out.path,
                                                    "--store", store, "--binary", Run.binary.path, "--master", "local[2]",
                                                    "--partitions", "4", "--columns", columns],
                                environment: ["PYSPARK_PYTHON": SparkTests.python.path, "SPARK_LOCAL_IP": "127.0.0.1"])
        #expect(spark.status == 0, "\(spark.output.suffix(3000))")
        let parts = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasPrefix("part-") }.sorted()
        #expect(parts.count >= 2, "one part per partition: \(parts)")
        var sparkRows: [String] = []
        let header = "id," + columns
        for part in parts {
            let lines = try String(contentsOf: out.appendingPathComponent(part), encoding: .utf8).split(separator: "\n").map(String.init)
            guard let first = lines.first else { continue }
            #expect(first == header, "\(part) starts with the header")
            sparkRows += lines.dropFirst()
        }
        let cliRows = ours.stdout.split(separator: "\n").dropFirst().map(String.init)
        #expect(sparkRows.count == 100_000)
        // Repartitioning shuffles rows between partitions: compare by id, row for row.
        let byID = Dictionary(cliRows.map { (String($0.prefix { $0 != "," }), $0) }, uniquingKeysWith: { a, _ in a })
        var differing = 0
        for row in sparkRows where byID[String(row.prefix { $0 != "," })] != row {
            differing += 1
            if differing <= 5 { Issue.record("Spark: \(row)") }
        }
        #expect(differing == 0)
        #expect(Set(sparkRows.map { String($0.prefix { $0 != "," }) }).count == 100_000, "every point once")

        // An output folder that exists is refused before Spark starts; nothing in it changes.
        let again = try runTool(SparkTests.python, [packageRoot.appendingPathComponent("tools/spark-classify").path, points.path, out.path,
                                                    "--store", store, "--binary", Run.binary.path])
        #expect(again.status != 0 && again.output.contains("exists"), "\(again.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasPrefix("part-") }.sorted() == parts)
    }
}
