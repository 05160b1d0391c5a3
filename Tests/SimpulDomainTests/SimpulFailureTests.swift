import SimpulDomain
import Testing

/// Every Simpul error shows its cause in its description, on one line, without repeating a message
/// passed on as it was.
@Suite(.timeLimit(.minutes(10))) struct SimpulFailureTests {
    struct DiskFull: Error, CustomStringConvertible {
        var description: String {
            "SQLite error 13: database or disk is full\n - while executing `INSERT\n INTO event`"
        }
    }

    struct Coded: SimpulFailure {
        enum Code: String, Sendable { case broken }
        var code: Code { .broken }
        var message: String
        var cause: (any Error)?
        var headline: String { "\(code.rawValue): \(message)" }
    }

    @Test func withoutACauseTheDescriptionIsTheMessage() {
        #expect(SimpulError(.invalidData, "nik: harus 16 angka").description == "nik: harus 16 angka")
    }

    @Test func theCauseFollowsTheMessageOnOneLine() {
        let error = SimpulError(.io, "gagal mencatat: penyimpanan tidak bisa ditulis", cause: DiskFull())
        #expect(
            error.description
                == "gagal mencatat: penyimpanan tidak bisa ditulis: SQLite error 13: database or disk is full - while executing `INSERT INTO event`"
        )
        #expect(error.message == "gagal mencatat: penyimpanan tidak bisa ditulis")
    }

    @Test func aMessagePassedOnIsNotRepeatedButItsCauseIsShown() {
        let store = SimpulError(.io, "penyimpanan penuh", cause: DiskFull())
        let passedOn = Coded(message: store.message, cause: store)
        #expect(passedOn.description.hasPrefix("broken: penyimpanan penuh: SQLite error 13"))
        #expect(passedOn.description.components(separatedBy: "penyimpanan penuh").count == 2)

        let wrapped = Coded(message: "blob tidak bisa disimpan", cause: store)
        #expect(wrapped.description.hasPrefix("broken: blob tidak bisa disimpan: penyimpanan penuh: SQLite error 13"))
    }
}
