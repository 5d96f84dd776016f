import ExamCore
import ExamStore
import Foundation

/// The statistics page's charts, drawn as SVG by the server (no charting library, no CDN): the score
/// distribution, facility × discrimination with the flagged items, and one question's options.
public enum StatisticsCharts {
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func number(_ value: Double, decimals: Int = 2) -> String {
        String(format: "%.\(decimals)f", value).replacingOccurrences(of: ".", with: ",")
    }

    static func svg(width: Int, height: Int, title: String, _ body: String) -> String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(width) \(height)" width="\(width)" height="\(height)" role="img" aria-label="\(escape(title))" \
        font-family="DejaVu Sans, Arial, sans-serif" font-size="12"><title>\(escape(title))</title>\(body)</svg>
        """
    }

    /// Phổ điểm: one bar per bin of 0,25, the count above it, the mean marked.
    public static func histogram(_ statistics: ExamStatistics) -> String {
        let width = 760, height = 300, left = 40, bottom = 40, top = 20
        let bins = statistics.histogram
        let most = max(1, bins.map(\.count).max() ?? 1)
        let plotWidth = Double(width - left - 10), plotHeight = Double(height - bottom - top)
        let barWidth = plotWidth / Double(max(1, bins.count))
        var body = "<line x1=\"\(left)\" y1=\"\(height - bottom)\" x2=\"\(width - 10)\" y2=\"\(height - bottom)\" stroke=\"#333\"/>"
        for (index, bin) in bins.enumerated() {
            let barHeight = plotHeight * Double(bin.count) / Double(most)
            let x = Double(left) + Double(index) * barWidth
            body += "<rect class=\"bar\" x=\"\(String(format: "%.1f", x + 1))\" y=\"\(String(format: "%.1f", Double(height - bottom) - barHeight))\" "
                + "width=\"\(String(format: "%.1f", max(1, barWidth - 2)))\" height=\"\(String(format: "%.1f", barHeight))\" fill=\"#1558b0\">"
                + "<title>\(number(bin.from))–\(number(bin.to)): \(bin.count)</title></rect>"
            if bin.count > 0 {
                body += "<text x=\"\(String(format: "%.1f", x + barWidth / 2))\" y=\"\(String(format: "%.1f", Double(height - bottom) - barHeight - 3))\" text-anchor=\"middle\" font-size=\"10\">\(bin.count)</text>"
            }
            if index % 4 == 0 {
                body += "<text x=\"\(String(format: "%.1f", x))\" y=\"\(height - bottom + 15)\" text-anchor=\"middle\">\(number(bin.from, decimals: 0))</text>"
            }
        }
        let scale = statistics.scale.decimalValue
        let binWidth = bins.first.map { $0.to - $0.from } ?? 0.25
        let meanX = Double(left) + statistics.test.mean / max(binWidth, 0.01) * barWidth
        body += "<line x1=\"\(String(format: "%.1f", meanX))\" y1=\"\(top)\" x2=\"\(String(format: "%.1f", meanX))\" y2=\"\(height - bottom)\" stroke=\"#b00020\" stroke-dasharray=\"4 3\"/>"
        body += "<text x=\"\(String(format: "%.1f", meanX + 4))\" y=\"\(top + 10)\" fill=\"#b00020\">TB \(number(statistics.test.mean))</text>"
        body += "<text x=\"\(width / 2)\" y=\"\(height - 8)\" text-anchor=\"middle\">Điểm / score (0–\(number(scale, decimals: 0)))</text>"
        return svg(width: width, height: height, title: "Phổ điểm / score distribution", body)
    }

    /// Facility (x) × discrimination (y): the bands that flag an item shaded, each question a dot with its item keys.
    public static func scatter(_ statistics: ExamStatistics) -> String {
        let width = 560, height = 380, left = 50, bottom = 45, top = 15, right = 15
        let plotWidth = Double(width - left - right), plotHeight = Double(height - top - bottom)
        func x(_ facility: Double) -> Double { Double(left) + plotWidth * min(1, max(0, facility)) }
        // Discrimination from −0,5 to 1.
        func y(_ discrimination: Double) -> Double { Double(top) + plotHeight * (1 - (min(1, max(-0.5, discrimination)) + 0.5) / 1.5) }
        func f(_ value: Double) -> String { String(format: "%.1f", value) }
        var body = ""
        body += "<rect x=\"\(f(x(0)))\" y=\"\(top)\" width=\"\(f(x(0.2) - x(0)))\" height=\"\(f(plotHeight))\" fill=\"#fbdcdc\"/>"
        body += "<rect x=\"\(f(x(0.9)))\" y=\"\(top)\" width=\"\(f(x(1) - x(0.9)))\" height=\"\(f(plotHeight))\" fill=\"#fbdcdc\"/>"
        body += "<rect x=\"\(left)\" y=\"\(f(y(0.2)))\" width=\"\(f(plotWidth))\" height=\"\(f(y(-0.5) - y(0.2)))\" fill=\"#fff0c2\" fill-opacity=\"0.7\"/>"
        body += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(f(plotWidth))\" height=\"\(f(plotHeight))\" fill=\"none\" stroke=\"#333\"/>"
        for tick in stride(from: 0.0, through: 1.0, by: 0.2) {
            body += "<text x=\"\(f(x(tick)))\" y=\"\(height - bottom + 15)\" text-anchor=\"middle\">\(number(tick, decimals: 1))</text>"
        }
        for tick in [-0.5, 0, 0.2, 0.5, 1] {
            body += "<text x=\"\(left - 5)\" y=\"\(f(y(tick) + 4))\" text-anchor=\"end\">\(number(tick, decimals: 1))</text>"
        }
        body += "<text x=\"\(width / 2)\" y=\"\(height - 8)\" text-anchor=\"middle\">Độ khó (facility)</text>"
        body += "<text transform=\"translate(14 \(height / 2)) rotate(-90)\" text-anchor=\"middle\">Độ phân biệt (discrimination)</text>"
        for question in statistics.questions {
            let discrimination = question.statistics.discrimination ?? 0
            let flagged = !question.flags.isEmpty
            let label = question.keys.joined(separator: ", ")
            body += "<circle class=\"\(flagged ? "flagged" : "item")\" cx=\"\(f(x(question.statistics.facility)))\" cy=\"\(f(y(discrimination)))\" r=\"5\" "
                + "fill=\"\(flagged ? "#b00020" : "#1558b0")\"><title>\(escape(label)): \(number(question.statistics.facility)) × "
                + "\(question.statistics.discrimination.map { number($0) } ?? "–")</title></circle>"
            body += "<text x=\"\(f(x(question.statistics.facility) + 7))\" y=\"\(f(y(discrimination) + 4))\" font-size=\"10\">\(escape(label))</text>"
        }
        return svg(width: width, height: height, title: "Độ khó × độ phân biệt / facility × discrimination", body)
    }

    /// One choice question's options: three bars each (overall, top 27 %, bottom 27 %), the key in green.
    public static func distractors(_ question: ExamStatistics.Question) -> String {
        let options = question.options ?? []
        let rowHeight = 42, width = 520, left = 40, top = 24
        let height = top + rowHeight * options.count + 30
        let plotWidth = Double(width - left - 60)
        var body = "<text x=\"\(left)\" y=\"14\" font-size=\"11\"><tspan fill=\"#1558b0\">■ tất cả / all</tspan>  <tspan fill=\"#2e7d32\">■ nhóm cao 27 % / top</tspan>  "
            + "<tspan fill=\"#9e9e9e\">■ nhóm thấp 27 % / bottom</tspan></text>"
        for (index, option) in options.enumerated() {
            let y = top + index * rowHeight
            body += "<text x=\"\(left - 8)\" y=\"\(y + 22)\" text-anchor=\"end\" font-weight=\"\(option.correct ? "bold" : "normal")\" fill=\"\(option.correct ? "#2e7d32" : "#1d1d1f")\">\(escape(option.label))</text>"
            for (row, (share, color)) in [(option.overall, "#1558b0"), (option.top, "#2e7d32"), (option.bottom, "#9e9e9e")].enumerated() {
                let barWidth = plotWidth * share
                body += "<rect x=\"\(left)\" y=\"\(y + row * 12 + 4)\" width=\"\(String(format: "%.1f", barWidth))\" height=\"10\" fill=\"\(color)\"/>"
                body += "<text x=\"\(String(format: "%.1f", Double(left) + barWidth + 4))\" y=\"\(y + row * 12 + 13)\" font-size=\"10\">\(number(share * 100, decimals: 0)) %</text>"
            }
        }
        return svg(width: width, height: height, title: "Phương án \(question.keys.joined(separator: ", ")) / options", body)
    }
}
