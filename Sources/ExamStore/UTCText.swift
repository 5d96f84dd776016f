#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A date as text in UTC without a formatter (ICU's date formatting showed in the answer writer's profile):
/// `database(_:)` is the text GRDB stores for a `Date` ("2026-12-01 07:30:00.123", to the nearest millisecond as its
/// formatter writes it), `iso8601(_:)` what the API's JSONEncoder writes ("2026-12-01T07:30:00Z").
public enum UTCText {
    public static func database(_ date: Date) -> String {
        // Foundation's formatter rounds to the nearest millisecond.
        format(milliseconds: Int64((date.timeIntervalSince1970 * 1000).rounded()), separator: " ", fraction: true, suffix: "")
    }

    public static func iso8601(_ date: Date) -> String {
        format(milliseconds: Int64(date.timeIntervalSince1970.rounded(.down)) * 1000, separator: "T", fraction: false, suffix: "Z")
    }

    /// The date of the text `database(_:)` writes ("yyyy-MM-dd HH:mm:ss.SSS", or without the fraction; a `T` for
    /// the space is taken too), read without GRDB's calendar (Foundation's `Calendar`, ICU underneath, showed in
    /// the answer writer's profile: each attempt row it checks holds four or five dates). nil for any other text,
    /// or a time before mid-2001, which the caller then hands to GRDB.
    public static func date(database text: String) -> Date? {
        var text = text
        return text.withUTF8 { bytes -> Date? in
            guard bytes.count == 19 || bytes.count == 23,
                  bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
                  bytes[10] == UInt8(ascii: " ") || bytes[10] == UInt8(ascii: "T"),
                  bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
                  bytes.count == 19 || bytes[19] == UInt8(ascii: ".") else { return nil }
            func number(_ start: Int, _ count: Int) -> Int64? {
                var value: Int64 = 0
                for index in start..<(start + count) {
                    let digit = bytes[index] &- UInt8(ascii: "0")
                    guard digit < 10 else { return nil }
                    value = value * 10 + Int64(digit)
                }
                return value
            }
            guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
                  let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
                  let fraction = bytes.count == 23 ? number(20, 3) : 0,
                  (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
                  hour < 24, minute < 60, second < 60 else { return nil }
            let sinceReference = daysSince1970(year: year, month: month, day: day) * 86_400 + hour * 3_600 + minute * 60 + second - 978_307_200
            // Foundation's calendar differs from the nearest double by an ulp or two for times within weeks of 2001-01-01
            // (its reference date) and never after, in 2,000,000 random samples to 9999: earlier times go to GRDB, so
            // the Date is the same to the bit whichever way a column is read.
            guard sinceReference >= 1 << 24 else { return nil }
            return Date(timeIntervalSinceReferenceDate: Double(sinceReference) + Double(fraction) / 1_000)
        }
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to the given day of the proleptic Gregorian calendar (eras of 400 years, March first).
    private static func daysSince1970(year: Int64, month: Int64, day: Int64) -> Int64 {
        let shifted = month <= 2 ? year - 1 : year
        let era = (shifted >= 0 ? shifted : shifted - 399) / 400
        let yearOfEra = shifted - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func format(milliseconds totalMilliseconds: Int64, separator: Character, fraction withFraction: Bool, suffix: String) -> String {
        var seconds = time_t(totalMilliseconds >= 0 ? totalMilliseconds / 1000 : (totalMilliseconds - 999) / 1000)
        let fraction = Int32(totalMilliseconds - Int64(seconds) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        func digits(_ value: Int32, _ count: Int) {
            var divisor: Int32 = 1
            for _ in 1..<count { divisor *= 10 }
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8((value / divisor) % 10))
                divisor /= 10
            }
        }
        digits(parts.tm_year + 1900, 4); bytes.append(UInt8(ascii: "-"))
        digits(parts.tm_mon + 1, 2); bytes.append(UInt8(ascii: "-"))
        digits(parts.tm_mday, 2); bytes.append(contentsOf: String(separator).utf8)
        digits(parts.tm_hour, 2); bytes.append(UInt8(ascii: ":"))
        digits(parts.tm_min, 2); bytes.append(UInt8(ascii: ":"))
        digits(parts.tm_sec, 2)
        if withFraction { bytes.append(UInt8(ascii: ".")); digits(fraction, 3) }
        bytes.append(contentsOf: suffix.utf8)
        return String(decoding: bytes, as: UTF8.self)
    }
}
