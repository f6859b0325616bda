import RedStuff
import SimSupport
import WalrusCrypto
import Testing
@testable import WalrusModel

/// Modeled confirmation signatures are held as the state their 96-byte tag expands from; the
/// tests pin that this changes nothing a user of the bytes can see.
@Suite struct ModeledSignatureTests {
    let blobID = BlobID(digest: Digest32(w0: 7, w1: 7, w2: 7, w3: 7))
    let signer = ConfirmationSigner(node: NodeID(3), mode: .modeled, seed: [])

    /// The signature's bytes are the tag of its signer, epoch, blob and intent, 96 bytes, and
    /// the wire size is counted without expanding them.
    @Test func bytesAreTheTagAndTheSizeIsABLSSignatures() {
        let sig = signer.sign(epoch: Epoch(4), blobID: blobID)
        #expect(sig.bytes == ConfirmationSigner.tag(signers: [NodeID(3)], .blobCertification, epoch: Epoch(4), blobID: blobID))
        #expect(sig.bytes.count == 96 && sig.byteCount == 96)
        #expect(Message.stored(blob: BlobRef(0), epoch: Epoch(4), signature: sig).wireBytes
                == Message.stored(blob: BlobRef(0), epoch: Epoch(4), signature: ConfirmationSignature(signer: NodeID(3), bytes: sig.bytes)).wireBytes)
    }

    /// Signing through the memo of tag prefixes gives the tag signing without it gives, for
    /// blobs, epochs and intents that share memo slots and evict each other (the memo keys on
    /// the whole blob ID, the epoch and the intent, not the slot).
    @Test func signingThroughThePrefixMemoChangesNoTag() {
        let memo = ConfirmationSigner.TagPrefixes()
        let signers = (0..<5).map { ConfirmationSigner(node: NodeID(UInt32($0)), mode: .modeled, seed: []) }
        // w0 equal mod 256 for all blobs: they share a slot unless the epoch tells them apart.
        let blobs = (0..<4).map { BlobID(digest: Digest32(w0: 0x100 * UInt64($0), w1: UInt64($0), w2: 1, w3: 2)) }
        for round in 0..<3 {
            for blob in blobs {
                for intent in [IntentType.blobCertification, .invalidBlobID] {
                    for epoch in [Epoch(1), Epoch(2), Epoch(257)] {  // 1 and 257 share a slot
                        for signer in signers {
                            let memoized = signer.sign(intent, epoch: epoch, blobID: blob, prefixes: memo)
                            #expect(memoized == signer.sign(intent, epoch: epoch, blobID: blob), "round \(round), \(blob), \(epoch), \(intent)")
                            #expect(ConfirmationSigner.verify(memoized, intent, epoch: epoch, blobID: blob, mode: .modeled, publicKey: nil))
                        }
                    }
                }
            }
        }
    }

    /// The same bytes held either way are the same signature (equal, same hash), and verify alike;
    /// a changed signer, epoch, blob, intent or byte does not verify.
    @Test func eitherRepresentationVerifiesAndComparesAlike() {
        let sig = signer.sign(epoch: Epoch(4), blobID: blobID)
        let asBytes = ConfirmationSignature(signer: NodeID(3), bytes: sig.bytes)
        #expect(sig == asBytes && sig.hashValue == asBytes.hashValue)
        for s in [sig, asBytes] {
            #expect(ConfirmationSigner.verify(s, epoch: Epoch(4), blobID: blobID, mode: .modeled, publicKey: nil))
            #expect(!ConfirmationSigner.verify(s, epoch: Epoch(5), blobID: blobID, mode: .modeled, publicKey: nil))
            #expect(!ConfirmationSigner.verify(s, .invalidBlobID, epoch: Epoch(4), blobID: blobID, mode: .modeled, publicKey: nil))
            #expect(!ConfirmationSigner.verify(s, epoch: Epoch(4), blobID: BlobID(digest: Digest32(w0: 8, w1: 7, w2: 7, w3: 7)),
                                               mode: .modeled, publicKey: nil))
        }
        // Claimed by another node: the tag names its signer.
        var stolen = sig
        stolen.signer = NodeID(2)
        #expect(!ConfirmationSigner.verify(stolen, epoch: Epoch(4), blobID: blobID, mode: .modeled, publicKey: nil))
        var flipped = sig.bytes
        flipped[95] ^= 1
        let forged = ConfirmationSignature(signer: NodeID(3), bytes: flipped)
        #expect(forged != sig)
        #expect(!ConfirmationSigner.verify(forged, epoch: Epoch(4), blobID: blobID, mode: .modeled, publicKey: nil))
    }
}
