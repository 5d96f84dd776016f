import FuzzSupport

/// libFuzzer calls this instead of `main` (SwiftPM names an executable's entry `<module>_main`).
@_cdecl("FuzzMoodleXML_main")
func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzTarget.run(argc, argv, format: .moodlexml)
}
