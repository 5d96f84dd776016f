import Foundation

/// khaothi's own XML reader, enough for the formats it reads (Moodle XML, QTI, Word, Excel): elements,
/// attributes, text, CDATA, comments. It knows no DTD: a `<!DOCTYPE` (or any other `<!` declaration) anywhere
/// in the document is refused as hostile, so there is nothing to expand, fetch or loop on, whatever the
/// encoding or wherever it hides (after a long comment, past the first kilobytes, in UTF-16). Text is read
/// as UTF-8, or as UTF-16 with its byte-order mark. References: the five of XML, numeric ones and the named
/// characters of HTML (QTI's XHTML and pasted HTML use `&ograve;`, `&pi;`) are decoded; any other `&name;` is
/// kept in the text as written and listed with its line (`XMLNode.unknownReferences`): nothing vanishes.
struct XMLReader {
    struct Failure: Error {
        let line: Int
        let message: String
        let hostile: Bool
    }

    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    /// References neither XML nor HTML defines, kept in the text as written, with their lines.
    private var unknown: [(name: String, line: Int)] = []

    /// Reads a document into a tree; throws `BankFormatError` with the line for anything it will not read.
    static func parse(_ data: Data, place: String) throws -> XMLNode {
        let text: [UInt8]
        do { text = try utf8(data) } catch let failure as Failure {
            throw BankFormatError(failure.hostile ? .hostile : .unreadable, place: place, failure.message)
        }
        var reader = XMLReader(bytes: text)
        do {
            let root = try reader.document()
            root.unknownReferences = reader.unknown
            return root
        } catch let failure as Failure {
            throw BankFormatError(failure.hostile ? .hostile : .unreadable, place: "\(place):\(failure.line)", failure.message)
        }
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    /// The document as UTF-8: a UTF-8 byte-order mark dropped, UTF-16 (with its mark, or detected from the first
    /// bytes) converted; other encodings refused.
    static func utf8(_ data: Data) throws -> [UInt8] {
        let bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return Array(bytes.dropFirst(3)) }
        let utf16: String.Encoding? = switch (bytes.first, bytes.dropFirst().first) {
        case (0xFF, 0xFE): .utf16LittleEndian
        case (0xFE, 0xFF): .utf16BigEndian
        case (0x3C, 0x00): .utf16LittleEndian
        case (0x00, 0x3C): .utf16BigEndian
        default: nil
        }
        if let utf16 {
            let body = bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) ? Data(bytes.dropFirst(2)) : data
            guard let text = String(data: body, encoding: utf16) else { throw Failure(line: 1, message: "UTF-16 hỏng / broken UTF-16", hostile: false) }
            return Array(text.utf8)
        }
        // The declared encoding must be one we read as it is.
        let head = String(decoding: bytes.prefix(200), as: UTF8.self).lowercased()
        if let range = head.range(of: "encoding="), head.hasPrefix("<?xml") {
            let declared = head[range.upperBound...].dropFirst().prefix { $0 != "\"" && $0 != "'" }
            guard ["utf-8", "utf8", "us-ascii", "ascii"].contains(String(declared)) else {
                throw Failure(line: 1, message: "mã hoá \(declared) không được hỗ trợ; lưu lại bằng UTF-8 / encoding \(declared) is not supported; save as UTF-8", hostile: false)
            }
        }
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw Failure(line: 1, message: "tệp không phải UTF-8 / not UTF-8 text", hostile: false)
        }
        return bytes
    }

    // MARK: the document

    private mutating func document() throws -> XMLNode {
        var root: XMLNode?
        var stack: [XMLNode] = []
        while index < bytes.count {
            if bytes[index] != UInt8(ascii: "<") {
                let text = try self.text()
                if let node = stack.last { Self.append(text: text, to: node, line: line) }
                else if !text.allSatisfy(\.isWhitespace) { throw failure("chữ ngoài phần tử gốc / text outside the root element") }
                continue
            }
            if starts(with: "<!--") {
                let startLine = line
                let comment = try until("-->", skipping: 4)
                if let node = stack.last {
                    let commentNode = XMLNode(name: "#comment", attributes: [:], line: startLine)
                    commentNode.text = comment
                    node.children.append(commentNode)
                }
                continue
            }
            if starts(with: "<![CDATA[") {
                guard let node = stack.last else { throw failure("CDATA ngoài phần tử / CDATA outside an element") }
                let startLine = line
                Self.append(text: try until("]]>", skipping: 9), to: node, line: startLine)
                continue
            }
            if starts(with: "<!") {
                throw Failure(line: line, message: "tệp XML có DOCTYPE/ENTITY hoặc khai báo khác, không được phép / XML with a DOCTYPE, entities or other declarations is refused",
                              hostile: true)
            }
            if starts(with: "<?") {
                _ = try until("?>", skipping: 2)
                continue
            }
            if starts(with: "</") {
                index += 2
                let name = try self.name()
                skipSpace()
                try expect(">")
                guard let open = stack.popLast() else { throw failure("thẻ đóng </\(name)> thừa / stray end tag </\(name)>") }
                guard open.name == name else { throw failure("thẻ <\(open.name)> (dòng \(open.line)) đóng bằng </\(name)> / <\(open.name)> closed by </\(name)>") }
                continue
            }
            // A start tag.
            let startLine = line
            index += 1
            let name = try self.name()
            var attributes: [String: String] = [:]
            var selfClosing = false
            while true {
                skipSpace()
                guard index < bytes.count else { throw failure("thẻ <\(name)> chưa đóng / unclosed tag <\(name)>") }
                if bytes[index] == UInt8(ascii: "/") {
                    index += 1
                    try expect(">")
                    selfClosing = true
                    break
                }
                if bytes[index] == UInt8(ascii: ">") { index += 1; break }
                let attribute = try self.name()
                skipSpace()
                try expect("=")
                skipSpace()
                guard attributes[attribute] == nil else { throw failure("thuộc tính \(attribute) lặp lại / attribute \(attribute) repeats") }
                attributes[attribute] = try value()
            }
            guard root == nil || !stack.isEmpty else { throw failure("nhiều phần tử gốc / more than one root element") }
            guard stack.count < ImportLimits.maximumDepth * 2 else {
                throw Failure(line: line, message: "XML lồng quá sâu / XML nested too deeply", hostile: true)
            }
            let node = XMLNode(name: name, attributes: attributes, line: startLine)
            node.parent = stack.last
            stack.last?.children.append(node)
            if root == nil { root = node }
            if !selfClosing { stack.append(node) }
        }
        if let open = stack.last { throw failure("thẻ <\(open.name)> (dòng \(open.line)) chưa đóng / <\(open.name)> is never closed") }
        guard let root else { throw failure("không có phần tử nào / no element") }
        return root
    }

    /// Text after a child becomes a text node of its own, so text and children keep their order.
    private static func append(text: String, to node: XMLNode, line: Int) {
        guard !text.isEmpty else { return }
        if node.children.isEmpty { node.text += text } else if let last = node.children.last, last.name == "#text" {
            last.text += text
        } else {
            let textNode = XMLNode(name: "#text", attributes: [:], line: line)
            textNode.text = text
            node.children.append(textNode)
        }
    }

    // MARK: pieces

    private func failure(_ message: String) -> Failure { Failure(line: line, message: message, hostile: false) }

    private func starts(with prefix: StaticString) -> Bool {
        prefix.withUTF8Buffer { prefix in
            guard bytes.count - index >= prefix.count else { return false }
            for offset in 0..<prefix.count where bytes[index + offset] != prefix[offset] { return false }
            return true
        }
    }

    private mutating func expect(_ character: Unicode.Scalar) throws {
        guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { throw failure("cần \"\(character)\" / expected \"\(character)\"") }
        index += 1
    }

    private mutating func skipSpace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) {
            if bytes[index] == 0x0A { line += 1 }
            index += 1
        }
    }

    /// The text up to `terminator` (after skipping the opening `skipping` bytes), the terminator consumed.
    private mutating func until(_ terminator: StaticString, skipping: Int) throws -> String {
        let startLine = line
        index += skipping
        let start = index
        while index < bytes.count {
            if starts(with: terminator) {
                let text = String(decoding: bytes[start..<index], as: UTF8.self)
                index += terminator.utf8CodeUnitCount
                return text
            }
            if bytes[index] == 0x0A { line += 1 }
            index += 1
        }
        throw Failure(line: startLine, message: "thiếu \"\(terminator)\" / unterminated: no \"\(terminator)\"", hostile: false)
    }

    private mutating func name() throws -> String {
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            let allowed = byte >= 0x80 || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            guard allowed else { break }
            index += 1
        }
        guard index > start else { throw failure("cần tên thẻ hoặc thuộc tính / expected a name") }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// A quoted attribute value, references decoded, white space characters made spaces.
    private mutating func value() throws -> String {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") else {
            throw failure("giá trị thuộc tính cần dấu nháy / an attribute value needs quotes")
        }
        let quote = bytes[index]
        index += 1
        var out: [UInt8] = []
        while index < bytes.count, bytes[index] != quote {
            let byte = bytes[index]
            if byte == UInt8(ascii: "<") { throw failure("dấu < trong giá trị thuộc tính / \"<\" in an attribute value") }
            if byte == UInt8(ascii: "&") { try reference(into: &out); continue }
            if byte == 0x0A { line += 1 }
            out.append(byte == 0x0A || byte == 0x0D || byte == 0x09 ? 0x20 : byte)
            index += 1
        }
        guard index < bytes.count else { throw failure("giá trị thuộc tính chưa đóng / unterminated attribute value") }
        index += 1
        return String(decoding: out, as: UTF8.self)
    }

    /// Character data up to the next `<`, references decoded.
    private mutating func text() throws -> String {
        var out: [UInt8] = []
        while index < bytes.count, bytes[index] != UInt8(ascii: "<") {
            if bytes[index] == UInt8(ascii: "&") { try reference(into: &out); continue }
            if bytes[index] == 0x0A { line += 1 }
            // CR LF and lone CR are line ends, as XML reads them.
            if bytes[index] == 0x0D {
                out.append(0x0A)
                index += 1
                if index < bytes.count, bytes[index] == 0x0A { index += 1; line += 1 }
                continue
            }
            out.append(bytes[index])
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `&lt;` `&gt;` `&amp;` `&quot;` `&apos;` `&#65;` `&#x41;` and HTML's names decoded; any other `&name;` kept as
    /// written and noted.
    private mutating func reference(into out: inout [UInt8]) throws {
        let start = index
        var end = index + 1
        while end < bytes.count, end - start <= HTMLEntities.longestName + 2, bytes[end] != UInt8(ascii: ";"), bytes[end] != UInt8(ascii: "<"), bytes[end] != UInt8(ascii: "&") { end += 1 }
        guard end < bytes.count, bytes[end] == UInt8(ascii: ";") else { throw failure("dấu & không mở một tham chiếu (viết &amp;) / a bare \"&\" (write &amp;)") }
        let name = String(decoding: bytes[(start + 1)..<end], as: UTF8.self)
        index = end + 1
        switch name {
        case "lt": out.append(UInt8(ascii: "<"))
        case "gt": out.append(UInt8(ascii: ">"))
        case "amp": out.append(UInt8(ascii: "&"))
        case "quot": out.append(UInt8(ascii: "\""))
        case "apos": out.append(UInt8(ascii: "'"))
        default:
            if name.hasPrefix("#") {
                let digits = name.dropFirst()
                let value = digits.hasPrefix("x") || digits.hasPrefix("X") ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits, radix: 10)
                guard let value, let scalar = Unicode.Scalar(value), value != 0 else { throw failure("tham chiếu &\(name); không hợp lệ / invalid reference &\(name);") }
                out.append(contentsOf: String(Character(scalar)).utf8)
            } else if let character = HTMLEntities.character(name) {
                out.append(contentsOf: character.utf8)
            } else {
                out.append(contentsOf: bytes[start...end])
                unknown.append((name, line))
            }
        }
    }
}
