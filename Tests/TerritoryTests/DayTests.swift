import Testing
@testable import Territory

@Suite struct DayTests {
    @Test(arguments: ["2020-11-10", "2020-02-29", "2000-02-29", "1994-05-12", "2024-12-31"])
    func parsesRealDays(text: String) throws {
        #expect(try Day(parsing: text).description == text)
    }

    @Test(arguments: [
        ("2020-02-30", "day 30 does not exist in February 2020"),
        ("2021-02-29", "day 29 does not exist in February 2021"),
        ("1900-02-29", "does not exist"),
        ("2020-13-01", "month 13 does not exist"),
        ("2020-00-10", "month 0"),
        ("2020-11-31", "day 31 does not exist in November"),
        ("2020-1-1", "write YYYY-MM-DD"),
        ("20201110", "write YYYY-MM-DD"),
        ("", "write YYYY-MM-DD"),
        ("2020-11-10T00:00", "write YYYY-MM-DD"),
        ("２０２０-11-10", "write YYYY-MM-DD"),
    ])
    func refusesImpossibleDays(text: String, reason: String) {
        do {
            let day = try Day(parsing: text)
            Issue.record("accepted \(text) as \(day)")
        } catch {
            #expect(error.message.contains(reason), "\(text): \(error.message)")
        }
    }

    @Test func ordinalsRoundTripAndCount() throws {
        #expect(try Day(parsing: "1970-01-01").ordinal == 0)
        #expect(try Day(parsing: "2020-11-10").ordinal == 18_576)
        for ordinal in stride(from: -800_000, through: 800_000, by: 997) {
            #expect(Day(ordinal: ordinal).ordinal == ordinal)
        }
        #expect(try Day(parsing: "2020-11-30").adding(days: 1) == Day(parsing: "2020-12-01"))
        #expect(try Day(parsing: "2020-02-28").adding(days: 1) == Day(parsing: "2020-02-29"))
        #expect(try Day(parsing: "2021-02-28").adding(days: 1) == Day(parsing: "2021-03-01"))
    }

    @Test func intervalsAreHalfOpen() throws {
        let from = try Day(parsing: "2020-11-20"), to = try Day(parsing: "2020-12-01")
        let interval = try DayInterval(from: from, to: to)
        #expect(interval.contains(from))
        #expect(interval.contains(try Day(parsing: "2020-11-30")))
        #expect(!interval.contains(to))
        #expect(!interval.contains(try Day(parsing: "2020-11-19")))
        let next = try DayInterval(from: to, to: nil)
        #expect(!interval.overlaps(next), "a 'to' equal to the next 'from' shares no day")
        #expect(next.contains(try Day(parsing: "2099-01-01")))
        #expect(throws: Day.ParseError.self) { try DayInterval(from: to, to: from) }
        #expect(throws: Day.ParseError.self) { try DayInterval(from: to, to: to) }
    }
}
