#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ExamStore
import Foundation

/// "2026-12-01T07:30:00Z" for a date, to the second, in UTC: what the API's JSONEncoder writes, made
/// without a formatter (the answer-save route writes two per response).
enum ISOTime {
    static func string(_ date: Date) -> String { UTCText.iso8601(date) }
}

extension ISOTime {
    /// Reads "2026-12-01T07:30:00Z", with optional fractions of a second and a "+07:00" style offset (what a
    /// browser's `toISOString()` and other clients send). nil for anything else.
    static func date(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ count: Int) -> Int? {
            guard index + count <= bytes.count else { return nil }
            var value = 0
            for _ in 0..<count {
                let byte = bytes[index]
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                index += 1
            }
            return value
        }
        func literal(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }
        guard let year = number(4), literal(UInt8(ascii: "-")), let month = number(2), literal(UInt8(ascii: "-")), let day = number(2),
              literal(UInt8(ascii: "T")), let hour = number(2), literal(UInt8(ascii: ":")), let minute = number(2), literal(UInt8(ascii: ":")),
              let second = number(2), (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var fraction = 0.0
        if literal(UInt8(ascii: ".")) {
            var digits = 0, scale = 1.0
            let from = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]), index - from < 9 {
                digits = digits * 10 + Int(bytes[index] - UInt8(ascii: "0"))
                scale *= 10
                index += 1
            }
            guard index > from else { return nil }
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            fraction = Double(digits) / scale
        }
        var offset = 0
        if literal(UInt8(ascii: "Z")) {
        } else if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            index += 1
            guard let hours = number(2), literal(UInt8(ascii: ":")), let minutes = number(2) else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }
        // Days from the civil date (proleptic Gregorian), then seconds.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        // Counted from the reference date, as Foundation's own ISO 8601 parsing does (the same double results).
        return Date(timeIntervalSinceReferenceDate: TimeInterval(seconds - 978_307_200) + fraction)
    }
}
