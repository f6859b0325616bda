import ResultRecords
import SimSupport
import WalrusModel

/// Operation phases (table `op_phases`): the marks clients report as their operations pass
/// them, turned into phase rows when each operation ends.
extension World {
    /// Keeps the time `op` passed `mark` (the latest time wins: a retried store overwrites the
    /// first attempt's marks, so the phases describe the attempt that finished). Kept only when
    /// the run records results: nothing else reads them.
    func notePhaseMark(op: UInt64, mark: OperationMark, at time: SimTime) {
        guard sink != nil else { return }  // marks serve only the phase rows
        phaseMarks[op, default: [:]][mark] = time
    }

    /// The phases of a finished operation from its marks and, for writes, the chain's execution
    /// times of its registration and certification; forgets its marks.
    func operationPhases(_ op: FinishedOperation) -> [OperationPhaseRecord] {
        let marks = phaseMarks.removeValue(forKey: op.id) ?? [:]
        let blob = Int(op.blob.index) < blobs.count ? blobs[Int(op.blob.index)] : nil
        let definitions: [OperationPhases.Definition]
        switch op.kind {
        case .write: definitions = OperationPhases.write
        case .read: definitions = OperationPhases.read
        case .extend, .delete: return []
        }
        let phases = OperationPhases.phases(definitions) { moment in
            switch moment {
            case .start: op.start
            case .end: op.end
            // Only this write's own transactions count (a failed write's blob may never register).
            case .registerFinal: op.kind == .write ? blob?.registeredAt : nil
            case .certifyFinal: op.kind == .write && op.result == .ok ? blob?.certifiedAt : nil
            case .mark(let m): marks[m]
            }
        }
        return phases.enumerated().map { i, p in
            OperationPhaseRecord(opID: op.id, seq: UInt32(i), phase: p.0.name, kind: p.0.span ? "span" : "phase",
                                 startNs: p.1.nanoseconds, endNs: p.2.nanoseconds)
        }
    }

    /// Writes a finished operation's phase rows.
    func recordPhases(_ op: FinishedOperation) {
        guard let sink else { return }  // nothing to write: no marks were kept either
        for r in operationPhases(op) { sink.record(r) }
    }
}
