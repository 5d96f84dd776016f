import Foundation

/// Text normalisation for comparing answers and matching names.
public enum TextFolding {
    /// NFC, lowercased, diacritics removed (đ → d), runs of white space collapsed to one space, trimmed.
    /// "  Hàm  SỐ " → "ham so".
    public static func fold(_ text: String) -> String {
        // One pass over the scalars: ASCII lower-cased directly; Latin letters with diacritics (the Vietnamese
        // ones live in U+00C0–U+024F and U+1E00–U+1EFF) looked up in a table built once; combining marks
        // (text already decomposed) dropped; white space collapsed. Much faster than Foundation's folding.
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value < 0x80 {
                if value == 0x20 || (0x09...0x0D).contains(value) {
                    pendingSpace = !out.isEmpty
                    continue
                }
                if pendingSpace { out.append(" "); pendingSpace = false }
                out.append((0x41...0x5A).contains(value) ? Unicode.Scalar(value + 32)! : scalar)
                continue
            }
            if (0x0300...0x036F).contains(value) { continue }
            if scalar.properties.isWhitespace {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace { out.append(" "); pendingSpace = false }
            if let base = latinBase[value] {
                out.append(base)
            } else {
                out.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return String(out)
    }

    /// Latin letters with diacritics → their lower-case base letter (đ → d), built once from Unicode's own
    /// decompositions.
    static let latinBase: [UInt32: Unicode.Scalar] = {
        var table: [UInt32: Unicode.Scalar] = [0x0110: "d", 0x0111: "d"]
        for range in [0x00C0...0x024F, 0x1E00...0x1EFF] {
            for value in range {
                guard let scalar = Unicode.Scalar(UInt32(value)), table[UInt32(value)] == nil else { continue }
                let decomposed = String(Character(scalar)).decomposedStringWithCanonicalMapping.unicodeScalars
                guard let first = decomposed.first, first.isASCII, decomposed.count > 1 else { continue }
                table[UInt32(value)] = (0x41...0x5A).contains(first.value) ? Unicode.Scalar(first.value + 32)! : first
            }
        }
        return table
    }()

    /// NFC, case folded unless `caseSensitive`, white space collapsed and trimmed; diacritics kept.
    public static func normaliseAnswer(_ text: String, caseSensitive: Bool = false) -> String {
        let nfc = text.precomposedStringWithCanonicalMapping
        return collapseSpaces(caseSensitive ? nfc : nfc.lowercased())
    }

    /// Runs of white space become one space; leading and trailing space is dropped.
    public static func collapseSpaces(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        var pendingSpace = false
        for character in text {
            if character.isWhitespace {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(" "); pendingSpace = false }
                out.append(character)
            }
        }
        return out
    }
}

/// Lower-case hexadecimal, written byte by byte (String(format:) is far slower on Linux).
public enum Hex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
