import Foundation
import Testing
@testable import ExamCore

@Suite("Item analysis")
struct ItemAnalysisTests {
    /// 300 attempts × 12 items of a 2025-style paper (choice 0,25; true/false 0…1; numeric 0,5), each attempt
    /// driven by an ability so items discriminate, from a fixed seed.
    static func attempts() -> (items: [[Double]], maxima: [Double], scores: [Double]) {
        var random = SeededGenerator(seed: 2025)
        let maxima: [Double] = [0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 1, 1, 1, 0.5, 0.5, 0.5]
        var items: [[Double]] = []
        for _ in 0..<300 {
            let ability = Double.random(in: 0...1, using: &random)
            items.append(maxima.enumerated().map { index, maximum in
                let chance = min(1, max(0, ability + Double(index % 4) * 0.1 - 0.2))
                if maximum == 1 {  // Đ/S: 0; 0,1; 0,25; 0,5; 1 by statements right.
                    let right = (0..<4).filter { _ in Double.random(in: 0...1, using: &random) < chance }.count
                    return [0, 0.1, 0.25, 0.5, 1][right]
                }
                return Double.random(in: 0...1, using: &random) < chance ? maximum : 0
            })
        }
        // The scale is the sum here (maxima add up to 4,5): scores on 10 as the exam would show them.
        let scores = items.map { row in (row.reduce(0, +) / 4.5 * 10 * 100).rounded() / 100 }
        return (items, maxima, scores)
    }

    @Test("every statistic equals numpy's to 1e-9 (Tests/stats/check_item_analysis.py)")
    func againstNumpy() throws {
        let (items, maxima, scores) = Self.attempts()
        let totals = items.map { $0.reduce(0, +) }
        let input = try JSONSerialization.data(withJSONObject: ["scores": scores, "items": items, "maxima": maxima, "totals": totals])
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("stats/check_item_analysis.py")
        process.arguments = ["python3", script.path]
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin; process.standardOutput = stdout; process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(input)
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errors = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        try #require(process.terminationStatus == 0, "python3 with numpy is needed (.ci/run installs python3-numpy): \(errors)")
        let expected = try #require(try JSONSerialization.jsonObject(with: output) as? [String: Any])

        func close(_ a: Double?, _ b: Any?, _ what: String) {
            guard let a else { #expect(b == nil || b is NSNull, "\(what): nil vs \(String(describing: b))"); return }
            let value = try? #require(b as? Double, "\(what): \(a) vs nothing")
            if let value { #expect(abs(a - value) <= 1e-9, "\(what): \(a) vs \(value)") }
        }
        let expectedItems = try #require(expected["items"] as? [[String: Any]])
        for column in maxima.indices {
            let statistics = ItemAnalysis.item(scores: items.map { $0[column] }, totals: totals, maximum: maxima[column])
            let want = expectedItems[column]
            close(statistics.facility, want["facility"], "facility \(column)")
            close(statistics.standardDeviation, want["sd"], "sd \(column)")
            close(statistics.discrimination, want["discrimination"], "discrimination \(column)")
            close(statistics.discriminativeEfficiency, want["efficiency"], "efficiency \(column)")
            #expect(statistics.discrimination.map { $0 > 0 } == true, "items driven by ability discriminate")
        }
        let test = ItemAnalysis.test(scores: scores, slots: items)
        let want = try #require(expected["test"] as? [String: Any])
        close(test.mean, want["mean"], "mean")
        close(test.median, want["median"], "median")
        close(test.mode, want["mode"], "mode")
        close(test.standardDeviation, want["sd"], "sd")
        close(test.alpha, want["alpha"], "alpha")
        close(test.errorRatio, want["errorRatio"], "error ratio")
        close(test.standardError, want["standardError"], "standard error")
    }

    @Test("edges: a constant item has no discrimination; one attempt has no alpha; the histogram and the 27 % groups")
    func edges() {
        let constant = ItemAnalysis.item(scores: [1, 1, 1], totals: [3, 5, 7], maximum: 1)
        #expect(constant.facility == 1 && constant.discrimination == nil && constant.discriminativeEfficiency == nil)
        let single = ItemAnalysis.test(scores: [7], slots: [[1, 2]])
        #expect(single.mean == 7 && single.median == 7 && single.alpha == nil)
        #expect(ItemAnalysis.histogram([0, 0.2, 0.25, 9.99, 10], maximum: 10, width: 0.25) == [2, 1] + [Int](repeating: 0, count: 37) + [1, 1])
        let groups = ItemAnalysis.extremeGroups([5, 9, 1, 7, 3, 8, 2, 6, 4, 10])
        #expect(groups.top == [9, 1, 5] && groups.bottom == [4, 6, 2])
        #expect(ItemAnalysis.test(scores: [1, 2, 2, 3, 3], slots: []).mode == 2, "the lowest of equally frequent scores")
    }
}
