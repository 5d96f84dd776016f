/// The cognitive level of a question (mức độ nhận thức).
///
/// Two scales are in use: the older 4-level one (Nhận biết, Thông hiểu, Vận dụng, Vận dụng cao) and the
/// 3-level one of the 2018 curriculum (Biết, Hiểu, Vận dụng). A question is stored on the 4-level scale;
/// on the 3-level scale Vận dụng cao counts as Vận dụng.
public enum Level: String, Codable, Sendable, CaseIterable, Comparable {
    case recognition = "nhan-biet"
    case comprehension = "thong-hieu"
    case application = "van-dung"
    case highApplication = "van-dung-cao"

    /// The level as it is counted on `scale`.
    public func on(_ scale: LevelScale) -> Level {
        scale == .three && self == .highApplication ? .application : self
    }

    /// The Vietnamese name on the given scale.
    public func name(on scale: LevelScale = .four) -> String {
        switch (self.on(scale), scale) {
        case (.recognition, .four): "Nhận biết"
        case (.recognition, .three): "Biết"
        case (.comprehension, .four): "Thông hiểu"
        case (.comprehension, .three): "Hiểu"
        case (.application, _): "Vận dụng"
        case (.highApplication, _): "Vận dụng cao"
        }
    }

    /// Reads a level from its code or any usual Vietnamese or English spelling, with or without diacritics:
    /// "Nhận biết", "NB", "Biết", "Thông hiểu", "TH", "Hiểu", "Vận dụng", "VD", "Vận dụng cao", "VDC", 1…4.
    public init?(parsing text: String) {
        let key = TextFolding.fold(text).replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "-", with: "")
        switch key {
        case "nhanbiet", "biet", "nb", "b", "1", "recognition", "remember", "knowledge": self = .recognition
        case "thonghieu", "hieu", "th", "h", "2", "comprehension", "understand": self = .comprehension
        case "vandung", "vd", "3", "application", "apply": self = .application
        case "vandungcao", "vdc", "4", "highapplication": self = .highApplication
        default: return nil
        }
    }

    private var rank: Int { Level.allCases.firstIndex(of: self)! }
    public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rank < rhs.rank }
}

/// Which level scale a blueprint counts on.
public enum LevelScale: String, Codable, Sendable {
    /// Nhận biết, Thông hiểu, Vận dụng, Vận dụng cao.
    case four
    /// Biết, Hiểu, Vận dụng (CV 7991, from 2024–25).
    case three

    public var levels: [Level] {
        self == .four ? Level.allCases : [.recognition, .comprehension, .application]
    }
}
