import Foundation

/// Text normalisation for comparing answers and matching names.
public enum TextFolding {
    /// NFC, lowercased, diacritics removed (đ → d), runs of white space collapsed to one space, trimmed.
    /// "  Hàm  SỐ " → "ham so".
    public static func fold(_ text: String) -> String {
        let lowered = text.precomposedStringWithCanonicalMapping.lowercased()
            .replacingOccurrences(of: "đ", with: "d")
        let stripped = lowered.folding(options: [.diacriticInsensitive], locale: nil)
        return collapseSpaces(stripped)
    }

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
