import Foundation

/// A score or a point value, kept exactly in hundredths of a point.
///
/// Scores are never binary floating point: `Points` stores an integer count of hundredths, parses and prints
/// decimal text ("0.25", "0,25"), and rounds only where a rule says so (half-up).
/// In JSON it is a plain number (`0.25`), decoded through `Decimal` so no binary rounding slips in.
public struct Points: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The value in hundredths of a point: 0.25 points is 25.
    public var hundredths: Int

    public init(hundredths: Int) { self.hundredths = hundredths }

    /// Whole points.
    public init(_ whole: Int) { self.hundredths = whole * 100 }

    public static let zero = Points(hundredths: 0)

    /// Parses "0.25", "0,25", "3", "-1.5". Returns nil for anything that is not a decimal with at most
    /// two digits after the mark.
    public init?(parsing text: String) {
        guard let value = Points.parseHundredths(text) else { return nil }
        self.hundredths = value
    }

    /// Converts a `Decimal` that has at most two digits after the point; nil otherwise.
    public init?(exactly decimal: Decimal) {
        var scaled = decimal * 100
        var rounded = Decimal()
        NSDecimalRound(&rounded, &scaled, 0, .plain)
        guard rounded == scaled, let int = Int(exactly: NSDecimalNumber(decimal: rounded).int64Value),
              Decimal(int) == rounded else { return nil }
        self.hundredths = int
    }

    /// The value as a `Decimal` with no trailing zeros (built from its digits, no division).
    public var decimal: Decimal {
        let sign: FloatingPointSign = hundredths < 0 ? .minus : .plus
        let magnitude = hundredths.magnitude
        if magnitude % 100 == 0 { return Decimal(sign: sign, exponent: 0, significand: Decimal(magnitude / 100)) }
        if magnitude % 10 == 0 { return Decimal(sign: sign, exponent: -1, significand: Decimal(magnitude / 10)) }
        return Decimal(sign: sign, exponent: -2, significand: Decimal(magnitude))
    }

    /// "0.25", "1", "7.5" (no trailing zeros); `decimalMark` "," gives the Vietnamese form "7,5".
    public func formatted(decimalMark: Character = ".") -> String {
        let sign = hundredths < 0 ? "-" : ""
        let magnitude = abs(hundredths)
        let whole = magnitude / 100
        let fraction = magnitude % 100
        if fraction == 0 { return "\(sign)\(whole)" }
        let digits = fraction % 10 == 0 ? "\(fraction / 10)" : (fraction < 10 ? "0\(fraction)" : "\(fraction)")
        return "\(sign)\(whole)\(decimalMark)\(digits)"
    }

    /// Always two decimals: "0.25", "1.00".
    public var fixed2: String {
        let sign = hundredths < 0 ? "-" : ""
        let magnitude = abs(hundredths)
        let fraction = magnitude % 100
        return "\(sign)\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    public var description: String { formatted() }

    public static func < (lhs: Points, rhs: Points) -> Bool { lhs.hundredths < rhs.hundredths }
    public static func + (lhs: Points, rhs: Points) -> Points { Points(hundredths: lhs.hundredths + rhs.hundredths) }
    public static func - (lhs: Points, rhs: Points) -> Points { Points(hundredths: lhs.hundredths - rhs.hundredths) }
    public static func * (lhs: Points, rhs: Int) -> Points { Points(hundredths: lhs.hundredths * rhs) }
    public static func += (lhs: inout Points, rhs: Points) { lhs.hundredths += rhs.hundredths }

    /// `self × numerator / denominator`, rounded half-up to the hundredth (exact integer arithmetic).
    /// These points times an exact fraction, rounded half-up to hundredths.
    public func scaled(by fraction: Decimal) -> Points {
        var product = Decimal(hundredths) * fraction
        var rounded = Decimal()
        NSDecimalRound(&rounded, &product, 0, .plain)
        return Points(hundredths: NSDecimalNumber(decimal: rounded).intValue)
    }

    public func scaled(by numerator: Int, over denominator: Int) -> Points {
        precondition(denominator > 0, "denominator must be positive")
        return Points(hundredths: Rounding.divideHalfUp(hundredths * numerator, by: denominator))
    }

    static func parseHundredths(_ raw: String) -> Int? {
        var text = Substring(raw.trimmingCharacters(in: .whitespaces))
        var negative = false
        if text.first == "-" { negative = true; text = text.dropFirst() } else if text.first == "+" { text = text.dropFirst() }
        guard !text.isEmpty else { return nil }
        let parts = text.split(separator: text.contains(",") ? "," : ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let wholeText = parts.first, !wholeText.isEmpty,
              wholeText.allSatisfy(\.isASCIIDigitChar), wholeText.count <= 15 else { return nil }
        guard let whole = Int(wholeText) else { return nil }
        var value = whole * 100
        if parts.count == 2 {
            var fraction = parts[1]
            while fraction.count > 2, fraction.last == "0" { fraction = fraction.dropLast() }
            guard !fraction.isEmpty, fraction.count <= 2, fraction.allSatisfy(\.isASCIIDigitChar), let digits = Int(fraction) else { return nil }
            value += digits * (fraction.count == 1 ? 10 : 1)
        }
        return negative ? -value : value
    }
}

extension Points: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) { self.init(value) }
}

extension Points: Codable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            guard let value = Points.parseHundredths(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "\"\(text)\" is not a point value with at most two decimals")
            }
            self.hundredths = value
            return
        }
        let decimal = try container.decode(Decimal.self)
        guard let points = Points(exactly: decimal) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(decimal) has more than two decimals")
        }
        self = points
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(decimal)
    }
}

/// Exact half-up rounding on integers, the rule for every rounded score.
public enum Rounding {
    /// `value / divisor` rounded half-up (half away from zero), for a positive divisor.
    public static func divideHalfUp(_ value: Int, by divisor: Int) -> Int {
        precondition(divisor > 0)
        if value >= 0 { return (2 * value + divisor) / (2 * divisor) }
        return -((2 * -value + divisor) / (2 * divisor))
    }
}

extension Character {
    /// One of 0–9 alone: a digit with a combining mark ("5\u{350}") is one Character that sorts between "0" and
    /// "9" but is no digit (found by fuzzing the YAML reader).
    var isASCIIDigitChar: Bool { asciiValue.map { (48...57).contains($0) } ?? false }
}
