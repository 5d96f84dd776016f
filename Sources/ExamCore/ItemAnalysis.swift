import Foundation

/// Item analysis of an exam, with the definitions Moodle's quiz statistics use (facility, standard deviation,
/// discrimination as the correlation of an item with the rest of the test, discriminative efficiency,
/// coefficient alpha, error ratio, standard error), plus the score distribution (phổ điểm). Statistics, not
/// scores: they are `Double`; the scores they start from are exact points.
///
/// Variances are sample variances (divided by N − 1). An item whose scores (or the rest of the test) do not
/// vary has no discrimination (nil), as a correlation with a constant is undefined.
public enum ItemAnalysis {
    /// One item (a question, across the papers it was on).
    public struct ItemStatistics: Codable, Sendable, Hashable {
        /// Attempts that had this item.
        public var count: Int
        /// Mean score / maximum: 0 (nobody) … 1 (everybody).
        public var facility: Double
        /// The standard deviation of the item's scores / its maximum.
        public var standardDeviation: Double
        /// The correlation of the item's score with the rest of the test (total − item), −1 … 1.
        public var discrimination: Double?
        /// The covariance with the rest of the test / the largest covariance the two distributions allow.
        public var discriminativeEfficiency: Double?
    }

    /// The test as a whole.
    public struct TestStatistics: Codable, Sendable, Hashable {
        public var count: Int
        public var mean: Double
        public var median: Double
        /// The most frequent score (the lowest of several equally frequent).
        public var mode: Double
        public var standardDeviation: Double
        /// Cronbach's alpha over the items every attempt has (slots).
        public var alpha: Double?
        /// √(1 − α).
        public var errorRatio: Double?
        /// The error ratio × the standard deviation of the score.
        public var standardError: Double?
    }

    public static func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }

    /// Σ (x − x̄)(y − ȳ) / (N − 1); 0 with fewer than two values.
    public static func covariance(_ x: [Double], _ y: [Double]) -> Double {
        guard x.count > 1 else { return 0 }
        let mx = mean(x), my = mean(y)
        var sum = 0.0
        for index in x.indices { sum += (x[index] - mx) * (y[index] - my) }
        return sum / Double(x.count - 1)
    }

    public static func variance(_ x: [Double]) -> Double { covariance(x, x) }

    /// Statistics of one item from its scores and, attempt by attempt, the totals of the same attempts.
    public static func item(scores: [Double], totals: [Double], maximum: Double) -> ItemStatistics {
        let count = scores.count
        guard count > 0, maximum > 0 else { return ItemStatistics(count: count, facility: 0, standardDeviation: 0) }
        var rest = [Double](repeating: 0, count: count)
        for index in 0..<count { rest[index] = totals[index] - scores[index] }
        let itemVariance = variance(scores), restVariance = variance(rest)
        var statistics = ItemStatistics(count: count, facility: mean(scores) / maximum, standardDeviation: itemVariance.squareRoot() / maximum)
        guard count > 1, itemVariance > 0, restVariance > 0 else { return statistics }
        let together = covariance(scores, rest)
        statistics.discrimination = together / (itemVariance * restVariance).squareRoot()
        let largest = covariance(scores.sorted(), rest.sorted())
        if largest > 0 { statistics.discriminativeEfficiency = together / largest }
        return statistics
    }

    /// The test's statistics from the scores (on the exam's scale) and the slot matrix (attempt × item, every
    /// attempt the same items) that alpha needs.
    public static func test(scores: [Double], slots: [[Double]]) -> TestStatistics {
        let count = scores.count
        let sorted = scores.sorted()
        let median = count == 0 ? 0 : (count % 2 == 1 ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2)
        var frequency: [Double: Int] = [:]
        for score in scores { frequency[score, default: 0] += 1 }
        let mode = frequency.max { a, b in a.value < b.value || (a.value == b.value && a.key > b.key) }?.key ?? 0
        let deviation = variance(scores).squareRoot()
        var statistics = TestStatistics(count: count, mean: mean(scores), median: median, mode: mode, standardDeviation: deviation)
        let items = slots.first?.count ?? 0
        guard count > 1, items > 1 else { return statistics }
        var columns = [[Double]](repeating: [Double](repeating: 0, count: count), count: items)
        var sums = [Double](repeating: 0, count: count)
        for (row, values) in slots.enumerated() {
            for column in 0..<items { columns[column][row] = values[column]; sums[row] += values[column] }
        }
        let totalVariance = variance(sums)
        guard totalVariance > 0 else { return statistics }
        let alpha = Double(items) / Double(items - 1) * (1 - columns.map(variance).reduce(0, +) / totalVariance)
        statistics.alpha = alpha
        if alpha <= 1, alpha >= 0 {
            statistics.errorRatio = (1 - alpha).squareRoot()
            statistics.standardError = (1 - alpha).squareRoot() * deviation
        }
        return statistics
    }

    /// The score distribution in bins of `width` from 0 to `maximum`: counts per bin [low, low + width) (the
    /// last bin holds the maximum alone, as phổ điểm shows a perfect score).
    public static func histogram(_ scores: [Double], maximum: Double, width: Double) -> [Int] {
        let bins = max(1, Int((maximum / width).rounded(.up)))
        var counts = [Int](repeating: 0, count: bins + 1)
        for score in scores { counts[min(bins, max(0, Int((score / width + 1e-9).rounded(.down))))] += 1 }
        return counts
    }

    /// The top and the bottom 27 % of attempts by score (indices; ties in the order given).
    public static func extremeGroups(_ scores: [Double]) -> (top: [Int], bottom: [Int]) {
        let size = Int((Double(scores.count) * 0.27).rounded(.up))
        let order = scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
        return (Array(order.prefix(size)), Array(order.suffix(size)))
    }
}
