import Foundation

/// A candidate's answer to one item, as it arrives from a page or a response file, before it is checked.
///
/// JSON shapes: a string (`"B"`, `"0,5"`, `"ĐSĐS"`), a number (`0.5`), a boolean, a list (`["A","C"]`,
/// `[true, null, false]`: a null is an entry left blank), or an object (`{"a":"Đ","b":"S"}`, `{"1":"B"}`).
/// Anything else (nesting) is kept as `.malformed`, so one bad answer never spoils a whole file; it scores zero.
public enum ResponseValue: Hashable, Sendable {
    case text(String)
    case list([String])
    case map([String: String])
    case malformed

    /// Nothing was answered: empty text, empty list, empty object.
    public var isEmpty: Bool {
        switch self {
        case let .text(text): text.isBlank
        case let .list(list): list.allSatisfy(\.isBlank)
        case let .map(map): map.values.allSatisfy(\.isBlank)
        case .malformed: false
        }
    }
}

extension ResponseValue: Codable {
    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { return nil }
    }

    private static func scalar(_ container: SingleValueDecodingContainer) -> String? {
        if let text = try? container.decode(String.self) { return text }
        if let flag = try? container.decode(Bool.self) { return flag ? "true" : "false" }
        if let number = try? container.decode(Decimal.self) { return number.description }
        return nil
    }

    public init(from decoder: Decoder) throws {
        if let single = try? decoder.singleValueContainer() {
            if single.decodeNil() { self = .text(""); return }
            if let text = Self.scalar(single) { self = .text(text); return }
        }
        if var array = try? decoder.unkeyedContainer() {
            var items: [String] = []
            while !array.isAtEnd {
                guard let element = try? array.superDecoder(), let single = try? element.singleValueContainer(),
                      let text = single.decodeNil() ? "" : Self.scalar(single) else {
                    self = .malformed
                    return
                }
                items.append(text)
            }
            self = .list(items)
            return
        }
        if let object = try? decoder.container(keyedBy: AnyKey.self) {
            var map: [String: String] = [:]
            for key in object.allKeys {
                guard let element = try? object.superDecoder(forKey: key), let single = try? element.singleValueContainer(),
                      let text = single.decodeNil() ? "" : Self.scalar(single) else {
                    self = .malformed
                    return
                }
                map[key.stringValue] = text
            }
            self = .map(map)
            return
        }
        self = .malformed
    }

    public func encode(to encoder: Encoder) throws {
        switch self {
        case let .text(text): var c = encoder.singleValueContainer(); try c.encode(text)
        case let .list(list): var c = encoder.singleValueContainer(); try c.encode(list)
        case let .map(map): var c = encoder.singleValueContainer(); try c.encode(map)
        case .malformed: var c = encoder.singleValueContainer(); try c.encodeNil()
        }
    }
}

/// Labels as a paper shows them: options A, B, C, …; statements a, b, c, …; premises 1, 2, 3, ….
public enum Labels {
    static let upper: [String] = (0..<26).map { String(UnicodeScalar(UInt8(65 + $0))) }
    static let lower: [String] = (0..<26).map { String(UnicodeScalar(UInt8(97 + $0))) }

    /// The most entries a labelled list can have (A–Z). Readers refuse longer lists before mapping labels;
    /// past it a label is "#27", never a crash.
    public static let limit = 26
    /// The most options of a choice question (A–H).
    public static let maximumOptions = 8

    /// "A" for 0, "B" for 1, ….
    public static func option(_ index: Int) -> String { index >= 0 && index < limit ? upper[index] : "#\(index + 1)" }
    /// "a" for 0, "b" for 1, ….
    public static func statement(_ index: Int) -> String { index >= 0 && index < limit ? lower[index] : "#\(index + 1)" }
    /// "1" for 0, "2" for 1, ….
    public static func premise(_ index: Int) -> String { String(index + 1) }

    /// The index of an option label ("B", "b", " b. ", "(B)" → 1), or nil. Runs on every graded item, so it
    /// reads the UTF-8 bytes directly.
    public static func optionIndex(_ label: String, count: Int) -> Int? {
        var found: Int?
        for byte in label.utf8 {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "."), UInt8(ascii: ")"), UInt8(ascii: "("): continue
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                guard found == nil else { return nil }
                found = Int(byte - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"):
                guard found == nil else { return nil }
                found = Int(byte - UInt8(ascii: "a"))
            default: return nil
            }
        }
        guard let index = found, index < count else { return nil }
        return index
    }
}

extension StringProtocol {
    /// Empty or only white space (cheaper than trimming).
    var isBlank: Bool {
        for byte in utf8 {
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D: continue
            case 0..<0x80: return false
            default: return unicodeScalars.allSatisfy { $0.properties.isWhitespace }
            }
        }
        return true
    }
}

extension ResponseValue {
    /// The longest answer text accepted (an essay of about 30 pages; anything longer is refused, not cut).
    public static let maximumCharacters = 100_000

    /// Whether this value has a shape the kind can read (a page sends only such values; anything else is a
    /// client bug or tampering and is refused before it is stored). Blank is always well-formed: it clears.
    public func isWellFormed(for kind: QuestionKind) -> Bool {
        switch self {
        case .malformed: return false
        case let .text(text):
            // Every kind has a text form ("B", "A,C", "ĐSĐS", "0,5", "1-B, 2-A", "CAB", an essay).
            return text.utf8.count <= Self.maximumCharacters * 4 && text.count <= Self.maximumCharacters
        case let .list(list):
            guard list.count <= 26, list.allSatisfy({ $0.count <= 1000 }) else { return false }
            return [.multipleResponse, .trueFalse, .ordering, .cloze, .singleChoice].contains(kind)
        case let .map(map):
            guard map.count <= 26, map.allSatisfy({ $0.key.count <= 8 && $0.value.count <= 1000 }) else { return false }
            return [.trueFalse, .matching, .cloze].contains(kind)
        }
    }
}

extension ResponseValue {
    /// The value as compact JSON with sorted keys, written by hand: the same text `JSONEncoder` gives with
    /// `.sortedKeys` and `.withoutEscapingSlashes`, without its cost (every saved answer is encoded once).
    /// Reads a stored answer: `canonicalJSON`'s output (any JSON that decodes to a response is taken). A plain
    /// string or a flat list of plain strings, the usual answers, are read without the JSON decoder.
    public init(storedJSON text: String) throws {
        let bytes = Array(text.utf8)
        func plain(_ slice: ArraySlice<UInt8>) -> String? {
            guard slice.count >= 2, slice.first == UInt8(ascii: "\""), slice.last == UInt8(ascii: "\""),
                  !slice.dropFirst().dropLast().contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 < 0x20 }) else { return nil }
            return String(decoding: slice.dropFirst().dropLast(), as: UTF8.self)
        }
        if let text = plain(bytes[...]) { self = .text(text); return }
        if bytes.first == UInt8(ascii: "["), bytes.last == UInt8(ascii: "]"), !bytes.contains(UInt8(ascii: "\\")) {
            let inner = bytes.dropFirst().dropLast()
            if inner.isEmpty { self = .list([]); return }
            let parts = inner.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false).map { plain($0) }
            if parts.allSatisfy({ $0 != nil }) { self = .list(parts.map { $0! }); return }
        }
        self = try JSONDecoder().decode(ResponseValue.self, from: Data(bytes))
    }

    public var canonicalJSON: String {
        var out = ""
        func string(_ text: String) {
            out.append("\"")
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out.append("\\\"")
                case "\\": out.append("\\\\")
                case "\n": out.append("\\n")
                case "\r": out.append("\\r")
                case "\t": out.append("\\t")
                case "\u{8}": out.append("\\b")
                case "\u{C}": out.append("\\f")
                case _ where scalar.value < 0x20:
                    out.append("\\u00")
                    out.append(Hex.encode([UInt8(scalar.value)]))
                default: out.unicodeScalars.append(scalar)
                }
            }
            out.append("\"")
        }
        switch self {
        case let .text(text): string(text)
        case let .list(list):
            out.append("[")
            for (index, item) in list.enumerated() {
                if index > 0 { out.append(",") }
                string(item)
            }
            out.append("]")
        case let .map(map):
            out.append("{")
            for (index, key) in map.keys.sorted().enumerated() {
                if index > 0 { out.append(",") }
                string(key)
                out.append(":")
                string(map[key]!)
            }
            out.append("}")
        case .malformed: out.append("null")
        }
        return out
    }
}
