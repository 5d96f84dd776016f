import Foundation

/// What a candidate wrote in the short-answer boxes, after the rules of DOMAIN.md §1.
public enum NumericInput: Hashable, Sendable {
    /// Nothing written (or only spaces).
    case empty
    /// Written, but not a number the boxes can hold; `reason` says why.
    case invalid(reason: String)
    /// A number; `canonical` is its shortest form with a decimal comma ("0,5", "-12", "0").
    case value(Decimal, canonical: String)

    /// The value, if there is one.
    public var decimal: Decimal? {
        if case let .value(value, _) = self { return value }
        return nil
    }
}

extension NumericAnswer {
    /// The most characters the answer boxes hold (2025 format).
    public static let boxCount = 4

    /// Normalises what a candidate (or a teacher, for a key) wrote:
    /// trim; empty is `.empty`; drop one leading `+`; `.` and `,` are both the decimal mark; `-0` is 0;
    /// `0,50` equals `0,5`. With `boxRule`, at most 4 characters from 0–9, `-`, `,` remain, the minus only
    /// first and at most one comma; without it, any length is allowed but the same characters.
    public static func normalise(_ raw: String, boxRule: Bool = true) -> NumericInput {
        // Runs for every short answer graded: scans the scalars once, no Foundation parsing on the way.
        var scalars = Substring(raw).unicodeScalars[...]
        func isSpace(_ scalar: Unicode.Scalar) -> Bool {
            scalar.isASCII ? (scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r") : scalar.properties.isWhitespace
        }
        while let first = scalars.first, isSpace(first) { scalars.removeFirst() }
        while let last = scalars.last, isSpace(last) { scalars.removeLast() }
        if scalars.isEmpty { return .empty }
        if scalars.first == "+" {
            scalars.removeFirst()
            if scalars.first == "-" || scalars.first == "+" { return .invalid(reason: "hai dấu liền nhau / two signs") }
        }
        if boxRule, scalars.count > boxCount {
            return .invalid(reason: "quá \(boxCount) ký tự / more than \(boxCount) characters")
        }
        var negative = false
        var whole = ""
        var fraction = ""
        var sawComma = false
        var isFirst = true
        for scalar in scalars {
            defer { isFirst = false }
            switch scalar {
            case "-":
                guard isFirst else { return .invalid(reason: "dấu trừ chỉ ở đầu / minus only first") }
                negative = true
            case ",", ".":
                guard !sawComma else { return .invalid(reason: "nhiều hơn một dấu phẩy / more than one decimal comma") }
                sawComma = true
            case "0"..."9":
                if sawComma { fraction.unicodeScalars.append(scalar) } else { whole.unicodeScalars.append(scalar) }
            default:
                return .invalid(reason: "ký tự không hợp lệ \"\(Character(scalar))\" / not allowed: \"\(Character(scalar))\"")
            }
        }
        guard !(whole.isEmpty && fraction.isEmpty) else { return .invalid(reason: "không có chữ số / no digit") }
        while whole.utf8.count > 1, whole.utf8.first == UInt8(ascii: "0") { whole.removeFirst() }
        if whole.isEmpty { whole = "0" }
        while fraction.utf8.last == UInt8(ascii: "0") { fraction.removeLast() }
        let isZero = whole == "0" && fraction.isEmpty
        let sign = negative && !isZero
        let canonical = (sign ? "-" : "") + whole + (fraction.isEmpty ? "" : "," + fraction)
        let digits = whole + fraction
        let value: Decimal
        if digits.utf8.count <= 18, let significand = UInt64(digits) {
            value = Decimal(sign: sign ? .minus : .plus, exponent: -fraction.utf8.count, significand: Decimal(significand))
        } else if let parsed = Decimal(string: (sign ? "-" : "") + whole + "." + (fraction.isEmpty ? "0" : fraction), locale: Locale(identifier: "en_US_POSIX")) {
            value = parsed
        } else {
            return .invalid(reason: "không đọc được số / not a number")
        }
        return .value(value, canonical: canonical)
    }

    /// Whether a normalised input matches the key, an alternative, within the tolerance.
    public func accepts(_ input: NumericInput) -> Bool {
        guard case let .value(value, canonical) = input else { return false }
        for accepted in CollectionOfOne(answer).lazy + alternatives {
            guard case let .value(key, keyCanonical) = NumericAnswer.normalise(accepted, boxRule: false) else { continue }
            // Canonical forms are equal exactly when the numbers are: the common case needs no arithmetic.
            if canonical == keyCanonical { return true }
            guard tolerance != nil else { continue }
            let difference = value - key
            let distance = difference < 0 ? -difference : difference
            if distance <= (tolerance ?? 0) { return true }
        }
        return false
    }
}
