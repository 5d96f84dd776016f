import Foundation

/// What to generate: K exam codes, or one paper per candidate.
public struct PaperRequest: Sendable, Hashable {
    public enum Mode: Sendable, Hashable {
        /// One paper per code, in this order ("101", "102", …).
        case codes([String])
        /// N unique papers, numbered "0001"…, one per candidate.
        case candidates(Int)
    }

    public var mode: Mode
    public var seed: UInt64
    /// The most questions any two papers may share; nil means no cap.
    public var overlapCap: Int?

    public init(mode: Mode, seed: UInt64, overlapCap: Int? = nil) {
        self.mode = mode; self.seed = seed; self.overlapCap = overlapCap
    }

    /// Codes `first`, `first + step`, …: `numbered(48)` is 101…148.
    public static func numberedCodes(_ count: Int, first: Int = 101, step: Int = 1, prefix: String = "") -> [String] {
        (0..<max(0, count)).map { prefix + String(first + $0 * step) }
    }

    var codes: [String] {
        switch mode {
        case let .codes(codes): return codes
        case let .candidates(count):
            let width = max(4, String(count).count)
            return (1...max(1, count)).map { number in
                let digits = String(number)
                return String(repeating: "0", count: width - digits.count) + digits
            }
        }
    }
}

/// Builds papers from a blueprint and a bank: every paper fills every cell; questions are shuffled within a
/// part (parts stay I → II → III), options are shuffled except locked ones, a passage keeps its questions
/// together, and each paper carries its key. Questions are drawn least-used first (a shuffled deck per
/// cell, refilled when it runs out), so use spreads evenly over the codes. Deterministic: the same blueprint,
/// bank and seed give the same papers, byte for byte, on every machine.
public struct PaperGenerator: Sendable {
    public let blueprint: Blueprint
    public let bank: QuestionBank

    /// A unit drawn from a deck: one question, or a passage with its questions.
    struct Unit: Sendable {
        let questions: [Int]
        let group: Int?
    }

    let cells: [BlueprintCells.Cell]
    /// Cells each question can fill, by question index.
    let eligibility: [[Int]]
    let units: [Unit]
    /// Single-question units per cell.
    let singleDecks: [[Int]]
    /// Passage units per part.
    let groupDecks: [[Int]]

    /// Checks the blueprint and the bank and works out which questions can fill which cells.
    /// Throws `.invalidBlueprint`, `.invalidBank`, or `.infeasible` listing every cell the bank cannot fill.
    public init(blueprint: Blueprint, bank: QuestionBank) throws {
        try blueprint.validate()
        try bank.validate()
        self.blueprint = blueprint
        self.bank = bank

        let index = BlueprintCells(blueprint)
        cells = index.cells
        var folder = BlueprintCells.Folder()
        var eligibility: [[Int]] = []
        eligibility.reserveCapacity(bank.questions.count)
        for question in bank.questions { eligibility.append(index.eligible(question.traits, folder: &folder)) }
        self.eligibility = eligibility

        var units: [Unit] = []
        var singleDecks = Array(repeating: [Int](), count: cells.count)
        var groupDecks = Array(repeating: [Int](), count: blueprint.parts.count)
        var groupMembers: [String: [Int]] = [:]
        for (index, question) in bank.questions.enumerated() {
            if let group = question.groupID {
                groupMembers[group, default: []].append(index)
            } else if !eligibility[index].isEmpty {
                for cell in eligibility[index] { singleDecks[cell].append(units.count) }
                units.append(Unit(questions: [index], group: nil))
            }
        }
        for (groupIndex, group) in bank.groups.enumerated() {
            guard let members = groupMembers[group.id], !members.isEmpty else { continue }
            // A passage is usable in a part when every one of its questions can fill a cell of that part.
            for partIndex in blueprint.parts.indices
            where members.allSatisfy({ eligibility[$0].contains { index.cells[$0].part == partIndex } }) {
                groupDecks[partIndex].append(units.count)
                units.append(Unit(questions: members, group: groupIndex))
            }
        }
        self.units = units
        self.singleDecks = singleDecks
        self.groupDecks = groupDecks

        let short = index.shortfalls(available: index.available(eligibility: eligibility, groups: bank.questions.map(\.groupID)))
        if !short.isEmpty {
            throw ExamCoreError(.infeasible, "Ngân hàng không đủ câu cho ma trận \"\(blueprint.name)\" / the bank cannot fill blueprint \"\(blueprint.name)\"", problems: short)
        }
    }

    /// Generates every paper of the request, in code order.
    public func generate(_ request: PaperRequest) throws -> [Paper] {
        var papers: [Paper] = []
        try generate(request) { papers.append($0) }
        return papers
    }

    /// The most papers one request may ask for.
    public static let maximumPapers = 100_000

    /// Generates the papers one by one, handing each to `body` (for writing out without holding them all).
    public func generate(_ request: PaperRequest, _ body: (Paper) throws -> Void) throws {
        let codes = request.codes
        guard !codes.isEmpty, codes.count <= Self.maximumPapers else {
            throw ExamCoreError(.invalidRequest, "Số đề phải từ 1 đến \(Self.maximumPapers) / between 1 and \(Self.maximumPapers) papers")
        }
        if case let .candidates(count) = request.mode, count < 1 {
            throw ExamCoreError(.invalidRequest, "Số thí sinh phải từ 1 / at least 1 candidate")
        }
        guard Set(codes).count == codes.count else {
            throw ExamCoreError(.invalidRequest, "Mã đề lặp lại / exam codes repeat")
        }
        if let cap = request.overlapCap, cap < 0 {
            throw ExamCoreError(.invalidRequest, "Giới hạn trùng phải không âm / the overlap cap must not be negative")
        }
        var state = SelectionState(generator: self, seed: request.seed, overlapCap: request.overlapCap)
        for (index, code) in codes.enumerated() {
            let selection = try state.selectPaper(index: index, code: code)
            var presentation = SeededGenerator(seed: request.seed, stream: UInt64(index) &+ 1)
            try body(assemble(code: code, selection: selection, rng: &presentation))
        }
    }

    /// Lays out a paper from the chosen questions: parts in blueprint order, units shuffled within a part.
    func assemble(code: String, selection: [[(unit: Int, cells: [Int])]], rng: inout SeededGenerator) -> Paper {
        var parts: [PaperPart] = []
        var passages: [PaperPassage] = []
        for (partIndex, part) in blueprint.parts.enumerated() {
            var chosen = selection[partIndex]
            rng.shuffle(&chosen)
            var items: [PaperItem] = []
            items.reserveCapacity(part.questionCount)
            for (unitIndex, cellsOfQuestions) in chosen {
                let unit = units[unitIndex]
                var order = Array(zip(unit.questions, cellsOfQuestions))
                if let groupIndex = unit.group, bank.groups[groupIndex].shuffleQuestions { rng.shuffle(&order) }
                var keys: [String] = []
                for (questionIndex, cell) in order {
                    let number = items.count + 1
                    let key = "\(part.id).\(number)"
                    keys.append(key)
                    items.append(PaperItem(
                        key: key, part: part.id, number: number, points: cells[cell].points,
                        question: Self.present(bank.questions[questionIndex], rng: &rng)))
                }
                if let groupIndex = unit.group {
                    let group = bank.groups[groupIndex]
                    passages.append(PaperPassage(groupID: group.id, revision: group.revision, passage: group.passage, keys: keys))
                }
            }
            parts.append(PaperPart(id: part.id, title: part.title, items: items))
        }
        return Paper(code: code, blueprint: blueprint.name, subject: blueprint.subject, durationMinutes: blueprint.durationMinutes,
                     maxScore: blueprint.maxScore, parts: parts, passages: passages)
    }

    /// The question as it will appear: options shuffled around locked ones, statements shuffled only when
    /// the author allows it, ordering items always shown out of order.
    public static func present(_ question: Question, rng: inout SeededGenerator) -> Question {
        var shown = question
        switch question.body {
        case var .singleChoice(body):
            if question.shuffleOptions { body.options = shuffledAroundLocks(body.options, rng: &rng) }
            shown.body = .singleChoice(body)
        case var .multipleResponse(body):
            if question.shuffleOptions { body.options = shuffledAroundLocks(body.options, rng: &rng) }
            shown.body = .multipleResponse(body)
        case var .trueFalse(body):
            if body.shuffleStatements { rng.shuffle(&body.statements) }
            shown.body = .trueFalse(body)
        case var .matching(body):
            if question.shuffleOptions { rng.shuffle(&body.choices) }
            shown.body = .matching(body)
        case var .ordering(body):
            rng.shuffle(&body.items)
            if body.items.map(\.id) == body.order, body.items.count > 1 {
                body.items.append(body.items.removeFirst())
            }
            shown.body = .ordering(body)
        case var .cloze(body):
            if question.shuffleOptions {
                for index in body.gaps.indices {
                    if case let .choice(options, answer) = body.gaps[index].answer {
                        body.gaps[index].answer = .choice(options: shuffledAroundLocks(options, rng: &rng), answer: answer)
                    }
                }
            }
            shown.body = .cloze(body)
        case .numeric, .shortText, .essay:
            break
        }
        return shown
    }

    /// Shuffles the unlocked options among their own positions; a locked option keeps its place.
    static func shuffledAroundLocks(_ options: [ChoiceOption], rng: inout SeededGenerator) -> [ChoiceOption] {
        let free = options.indices.filter { !options[$0].locked }
        var moving = free.map { options[$0] }
        rng.shuffle(&moving)
        var result = options
        for (slot, option) in zip(free, moving) { result[slot] = option }
        return result
    }
}

/// A least-used-first deck: draws from a shuffled pile; when the pile runs out, every unit has been used
/// once more and a new shuffled pile is laid. Units refused for one paper go back on top, first next time.
struct Deck: Sendable {
    let members: [Int]
    var pile: [Int] = []

    init(members: [Int]) { self.members = members }

    /// Takes up to `limit` units that `accept` agrees to, looking at each member at most once.
    mutating func take(upTo limit: Int, rng: inout SeededGenerator, accept: (Int) -> Bool) -> [Int] {
        var taken: [Int] = []
        var setAside: [Int] = []
        var refilled = false
        while taken.count < limit {
            if pile.isEmpty {
                if refilled || members.isEmpty { break }
                refilled = true
                let examined = Set(taken).union(setAside)
                pile = examined.isEmpty ? members : members.filter { !examined.contains($0) }
                rng.shuffle(&pile)
                if pile.isEmpty { break }
            }
            let unit = pile.removeLast()
            if accept(unit) { taken.append(unit) } else { setAside.append(unit) }
        }
        pile.append(contentsOf: setAside.reversed())
        return taken
    }
}

/// The running state of one request: decks, what each paper holds, the overlap counts.
struct SelectionState {
    let generator: PaperGenerator
    let overlapCap: Int?
    var rng: SeededGenerator
    var singleDecks: [Deck]
    var groupDecks: [Deck]
    /// `stamp[q] == current` when question q is on the paper being built.
    var stamp: [Int]
    var current = 0
    /// For the overlap cap: the papers each question is on, and the current paper's overlap with each.
    var papersOf: [[Int]]
    var overlap: [Int] = []

    init(generator: PaperGenerator, seed: UInt64, overlapCap: Int?) {
        self.generator = generator
        self.overlapCap = overlapCap
        rng = SeededGenerator(seed: seed)
        singleDecks = generator.singleDecks.map(Deck.init(members:))
        groupDecks = generator.groupDecks.map(Deck.init(members:))
        stamp = Array(repeating: -1, count: generator.bank.questions.count)
        papersOf = overlapCap == nil ? [] : Array(repeating: [], count: generator.bank.questions.count)
    }

    /// Whether adding these questions keeps the paper free of repeats and within the overlap cap.
    func fits(_ questions: [Int]) -> Bool {
        for question in questions where stamp[question] == current { return false }
        guard let cap = overlapCap else { return true }
        var extra: [Int: Int] = [:]
        for question in questions {
            for paper in papersOf[question] {
                extra[paper, default: 0] += 1
                if overlap[paper] + extra[paper]! > cap { return false }
            }
        }
        return true
    }

    mutating func add(_ questions: [Int]) {
        for question in questions {
            stamp[question] = current
            if overlapCap != nil { for paper in papersOf[question] { overlap[paper] += 1 } }
        }
    }

    /// Chooses the questions of paper `index`: per part, the units and the cell each question fills.
    /// Tries other draws when the overlap cap (or a passage) blocks a fill; units drawn by a failed try
    /// count as used, which keeps the retry cheap and the spread nearly even.
    mutating func selectPaper(index: Int, code: String) throws -> [[(unit: Int, cells: [Int])]] {
        let attempts = overlapCap == nil ? 8 : 40
        for _ in 0..<attempts {
            current += 1
            if overlapCap != nil { overlap = Array(repeating: 0, count: index) }
            if let selection = trySelect() {
                if overlapCap != nil {
                    for part in selection { for (unit, _) in part { for q in generator.units[unit].questions { papersOf[q].append(index) } } }
                }
                return selection
            }
        }
        if let cap = overlapCap {
            throw ExamCoreError(.overlapCap, "Không giữ được tối đa \(cap) câu trùng giữa hai đề (đề \(code)): ngân hàng chưa đủ câu / cannot keep paper \(code) within \(cap) shared questions of every other paper with this bank")
        }
        throw ExamCoreError(.infeasible, "Không lập được đề \(code): các bài đọc chiếm chỗ của câu lẻ / cannot fill paper \(code): passages leave cells that single questions cannot fill")
    }

    /// Draws from a deck with `accept` free to change the rest of the state (the deck and the random
    /// generator are moved out while it runs, so nothing is copied).
    private mutating func draw(fromGroups: Bool, _ deckIndex: Int, upTo limit: Int, accept: (inout SelectionState, Int) -> Bool) -> [Int] {
        var deck = Deck(members: [])
        if fromGroups { swap(&deck, &groupDecks[deckIndex]) } else { swap(&deck, &singleDecks[deckIndex]) }
        var random = rng
        let taken = deck.take(upTo: limit, rng: &random) { accept(&self, $0) }
        rng = random
        if fromGroups { swap(&deck, &groupDecks[deckIndex]) } else { swap(&deck, &singleDecks[deckIndex]) }
        return taken
    }

    private mutating func trySelect() -> [[(unit: Int, cells: [Int])]]? {
        let generator = self.generator
        let cells = generator.cells
        var need = cells.map(\.count)
        var selection = Array(repeating: [(unit: Int, cells: [Int])](), count: generator.blueprint.parts.count)

        for partIndex in groupDecks.indices where !groupDecks[partIndex].members.isEmpty {
            let partNeed = need.indices.filter { cells[$0].part == partIndex }.reduce(0) { $0 + need[$1] }
            guard partNeed > 0 else { continue }
            var assignments: [[Int]] = []
            let taken = draw(fromGroups: true, partIndex, upTo: Int.max) { state, unitIndex in
                let questions = generator.units[unitIndex].questions
                guard state.fits(questions) else { return false }
                var tentative = need
                var assigned: [Int] = []
                for question in questions {
                    guard let cell = generator.eligibility[question].first(where: { cells[$0].part == partIndex && tentative[$0] > 0 }) else { return false }
                    tentative[cell] -= 1
                    assigned.append(cell)
                }
                need = tentative
                state.add(questions)
                assignments.append(assigned)
                return true
            }
            selection[partIndex] += zip(taken, assignments).map { (unit: $0, cells: $1) }
        }

        for cellIndex in cells.indices where need[cellIndex] > 0 {
            let taken = draw(fromGroups: false, cellIndex, upTo: need[cellIndex]) { state, unitIndex in
                let questions = generator.units[unitIndex].questions
                guard state.fits(questions) else { return false }
                state.add(questions)
                return true
            }
            guard taken.count == need[cellIndex] else { return nil }
            need[cellIndex] = 0
            selection[cells[cellIndex].part] += taken.map { (unit: $0, cells: [cellIndex]) }
        }
        return selection
    }
}
