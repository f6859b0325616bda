import SimSupport

/// A moment in a client operation that the client reports as it passes it (`Observation.phaseMark`),
/// from which the shell derives the operation's phases (table `op_phases`). Moments the client
/// cannot see (when its transactions executed on chain) the shell adds from its own records.
public enum OperationMark: String, Sendable, CaseIterable {
    /// Write: the blob is encoded (sliver pairs and metadata ready).
    case encoded
    /// Write or read: the blob status answers from the nodes reached their quorum (only when
    /// the resource model sends status requests, scenario table `[resources]`).
    case statusChecked = "status_checked"
    /// Write: the reserve-and-register transaction was submitted.
    case registerSubmitted = "register_submitted"
    /// Write: the client saw the registration event.
    case registerSeen = "register_seen"
    /// Write: the first store request of the latest attempt was sent.
    case storeFirstSent = "store_first_sent"
    /// Write: the last store request of the latest attempt was sent.
    case storeLastSent = "store_last_sent"
    /// Write: confirmations worth 2f+1 shards were in hand.
    case quorum
    /// Write: the certify transaction was submitted (after the extra wait and the aggregation).
    case certifySubmitted = "certify_submitted"
    /// Read: the metadata was received and verified.
    case metadataReceived = "metadata_received"
    /// Read: enough primary slivers verified to decode.
    case sliversReceived = "slivers_received"
    /// Read: the blob was decoded (the consistency check follows).
    case decoded
}

/// The phases of an operation, derived from its marks: named intervals between two moments.
/// Moments are the marks above plus `start`, `end` and, for writes, the chain's execution of
/// the register and certify transactions (`registerFinal`, `certifyFinal`).
public enum OperationPhases {
    /// A moment an operation passes: one the client marks, or one the shell knows.
    public enum Moment: Hashable, Sendable {
        /// When the operation started.
        case start
        /// When it ended.
        case end
        /// When the registration executed on chain.
        case registerFinal
        /// When the certification executed on chain.
        case certifyFinal
        /// A moment the client marked.
        case mark(OperationMark)
    }

    /// One phase: `name` runs from `from` to `to`; `span` phases are details overlapping the others.
    public struct Definition: Sendable {
        /// The phase's name in `op_phases.phase`.
        public var name: String
        /// Where it starts.
        public var from: Moment
        /// Where it ends.
        public var to: Moment
        /// Whether it is an overlapping detail (`span`) rather than one of the disjoint phases.
        public var span: Bool
    }

    /// A write's phases in time order. The disjoint ones add up to the latency: encode, status
    /// check, register (submitted to final), register event (final to seen), store (event seen
    /// to quorum, including the SDK's registration delay), extra wait (quorum to certify
    /// submitted), certify (submitted to final), certify event (final to seen, the end).
    public static let write: [Definition] = [
        Definition(name: "encode", from: .start, to: .mark(.encoded), span: false),
        Definition(name: "status_check", from: .mark(.encoded), to: .mark(.statusChecked), span: false),
        Definition(name: "register", from: .mark(.registerSubmitted), to: .registerFinal, span: false),
        Definition(name: "register_event", from: .registerFinal, to: .mark(.registerSeen), span: false),
        Definition(name: "store", from: .mark(.registerSeen), to: .mark(.quorum), span: false),
        Definition(name: "store_upload", from: .mark(.storeFirstSent), to: .mark(.storeLastSent), span: true),
        Definition(name: "store_extra_wait", from: .mark(.quorum), to: .mark(.certifySubmitted), span: false),
        Definition(name: "certify", from: .mark(.certifySubmitted), to: .certifyFinal, span: false),
        Definition(name: "certify_event", from: .certifyFinal, to: .end, span: false),
    ]

    /// A read's phases in time order, disjoint: status check, metadata, slivers (metadata to R
    /// verified primary slivers), decode, consistency check (re-encoding to compare the metadata).
    public static let read: [Definition] = [
        Definition(name: "status_check", from: .start, to: .mark(.statusChecked), span: false),
        Definition(name: "metadata", from: .mark(.statusChecked), to: .mark(.metadataReceived), span: false),
        Definition(name: "metadata", from: .start, to: .mark(.metadataReceived), span: false),
        Definition(name: "slivers", from: .mark(.metadataReceived), to: .mark(.sliversReceived), span: false),
        Definition(name: "decode", from: .mark(.sliversReceived), to: .mark(.decoded), span: false),
        Definition(name: "consistency_check", from: .mark(.decoded), to: .end, span: false),
    ]

    /// The phases among `definitions` whose two moments are both known (`time`) and in order,
    /// each as (definition, start, end). A name already produced is not produced again, so
    /// alternatives for one phase are listed most specific first (a read's `metadata` starts at
    /// the status check when there was one, else at the start).
    public static func phases(_ definitions: [Definition], time: (Moment) -> SimTime?) -> [(Definition, SimTime, SimTime)] {
        var out: [(Definition, SimTime, SimTime)] = []
        var seen = Set<String>()
        for d in definitions where !seen.contains(d.name) {
            guard let a = time(d.from), let b = time(d.to), a <= b else { continue }
            seen.insert(d.name)
            out.append((d, a, b))
        }
        return out
    }
}
