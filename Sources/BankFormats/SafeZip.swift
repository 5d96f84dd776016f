import Foundation
import ZIPFoundation

/// A zip (docx, xlsx, QTI package) opened with care: entry count, declared sizes, compression ratio and
/// names are checked before anything is read, and every extraction counts the bytes it really produces,
/// so a zip bomb stops at the limit instead of filling memory.
final class SafeZip {
    let archive: Archive
    let place: String
    private var unpacked = 0

    /// The archive is read from a private temporary file, not from memory: ZIPFoundation's in-memory reader
    /// traps on a central directory that points past the end of the data (found by fuzzing), while a read past
    /// the end of a file is an ordinary error. The file is unlinked as soon as it is open.
    init(data: Data, place: String) throws {
        self.place = place
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("khaothi-zip-\(UUID().uuidString)")
        do {
            try data.write(to: file, options: [.atomic])
            defer { try? FileManager.default.removeItem(at: file) }
            archive = try Archive(url: file, accessMode: .read)
        } catch {
            throw BankFormatError(.unreadable, place: place, "không phải tệp zip hợp lệ / not a valid zip file")
        }
        var count = 0
        var declared: UInt64 = 0
        for entry in archive {
            count += 1
            guard count <= ImportLimits.maximumZipEntries else {
                throw BankFormatError(.tooLarge, place: place, "quá \(ImportLimits.maximumZipEntries) mục trong tệp nén / too many entries")
            }
            let path = entry.path
            guard !path.hasPrefix("/"), !path.split(separator: "/").contains(".."), !path.contains("\\") else {
                throw BankFormatError(.hostile, place: place, "mục \"\(path)\" trỏ ra ngoài gói / entry \"\(path)\" points outside the package")
            }
            declared += entry.uncompressedSize
            if entry.compressedSize > 0, entry.uncompressedSize / max(1, entry.compressedSize) > UInt64(ImportLimits.maximumCompressionRatio) {
                throw BankFormatError(.hostile, place: place, "mục \"\(path)\" nén bất thường (tỉ lệ quá \(ImportLimits.maximumCompressionRatio)) / suspicious compression ratio: a zip bomb?")
            }
        }
        guard declared <= UInt64(ImportLimits.maximumUnpackedBytes) else {
            throw BankFormatError(.tooLarge, place: place, "giải nén quá \(ImportLimits.maximumUnpackedBytes) byte / unpacks to more than \(ImportLimits.maximumUnpackedBytes) bytes")
        }
    }

    var paths: [String] { archive.map(\.path) }

    /// The bytes of one entry, or nil if there is none by that name.
    func data(_ path: String) throws -> Data? {
        guard let entry = archive[path] else { return nil }
        var result = Data()
        do {
            _ = try archive.extract(entry, skipCRC32: false) { chunk in
                self.unpacked += chunk.count
                guard self.unpacked <= ImportLimits.maximumUnpackedBytes else {
                    throw BankFormatError(.hostile, place: self.place, "giải nén vượt giới hạn / unpacks past the limit: a zip bomb?")
                }
                result.append(chunk)
            }
        } catch let error as BankFormatError {
            throw error
        } catch {
            throw BankFormatError(.unreadable, place: place, "mục \"\(path)\" hỏng / entry \"\(path)\" is damaged")
        }
        return result
    }

    /// Builds a zip from (path, bytes), deflated.
    static func write(_ entries: [(String, Data)]) throws -> Data {
        let archive = try Archive(data: Data(), accessMode: .create)
        for (path, data) in entries {
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), modificationDate: Date(timeIntervalSince1970: 1_700_000_000),
                                 compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        guard let data = archive.data else { throw BankFormatError(.unreadable, place: "zip", "không tạo được tệp nén / cannot build the zip") }
        return data
    }
}

/// A small XML tree, enough for the formats we read.
final class XMLNode {
    let name: String
    var attributes: [String: String]
    var children: [XMLNode] = []
    var text = ""
    /// The line the element starts on.
    var line: Int
    /// On the root: references the reader could not decode, kept in the text as written, with their lines.
    var unknownReferences: [(name: String, line: Int)] = []
    weak var parent: XMLNode?

    init(name: String, attributes: [String: String], line: Int) {
        self.name = name; self.attributes = attributes; self.line = line
    }

    /// The local name, without its namespace prefix ("w:p" → "p").
    var localName: String { name.split(separator: ":").last.map(String.init) ?? name }

    func child(_ local: String) -> XMLNode? { children.first { $0.localName == local } }
    func children(_ local: String) -> [XMLNode] { children.filter { $0.localName == local } }

    /// Every descendant with this local name, in document order.
    func descendants(_ local: String) -> [XMLNode] {
        var found: [XMLNode] = []
        for child in children {
            if child.localName == local { found.append(child) }
            found += child.descendants(local)
        }
        return found
    }

    /// Every descendant whose local name is one of `locals`, in document order.
    func descendants(_ locals: Set<String>) -> [XMLNode] {
        var found: [XMLNode] = []
        for child in children {
            if locals.contains(child.localName) { found.append(child) }
            found += child.descendants(locals)
        }
        return found
    }

    /// All text below this node (comments left out).
    var allText: String { localName == "#comment" ? "" : text + children.map(\.allText).joined() }

    func attribute(_ local: String) -> String? {
        attributes[local] ?? attributes.first { $0.key.split(separator: ":").last.map(String.init) == local }?.value
    }

    /// Reads a document with `XMLReader` (no DTDs, no entities, bounded depth).
    static func parse(_ data: Data, place: String) throws -> XMLNode { try XMLReader.parse(data, place: place) }
}
