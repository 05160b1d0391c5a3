import Crypto
import Foundation
import SimpulDomain
import SimpulStore
import SimpulTestSupport
import Testing

@testable import SimpulSync

/// The offline bundle container: what goes in comes out for its recipient only, and every bad file is
/// refused with its own reason before anything of it is returned.
@Suite(.timeLimit(.minutes(10))) struct OfflineBundleTests {
    // MARK: - Fixtures

    static func identity(_ node: String, _ label: String = "") -> NodeIdentity {
        let seed = [UInt8](SHA256.hash(data: Array("bundle test key \(node)\(label)".utf8)))
        return NodeIdentity(
            node: NodeID(node)!, privateKey: try! Curve25519.Signing.PrivateKey(rawRepresentation: seed))
    }

    static func key(_ identity: NodeIdentity, revokedAt: Timestamp? = nil) -> NodeKey {
        NodeKey(
            node: identity.node.rawValue, publicKey: identity.publicKey, fingerprint: identity.fingerprint,
            enrolledAt: Timestamp(iso: "2026-03-01T00:00:00.000Z")!, revokedAt: revokedAt, active: true)
    }

    static func lookup(_ keys: [NodeKey]) -> (String, String) -> NodeKey? {
        { node, fingerprint in keys.first { $0.node == node && $0.fingerprint == fingerprint } }
    }

    let kec = Self.identity("33.74.01")
    let hub = Self.identity("33.74")
    let neighbour = Self.identity("33.74.02")
    let created = Timestamp(iso: "2026-03-20T02:00:00.000Z")!
    var expires: Timestamp { Timestamp(milliseconds: created.milliseconds + 30 * 86_400_000) }
    var during: Timestamp { Timestamp(milliseconds: created.milliseconds + 86_400_000) }
    var hubKeys: (String, String) -> NodeKey? { Self.lookup([Self.key(kec), Self.key(hub), Self.key(neighbour)]) }

    /// Contents with a citizen's NIK and name inside, as a real export has.
    static func contents(blobBytes: Int = 3000, changeSets: Int = 3) -> BundleContents {
        var rng = SeededGenerator(seed: 42)
        let documents = (0..<changeSets).map { i in
            Array(
                #"{"changeSet":{"events":[{"data":{"pemohon":{"nama":"Siti Aminah","nik":"3374014505900001"}}}],"#
                    .utf8) + Array("\"first\":\(i + 1)}}".utf8)
        }
        let blob = (0..<blobBytes).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return BundleContents(
            changeSets: documents, blobs: [.init(bytes: blob), .init(bytes: Array("surat pengantar".utf8))],
            knowledge: ["33.74.01": VersionVector(["33.74.01": 6, "33.74": 3]), "33.74": VersionVector(["33.74": 2])],
            keys: [key(identity("33.74"))])
    }

    /// Seals with seeded randomness, so every run writes the same bytes.
    func seal(
        _ contents: BundleContents = OfflineBundleTests.contents(), from sender: NodeIdentity? = nil,
        to recipient: NodeIdentity? = nil,
        seed: UInt64 = 1
    ) throws -> [UInt8] {
        let sender = sender ?? kec
        let recipient = recipient ?? hub
        var rng = SeededGenerator(seed: seed)
        let ephemeral = try Curve25519.KeyAgreement.PrivateKey(
            rawRepresentation: (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) })
        return try OfflineBundle.seal(
            contents, sender: sender, recipient: recipient.node, recipientKey: recipient.publicKey, createdAt: created,
            expiresAt: expires, ephemeral: ephemeral, id: (0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) })
    }

    func openAtHub(_ bytes: [UInt8], now: Timestamp? = nil) throws(BundleError) -> BundleContents {
        try OfflineBundle.open(bytes, recipient: hub, senderKey: hubKeys, now: now ?? during).contents
    }

    /// The code `body` is refused with, or nil when it is not refused.
    func refusal(_ body: () throws(BundleError) -> Void) -> BundleError.Code? {
        do {
            try body()
            return nil
        } catch {
            return error.code
        }
    }

    /// The same bundle signed again by `signer` over its (possibly altered) bytes.
    func resigned(_ bytes: [UInt8], by signer: NodeIdentity) throws -> [UInt8] {
        let body = Array(bytes.dropLast(OfflineBundle.signatureSize))
        return body + (try signer.sign(OfflineBundle.signatureContext + SHA256.hash(data: body)))
    }

    /// The bundle with its manifest changed and the header checks recomputed, as a forger would; the
    /// payload and the signature stay unless `signer` signs again.
    func withManifest(
        _ bytes: [UInt8], signer: NodeIdentity? = nil, version: UInt8 = OfflineBundle.formatVersion,
        _ change: (inout BundleManifest) -> Void
    ) throws -> [UInt8] {
        let header = try OfflineBundle.readHeader(bytes)
        var manifest = header.manifest
        change(&manifest)
        let manifestBytes = try Canonical.encode(manifest)
        var out = OfflineBundle.prefix(manifestLength: manifestBytes.count, version: version) + manifestBytes
        out += SHA256.hash(data: out)
        out += bytes[header.length...]
        guard let signer else { return out }
        return try resigned(out, by: signer)
    }

    // MARK: - Round trip

    @Test func whatGoesInComesOutForTheRecipient() throws {
        let contents = Self.contents()
        let bytes = try seal(contents)
        let (manifest, opened) = try OfflineBundle.open(bytes, recipient: hub, senderKey: hubKeys, now: during)
        #expect(opened == contents)
        #expect(manifest.format == 1)
        #expect(manifest.network == "33.74")
        #expect(manifest.sender == .init(node: "33.74.01", key: kec.fingerprint))
        #expect(manifest.recipient == .init(node: "33.74", key: hub.fingerprint))
        #expect(manifest.createdAt == created && manifest.expiresAt == expires)
        #expect(manifest.id.count == 32)
        // Nothing of the payload is readable in the file.
        for secret in ["3374014505900001", "Siti Aminah", "surat pengantar"] {
            #expect(bytes.firstRange(of: Array(secret.utf8)) == nil, "\(secret) is readable in the bundle")
        }
    }

    @Test func aReplyTheOtherWayRoundOpensAtTheKecamatan() throws {
        let reply = BundleContents(
            changeSets: [Array("{}".utf8)], knowledge: ["33.74.01": VersionVector(["33.74.01": 9])])
        let bytes = try seal(reply, from: hub, to: kec)
        let opened = try OfflineBundle.open(bytes, recipient: kec, senderKey: Self.lookup([Self.key(hub)]), now: during)
        #expect(opened.contents == reply)
    }

    @Test func anEmptyBundleIsOneEmptyChunk() throws {
        let bytes = try seal(BundleContents())
        #expect(try OfflineBundle.manifest(of: bytes).payloadLength == OfflineBundle.tagSize)
        #expect(try openAtHub(bytes) == BundleContents())
    }

    @Test func sealingDrawsAFreshIdAndKeyEveryTimeUnlessTheRandomnessIsGiven() throws {
        let a = try OfflineBundle.seal(
            Self.contents(), sender: kec, recipient: hub.node, recipientKey: hub.publicKey, createdAt: created,
            expiresAt: expires)
        let b = try OfflineBundle.seal(
            Self.contents(), sender: kec, recipient: hub.node, recipientKey: hub.publicKey, createdAt: created,
            expiresAt: expires)
        let (ma, mb) = (try OfflineBundle.manifest(of: a), try OfflineBundle.manifest(of: b))
        #expect(ma.id != mb.id)
        #expect(ma.ephemeralKey != mb.ephemeralKey)
        #expect(try openAtHub(a) == openAtHub(b))
        #expect(try seal(seed: 5) == seal(seed: 5))
    }

    // MARK: - Truncated

    @Test func everyCutOfASmallBundleIsTruncated() throws {
        let bytes = try seal(Self.contents(blobBytes: 200, changeSets: 1))
        for length in 0..<bytes.count {
            let code = refusal { () throws(BundleError) in _ = try openAtHub(Array(bytes.prefix(length))) }
            #expect(code == .truncated, "cut at \(length) of \(bytes.count)")
        }
        // The manifest is readable as soon as the header is whole, the payload may be missing.
        let header = try OfflineBundle.readHeader(bytes)
        #expect(try OfflineBundle.manifest(of: Array(bytes.prefix(header.length))) == header.manifest)
        #expect(
            refusal { () throws(BundleError) in
                _ = try OfflineBundle.manifest(of: Array(bytes.prefix(header.length - 1)))
            } == .truncated)
    }

    @Test func cutsAtAndAroundChunkBoundariesAreTruncated() throws {
        let bytes = try seal(Self.contents(blobBytes: 200_000))
        let header = try OfflineBundle.readHeader(bytes)
        let chunk = OfflineBundle.chunkSize + OfflineBundle.tagSize
        let payloadEnd = header.length + header.manifest.payloadLength
        #expect(header.manifest.payloadLength > 3 * chunk)
        var cuts = [0, 5, 12, 17, 20, 21, 40, header.length - 32, header.length - 1, header.length, payloadEnd]
        for boundary in stride(from: header.length + chunk, to: payloadEnd, by: chunk) {
            cuts += [boundary - 1, boundary, boundary + 1]
        }
        cuts += [payloadEnd + 1, bytes.count - 1]
        for length in cuts {
            let code = refusal { () throws(BundleError) in _ = try openAtHub(Array(bytes.prefix(length))) }
            #expect(code == .truncated, "cut at \(length) of \(bytes.count)")
        }
        let error = try #require(throws: BundleError.self) { try openAtHub(Array(bytes.prefix(header.length + chunk))) }
        #expect(error.description.hasPrefix("truncated: bundle terpotong"))
        let empty = try #require(throws: BundleError.self) { try openAtHub([]) }
        #expect(empty.description == "truncated: berkas kosong: salinannya tidak lengkap; salin ulang dari sumbernya")
    }

    // MARK: - Corrupted

    /// Every single bit flip anywhere in a bundle is found: in the magic it no longer is a Simpul
    /// bundle (foreign), anywhere else it is corrupted, whether in the prefix, the manifest, the
    /// header digest, the ciphertext or the signature.
    @Test func everyFlippedBitIsCaught() throws {
        let bytes = try seal(Self.contents(blobBytes: 300, changeSets: 1))
        let header = try OfflineBundle.readHeader(bytes)
        for at in bytes.indices {
            for bit in 0..<8 {
                var damaged = bytes
                damaged[at] ^= 1 << bit
                let code = refusal { () throws(BundleError) in _ = try openAtHub(damaged) }
                let region = Self.region(of: at, header: header, count: bytes.count)
                #expect(code == (region == "magic" ? .foreign : .corrupted), "bit \(bit) of byte \(at) (\(region))")
            }
        }
    }

    static func region(of offset: Int, header: OfflineBundle.Header, count: Int) -> String {
        switch offset {
        case ..<12: "magic"
        case ..<OfflineBundle.prefixSize: "prefix"
        case ..<(header.length - 32): "manifest"
        case ..<header.length: "header digest"
        case ..<(count - OfflineBundle.signatureSize): "ciphertext"
        default: "signature"
        }
    }

    @Test func bytesAfterTheSignatureAreCorruptionNotAnotherBundle() throws {
        let bytes = try seal()
        #expect(refusal { () throws(BundleError) in _ = try openAtHub(bytes + [0]) } == .corrupted)
        #expect(refusal { () throws(BundleError) in _ = try openAtHub(bytes + bytes) } == .corrupted)
    }

    /// Even with a valid signature (a sender's bug, or its stolen key) the payload itself authenticates:
    /// an altered, reordered or foreign chunk does not decrypt.
    @Test func aChangedPayloadDoesNotDecryptEvenWhenSignedAgain() throws {
        let bytes = try seal(Self.contents(blobBytes: 200_000))
        let header = try OfflineBundle.readHeader(bytes)
        let chunk = OfflineBundle.chunkSize + OfflineBundle.tagSize
        let start = header.length

        var altered = bytes
        altered[start + chunk + 100] ^= 0x20
        let alteredSigned = try resigned(altered, by: kec)
        #expect(refusal { () throws(BundleError) in _ = try openAtHub(alteredSigned) } == .corrupted)

        var swapped = bytes
        swapped.replaceSubrange(start..<(start + chunk), with: bytes[(start + chunk)..<(start + 2 * chunk)])
        swapped.replaceSubrange((start + chunk)..<(start + 2 * chunk), with: bytes[start..<(start + chunk)])
        let swappedSigned = try resigned(swapped, by: kec)
        #expect(refusal { () throws(BundleError) in _ = try openAtHub(swappedSigned) } == .corrupted)

        // The same payload under another bundle's header: its key is bound to the header, so it fails.
        let other = try seal(Self.contents(blobBytes: 200_000), seed: 2)
        let otherHeader = try OfflineBundle.readHeader(other)
        let spliced = Array(other[..<otherHeader.length]) + bytes[start...]
        let splicedSigned = try resigned(spliced, by: kec)
        #expect(refusal { () throws(BundleError) in _ = try openAtHub(splicedSigned) } == .corrupted)

        // A changed expiry re-signed by the sender still changes the payload key.
        let later = try withManifest(bytes, signer: kec) {
            $0.expiresAt = Timestamp(milliseconds: $0.expiresAt.milliseconds + 1)
        }
        let error = try #require(throws: BundleError.self) { try openAtHub(later) }
        #expect(error.code == .corrupted)
        #expect(error.message.contains("potongan ke-1"))
    }

    @Test func aWriterThatBreaksTheRecordsIsRefused() throws {
        func sealed(_ records: [OfflineBundle.Record]) throws -> [UInt8] {
            try OfflineBundle.seal(
                records: records, sender: kec, recipient: hub.node, recipientKey: hub.publicKey, createdAt: created,
                expiresAt: expires, ephemeral: .init(), id: Array(repeating: 7, count: 16))
        }
        let knowledge = Array(#"{"33.74":{"33.74":1}}"#.utf8)
        let twice = try sealed([.init(type: 3, parts: [knowledge]), .init(type: 3, parts: [knowledge])])
        #expect(refusal { () throws(BundleError) in _ = try openAtHub(twice) } == .corrupted)
        let badBlob = try sealed([.init(type: 2, parts: [Array(repeating: 0, count: 32), [1, 2, 3]])])
        #expect(refusal { () throws(BundleError) in _ = try openAtHub(badBlob) } == .corrupted)
        let notJSON = try sealed([.init(type: 4, parts: [Array("kunci".utf8)])])
        #expect(refusal { () throws(BundleError) in _ = try openAtHub(notJSON) } == .corrupted)
        let newer = try sealed([.init(type: 1, parts: [Array("{}".utf8)]), .init(type: 9, parts: [[1]])])
        let error = try #require(throws: BundleError.self) { try openAtHub(newer) }
        #expect(error.code == .unsupportedVersion)
        #expect(error.message.contains("jenis 9"))
    }

    @Test func theHubsReceiptOfBlobsHeldComesOutSortedAndAMalformedOneIsRefused() throws {
        let a = String(repeating: "a", count: 64)
        let b = String(repeating: "b", count: 64)
        let reply = BundleContents(knowledge: ["33.74.01": VersionVector(["33.74.01": 9])], blobsHeld: [b, a, b])
        let bytes = try seal(reply, from: hub, to: kec)
        let opened = try OfflineBundle.open(bytes, recipient: kec, senderKey: Self.lookup([Self.key(hub)]), now: during)
        #expect(opened.contents.blobsHeld == [a, b])
        #expect(opened.contents.knowledge == reply.knowledge)
        #expect(throws: BundleError.self) {
            try OfflineBundle.seal(
                BundleContents(blobsHeld: ["KTP.pdf"]), sender: hub, recipient: kec.node, recipientKey: kec.publicKey,
                createdAt: created, expiresAt: expires)
        }

        // One way to write it, once: anything else is a writer that broke the records.
        func sealed(_ records: [OfflineBundle.Record]) throws -> [UInt8] {
            try OfflineBundle.seal(
                records: records, sender: kec, recipient: hub.node, recipientKey: hub.publicKey, createdAt: created,
                expiresAt: expires, ephemeral: .init(), id: Array(repeating: 5, count: 16))
        }
        let sorted = try Canonical.encode([a, b])
        for broken in [
            [OfflineBundle.Record(type: 5, parts: [sorted]), .init(type: 5, parts: [sorted])],
            [.init(type: 5, parts: [try Canonical.encode([b, a])])],
            [.init(type: 5, parts: [try Canonical.encode([a, a])])],
            [.init(type: 5, parts: [try Canonical.encode([a.uppercased()])])],
            [.init(type: 5, parts: [Array("lampiran".utf8)])],
        ] {
            let error = try #require(throws: BundleError.self) { try openAtHub(try sealed(broken)) }
            #expect(error.code == .corrupted)
            #expect(error.message.contains("daftar lampiran yang dipegang"), "\(error.message)")
        }
        #expect(try openAtHub(try sealed([.init(type: 5, parts: [sorted])])).blobsHeld == [a, b])
    }

    @Test func aSignedManifestThatBreaksTheRulesIsCorrupted() throws {
        let bytes = try seal()
        let broken: [(String, (inout BundleManifest) -> Void)] = [
            ("recipient outside the network", { $0.recipient.node = "33.75.01" }),
            ("expiry before creation", { $0.expiresAt = $0.createdAt }),
            ("empty last chunk", { $0.payloadLength = OfflineBundle.chunkSize + 2 * OfflineBundle.tagSize }),
            ("uppercase id", { $0.id = "ABCDEF" + $0.id.dropFirst(6) }),
            ("format 2 in a version 1 file", { $0.format = 2 }),
        ]
        for (why, change) in broken {
            let forged = try withManifest(bytes, signer: kec, change)
            #expect(
                refusal { () throws(BundleError) in _ = try OfflineBundle.manifest(of: forged) } == .corrupted, "\(why)"
            )
        }
        // Not canonical: the same members with white space.
        let header = try OfflineBundle.readHeader(bytes)
        let spaced = Array(
            try Canonical.encode(header.manifest).map { $0 == UInt8(ascii: ",") ? [$0, 32] : [$0] }.joined())
        var out = OfflineBundle.prefix(manifestLength: spaced.count, version: 1) + spaced
        out += SHA256.hash(data: out)
        #expect(refusal { () throws(BundleError) in _ = try OfflineBundle.manifest(of: out) } == .corrupted)
    }

    // MARK: - Foreign

    @Test func anythingButASimpulBundleIsForeign() throws {
        let bundle = try seal()
        let others: [[UInt8]] = [
            Array("%PDF-1.7\n".utf8) + Array(repeating: 0, count: 200),
            [0x50, 0x4B, 0x03, 0x04] + Array(repeating: 1, count: 200),
            Array("permohonan,nik\n".utf8), Array("SX".utf8), Array("SIMPULBUNDLX".utf8) + bundle.dropFirst(12),
            Array(bundle.dropFirst()),
        ]
        for other in others {
            let error = try #require(throws: BundleError.self) { try openAtHub(other) }
            #expect(error.code == .foreign)
            #expect(error.message == "bukan berkas bundle Simpul: tanda awal berkasnya lain")
            #expect(refusal { () throws(BundleError) in _ = try OfflineBundle.manifest(of: other) } == .foreign)
        }
    }

    @Test func anUnknownSenderKeyIsForeign() throws {
        let bytes = try seal()
        let stranger = Self.identity("33.74.01", "stolen laptop")
        var impostor = Self.key(kec)
        impostor.publicKey = stranger.publicKey  // right node and fingerprint claimed, other key
        let lookups: [(String, (String, String) -> NodeKey?)] = [
            ("no key", { _, _ in nil }),
            ("the neighbour's key", { _, _ in Self.key(self.neighbour) }),
            ("another key of the sender", Self.lookup([Self.key(stranger)])),
            ("a record whose key does not match its fingerprint", { _, _ in impostor }),
        ]
        for (why, lookup) in lookups {
            let error = try #require(throws: BundleError.self, "\(why)") {
                try OfflineBundle.open(bytes, recipient: hub, senderKey: lookup, now: during)
            }
            #expect(error.code == .foreign, "\(why)")
            #expect(
                refusal { () throws(BundleError) in try OfflineBundle.verifySignature(bytes, senderKey: lookup) }
                    == .foreign)
        }
        // Signed by a key of the right node that was never enrolled: the claimed fingerprint is unknown.
        let forged = try seal(from: stranger)
        #expect(refusal { () throws(BundleError) in _ = try openAtHub(forged) } == .foreign)
    }

    @Test func aSignatureByAnotherKeyOverTheRightManifestIsCorrupted() throws {
        let bytes = try seal()
        let forged = try resigned(bytes, by: neighbour)
        #expect(refusal { () throws(BundleError) in _ = try openAtHub(forged) } == .corrupted)
    }

    @Test func anotherKabupatensBundleIsForeign() throws {
        let theirKec = Self.identity("33.75.01")
        let theirHub = Self.identity("33.75")
        let bytes = try seal(from: theirKec, to: theirHub)
        let error = try #require(throws: BundleError.self) {
            try OfflineBundle.open(
                bytes, recipient: hub, senderKey: Self.lookup([Self.key(theirKec), Self.key(kec)]), now: during)
        }
        #expect(error.code == .foreign)
        #expect(error.message.contains("jaringan kabupaten 33.75, bukan 33.74"))
        // And it cannot even be sealed across networks.
        #expect(
            refusal { () throws(BundleError) in
                _ = try OfflineBundle.seal(
                    BundleContents(), sender: kec, recipient: theirHub.node, recipientKey: theirHub.publicKey,
                    createdAt: created,
                    expiresAt: expires)
            } == .sealFailed)
    }

    @Test func aRevokedSenderIsRefused() throws {
        let bytes = try seal()
        let revoked = Self.lookup([Self.key(kec, revokedAt: Timestamp(iso: "2026-03-19T00:00:00.000Z")!)])
        let error = try #require(throws: BundleError.self) {
            try OfflineBundle.open(bytes, recipient: hub, senderKey: revoked, now: during)
        }
        #expect(error.code == .revoked)
    }

    // MARK: - Expired

    @Test func aBundlePastItsDateIsExpired() throws {
        let bytes = try seal()
        #expect(try openAtHub(bytes, now: expires) == Self.contents())
        let error = try #require(throws: BundleError.self) {
            try openAtHub(bytes, now: Timestamp(milliseconds: expires.milliseconds + 1))
        }
        #expect(error.code == .expired)
        #expect(error.message.contains("kedaluwarsa sejak \(expires)"))
    }

    // MARK: - Wrongly addressed

    @Test func aBundleForAnotherNodeIsWronglyAddressed() throws {
        let bytes = try seal()
        let error = try #require(throws: BundleError.self) {
            try OfflineBundle.open(bytes, recipient: neighbour, senderKey: hubKeys, now: during)
        }
        #expect(error.code == .wronglyAddressed)
        #expect(error.message.contains("ditujukan ke node 33.74, bukan ke node ini (33.74.02)"))
        // Said even when the reader does not know the sender: the address is the more useful reason.
        #expect(
            refusal { () throws(BundleError) in
                _ = try OfflineBundle.open(bytes, recipient: neighbour, senderKey: { _, _ in nil }, now: during)
            } == .wronglyAddressed)
    }

    @Test func aBundleForTheOldKeyOfThisNodeIsWronglyAddressed() throws {
        let bytes = try seal()
        let newHubKey = Self.identity("33.74", "after the disk died")
        let error = try #require(throws: BundleError.self) {
            try OfflineBundle.open(bytes, recipient: newHubKey, senderKey: hubKeys, now: during)
        }
        #expect(error.code == .wronglyAddressed)
        #expect(error.message.contains("kunci lain node 33.74 (\(hub.fingerprint))"))
    }

    // MARK: - Unsupported version

    @Test func aNewerFormatIsUnsupportedNotCorrupted() throws {
        let bytes = try seal()
        let newer = try withManifest(bytes, version: 2) { $0.format = 2 }
        let error = try #require(throws: BundleError.self) { try openAtHub(newer) }
        #expect(error.code == .unsupportedVersion)
        #expect(error.message.contains("versi 2"))
        // Whatever a version 2 file holds after its prefix is not looked at.
        let prefixOnly = Array(newer.prefix(OfflineBundle.prefixSize)) + Array(repeating: 0xAA, count: 10)
        #expect(refusal { () throws(BundleError) in _ = try openAtHub(prefixOnly) } == .unsupportedVersion)
    }

    // MARK: - Relay

    @Test func aRelayCanCheckButNotReadABundle() throws {
        let bytes = try seal()
        let relay = neighbour
        let manifest = try OfflineBundle.manifest(of: bytes)
        #expect(manifest.recipient.node == "33.74")
        #expect(try OfflineBundle.verifySignature(bytes, senderKey: Self.lookup([Self.key(kec)])) == manifest)
        var damaged = bytes
        damaged[bytes.count / 2] ^= 1
        #expect(
            refusal { () throws(BundleError) in try OfflineBundle.verifySignature(damaged, senderKey: hubKeys) }
                == .corrupted)

        #expect(
            refusal { () throws(BundleError) in
                _ = try OfflineBundle.open(bytes, recipient: relay, senderKey: hubKeys, now: during)
            } == .wronglyAddressed)
        // Forcing decryption with the relay's key past every check fails: the payload is not its to read.
        #expect(
            refusal { () throws(BundleError) in _ = try OfflineBundle.decryptSkippingChecks(bytes, with: relay) }
                == .corrupted)
        #expect(try OfflineBundle.decryptSkippingChecks(bytes, with: hub) == Self.contents())
        // Readdressing the manifest to itself breaks the sender's signature...
        let readdressed = try withManifest(bytes) {
            $0.recipient = .init(node: relay.node.rawValue, key: relay.fingerprint)
        }
        #expect(
            refusal { () throws(BundleError) in
                _ = try OfflineBundle.open(readdressed, recipient: relay, senderKey: hubKeys, now: during)
            } == .corrupted)
        // ...and even with a signature the relay cannot make, the key stays the hub's.
        let resigned = try withManifest(bytes, signer: kec) {
            $0.recipient = .init(node: relay.node.rawValue, key: relay.fingerprint)
        }
        #expect(
            refusal { () throws(BundleError) in
                _ = try OfflineBundle.open(resigned, recipient: relay, senderKey: hubKeys, now: during)
            } == .corrupted)
    }

    // MARK: - Large payloads

    @Test func aLargePayloadTravelsInBoundedChunks() throws {
        var rng = SeededGenerator(seed: 9)
        let scan = (0..<3_000_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let documents = (0..<40).map { i in Array(repeating: UInt8(ascii: "a") + UInt8(i % 26), count: 20_000) }
        let contents = BundleContents(changeSets: documents, blobs: [.init(bytes: scan)])
        let bytes = try seal(contents)
        let header = try OfflineBundle.readHeader(bytes)
        let plaintext = 40 * (5 + 20_000) + 5 + 32 + 3_000_000
        let chunks = (plaintext + OfflineBundle.chunkSize - 1) / OfflineBundle.chunkSize
        #expect(header.manifest.payloadLength == plaintext + chunks * OfflineBundle.tagSize)
        #expect(bytes.count == header.length + plaintext + chunks * OfflineBundle.tagSize + 64)
        #expect(try openAtHub(bytes) == contents)

        // Each chunk opens on its own with its counter, and only in its place.
        let shared = try Curve25519.KeyAgreement.PrivateKey(
            rawRepresentation: [UInt8](SHA512.hash(data: hub.privateKey.rawRepresentation).prefix(32)))
        let ephemeral = try Curve25519.KeyAgreement.PublicKey(
            rawRepresentation: Data(base64Encoded: header.manifest.ephemeralKey)!)
        let key = try #require(
            OfflineBundle.payloadKey(
                shared: try shared.sharedSecretFromKeyAgreement(with: ephemeral),
                ephemeral: [UInt8](ephemeral.rawRepresentation), recipient: [UInt8](shared.publicKey.rawRepresentation),
                headerDigest: header.digest))
        var stream = PayloadStream(key: key)
        var at = header.length
        var sizes: Set<Int> = []
        for index in 0..<chunks {
            let end = min(at + OfflineBundle.chunkSize + OfflineBundle.tagSize, bytes.count - 64)
            let clear = try stream.open(bytes[at..<end], final: index == chunks - 1)
            sizes.insert(clear.count)
            at = end
        }
        #expect(sizes.max() == OfflineBundle.chunkSize)
        #expect(sizes.count == 2)  // every chunk full but the last
        // The second chunk read as the first does not authenticate.
        var second = PayloadStream(key: key)
        let misplaced = bytes[(header.length + 65_552)..<(header.length + 2 * 65_552)]
        #expect((try? second.open(misplaced, final: false)) == nil)
    }

    // MARK: - Sealing

    @Test func sealingRefusesWhatABundleCannotCarry() throws {
        func code(
            recipientKey: String, expiresAt: Timestamp? = nil, blob: BundleContents.Blob? = nil
        ) -> BundleError.Code? {
            refusal { () throws(BundleError) in
                _ = try OfflineBundle.seal(
                    BundleContents(blobs: blob.map { [$0] } ?? []), sender: kec, recipient: hub.node,
                    recipientKey: recipientKey,
                    createdAt: created, expiresAt: expiresAt ?? expires)
            }
        }
        #expect(code(recipientKey: "bukan base64") == .sealFailed)
        #expect(code(recipientKey: Data(repeating: 0, count: 32).base64EncodedString()) == .sealFailed)  // order 4
        let orderEight = [UInt8](hex: "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")!
        let error = try #require(throws: BundleError.self) {
            try OfflineBundle.seal(
                BundleContents(), sender: kec, recipient: hub.node,
                recipientKey: Data(orderEight).base64EncodedString(),
                createdAt: created, expiresAt: expires)
        }
        #expect(
            error.description
                == "seal-failed: kunci publik penerima 33.74 bukan kunci Ed25519 yang sah: titik berorde kecil")
        #expect(code(recipientKey: hub.publicKey, expiresAt: created) == .sealFailed)
        #expect(code(recipientKey: hub.publicKey) == nil)
    }

    @Test func messagesNameTheReasonButNoKeyOrContent() throws {
        let bytes = try seal()
        var errors: [BundleError] = []
        func collect(_ body: () throws(BundleError) -> Void) {
            do { try body() } catch { errors.append(error) }
        }
        collect { () throws(BundleError) in _ = try openAtHub(Array(bytes.prefix(500))) }
        collect { () throws(BundleError) in _ = try openAtHub(try! resigned(bytes, by: neighbour)) }
        collect { () throws(BundleError) in
            _ = try openAtHub(bytes, now: Timestamp(milliseconds: expires.milliseconds + 1))
        }
        collect { () throws(BundleError) in
            _ = try OfflineBundle.open(bytes, recipient: kec, senderKey: hubKeys, now: during)
        }
        collect { () throws(BundleError) in
            _ = try OfflineBundle.open(bytes, recipient: hub, senderKey: { _, _ in nil }, now: during)
        }
        collect { () throws(BundleError) in _ = try OfflineBundle.decryptSkippingChecks(bytes, with: neighbour) }
        #expect(Set(errors.map(\.code)) == [.truncated, .corrupted, .expired, .wronglyAddressed, .foreign])
        let secrets = [
            kec.publicKey, hub.publicKey, "3374014505900001", "Siti",
            try OfflineBundle.manifest(of: bytes).ephemeralKey,
        ]
        for error in errors {
            #expect(error.description.hasPrefix(error.code.rawValue + ": "))
            for secret in secrets { #expect(!error.description.contains(secret), "\(error)") }
        }
    }

    // MARK: - Another implementation

    static let examples = Fixture.repoRoot.appendingPathComponent("sync-schemas/examples")

    static func exampleIdentity(_ node: String) -> NodeIdentity {
        let seed = [UInt8](SHA256.hash(data: Array("simpul example key \(node)".utf8)))
        return NodeIdentity(
            node: NodeID(node)!, privateKey: try! Curve25519.Signing.PrivateKey(rawRepresentation: seed))
    }

    /// `sync-schemas/examples/bundle.simpulbundle` is written by `generate.py` with Python's
    /// `cryptography`, from the spec alone: Swift opens it, and writes the same bytes from the same inputs.
    @Test func theExampleBundleWrittenInPythonOpensAndIsWrittenTheSameInSwift() throws {
        let file = [UInt8](try Data(contentsOf: Self.examples.appendingPathComponent("bundle.simpulbundle")))
        let kecamatan = Self.exampleIdentity("33.74.01")
        let hubIdentity = Self.exampleIdentity("33.74")
        let pulled = try PullResponse(
            decoding: WireSchemaTests.canonicalPullResponse(
                [UInt8](Data(contentsOf: Self.examples.appendingPathComponent("pull-response.json")))))
        let (manifest, contents) = try OfflineBundle.open(
            file, recipient: kecamatan, senderKey: Self.lookup(pulled.keys),
            now: Timestamp(iso: "2026-03-21T00:00:00.000Z")!)
        let example = try Canonical.decode(
            BundleManifest.self,
            from: [UInt8](Data(contentsOf: Self.examples.appendingPathComponent("bundle-manifest.json"))))
        #expect(manifest == example)
        #expect(
            try contents.changeSets.map { try Canonical.decode(SignedChangeSet.self, from: $0) }
                == pulled.changeSets.map { try Canonical.decode(SignedChangeSet.self, from: $0) })
        #expect(contents.keys == pulled.keys)
        #expect(
            contents.knowledge == [
                "33.74": VersionVector(["33.74": 2]), "33.74.01": VersionVector(["33.74": 3, "33.74.01": 6]),
            ])
        #expect(contents.blobs.map(\.sha256) == ["da401018a7ad3503c51fc7240ecd606c859eb7eae8544695471a625a303d2886"])
        #expect(contents.blobs.first?.bytes.count == 70_000)
        #expect(manifest.payloadLength > OfflineBundle.chunkSize + OfflineBundle.tagSize)  // two chunks

        let again = try OfflineBundle.seal(
            contents, sender: hubIdentity, recipient: kecamatan.node, recipientKey: kecamatan.publicKey,
            createdAt: manifest.createdAt, expiresAt: manifest.expiresAt,
            ephemeral: try .init(
                rawRepresentation: [UInt8](SHA256.hash(data: Array("simpul example bundle ephemeral key".utf8)))),
            id: [UInt8](SHA256.hash(data: Array("simpul example bundle id".utf8)).prefix(16)))
        // Ed25519 signatures may be randomised (CryptoKit's are), so everything before the signature must
        // match and the signature must verify.
        #expect(again.dropLast(64) == file.dropLast(64))
        try OfflineBundle.verifySignature(again, senderKey: Self.lookup(pulled.keys))
    }
}
