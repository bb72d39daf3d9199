import ArgumentParser
import Foundation
import Territory
import TerritoryStore

/// `--data DIR`, `--store PATH` and `--boundaries PACK`, shared by every command that reads data/.
struct DataOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The data folder (catalog.json, boundaries/, statements/). Default: the built-in data, found from any working directory, or $TERRITORY_DATA.", valueName: "DIR"))
    var data: String?

    @Option(help: ArgumentHelp("The compiled store (a GeoPackage). Default: $TERRITORY_STORE, else one per data folder and boundary pack under $XDG_CACHE_HOME/territory (~/.cache/territory).", valueName: "PATH"))
    var store: String?

    @Option(help: ArgumentHelp("A boundary pack made by 'territory import' to use instead of the built-in shapes it replaces; 'builtin' for none. Default: $TERRITORY_BOUNDARIES, else the pack 'import --default' chose, else builtin.", valueName: "PACK"))
    var boundaries: String?

    /// The data set these options choose.
    func dataSet() throws(Failure) -> DataSet {
        do { return try DataSet(DataSet.Choice(data: data, boundaries: boundaries, store: store)) } catch { throw Failure(error) }
    }

    /// The store named by --store, used as it is: no data folder is read or needed (a worker
    /// that was shipped the binary and the store alone).
    func storeAsItIs() throws(Failure) -> Store {
        guard let store else { throw .usage("--store-only needs --store PATH: the store to answer from") }
        do { return try Store(path: URL(fileURLWithPath: store)) } catch { throw Failure(error) }
    }

    /// The store, built first when it is missing or stale, with a note on standard error.
    func openStore(use: Engine.Use = .many) throws(Failure) -> Store {
        let set = try dataSet()
        do {
            return try set.open(use: use, note: { printError("territory: note: \($0)") }, warn: { printError("territory: \($0)") })
        } catch { throw Failure(error) }
    }
}

/// `--as-of DAY` and `--view ACTOR`, shared by every query command: which record to answer from.
struct RecordOptions: ParsableArguments {
    @Option(name: .customLong("as-of"), help: ArgumentHelp("Answer as the record stood on this day: only statements announced by then, ends not yet announced left open. Default: today's record.", valueName: "YYYY-MM-DD"))
    var asOf: Checked<Day>?

    @Option(help: ArgumentHelp("An actor's point of view (e.g. NK, AZ): the record plus the claims it makes or accepts, less what it disputes. Default: the record without claims.", valueName: "ACTOR"))
    var view: String?

    func validate() throws {
        _ = try asOf?.value("--as-of")
        if let view, view.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--view: give an actor code (e.g. NK), or leave --view out for the default view") }
    }

    /// The record, checked against the store (a known actor; a day the record had begun).
    func record(_ store: Store) throws(Failure) -> RecordView {
        do { return try store.record(asOf: asOf?.checked, view: view) } catch { throw Failure(error) }
    }
}
