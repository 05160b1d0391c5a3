import SimpulDomain
import SimpulStore
import SimpulTestSupport
import Testing

@testable import SimpulSync

/// Enrolling a kecamatan's key at the hub, with the fingerprint read back over the phone.
@Suite(.timeLimit(.minutes(10)))
struct NodeEnrollmentTests {
    @Test func aKeyIsEnrolledOnlyWhenTheFingerprintReadBackMatches() throws {
        let hubDir = Fixture.tempDirectory()
        let hub = try Fixture.newStore(node: "33.74", directory: hubDir)
        let kecamatan = try NodeIdentity.create(node: NodeID("33.74.01")!, directory: Fixture.tempDirectory())
        let spoken = NodeIdentity.readable(kecamatan.fingerprint).uppercased()

        var wrong = Array(kecamatan.fingerprint)
        wrong[0] = wrong[0] == "0" ? "1" : "0"
        let error = try #require(throws: SimpulError.self) {
            try NodeEnrollment.enroll("33.74.01", publicKey: kecamatan.publicKey, readBack: String(wrong), store: hub)
        }
        #expect(error.message.hasPrefix("sidik jari: yang dibacakan tidak cocok"))
        #expect(!error.message.contains(kecamatan.fingerprint.prefix(4)))
        #expect(try hub.keys(node: "33.74.01").isEmpty)

        let key = try NodeEnrollment.enroll("33.74.01", publicKey: kecamatan.publicKey, readBack: spoken, store: hub)
        #expect(key.fingerprint == kecamatan.fingerprint)
        #expect(try hub.keys(node: "33.74.01").count == 1)
    }

    @Test(arguments: ["33.74", "33.75.01", "bukan-node"])
    func onlyAKecamatanOfTheHubsKabupatenIsEnrolled(node: String) throws {
        let hub = try Fixture.newStore(node: "33.74", directory: Fixture.tempDirectory())
        let kecamatan = try NodeIdentity.create(node: NodeID("33.74.01")!, directory: Fixture.tempDirectory())
        #expect(throws: SimpulError.self) {
            try NodeEnrollment.enroll(node, publicKey: kecamatan.publicKey, store: hub)
        }
        #expect(try hub.keys().filter { $0.node != "33.74" }.isEmpty)
    }
}
