/// Anything on the two time axes: valid `[from, to)` and recorded `[announced, superseded)`.
public protocol Dated {
    var valid: DayInterval { get }
    var recorded: DayInterval { get }
}

extension Statement: Dated {}
extension StatementInfo: Dated {}

extension Dated {
    /// True when it stood on the record as of `asOf` (today's record when nil): announced by then
    /// and not yet superseded.
    public func isOnRecord(asOf: Day?) -> Bool {
        guard let asOf else { return recorded.to == nil }
        return recorded.contains(asOf)
    }

    /// True when it is in force on `day` as the record stood on `asOf` (today's record when nil).
    public func isInForce(on day: Day, asOf: Day? = nil) -> Bool {
        isOnRecord(asOf: asOf) && valid.contains(day)
    }
}

/// A time slice: a half-open run of days in which no statement on the record starts or ends,
/// and the statements in force all through it.
public struct Slice: Sendable, Hashable {
    public let interval: DayInterval
    /// The statements in force in the slice, as indices into the list the slices were made from,
    /// in that list's order.
    public let members: [Int]

    public init(interval: DayInterval, members: [Int]) {
        self.interval = interval
        self.members = members
    }
}

/// The time slices, computed in this one place for the atlas, the store, the engine and the
/// batch classifier alike.
public enum Slicing {
    /// The slices of `statements` as the record stood on `asOf` (today's record when nil): the
    /// runs of days between consecutive days on which a statement on that record starts or ends,
    /// in order, the last one open. Before the first such day there is no slice.
    public static func slices(of statements: [some Dated], asOf: Day? = nil) -> [Slice] {
        let onRecord = statements.indices.filter { statements[$0].isOnRecord(asOf: asOf) }
        var days = Set<Day>()
        for i in onRecord {
            days.insert(statements[i].valid.from)
            if let to = statements[i].valid.to { days.insert(to) }
        }
        let sorted = days.sorted()
        return sorted.indices.map { k in
            let interval = try! DayInterval(from: sorted[k], to: k + 1 < sorted.count ? sorted[k + 1] : nil)
            // Nothing starts or ends inside a slice: what is in force on its first day is in force all through it.
            return Slice(interval: interval, members: onRecord.filter { statements[$0].valid.contains(sorted[k]) })
        }
    }

    /// The index of the slice holding `day` (the last one starting on or before it), or nil
    /// before the first.
    public static func index(of day: Day, in slices: [Slice]) -> Int? {
        var lo = 0, hi = slices.count, found: Int?
        while lo < hi {
            let mid = (lo + hi) / 2
            if slices[mid].interval.from <= day { found = mid; lo = mid + 1 } else { hi = mid }
        }
        return found
    }
}
