import BankFormats
import ExamCore
import ExamStore
import Foundation
import Hummingbird
import NIOCore

/// The continuous-assessment record from the pages (coordinators and admins): subjects, pushing an exam's
/// scores into a slot (dry run, conflicts, undo), a class's sheet per subject with the averages, typed or pasted
/// cells, the class's result levels, and the detailed score sheet (sổ điểm chi tiết) as XLSX or CSV.
struct GradebookAPI {
    let state: ServerState

    static func query(_ request: Request, _ name: String) throws -> String {
        guard let value = request.uri.queryParameters.get(name)?.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
            throw APIError.invalid(name, "cần \(name) / \(name) is needed")
        }
        return value
    }

    func register(_ group: RouterGroup<ExamRequestContext>) {
        group.get("gradebook") { _, context in
            _ = try context.requireStaff(\.coordinates)
            return try await state.store.gradebook.gradebookClasses()
        }
        // The subjects alone, for a teacher pushing an assignment's scores.
        group.get("gradebook/subjects") { _, context in
            _ = try context.requireStaff(\.authors)
            return Views.List(items: try await state.store.gradebook.gradebookClasses().subjects)
        }
        group.put("gradebook/subjects/:name") { request, context in
            let who = try context.requireStaff(\.coordinates)
            struct Body: Decodable { var commentOnly: Bool?; var periodsPerYear: Int }
            let body = try await CandidateAPI.decode(Body.self, request, context)
            return try await state.store.gradebook.saveSubject(GradebookSubject(name: try StaffAPI.parameter("name", context), commentOnly: body.commentOnly ?? false,
                                                                                periodsPerYear: body.periodsPerYear), by: Actor(who), now: state.configuration.now())
        }
        group.post("gradebook/push") { request, context in
            let who = try context.requireStaff(\.coordinates)
            struct Body: Decodable {
                var exam: String; var year: String; var subject: String; var semester: Int; var slot: GradeSlot; var commit: Bool?; var overwrite: [String]?
            }
            let body = try await CandidateAPI.decode(Body.self, request, context)
            return try await state.store.gradebook.pushExam(exam: body.exam, year: body.year, subject: body.subject, semester: body.semester, slot: body.slot,
                                                            commit: body.commit ?? false, overwrite: Set(body.overwrite ?? []), by: Actor(who),
                                                            now: state.configuration.now())
        }
        group.post("gradebook/pushes/:id/undo") { _, context in
            let who = try context.requireStaff(\.coordinates)
            return try await state.store.gradebook.undoPush(id: try AuthoringAPI.number("id", context), by: Actor(who), now: state.configuration.now())
        }
        group.get("gradebook/sheet") { request, context in
            _ = try context.requireStaff(\.coordinates)
            let sheet = try await state.store.gradebook.gradebookSheet(year: try Self.query(request, "year"), className: try Self.query(request, "class"),
                                                                       subject: try Self.query(request, "subject"))
            let format = request.uri.queryParameters.get("format") ?? "json"
            guard format != "json" else { return try sheet.response(from: request, context: context) }
            guard let semester = Int(request.uri.queryParameters.get("semester") ?? "1"), semester == 1 || semester == 2 else {
                throw APIError.invalid("semester", "semester: 1 hoặc 2 / 1 or 2")
            }
            let titles = (school: request.uri.queryParameters.get("school") ?? "", department: request.uri.queryParameters.get("department") ?? "")
            let table = ScoreSheet.detailed(sheet, semester: semester, school: titles.school, department: titles.department)
            let name = ScoreSheet.fileName(exam: "\(sheet.className)-\(sheet.subject.name)-HK\(semester)", extension: format, prefix: "so-diem")
            switch format {
            case "xlsx":
                return GradingAPI.file(try XLSXFormat.write(rows: table.rows, sheetName: "Bảng điểm", headerRow: table.headerRow, numericColumns: table.numericColumns),
                                       type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name: name)
            case "csv":
                return GradingAPI.file(CSVFormat.write(rows: table.rows, separator: request.uri.queryParameters.get("sep") == ";" ? ";" : ","),
                                       type: "text/csv; charset=utf-8", name: name)
            default: throw APIError.invalid("format", "format: json, xlsx, csv")
            }
        }
        group.put("gradebook/sheet") { request, context in
            let who = try context.requireStaff(\.coordinates)
            struct Body: Decodable { var cells: [GradeCell] }
            let body = try await CandidateAPI.decode(Body.self, request, context)
            guard body.cells.count <= 5000 else { throw APIError.invalid("cells", "tối đa 5000 ô mỗi lần / at most 5000 cells at once") }
            return try await state.store.gradebook.saveCells(year: try Self.query(request, "year"), className: try Self.query(request, "class"),
                                                             subject: try Self.query(request, "subject"), cells: body.cells, by: Actor(who),
                                                             now: state.configuration.now())
        }
        group.get("gradebook/levels") { request, context in
            _ = try context.requireStaff(\.coordinates)
            return try await state.store.gradebook.classLevels(year: try Self.query(request, "year"), className: try Self.query(request, "class"))
        }
    }
}

extension GradebookClasses: ResponseEncodable {}
extension GradebookSubject: ResponseEncodable {}
extension GradePush: ResponseEncodable {}
extension GradebookSheet: ResponseEncodable {}
extension ClassLevels: ResponseEncodable {}

extension ScoreSheet {
    /// The detailed score sheet schools import (bảng điểm chi tiết, DOMAIN §5): title rows, then STT, Mã học sinh,
    /// family and middle names, given name, ĐĐGtx 1…n, ĐĐGgk, ĐĐGck, ĐTBmhk, Nhận xét; students by given name
    /// in Vietnamese order (the sheet's order).
    public static func detailed(_ sheet: GradebookSheet, semester: Int, school: String, department: String)
        -> (rows: [[String]], headerRow: Int, numericColumns: Set<Int>) {
        let regular = sheet.slots.filter { $0.hasPrefix("tx") }
        let grade = sheet.className.prefix { $0.isNumber }
        var rows: [[String]] = [
            [department.isEmpty ? "SỞ GIÁO DỤC VÀ ĐÀO TẠO" : department],
            [school],
            ["BẢNG ĐIỂM CHI TIẾT - MÔN \(sheet.subject.name.uppercased()) - HỌC KỲ \(semester == 1 ? "I" : "II") - NĂM HỌC \(sheet.year)"],
            ["Khối \(grade.isEmpty ? "" : String(grade)) - Lớp \(sheet.className)"],
            [],
        ]
        let header = ["STT", "Mã học sinh", "Họ và tên đệm", "Tên"] + regular.indices.map { "ĐĐGtx \($0 + 1)" } + ["ĐĐGgk", "ĐĐGck", "ĐTBmhk", "Nhận xét"]
        rows.append(header)
        for (index, row) in sheet.rows.enumerated() {
            let name = VietnameseCollation.split(fullName: row.fullName)
            let cells = row.semesters[semester - 1].slots
            rows.append([String(index + 1), row.studentID, name.family, name.given] + regular.map { cells[$0] ?? "" }
                        + [cells["gk"] ?? "", cells["ck"] ?? "", row.semesters[semester - 1].average ?? "", ""])
        }
        let first = 4, last = header.count - 2
        return (rows, 5, Set(first...last))
    }
}
