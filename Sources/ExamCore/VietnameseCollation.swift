import Foundation

/// Vietnamese dictionary order, for class lists, login slips and score sheets.
///
/// Letters first: a < ă < â < b < c < d < đ < e < ê < g < h < i < k < l < m < n < o < ô < ơ < p < q < r < s <
/// t < u < ư < v < x < y (f, j, w, z in their Latin places), case ignored. Then tones, letter by letter, in
/// the order of Vietnamese dictionaries (design, as DOMAIN.md leaves it open): none < huyền < hỏi < ngã <
/// sắc < nặng. Then case. Digits come before letters, a space before both.
public enum VietnameseCollation {
    struct Key: Comparable {
        var letters: [Int]
        var tones: [Int]
        var cases: [Int]

        static func < (lhs: Key, rhs: Key) -> Bool {
            if lhs.letters != rhs.letters { return lhs.letters.lexicographicallyPrecedes(rhs.letters) }
            if lhs.tones != rhs.tones { return lhs.tones.lexicographicallyPrecedes(rhs.tones) }
            return lhs.cases.lexicographicallyPrecedes(rhs.cases)
        }
    }

    static let order: [String] = ["a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m", "n",
                                  "o", "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z"]
    static let rank: [String: Int] = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0 + 100) })
    /// Combining marks that make a different letter.
    static let letterMarks: [UInt32: String] = [0x0306: "\u{0306}", 0x0302: "\u{0302}", 0x031B: "\u{031B}"]
    /// Tone marks and their rank.
    static let tones: [UInt32: Int] = [0x0300: 1, 0x0309: 2, 0x0303: 3, 0x0301: 4, 0x0323: 5]

    static func key(_ text: String) -> Key {
        var key = Key(letters: [], tones: [], cases: [])
        for character in text.precomposedStringWithCanonicalMapping {
            let decomposed = String(character).decomposedStringWithCanonicalMapping.unicodeScalars
            guard let base = decomposed.first else { continue }
            var letter = String(base).lowercased()
            var tone = 0
            for mark in decomposed.dropFirst() {
                if let modifier = letterMarks[mark.value] { letter += modifier } else if let value = tones[mark.value] { tone = value }
            }
            letter = letter.precomposedStringWithCanonicalMapping
            let value: Int
            if let known = rank[letter] {
                value = known
            } else if base.properties.isWhitespace {
                value = 1
            } else if let digit = base.properties.numericType != nil ? Int(String(base)) : nil {
                value = 10 + digit
            } else {
                value = 1000 + Int(base.value)
            }
            key.letters.append(value)
            key.tones.append(tone)
            key.cases.append(String(base) == letter || !character.isLetter ? 0 : (character.isUppercase ? 1 : 0))
        }
        return key
    }

    /// Whether `lhs` sorts before `rhs`.
    public static func precedes(_ lhs: String, _ rhs: String) -> Bool { key(lhs) < key(rhs) }

    /// Sorts full names as Vietnamese score sheets do: by given name (the last word), then by family and
    /// middle names, then by the whole name.
    public static func sortedNames(_ names: [String]) -> [String] {
        struct Entry {
            let name: String
            let given: Key
            let family: Key
            let whole: Key
        }
        let entries: [Entry] = names.map { name in
            let parts = split(fullName: name)
            return Entry(name: name, given: key(parts.given), family: key(parts.family), whole: key(name))
        }
        let sorted = entries.sorted { a, b in
            if a.given != b.given { return a.given < b.given }
            if a.family != b.family { return a.family < b.family }
            return a.whole < b.whole
        }
        return sorted.map(\.name)
    }

    /// Splits a full name into family-and-middle names and the given name (the last word).
    public static func split(fullName: String) -> (family: String, given: String) {
        let words = fullName.split(whereSeparator: \.isWhitespace)
        return (words.dropLast().joined(separator: " "), words.last.map(String.init) ?? "")
    }
}
