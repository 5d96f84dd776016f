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
