import Foundation

/// A graded paper as the database keeps it: plain text, one record per line, fields between unit separators
/// (U+001F), points in hundredths. Reading and writing ten thousand of them takes milliseconds where JSON took
/// seconds (regrade and statistics read and write every attempt's). Scores stored as JSON before are still read.
///
///     S␟code␟scale␟total␟raw␟maximum␟pending
///     P␟part id␟awarded␟maximum          (one per part, in order)
///     I␟key␟status␟awarded␟maximum␟note  (one per item, in paper order)
///     X␟extra key                         (response keys not on the paper)
extension PaperScore {
    static let field: Character = "\u{1F}"

    public var stored: String {
        func clean(_ text: String) -> String {
            text.contains(where: { $0 == "\u{1F}" || $0 == "\n" }) ? String(text.map { $0 == "\u{1F}" || $0 == "\n" ? " " : $0 }) : text
        }
        let f = String(Self.field)
        var lines = ["S" + f + [clean(code), String(scale.hundredths), String(total.hundredths), String(raw.hundredths), String(maximum.hundredths),
                                String(pending)].joined(separator: f)]
        lines.reserveCapacity(parts.count + items.count + 1)
        for part in parts { lines.append("P" + f + [clean(part.id), String(part.awarded.hundredths), String(part.maximum.hundredths)].joined(separator: f)) }
        for item in items {
            lines.append("I" + f + [clean(item.key), item.score.status.rawValue, String(item.score.awarded.hundredths), String(item.score.maximum.hundredths),
                                    clean(item.score.note ?? "")].joined(separator: f))
        }
        for key in extraKeys { lines.append("X" + f + clean(key)) }
        return lines.joined(separator: "\n")
    }

    /// Reads `stored`'s form (or the JSON of earlier versions).
    public init(stored text: String) throws {
        if text.hasPrefix("{") {
            self = try JSONDecoder().decode(PaperScore.self, from: Data(text.utf8))
            return
        }
        struct Unreadable: Error, CustomStringConvertible { var description: String }
        var copy = text
        let parsed: PaperScore? = copy.withUTF8 { bytes -> PaperScore? in
            var header: (code: String, scale: Int, total: Int, raw: Int, maximum: Int, pending: Int)?
            var parts: [PartTotal] = [], items: [Item] = [], extra: [String] = []
            items.reserveCapacity(48)
            var fields: [Range<Int>] = []
            fields.reserveCapacity(8)
            var lineStart = 0
            func text(_ range: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) }
            func number(_ range: Range<Int>) -> Int? {
                guard !range.isEmpty else { return nil }
                var value = 0, index = range.lowerBound, negative = false
                if bytes[index] == UInt8(ascii: "-") { negative = true; index += 1; guard index < range.upperBound else { return nil } }
                while index < range.upperBound {
                    let digit = Int(bytes[index]) - 48
                    guard digit >= 0, digit <= 9, value < Int.max / 10 - 9 else { return nil }
                    value = value * 10 + digit
                    index += 1
                }
                return negative ? -value : value
            }
            while lineStart < bytes.count {
                var lineEnd = lineStart
                while lineEnd < bytes.count && bytes[lineEnd] != 0x0A { lineEnd += 1 }
                fields.removeAll(keepingCapacity: true)
                var fieldStart = lineStart
                for index in lineStart..<lineEnd where bytes[index] == 0x1F {
                    fields.append(fieldStart..<index)
                    fieldStart = index + 1
                }
                fields.append(fieldStart..<lineEnd)
                if lineEnd > lineStart {
                    let kind = fields[0].count == 1 ? bytes[fields[0].lowerBound] : 0
                    switch (kind, fields.count) {
                    case (UInt8(ascii: "I"), 6):
                        guard let status = ItemScore.Status(rawValue: text(fields[2])), let awarded = number(fields[3]), let maximum = number(fields[4]) else { return nil }
                        items.append(Item(key: text(fields[1]), score: ItemScore(awarded: Points(hundredths: awarded), maximum: Points(hundredths: maximum),
                                                                                  status: status, note: fields[5].isEmpty ? nil : text(fields[5]))))
                    case (UInt8(ascii: "P"), 4):
                        guard let awarded = number(fields[2]), let maximum = number(fields[3]) else { return nil }
                        parts.append(PartTotal(id: text(fields[1]), awarded: Points(hundredths: awarded), maximum: Points(hundredths: maximum)))
                    case (UInt8(ascii: "S"), 7):
                        guard let scale = number(fields[2]), let total = number(fields[3]), let raw = number(fields[4]), let maximum = number(fields[5]),
                              let pending = number(fields[6]) else { return nil }
                        header = (text(fields[1]), scale, total, raw, maximum, pending)
                    case (UInt8(ascii: "X"), 2): extra.append(text(fields[1]))
                    default: return nil
                    }
                }
                lineStart = lineEnd + 1
            }
            guard let header else { return nil }
            return PaperScore(code: header.code, items: items, parts: parts, raw: Points(hundredths: header.raw), maximum: Points(hundredths: header.maximum),
                              total: Points(hundredths: header.total), scale: Points(hundredths: header.scale), pending: header.pending, extraKeys: extra)
        }
        guard let parsed else { throw Unreadable(description: "stored score: unreadable (\(text.prefix(60)))") }
        self = parsed
    }
}

extension PaperScore {
    /// Only the numbers of a stored score, for statistics over many attempts: the total on the scale, the
    /// scale, and each item's awarded and maximum points in paper order (hundredths). Nil if unreadable.
    public static func storedPoints(_ text: String) -> (total: Int, scale: Int, items: [(awarded: Int, maximum: Int)])? {
        if text.hasPrefix("{") {
            guard let score = try? PaperScore(stored: text) else { return nil }
            return (score.total.hundredths, score.scale.hundredths, score.items.map { ($0.score.awarded.hundredths, $0.score.maximum.hundredths) })
        }
        var copy = text
        return copy.withUTF8 { bytes -> (total: Int, scale: Int, items: [(awarded: Int, maximum: Int)])? in
            var total: Int?, scale = 0
            var items: [(awarded: Int, maximum: Int)] = []
            items.reserveCapacity(48)
            var index = 0
            // The n-th field of the line starting at `start` as a number (fields split by U+001F).
            func number(from start: Int) -> (Int, Int)? {
                var value = 0, cursor = start, negative = false, digits = 0
                if cursor < bytes.count, bytes[cursor] == UInt8(ascii: "-") { negative = true; cursor += 1 }
                while cursor < bytes.count, bytes[cursor] >= 48, bytes[cursor] <= 57 { value = value * 10 + Int(bytes[cursor] - 48); cursor += 1; digits += 1 }
                return digits > 0 ? (negative ? -value : value, cursor) : nil
            }
            func skipFields(_ count: Int, from start: Int) -> Int {
                var cursor = start, seen = 0
                while cursor < bytes.count, seen < count { if bytes[cursor] == 0x1F { seen += 1 }; if bytes[cursor] == 0x0A { return cursor }; cursor += 1 }
                return cursor
            }
            while index < bytes.count {
                let kind = bytes[index]
                if kind == UInt8(ascii: "I") {
                    // I␟key␟status␟awarded␟maximum␟note
                    let at = skipFields(3, from: index)
                    guard let (awarded, next) = number(from: at), next < bytes.count, bytes[next] == 0x1F, let (maximum, _) = number(from: next + 1) else { return nil }
                    items.append((awarded, maximum))
                } else if kind == UInt8(ascii: "S") {
                    // S␟code␟scale␟total␟…
                    let at = skipFields(2, from: index)
                    guard let (value, next) = number(from: at), next < bytes.count, let (sum, _) = number(from: next + 1) else { return nil }
                    scale = value; total = sum
                }
                while index < bytes.count, bytes[index] != 0x0A { index += 1 }
                index += 1
            }
            guard let total else { return nil }
            return (total, scale, items)
        }
    }
}
