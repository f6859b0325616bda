@testable import ReedSolomon

/// Every implementation the tests hold to the same vectors: the reference engine and the fast
/// engine with each C kernel this CPU can run.
enum EngineUnderTest: Sendable, CaseIterable, CustomStringConvertible {
    case reference, fastScalar, fastAVX2, fastGFNI, fastGFNI512

    static var available: [EngineUnderTest] { allCases.filter(\.isSupported) }

    var isSupported: Bool {
        switch self {
        case .reference, .fastScalar: return true
        case .fastAVX2: return FastKernel.avx2.isSupported
        case .fastGFNI: return FastKernel.gfni.isSupported
        case .fastGFNI512: return FastKernel.gfni512.isSupported
        }
    }

    var description: String { "\(self.engine)/\(self.kernel)" }

    private var engine: ReedSolomonEngine { self == .reference ? .reference : .fast }
    private var kernel: FastKernel {
        switch self {
        case .reference, .fastScalar: return .scalar
        case .fastAVX2: return .avx2
        case .fastGFNI: return .gfni
        case .fastGFNI512: return .gfni512
        }
    }

    func codec(originalCount: Int, recoveryCount: Int, rate: ReedSolomonRate? = nil) throws -> ReedSolomonCodec {
        try ReedSolomonCodec(originalCount: originalCount, recoveryCount: recoveryCount, engine: engine,
                             rate: rate).withFastKernel(kernel)
    }
}
