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
    /// The slices of `statements` as the record stood on `asOf` (today's record when nil), in
    /// the default view.
    public static func slices(of statements: [some Dated], asOf: Day? = nil) -> [Slice] {
        slices(of: statements, in: RecordView(asOf: asOf))
    }

    /// The slices of `statements` in `record`: the runs of days between consecutive days on which
    /// a statement it holds starts or ends (an uncertain range counts from its first day), in
    /// order, the last one open. Before the first such day there is no slice. Members come in
    /// the order that decides: the claims the view accepts first, then the rest, each in
    /// catalog order.
    public static func slices(of statements: [some Dated], in record: RecordView) -> [Slice] {
        let held = statements.indices.filter { statements[$0].isHeld(by: record) }
        let ordered = held.filter { statements[$0].isClaimAccepted(in: record.view) } + held.filter { !statements[$0].isClaimAccepted(in: record.view) }
        var days = Set<Day>()
        for i in held {
            let valid = statements[i].valid(asOf: record.asOf)
            days.insert(valid.from)
            if let to = valid.to { days.insert(to) }
        }
        let sorted = days.sorted()
        return sorted.indices.map { k in
            let interval = try! DayInterval(from: sorted[k], to: k + 1 < sorted.count ? sorted[k + 1] : nil)
            // Nothing starts or ends inside a slice: what is in force on its first day is in force all through it.
            return Slice(interval: interval, members: ordered.filter { statements[$0].valid(asOf: record.asOf).contains(sorted[k]) })
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
