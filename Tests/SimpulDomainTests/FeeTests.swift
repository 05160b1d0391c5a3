import Foundation
import SimpulDomain
import Testing

@Suite("Fee", .timeLimit(.minutes(10)))
struct FeeTests {
    static let jalan = Fee.formula(rate: 500, inputs: ["panjang_m", "lebar_m"], unit: "m2")

    private func refusal(
        _ fee: Fee, _ isian: [String: String], sourceLocation: SourceLocation = #_sourceLocation
    )
        throws -> String
    {
        let error = try #require(throws: SimpulError.self, sourceLocation: sourceLocation) {
            try fee.amount(isian: isian)
        }
        #expect(error.code == .invalidData, sourceLocation: sourceLocation)
        return error.message
    }

    @Test func fixedIgnoresTheForm() throws {
        #expect(try Fee.fixed(amount: 0).amount(isian: [:]) == 0)
        #expect(try Fee.fixed(amount: 15_000).amount(isian: ["luas_m2": "bukan angka"]) == 15_000)
    }

    @Test func setByPTSPHasNoAmountYet() throws {
        #expect(try Fee.setByPTSP.amount(isian: [:]) == nil)
    }

    @Test func formulaWithDecimals() throws {
        #expect(try Self.jalan.amount(isian: ["panjang_m": "12.5", "lebar_m": "4"]) == 25_000)
        #expect(try Self.jalan.amount(isian: ["panjang_m": "100", "lebar_m": "6"]) == 300_000)
        #expect(try Self.jalan.amount(isian: ["panjang_m": "0.125", "lebar_m": "8.000"]) == 500)
        // Form inputs the service does not use do not change the amount.
        #expect(try Self.jalan.amount(isian: ["panjang_m": "2", "lebar_m": "3", "catatan": "x"]) == 3_000)
        let reklame = Fee.formula(rate: 25_000, inputs: ["luas_m2", "hari"], unit: "m2/hari")
        #expect(try reklame.amount(isian: ["luas_m2": "1.5", "hari": "7"]) == 262_500)
    }

    @Test(arguments: [
        ("0.5", 1), ("0.499", 0), ("1.5", 2), ("2.5", 3), ("0.001", 0), ("3", 3),
    ])
    func roundsHalfUpToWholeRupiah(value: String, expected: Int64) throws {
        // Half up, not to even: 2.5 is 3 like 1.5 is 2.
        let perUnit = Fee.formula(rate: 1, inputs: ["jumlah"], unit: "unit")
        #expect(try perUnit.amount(isian: ["jumlah": value]) == expected)
    }

    @Test func roundsOnlyOnceAtTheEnd() throws {
        // 500 x 10.001 x 2.999 = 14,996.4995 exactly, which is 14,996 rupiah rounded half up; rounding
        // the product to thousandths first would give 14,996.500 and so a rupiah too much.
        #expect(try Self.jalan.amount(isian: ["panjang_m": "10.001", "lebar_m": "2.999"]) == 14_996)
        #expect(try Self.jalan.amount(isian: ["panjang_m": "0.027", "lebar_m": "0.037"]) == 0)
    }

    @Test func missingInputIsNamed() throws {
        let message = try refusal(Self.jalan, ["panjang_m": "12"])
        #expect(message.contains("lebar_m"))
        #expect(message.contains("wajib"))
        #expect(try refusal(Self.jalan, [:]).contains("panjang_m"))
    }

    @Test(arguments: ["dua belas", "12,5", "1.2345", "", " 12", "12.", ".5", "+5", "-3", "1e3", "12.5.1", "１２"])
    func nonNumericInputIsRefusedWithItsName(text: String) throws {
        let message = try refusal(Self.jalan, ["panjang_m": text, "lebar_m": "4"])
        #expect(message.contains("panjang_m"), "\(message)")
        #expect(message.contains("angka desimal"), "\(message)")
    }

    @Test(arguments: ["0", "0.000", "00"])
    func zeroInputIsRefusedWithItsName(text: String) throws {
        let message = try refusal(Self.jalan, ["panjang_m": "12", "lebar_m": text])
        #expect(message.contains("lebar_m"), "\(message)")
        #expect(message.contains("lebih dari 0"), "\(message)")
    }

    // A digit with a combining mark passes a Character range check but is no number; the counter
    // must refuse it, not crash.
    // The child exits 0 only for the refusal that names the input and asks for a decimal number.
    @Test func digitWithCombiningMarkIsRefusedNotCrashed() async {
        await #expect(processExitsWith: .exitCode(0)) {
            let fee = Fee.formula(rate: 500, inputs: ["panjang_m"], unit: "m")
            do {
                _ = try fee.amount(isian: ["panjang_m": "1\u{301}2"])
                exit(10)  // accepted
            } catch let error as SimpulError {
                let named = error.message.contains("panjang_m") && error.message.contains("harus angka desimal")
                exit(error.code == .invalidData && named ? 0 : 11)
            } catch {
                exit(12)
            }
        }
    }

    @Test func hugeInputsAreRefusedNotOverflowed() throws {
        let message = try refusal(Self.jalan, ["panjang_m": "999999999999", "lebar_m": "999999999999"])
        #expect(message.contains("terlalu besar"), "\(message)")
    }

    @Test func labels() {
        #expect(Fee.fixed(amount: 0).label == "Gratis (Rp 0)")
        #expect(Fee.fixed(amount: 1_250_000).label == "Rp 1.250.000")
        #expect(Self.jalan.label == "panjang_m x lebar_m x Rp 500/m2")
        #expect(Fee.setByPTSP.label == "Ditetapkan oleh PTSP")
    }

    @Test(arguments: [
        (Int64(0), "Rp 0"), (500, "Rp 500"), (999, "Rp 999"), (1_000, "Rp 1.000"), (25_000, "Rp 25.000"),
        (1_250_000, "Rp 1.250.000"), (100_000_000, "Rp 100.000.000"), (-500, "-Rp 500"),
        (-1_250_000, "-Rp 1.250.000"), (.max, "Rp 9.223.372.036.854.775.807"),
        (.min, "-Rp 9.223.372.036.854.775.808"),
    ])
    func rupiahFormat(amount: Int64, text: String) {
        #expect(Rupiah.format(amount) == text)
    }

    @Test(arguments: [Fee.fixed(amount: 0), .fixed(amount: 7_500), FeeTests.jalan, .setByPTSP])
    func codableRoundTrip(fee: Fee) throws {
        let data = try JSONEncoder().encode(fee)
        #expect(try JSONDecoder().decode(Fee.self, from: data) == fee)
    }

    @Test func codableUsesTheCatalogShape() throws {
        let json = #"{"type": "formula", "rate": 500, "inputs": ["panjang_m", "lebar_m"], "unit": "m2"}"#
        #expect(try JSONDecoder().decode(Fee.self, from: Data(json.utf8)) == Self.jalan)
        #expect(try JSONDecoder().decode(Fee.self, from: Data(#"{"type": "set-by-ptsp"}"#.utf8)) == .setByPTSP)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Fee.self, from: Data(#"{"type": "gratis"}"#.utf8))
        }
    }
}
