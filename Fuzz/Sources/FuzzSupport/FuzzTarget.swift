import BankFormats
import ExamCore
import Foundation

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// One importer under libFuzzer: every input is read as a bank file of that format; an error is the reader
/// doing its job, a crash (a trap, an out-of-range index, a stack overflow) is a finding.
public enum FuzzTarget {
    nonisolated(unsafe) static var format = BankFormat.native

    public static func run(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, format: BankFormat) -> CInt {
        self.format = format
        var argc = argc
        var argv = argv
        return LLVMFuzzerRunDriver(&argc, &argv) { data, count in
            let bytes = data.map { Data(bytes: $0, count: count) } ?? Data()
            let context = ImportContext(fileName: "fuzz", defaults: QuestionDefaults(subject: "Toán", topic: "Chủ đề", level: .recognition))
            _ = try? BankReaders.read(bytes, format: FuzzTarget.format, context: context)
            return 0
        }
    }
}
