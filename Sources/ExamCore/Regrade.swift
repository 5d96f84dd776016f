import Foundation

extension Question {
    /// This revision laid out as a paper showed an earlier one (`shown`): options, statements, choices, items and
    /// gap options in the paper's order, matched by id, so the labels candidates answered with keep their meaning
    /// and only the key (or the text) changes. Nil when the kinds differ or a list's ids are not the same set
    /// (options added or removed cannot be regraded on a paper already taken).
    public func arranged(like shown: Question) -> Question? {
        func reorder<T>(_ items: [T], like order: [T], id: (T) -> String) -> [T]? {
            let byId = Dictionary(items.map { (id($0), $0) }, uniquingKeysWith: { first, _ in first })
            guard byId.count == items.count, items.count == order.count else { return nil }
            let arranged = order.compactMap { byId[id($0)] }
            return arranged.count == items.count ? arranged : nil
        }
        var result = self
        switch (body, shown.body) {
        case (var .singleChoice(new), let .singleChoice(old)):
            guard let options = reorder(new.options, like: old.options, id: \.id) else { return nil }
            new.options = options
            result.body = .singleChoice(new)
        case (var .multipleResponse(new), let .multipleResponse(old)):
            guard let options = reorder(new.options, like: old.options, id: \.id) else { return nil }
            new.options = options
            result.body = .multipleResponse(new)
        case (var .trueFalse(new), let .trueFalse(old)):
            guard let statements = reorder(new.statements, like: old.statements, id: \.id) else { return nil }
            new.statements = statements
            result.body = .trueFalse(new)
        case (var .matching(new), let .matching(old)):
            guard let premises = reorder(new.premises, like: old.premises, id: \.id), let choices = reorder(new.choices, like: old.choices, id: \.id) else {
                return nil
            }
            new.premises = premises; new.choices = choices
            result.body = .matching(new)
        case (var .ordering(new), let .ordering(old)):
            guard let items = reorder(new.items, like: old.items, id: \.id) else { return nil }
            new.items = items
            result.body = .ordering(new)
        case (var .cloze(new), let .cloze(old)):
            guard new.gaps.map(\.id) == old.gaps.map(\.id) else { return nil }
            for index in new.gaps.indices {
                switch (new.gaps[index].answer, old.gaps[index].answer) {
                case let (.choice(options, answer), .choice(shownOptions, _)):
                    guard let arranged = reorder(options, like: shownOptions, id: \.id) else { return nil }
                    new.gaps[index].answer = .choice(options: arranged, answer: answer)
                case (.choice, _), (_, .choice): return nil
                default: break
                }
            }
            result.body = .cloze(new)
        case (.numeric, .numeric), (.shortText, .shortText), (.essay, .essay):
            break
        default:
            return nil
        }
        return result
    }
}
