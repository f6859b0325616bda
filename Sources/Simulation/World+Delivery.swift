import SimEngine
import SimSupport
import WalrusModel

/// What a message's arrival at its receiver gave under the one-event rule.
enum ArrivalOutcome {
    /// Not settled yet: earlier arrivals at the same receiver may still be unsettled.
    case pending
    /// The receiver's downlink took it; it is delivered at this time.
    case deliverAt(SimTime)
    /// The receiver was down, or a partition separated the two, when it arrived.
    case dropped
}

// MARK: One event per message
//
// The network's rule (`Network`) reserves a receiver's downlink in the order messages arrive
// there, so the two-event path schedules an arrival event (which reserves the downlink and
// checks the receiver is up and reachable) and then a delivery event. Under the one-event rule
// (modeled encoding, no `[resources]`) a message gets a single event at the earliest time it
// can be delivered (`Network.earliestDelivery`: its last bit arriving, and its first bit plus
// the receiver's downlink time at full capacity), which is never later than its delivery. Its
// arrival is settled lazily, with the same result:
//
// - Arrival order: each receiver keeps its unsettled messages ordered by (arrival time,
//   sequence of the message's event). The sequences are assigned at send time, in the order
//   the two-event path assigned its arrival events' sequences, so this is the two-event
//   path's arrival order. When a message's event fires, the receiver's earlier arrivals and
//   then the message's own are settled (`Network.deliver`) in that order. All of them were sent
//   already: a message sent later is sent at or after now and gets a later sequence.
// - The state an arrival sees: `Network.deliver` reads the receiver's downlink (changed only by
//   arrivals at that receiver, settled in order) and the fault state (down, partitions,
//   throttle). Fault events settle every arrival that precedes them in event order before they
//   change anything, so a lazily settled arrival sees the fault state of its arrival time.
// - Counters (`messagesDelivered`, `bytesReceived`) count arrivals; metrics samples, the
//   economy's timers and `finish` settle the arrivals before them first.
//
// If the settled delivery time is now (the receiver's downlink was idle and unthrottled), the message is delivered in the same event; otherwise (a queue at the
// downlink, or a slower downlink) a delivery event is scheduled at that time. So delivery
// times, drops and counters equal the two-event path's (`OneEventMessageTests` compares
// every delivery). What can differ is the order among events at the same nanosecond: a
// delivery's event is scheduled at send time instead of at arrival, so its sequence, the
// tie-breaker, is another. Ties are rare but real (an epoch change reaches all nodes at once
// and equal CPU costs then end together); a swapped tie shifts which message draws which
// jitter sample, so a run with faults can drift from the two-event run's after one, as two
// seeds would, with the same physics. The event count falls by about one per message.

extension World {
    /// A message handed to its receiver (`deliveryLog`, for tests).
    struct DeliveryRecord: Equatable {
        var time: SimTime
        /// When its first bit reached the receiver.
        var arrivedAt: SimTime
        var from: EndpointID
        var to: EndpointID
        var bytes: UInt64
        /// Whether the receiver was up to take it (a crashed node drops it).
        var receiverUp: Bool
    }

    /// Sends under the one-event rule: transmits, then schedules the message's event at its
    /// earliest delivery time and parks it in its receiver's arrival order.
    func sendOneEvent(_ message: consuming Message, from: Party, to: Party, now: SimTime, scheduler: inout Scheduler) {
        let receiver = endpoint(to)
        switch network.transmit(from: endpoint(from), to: receiver, bytes: message.wireBytes, now: now) {
        case .success(let t):
            let slot = inFlight.insert(InFlight(transmission: t, from: from, to: to, message: message))
            let id = scheduler.schedule(at: network.earliestDelivery(t), target: receiver.rawValue, kind: Kind.message.rawValue, payload: slot)
            unsettledArrivals[receiver.index].push(Event(time: t.arrivesAt, sequence: id.sequence, target: 0, kind: 0, payload: slot))
        case .failure:
            break
        }
    }

    /// A message's one event: settles its arrival (and the receiver's earlier ones), then
    /// delivers it now, schedules its delivery later, or drops it.
    func messageEvent(_ event: Event, scheduler: inout Scheduler) {
        let slot = event.payload
        // The outcome is read and settled in the slab's slot, in place: the message's one
        // record (a separate table of outcomes was a cache miss more per message at 10,000 nodes).
        if case .pending = inFlight.withElement(slot, { $0.outcome }) {
            let arrivals = Int(event.target)
            // Settle in arrival order up to and including this message's own arrival.
            while let next = unsettledArrivals[arrivals].pop() {
                settle(next.payload)
                if next.payload == slot { break }
            }
        }
        switch inFlight.withElement(slot, { $0.outcome }) {
        case .pending:
            preconditionFailure("message in slot \(slot) was not in its receiver's arrival order")
        case .dropped:
            _ = inFlight.remove(slot)
        case .deliverAt(let at):
            if at > event.time {
                scheduler.schedule(at: at, target: 0, kind: Kind.deliver.rawValue, payload: slot)
            } else {
                deliver(slot, now: event.time, scheduler: &scheduler)
            }
        }
    }

    /// Hands the message in `slot` to its receiver, if up, and carries out its reaction.
    func deliver(_ slot: UInt64, now: SimTime, scheduler: inout Scheduler) {
        let f = inFlight.remove(slot).delivery()
        if deliveryLog != nil {
            deliveryLog!.append(DeliveryRecord(time: now, arrivedAt: f.arrivedAt, from: endpoint(f.from), to: endpoint(f.to),
                                              bytes: f.message.wireBytes, receiverUp: isUp(f.to)))
        }
        guard isUp(f.to) else { return }
        deliveryCounts[f.message.kind.rawValue] &+= 1
        deliveryBytes[f.message.kind.rawValue] &+= f.bytes
        let ctx = context(now, for: f.to)
        withActionBuffer(for: f.to, now: now, scheduler: &scheduler) { actions in
            switch f.to {
            case .node(let n): nodes[n.index].receive(f.message, from: f.from, context: ctx, into: actions)
            case .client(let c): clients[Int(c.rawValue)].receive(f.message, from: f.from, context: ctx, into: actions)
            }
        }
    }

    /// Reserves the receiver's downlink for the message in `slot` as its arrival does.
    private func settle(_ slot: UInt64) {
        inFlight.withElement(slot) { f in
            switch network.deliver(f.transmission) {
            case .success(let at): f.outcome = .deliverAt(at)
            case .failure: f.outcome = .dropped
            }
        }
    }

    /// Settles, at every receiver, the arrivals that precede `event` in event order: what the
    /// two-event path had handled before it. O(endpoints) when nothing is unsettled.
    func settleArrivals(before event: Event) {
        guard oneEventMessages else { return }
        let bound = event.orderKey
        for r in unsettledArrivals.indices {
            while let next = unsettledArrivals[r].first, next.orderKey < bound {
                _ = unsettledArrivals[r].pop()
                settle(next.payload)
            }
        }
    }

    /// Settles every arrival at or before `time` (the end of a run).
    func settleArrivals(through time: SimTime) {
        guard oneEventMessages else { return }
        for r in unsettledArrivals.indices {
            while let next = unsettledArrivals[r].first, next.time <= time {
                _ = unsettledArrivals[r].pop()
                settle(next.payload)
            }
        }
    }
}
