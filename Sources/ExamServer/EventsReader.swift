import ExamCore
import ExamStore
import Foundation

/// Reads the body of `POST /api/attempt/events` without `JSONDecoder`: the route every page calls on every
/// change, where Codable's generic decoding was the largest share of the handler's work. It accepts what
/// the decoder accepts for this shape (a test compares both on the same inputs) and gives the same kind of
/// error: the path of what is wrong.
struct EventsReader {
    struct Failure: Error { var path: String }

    enum Value {
        case string(String)
        case number(String)
        case bool(Bool)
        case null
        case array([Value])
        case object(Fields)
    }

    /// An object's members in order: a request's objects have two to four, so a list searched in order is
    /// cheaper than hashing them into a dictionary. The first of a repeated name counts, as with JSONDecoder.
    struct Fields {
        var pairs: [(key: String, value: Value)] = []
        subscript(key: String) -> Value? { pairs.first(where: { $0.key == key })?.value }
    }

    static let maximumDepth = 32

    /// The request, or a `Failure` naming the place ("events.3.sequence").
    static func read(_ bytes: [UInt8]) throws(Failure) -> (deviceToken: String, events: [ResponseEvent]) {
        var reader = EventsReader(bytes: bytes)
        let top = try reader.document()
        guard case let .object(fields) = top else { throw Failure(path: "") }
        guard let tokenValue = fields["deviceToken"] else { throw Failure(path: "thiếu \"deviceToken\"") }
        guard case let .string(token) = tokenValue else { throw Failure(path: "deviceToken") }
        guard let eventsValue = fields["events"] else { throw Failure(path: "thiếu \"events\"") }
        guard case let .array(items) = eventsValue else { throw Failure(path: "events") }
        var events: [ResponseEvent] = []
        events.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            func place() -> String { "events.\(index)" }
            guard case let .object(event) = item else { throw Failure(path: place()) }
            guard let sequenceValue = event["sequence"] else { throw Failure(path: "thiếu \"sequence\"") }
            guard case let .number(literal) = sequenceValue, let sequence = Int(literal) else { throw Failure(path: place() + ".sequence") }
            guard let itemValue = event["item"] else { throw Failure(path: "thiếu \"item\"") }
            guard case let .string(key) = itemValue else { throw Failure(path: place() + ".item") }
            guard let answer = event["value"] else { throw Failure(path: "thiếu \"value\"") }
            var clientTime: Date?
            switch event["clientTime"] {
            case nil, .null?: break
            case let .string(text)?:
                guard let date = ISOTime.date(text) else { throw Failure(path: place() + ".clientTime") }
                clientTime = date
            default: throw Failure(path: place() + ".clientTime")
            }
            events.append(ResponseEvent(sequence: sequence, item: key, value: responseValue(answer), clientTime: clientTime))
        }
        return (token, events)
    }

    /// The same mapping as `ResponseValue`'s `Decodable`: scalars become text, lists and objects of scalars
    /// become lists and maps, anything deeper is `.malformed`.
    static func responseValue(_ value: Value) -> ResponseValue {
        switch value {
        case .null: return .text("")
        case let .string(text): return .text(text)
        case let .bool(flag): return .text(flag ? "true" : "false")
        case let .number(literal): return .text(number(literal))
        case let .array(items):
            var list: [String] = []
            for item in items {
                switch item {
                case let .string(text): list.append(text)
                case let .bool(flag): list.append(flag ? "true" : "false")
                case let .number(literal): list.append(number(literal))
                // An entry left unanswered (a true/false statement not marked): blank, as in an object.
                case .null: list.append("")
                default: return .malformed
                }
            }
            return .list(list)
        case let .object(fields):
            var map: [String: String] = [:]
            for (key, item) in fields.pairs where map[key] == nil {  // a repeated name: the first counts
                switch item {
                case let .string(text): map[key] = text
                case let .bool(flag): map[key] = flag ? "true" : "false"
                case let .number(literal): map[key] = number(literal)
                case .null: map[key] = ""
                default: return .malformed
                }
            }
            return .map(map)
        }
    }

    static func number(_ literal: String) -> String { Decimal(string: literal, locale: Locale(identifier: "en_US_POSIX"))?.description ?? literal }

    // MARK: the reader

    let bytes: [UInt8]
    var index = 0
    var depth = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func document() throws(Failure) -> Value {
        let value = try self.value()
        skipSpace()
        guard index == bytes.count else { throw Failure(path: "") }
        return value
    }

    mutating func skipSpace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 { index += 1 }
    }

    mutating func expect(_ word: StaticString) throws(Failure) {
        let text = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard index + text.count <= bytes.count else { throw Failure(path: "") }
        for byte in text {
            guard bytes[index] == byte else { throw Failure(path: "") }
            index += 1
        }
    }

    mutating func value() throws(Failure) -> Value {
        skipSpace()
        guard index < bytes.count else { throw Failure(path: "") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        default: return .number(try number())
        }
    }

    mutating func object() throws(Failure) -> Value {
        depth += 1
        guard depth <= Self.maximumDepth else { throw Failure(path: "") }
        defer { depth -= 1 }
        index += 1
        var fields = Fields()
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(fields) }
        while true {
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw Failure(path: "") }
            let key = try string()
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw Failure(path: "") }
            index += 1
            fields.pairs.append((key, try value()))
            skipSpace()
            guard index < bytes.count else { throw Failure(path: "") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            guard bytes[index] == UInt8(ascii: "}") else { throw Failure(path: "") }
            index += 1
            return .object(fields)
        }
    }

    mutating func array() throws(Failure) -> Value {
        depth += 1
        guard depth <= Self.maximumDepth else { throw Failure(path: "") }
        defer { depth -= 1 }
        index += 1
        var items: [Value] = []
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
        while true {
            items.append(try value())
            skipSpace()
            guard index < bytes.count else { throw Failure(path: "") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            guard bytes[index] == UInt8(ascii: "]") else { throw Failure(path: "") }
            index += 1
            return .array(items)
        }
    }

    /// A number as written (checked against JSON's grammar).
    mutating func number() throws(Failure) -> String {
        let start = index
        func digits(_ reader: inout EventsReader) -> Int {
            let from = reader.index
            while reader.index < reader.bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(reader.bytes[reader.index]) { reader.index += 1 }
            return reader.index - from
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        let integer = digits(&self)
        guard integer > 0, !(integer > 1 && bytes[index - integer] == UInt8(ascii: "0")) else { throw Failure(path: "") }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits(&self) > 0 else { throw Failure(path: "") }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits(&self) > 0 else { throw Failure(path: "") }
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// A string: plain runs are copied as they are, escapes decoded (surrogate pairs joined).
    mutating func string() throws(Failure) -> String {
        index += 1
        var out: [UInt8] = []
        var runStart = index
        var ascii = true
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                // Most strings (tokens, keys, answers) are plain ASCII without escapes: no copy, no validation.
                if ascii, out.isEmpty {
                    defer { index += 1 }
                    return String(decoding: bytes[runStart..<index], as: UTF8.self)
                }
                out.append(contentsOf: bytes[runStart..<index])
                index += 1
                guard let text = String(validating: out, as: UTF8.self) else { throw Failure(path: "") }
                return text
            }
            if byte < 0x20 { throw Failure(path: "") }
            if byte >= 0x80 { ascii = false }
            if byte == UInt8(ascii: "\\") {
                out.append(contentsOf: bytes[runStart..<index])
                index += 1
                guard index < bytes.count else { throw Failure(path: "") }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else { throw Failure(path: "") }
                        index += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw Failure(path: "") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw Failure(path: "") }
                    out.append(contentsOf: Array(String(Character(unicode)).utf8))
                default: throw Failure(path: "")
                }
                runStart = index
                continue
            }
            index += 1
        }
        throw Failure(path: "")
    }

    mutating func hex4() throws(Failure) -> UInt32 {
        guard index + 4 <= bytes.count else { throw Failure(path: "") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw Failure(path: "")
            }
            value = value * 16 + digit
            index += 1
        }
        return value
    }
}
