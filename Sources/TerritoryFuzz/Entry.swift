import Foundation

// The entry point of TerritoryFuzz.
//
// Built by tools/fuzz with libFuzzer (-sanitize=fuzzer,address -DFUZZING), it hands the command
// line to libFuzzer's driver, which calls `LLVMFuzzerTestOneInput` (Fuzz.swift) for every input.
// (SwiftPM links an executable's `main` to its module's entry point, so libFuzzer's own `main`
// cannot stand in; its driver is what that `main` would call.)
//
// In a plain `swift build` it replays the files it is given through the same function, so that
// a crash the fuzzer found can be rerun without libFuzzer:
//
//   FUZZ_TARGET=geojson .build/debug/TerritoryFuzz crash-1234abcd
@main
enum Entry {
    static func main() {
        #if FUZZING
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        _ = FuzzTarget.selected
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzOneInputPointer))
        #else
        replay(CommandLine.arguments.dropFirst())
        #endif
    }

    static func replay(_ files: ArraySlice<String>) {
        if files.isEmpty {
            FileHandle.standardError.write(Data("usage: FUZZ_TARGET=geojson|statements|csv|date TerritoryFuzz FILE...\n(tools/fuzz builds it with libFuzzer and fuzzes)\n".utf8))
            exit(2)
        }
        _ = FuzzTarget.selected
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                FileHandle.standardError.write(Data("TerritoryFuzz: cannot read \(file)\n".utf8))
                exit(66)
            }
            let bytes = Array(data)
            _ = bytes.withUnsafeBufferPointer { fuzzOneInputPointer($0.baseAddress, $0.count) }
            print("\(file): ok")
        }
    }
}

#if FUZZING
/// libFuzzer's driver (`int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*cb)(const uint8_t *, size_t))`),
/// linked from the toolchain's libclang_rt.fuzzer by -sanitize=fuzzer. Pointer and integer
/// arguments pass the same way in Swift's and C's conventions on x86_64 and arm64.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt
#endif
