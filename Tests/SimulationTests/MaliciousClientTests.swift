import Economics
import ResultRecords
import SimEngine
import SimSupport
import TestSupport
import Testing
import WalrusModel

@testable import Simulation

/// The malicious client and the invalid-blob pipeline end to end: inconsistent blobs certify
/// (the writer sends honest slivers under metadata that lies about one of them), the node that
/// refused the lie recovers the pair, finds an inconsistency proof, collects attestations and
/// gets the blob declared invalid on chain; every read of such a blob says `invalid`.
@Suite struct MaliciousClientTests {
    func scenario(seed: UInt64, permille: UInt64, encoding: Fidelity.Encoding = .real) -> Scenario {
        var s = smallScenario(seed: seed, writes: 10, reads: 30, duration: .minutes(30))
        guard case .writes(var w) = s.workloads[0].kind else { return s }
        w.inconsistentPermille = permille
        s.workloads[0].kind = .writes(w)
        s.fidelity.encoding = encoding
        return s
    }

    @Test(arguments: [Fidelity.Encoding.real, .modeled])
    func inconsistentBlobsEndInvalidAndEveryReadOfThemSaysSo(_ encoding: Fidelity.Encoding) throws {
        let sink = CollectingResultsSink()
        let (world, _) = try runWorld(scenario(seed: 41, permille: 400, encoding: encoding), sink: sink)
        let malicious = world.blobs.indices.filter { world.blobs[$0].inconsistent }
        #expect(!malicious.isEmpty && malicious.count < world.blobs.count, "\(malicious)")
        for b in malicious {
            #expect(world.blobs[b].certifiedAt != nil, "blob \(b) should certify: the lie is in one pair")
            #expect(world.blobs[b].invalidAt != nil, "blob \(b) was never declared invalid")
        }
        for b in world.blobs.indices where !world.blobs[b].inconsistent { #expect(world.blobs[b].invalidAt == nil) }
        // Every read of a malicious blob says invalid; every read of an honest one succeeds.
        let reads = sink.operations.filter { $0.kind == .read }
        #expect(!reads.isEmpty)
        for r in reads {
            guard let index = r.blobIndex else { Issue.record("a read without a blob"); continue }
            let bad = world.blobs[Int(index)].inconsistent
            #expect(r.outcome == (bad ? .invalid : .success), "read of blob \(index) (inconsistent: \(bad)): \(r.outcome) \(r.details ?? "")")
        }
        #expect(world.operations.readsInvalid > 0)
        #expect(world.violations.isEmpty, "\(world.violations)")
        // The results say when each became invalid.
        let invalid = sink.blobs.filter { $0.status == .invalid }
        #expect(invalid.count == malicious.count && invalid.allSatisfy { $0.invalidNs != nil })
    }

    @Test func maliciousRunsAreDeterministic() throws {
        let s = scenario(seed: 42, permille: 500)
        #expect(try runWorld(s).1.digest == runWorld(s).1.digest)
    }

    /// The read-consistency checker can fail: readers that disagree are a violation.
    @Test func theConsistencyCheckerFailsWhenReadersDisagree() throws {
        let (world, _) = try runWorld(scenario(seed: 43, permille: 0))
        guard let b = world.blobs.indices.first(where: { world.blobs[$0].certifiedAt != nil }) else { Issue.record("no blob"); return }
        let before = world.violations.count
        func read(_ result: FinishedOperation.Result) -> FinishedOperation {
            FinishedOperation(id: 9_999, kind: .read, client: ClientID(0), blob: BlobRef(UInt32(b)), start: .zero, end: .zero,
                              result: result, bytes: 0, attempts: 1, detail: "test")
        }
        world.firstReadOutcome[BlobRef(UInt32(b))] = true
        world.checkOperation(read(.invalid), now: .zero)  // a broken reader: an honest blob "invalid"
        #expect(world.violations.count == before + 1)
        #expect(world.violations.last?.kind == .consistency)
    }
}

/// Certificates on the simulated chain are Walrus's: BLS12-381 aggregates over the BCS
/// confirmation, checked by `walrus-sim bls verify` with the signers' public keys.
@Suite struct CertificateTests {
    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @Test func realCertificatesVerifyWithTheBLSCommand() throws {
        var s = smallScenario(seed: 71, writes: 3, reads: 0, duration: .minutes(5))
        s.workloads.removeLast()
        s.fidelity.signatures = .real
        let (world, _) = try runWorld(s)
        let cert = try #require(world.chain.certificates.first)
        #expect(cert.certificate.signature.count == 96)
        let keys = try cert.certificate.signers.map { try #require(world.nodes[$0.index].signer.publicKey).compressed }
        #expect(keys.allSatisfy { $0.count == 48 })
        let message = ConfirmationSigner.message(cert.intent, epoch: cert.epoch, blobID: cert.blobID)
        let args = keys.flatMap { ["--pk", Self.hex($0)] } + ["--signature", Self.hex(cert.certificate.signature)]
        let ok = try CLI.run(["bls", "verify", "--message", Self.hex(message)] + args)
        #expect(ok.status == 0 && ok.stdout.contains("valid"), "\(ok.stdout) \(ok.stderr)")
        // Another message (the next epoch's confirmation) does not verify.
        let other = ConfirmationSigner.message(cert.intent, epoch: cert.epoch + 1, blobID: cert.blobID)
        let bad = try CLI.run(["bls", "verify", "--message", Self.hex(other)] + args)
        #expect(bad.status == 2 && bad.stdout.contains("invalid"), "\(bad.stdout) \(bad.stderr)")
    }
}
