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
        var text = Substring(raw.trimmingCharacters(in: .whitespacesAndNewlines))
        if text.isEmpty { return .empty }
        if text.first == "+" {
            text = text.dropFirst()
            if text.first == "-" || text.first == "+" { return .invalid(reason: "hai dấu liền nhau / two signs") }
        }
        let written = text.map { $0 == "." ? "," : $0 }
        if boxRule, written.count > boxCount {
            return .invalid(reason: "quá \(boxCount) ký tự / more than \(boxCount) characters")
        }
        var negative = false
        var whole = ""
        var fraction = ""
        var sawComma = false
        for (index, character) in written.enumerated() {
            switch character {
            case "-":
                guard index == 0 else { return .invalid(reason: "dấu trừ chỉ ở đầu / minus only first") }
                negative = true
            case ",":
                guard !sawComma else { return .invalid(reason: "nhiều hơn một dấu phẩy / more than one decimal comma") }
                sawComma = true
            case "0"..."9":
                if sawComma { fraction.append(character) } else { whole.append(character) }
            default:
                return .invalid(reason: "ký tự không hợp lệ \"\(character)\" / not allowed: \"\(character)\"")
            }
        }
        guard !(whole.isEmpty && fraction.isEmpty) else { return .invalid(reason: "không có chữ số / no digit") }
        while whole.count > 1, whole.first == "0" { whole.removeFirst() }
        if whole.isEmpty { whole = "0" }
        while fraction.last == "0" { fraction.removeLast() }
        let isZero = whole == "0" && fraction.isEmpty
        let canonical = (negative && !isZero ? "-" : "") + whole + (fraction.isEmpty ? "" : "," + fraction)
        guard let value = Decimal(string: canonical.replacingOccurrences(of: ",", with: "."), locale: Locale(identifier: "en_US_POSIX")) else {
            return .invalid(reason: "không đọc được số / not a number")
        }
        return .value(value, canonical: canonical)
    }

    /// Whether a normalised input matches the key, an alternative, within the tolerance.
    public func accepts(_ input: NumericInput) -> Bool {
        guard let value = input.decimal else { return false }
        for accepted in [answer] + alternatives {
            guard let key = NumericAnswer.normalise(accepted, boxRule: false).decimal else { continue }
            let difference = value - key
            let distance = difference < 0 ? -difference : difference
            if distance <= (tolerance ?? 0) { return true }
        }
        return false
    }
}
