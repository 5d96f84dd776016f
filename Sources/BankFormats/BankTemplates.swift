import Foundation

/// The template files the import page offers for download: each one imports as it is (tests hold them to
/// that), and shows the layout a teacher fills in.
public enum BankTemplates {
    public struct File: Sendable {
        public let data: Data
        public let mimeType: String
    }

    public static let names = ["mau.xlsx", "mau.csv", "mau-azota.txt", "mau-khaothi.yaml", "mau-aiken.txt", "mau.gift"]

    public static func file(named name: String) -> File? {
        switch name {
        case "mau.xlsx":
            return (try? XLSXFormat.write(rows: TableFormat.templateRows())).map { File(data: $0, mimeType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet") }
        case "mau.csv": return File(data: CSVFormat.write(rows: TableFormat.templateRows()), mimeType: "text/csv; charset=utf-8")
        case "mau-azota.txt": return File(data: Data(azota.utf8), mimeType: "text/plain; charset=utf-8")
        case "mau-khaothi.yaml": return File(data: Data(native.utf8), mimeType: "application/yaml; charset=utf-8")
        case "mau-aiken.txt": return File(data: Data(aiken.utf8), mimeType: "text/plain; charset=utf-8")
        case "mau.gift": return File(data: Data(gift.utf8), mimeType: "text/plain; charset=utf-8")
        default: return nil
        }
    }

    /// The Azota / Word layout: parts, `Câu N [mức độ].`, options, statements, a key table per part, and
    /// the worked solutions after it.
    public static let azota = """
    ĐỀ MẪU — KHAOTHI (xoá dòng này và viết đề của thầy cô)
    PHẦN I. Câu trắc nghiệm nhiều phương án lựa chọn
    Câu 1 [NB]. Đạo hàm của hàm số $y = x^2$ là
    A. $y' = x$    B. $y' = 2x$    C. $y' = 2$    D. $y' = x^2$
    Câu 2 [TH]. Hàm số $y = x^3 - 3x$ có bao nhiêu điểm cực trị?
    A. 0    B. 1    C. 2    D. 3
    PHẦN II. Câu trắc nghiệm đúng sai
    Câu 1 [VD]. Cho hàm số $f(x) = x^2 - 2x$.
    a) $f(0) = 0$.
    b) $f'(x) = 2x - 2$.
    c) Hàm số đồng biến trên $\\mathbb{R}$.
    d) Giá trị nhỏ nhất của $f(x)$ là $-1$.
    PHẦN III. Câu trả lời ngắn
    Câu 1 [VD]. Tính $\\int_0^1 2x\\,dx$.
    ĐÁP ÁN
    Phần I: 1-B 2-C
    Phần II: 1-ĐĐSĐ
    Phần III: 1-1
    LỜI GIẢI
    Phần I
    Câu 2. $y' = 3x^2 - 3$ có hai nghiệm đơn nên hàm số có 2 điểm cực trị.
    Phần II
    Câu 1. $f'(x) = 2x - 2$; $f$ nghịch biến trên $(-\\infty; 1)$, nhỏ nhất tại $x = 1$.

    """

    /// khaothi's own YAML: every kind's fields, with comments.
    public static let native = """
    # Mẫu ngân hàng câu hỏi khaothi (YAML). Xem QuestionBanks/README.md.
    # Mỗi câu có id riêng (không đổi khi sửa: sửa là thêm phiên bản mới của cùng câu).
    khaothi: 1
    bank: Ngân hàng mẫu
    subject: Toán
    grade: 12
    questions:
    - id: mau-01
      kind: single-choice            # trắc nghiệm 1 đáp án (Phần I)
      topic: Ứng dụng đạo hàm
      lesson: Cực trị của hàm số
      level: Nhận biết
      stem: Hàm số $y = x^3 - 3x$ có bao nhiêu điểm cực trị?
      options: [0, 1, 2, 3]
      answer: C
      explanation: $y' = 3x^2 - 3$ có hai nghiệm đơn.
    - id: mau-02
      kind: true-false               # đúng/sai (Phần II)
      topic: Ứng dụng đạo hàm
      level: Thông hiểu
      points: 1
      stem: Cho hàm số $f(x) = x^2 - 2x$.
      statements:
      - text: $f(0) = 0$.
        answer: Đ
      - text: $f'(x) = 2x - 2$.
        answer: Đ
      - text: Hàm số đồng biến trên $\\mathbb{R}$.
        answer: S
      - text: Giá trị nhỏ nhất của $f(x)$ là $-1$.
        answer: Đ
    - id: mau-03
      kind: numeric                  # trả lời ngắn (Phần III), tối đa 4 ký tự
      topic: Nguyên hàm và tích phân
      level: Vận dụng
      points: 0.5
      stem: Tính $\\int_0^1 2x\\,dx$.
      answer: "1"

    """

    public static let aiken = """
    Thủ đô của Việt Nam là
    A. Huế
    B. Hà Nội
    C. Đà Nẵng
    D. Cần Thơ
    ANSWER: B

    """

    public static let gift = """
    // Mẫu GIFT: danh mục là Môn/Chủ đề/Bài; mức độ trong chú thích khaothi.
    $CATEGORY: Toán/Ứng dụng đạo hàm

    // khaothi: level=nhan-biet
    ::cau-1:: Đạo hàm của $x^2$ là {=$2x$ ~$x$ ~$2$ ~$x^2$}

    """
}
