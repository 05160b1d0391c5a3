import Foundation
import SimpulDomain
import SimpulTestSupport
import Testing

@testable import SimpulSync

/// The node's private key file is made private in the same step that creates it, and never written
/// through anything already at its path.
@Suite(.timeLimit(.minutes(10))) struct NodeIdentityTests {
    private let node = NodeID("33.74.01")!

    @Test func aNewKeyFileIsOwnerOnlyAndLoadsBack() throws {
        let dir = Fixture.tempDirectory()
        let identity = try NodeIdentity.create(node: node, directory: dir)
        var info = stat()
        #expect(stat(dir + "/" + NodeIdentity.fileName, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(try NodeIdentity.load(node: node, directory: dir).publicKey == identity.publicKey)
    }

    @Test func aLinkPlantedAtTheKeyPathIsNotFollowed() throws {
        let dir = Fixture.tempDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let victim = dir + "/elsewhere.key"
        // A dangling link: `fileExists` says no file is there, so only O_EXCL stands in the way.
        try FileManager.default.createSymbolicLink(
            atPath: dir + "/" + NodeIdentity.fileName, withDestinationPath: victim)
        let refusal = #expect(throws: SimpulError.self) { try NodeIdentity.create(node: node, directory: dir) }
        #expect(refusal?.code == .storeUnavailable)
        #expect(!FileManager.default.fileExists(atPath: victim))
    }

    @Test func anAdoptedKeyNeverOverwritesOneInPlace() throws {
        let backup = Fixture.tempDirectory()
        let original = try NodeIdentity.create(node: node, directory: backup)
        let dir = Fixture.tempDirectory()
        let adopted = try NodeIdentity.adopt(
            node: node, keyFile: backup + "/" + NodeIdentity.fileName, directory: dir)
        #expect(adopted.publicKey == original.publicKey)
        var info = stat()
        #expect(stat(dir + "/" + NodeIdentity.fileName, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(throws: SimpulError.self) {
            try NodeIdentity.adopt(node: node, keyFile: backup + "/" + NodeIdentity.fileName, directory: dir)
        }
    }
}
