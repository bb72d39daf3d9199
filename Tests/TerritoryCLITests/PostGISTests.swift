import Foundation
import Testing
import TestSupport
import Geometry
import JSONText

/// A throwaway PostgreSQL cluster: `initdb` into a temporary folder and `pg_ctl` on a Unix socket
/// there, run as the `postgres` system user when the tests run as root (PostgreSQL refuses root).
final class ThrowawayCluster {
    static let bin = URL(fileURLWithPath: "/usr/lib/postgresql/15/bin")
    static var installed: Bool { FileManager.default.isExecutableFile(atPath: bin.appendingPathComponent("initdb").path) }

    let folder: URL
    var socket: String { folder.path }

    init() throws {
        folder = URL(fileURLWithPath: "/tmp").appendingPathComponent("territory-pg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        if getuid() == 0 { _ = try runTool(URL(fileURLWithPath: "/usr/bin/chown"), ["postgres", folder.path]) }
        let initdb = try asServer(["initdb", "-D", folder.appendingPathComponent("data").path, "-A", "trust", "-U", "postgres", "-E", "UTF8"])
        guard initdb.status == 0 else { throw ClusterError(message: "initdb failed: \(initdb.output)") }
        let start = try asServer(["pg_ctl", "-D", folder.appendingPathComponent("data").path, "-o", "-k \(folder.path) -c listen_addresses=''",
                                  "-l", folder.appendingPathComponent("log").path, "-w", "start"])
        guard start.status == 0 else { throw ClusterError(message: "pg_ctl start failed: \(start.output)") }
    }

    struct ClusterError: Error, CustomStringConvertible { let message: String; var description: String { message } }

    /// Runs a server tool as the server's user, its output to a file, and waits for it with
    /// waitpid: the server that pg_ctl starts keeps what it inherits open, so neither a pipe nor
    /// Foundation's Process (which watches a descriptor the child inherits) would see the end.
    private func asServer(_ command: [String]) throws -> (status: Int32, output: String) {
        let tool = ThrowawayCluster.bin.appendingPathComponent(command[0]).path
        let argv = getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--", tool] + command.dropFirst() : [tool] + command.dropFirst()
        let log = folder.appendingPathComponent("\(command[0]).out").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { for p in cArguments { free(p) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, &cArguments, environ)
        guard spawned == 0 else { throw ClusterError(message: "\(argv[0]): cannot start (\(String(cString: strerror(spawned))))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exit = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return (exit, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    /// Runs psql with `arguments` (ON_ERROR_STOP, unaligned, tuples only).
    func psql(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let run = try runTool(ThrowawayCluster.bin.appendingPathComponent("psql"), ["-h", socket, "-U", "postgres", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At"] + arguments)
        return (run.status, run.output)
    }

    func stop() {
        _ = try? asServer(["pg_ctl", "-D", folder.appendingPathComponent("data").path, "-m", "immediate", "stop"])
        try? FileManager.default.removeItem(at: folder)
    }
}

@Suite(.serialized) struct PostGISTests {
    @Test func theExportAnswersAsTheToolDoes() throws {
        guard ThrowawayCluster.installed else {
            print("skipped: PostgreSQL 15 is not installed (tools/deps installs postgresql-15 and postgresql-15-postgis-3)")
            return
        }
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let cluster = try ThrowawayCluster()
        defer { cluster.stop() }
        let store = folder.appendingPathComponent("nk.gpkg").path
        let script = folder.appendingPathComponent("territory.sql").path
        let export = try Run(["export", "--postgis", "--store", store, "--out", script])
        #expect(export.status == 0, "\(export.stderr)")
        let load = try cluster.psql(["-f", script])
        #expect(load.status == 0, "\(load.output)")

        // territory.status at the data tests' places and days equals territory status on every facet.
        let places: [(Double, Double)] = [(46.7519, 39.8153), (46.7483, 39.7583), (46.5469, 39.6408), (46.9286, 39.9836), (46.0383, 40.1067),
                                         (47.1431, 39.6003), (46.9986, 39.5206), (47.1130, 39.7950), (46.3386, 39.5078)]
        let days = ["1994-05-11", "2020-09-26", "2020-11-09", "2020-11-10", "2020-11-20", "2020-11-25", "2021-06-01", "2022-12-12", "2023-10-01", "2024-06-12"]
        var compared = 0
        for (lon, lat) in places {
            for d in days {
                let cli = try Run(["status", "--lon", "\(lon)", "--lat", "\(lat)", "--date", d, "--format", "json", "--store", store])
                guard case .object(let o) = try JSONReader.parse(cli.stdout) else { Issue.record("not JSON: \(cli.stdout)"); continue }
                func text(_ v: JSONValue?) -> String {
                    switch v {
                    case .string(let s)?: return s
                    case .bool(let b)?: return b ? "t" : "f"
                    case .array(let items)?: return items.map { text($0) }.joined(separator: ";")
                    default: return ""
                    }
                }
                let expected = ["covered", "control", "sovereignty", "administration", "presence", "access", "zones", "statements"].map { text(o[$0]) }.joined(separator: "|")
                let sql = try cluster.psql(["-c", "SELECT covered, control, sovereignty, administration, array_to_string(presence, ';'), access, array_to_string(zones, ';'), array_to_string(statements, ';') FROM territory.status(\(lon), \(lat), '\(d)')"])
                #expect(sql.status == 0, "\(sql.output)")
                #expect(sql.output.trimmingCharacters(in: .newlines) == expected, "(\(lon), \(lat)) on \(d)")
                compared += 1
            }
        }
        #expect(compared == places.count * days.count)

        // 100,000 dated points classified in SQL equal territory status --csv row for row.
        var random = SplitMix(state: 15)
        var inputRows: [String] = []
        for i in 0..<100_000 { inputRows.append("q\(i),\(random.uniform(45.6...47.6)),\(random.uniform(38.8...40.5)),\(random.day())") }
        let csv = "id,lon,lat,date\n" + inputRows.joined(separator: "\n") + "\n"
        let points = folder.appendingPathComponent("points.csv")
        try csv.write(to: points, atomically: true, encoding: .utf8)
        let ours = try Run(["status", "--csv", points.path, "--store", store, "--columns", "covered,control,sovereignty,administration,presence,access,zones,statements"])
        #expect(ours.status == 0, "\(ours.stderr)")
        let table = try cluster.psql(["-c", "CREATE TABLE events (id text, lon double precision, lat double precision, day date)",
                                      "-c", "\\copy events FROM '\(points.path)' CSV HEADER"])
        #expect(table.status == 0, "\(table.output)")
        let classified = try cluster.psql(["-c", """
            COPY (SELECT id, covered, control, sovereignty, administration, nullif(array_to_string(presence, ';'), ''), access,
                         nullif(array_to_string(zones, ';'), ''), nullif(array_to_string(statements, ';'), '')
                  FROM territory.classify('events')) TO STDOUT WITH CSV
            """])
        #expect(classified.status == 0)
        let sqlRows = classified.output.split(separator: "\n").map { $0.replacingOccurrences(of: ",t,", with: ",true,").replacingOccurrences(of: ",f,", with: ",false,") }
        let cliRows = ours.stdout.split(separator: "\n").dropFirst().map(String.init)
        #expect(sqlRows.count == 100_000 && cliRows.count == 100_000)
        var differing = 0
        for (i, (a, b)) in zip(sqlRows, cliRows).enumerated() where a != b {
            differing += 1
            if differing <= 5 { Issue.record("point \(inputRows[i])\nSQL: \(a)\nCLI: \(b)") }
        }
        #expect(differing == 0)
        #expect(Set(cliRows.map { $0.split(separator: ",", omittingEmptySubsequences: false)[2] }).count >= 3, "several control holders among the points")

        // The README's join for Citus (grouped by id, no row order) gives the same control.
        let readme = try String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        guard let start = readme.range(of: "-- The join that runs on every worker"),
              let end = readme[start.upperBound...].range(of: "```") else {
            Issue.record("README.md has no Citus join")
            return
        }
        let join = String(readme[start.lowerBound..<end.lowerBound]).trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: ";", with: "")
        let citus = try cluster.psql(["-c", "COPY (SELECT id, control FROM (\(join)) j ORDER BY id) TO STDOUT WITH CSV"])
        #expect(citus.status == 0, "\(citus.output)")
        let controlByID = Dictionary(cliRows.map { row -> (String, String) in
            let fields = row.split(separator: ",", omittingEmptySubsequences: false)
            return (String(fields[0]), String(fields[2]))
        }, uniquingKeysWith: { a, _ in a })
        let citusRows = citus.output.split(separator: "\n")
        #expect(citusRows.count == 100_000)
        #expect(citusRows.filter { line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            return controlByID[String(fields[0])] != String(fields[1])
        }.isEmpty, "the Citus join answers control as status --csv does")

        // Loading again replaces the schema; a broken script leaves it as it was.
        #expect(try cluster.psql(["-f", script]).status == 0)
        let broken = folder.appendingPathComponent("broken.sql")
        let text = try String(contentsOfFile: script, encoding: .utf8)
        try String(text.prefix(text.count / 2)).write(to: broken, atomically: true, encoding: .utf8)
        #expect(try cluster.psql(["-f", broken.path]).status != 0)
        let after = try cluster.psql(["-c", "SELECT control FROM territory.status(46.5469, 39.6408, '2021-06-01')"])
        #expect(after.output.trimmingCharacters(in: .newlines) == "RU", "the earlier schema still answers: \(after.output)")

        // The functions find PostGIS whatever the caller's search_path; a NULL day answers no row.
        let elsewhere = try cluster.psql(["-c", "SET search_path = pg_catalog", "-c", "SELECT control FROM territory.status(46.5469, 39.6408, '2021-06-01')"])
        #expect(elsewhere.status == 0 && elsewhere.output.contains("RU"), "\(elsewhere.output)")
        #expect(try cluster.psql(["-c", "SELECT count(*) FROM territory.status(46.5469, 39.6408, NULL)"]).output.trimmingCharacters(in: .newlines) == "0")

        // A schema the export did not make is never replaced.
        #expect(try cluster.psql(["-c", "CREATE SCHEMA analytics", "-c", "CREATE TABLE analytics.keep (x int)"]).status == 0)
        let other = folder.appendingPathComponent("analytics.sql")
        #expect(try Run(["export", "--postgis", "--schema", "analytics", "--store", store, "--out", other.path]).status == 0)
        let refused = try cluster.psql(["-f", other.path])
        #expect(refused.status != 0 && refused.output.contains("not made by territory export"), "\(refused.output)")
        #expect(try cluster.psql(["-c", "SELECT count(*) FROM analytics.keep"]).status == 0, "the other schema's table is still there")

        // Text from the data cannot reach psql or break out of a literal: a title with line ends,
        // a psql meta-command and backslashes, loaded with standard_conforming_strings off.
        let data = folder.appendingPathComponent("data")
        try FileManager.default.copyItem(at: projectData, to: data)
        let catalog = data.appendingPathComponent("catalog.json")
        let catalogText = try String(contentsOf: catalog, encoding: .utf8)
        guard case .object(let root) = try JSONReader.parse(catalogText), case .string(let title)? = root["title"] else { Issue.record("no title"); return }
        let marker = folder.appendingPathComponent("INJECTED").path
        let hostile = "Title\\r\\\\! touch \(marker)\\r\\n\\\\! touch \(marker) '); DROP SCHEMA territory CASCADE; -- \\\\"
        try catalogText.replacingOccurrences(of: "\"\(title)\"", with: "\"\(hostile)\"").write(to: catalog, atomically: true, encoding: .utf8)
        let hostileStore = folder.appendingPathComponent("hostile.gpkg").path
        let hostileScript = folder.appendingPathComponent("hostile.sql").path
        let exported = try Run(["export", "--postgis", "--data", data.path, "--store", hostileStore, "--out", hostileScript])
        #expect(exported.status == 0, "\(exported.stderr)")
        let loaded = try runTool(ThrowawayCluster.bin.appendingPathComponent("psql"), ["-h", cluster.socket, "-U", "postgres", "-X", "-q", "-At", "-f", hostileScript],
                                 environment: ["PGOPTIONS": "-c standard_conforming_strings=off"])
        #expect(loaded.status == 0, "\(loaded.output)")
        #expect(!FileManager.default.fileExists(atPath: marker), "no shell command ran")
        let comment = try cluster.psql(["-c", "SELECT obj_description('territory'::regnamespace, 'pg_namespace')"])
        #expect(comment.output.contains("DROP SCHEMA territory CASCADE; -- \\"), "the title comes back as written: \(comment.output)")
    }

    @Test func badArgumentsAreRefusedAndNothingIsWritten() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for name in ["1st", "Territory", "a\"; DROP SCHEMA public; --", "public", "", String(repeating: "x", count: 64)] {
            let run = try Run(["export", "--postgis", "--schema", name, "--out", folder.appendingPathComponent("x.sql").path])
            #expect(run.status == 64, "\(name): \(run.stderr)")
            #expect(run.stderr.contains("--schema"), "\(run.stderr)")
        }
        #expect(try Run(["export"]).status == 64)
        let unwritable = try Run(["export", "--postgis", "--out", "/nonexistent/folder/x.sql"])
        #expect(unwritable.status == 74, "\(unwritable.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)

        // Data that does not validate: the problem named, no script written.
        let bad = folder.appendingPathComponent("data")
        try FileManager.default.copyItem(at: projectData, to: bad)
        let catalog = bad.appendingPathComponent("catalog.json")
        let text = try String(contentsOf: catalog, encoding: .utf8)
        try String(text.prefix(text.count / 2)).write(to: catalog, atomically: true, encoding: .utf8)
        let script = folder.appendingPathComponent("bad.sql")
        let refused = try Run(["export", "--postgis", "--data", bad.path, "--store", folder.appendingPathComponent("bad.gpkg").path, "--out", script.path])
        #expect(refused.status == 65 && refused.stderr.contains("catalog.json"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: script.path))
    }
}
