import StrataCore
import StrataQuery

/// The hub's tunables. Defaults and where their numbers come from are beside each.
public struct LiveConfiguration: Sendable {
    /// Messages a connection may have queued before its subscriptions conflate or it is
    /// disconnected. 512: half a second of the benchmark's ~1,000 batches/s reaching one
    /// subscriber, so a client that stalls for a GC pause or a tab switch catches up
    /// without conflating, while 10,000 stalled connections still cannot hold unbounded data.
    public var maxQueuedMessages = 512
    /// Bytes a connection may have queued (same purpose). 2 MiB: ~2,000 single-point
    /// messages or a few full history chunks; a message larger than this alone is still
    /// sent when the queue is empty (a live message is one WAL batch and cannot be split).
    public var maxQueuedBytes = 2 << 20
    /// How long (nanoseconds) a connection's oldest queued message may wait before its
    /// live subscriptions conflate (or, under policy `disconnect`, it is closed), however
    /// short the queue. 500 ms: the same half second as `maxQueuedMessages`, counted in
    /// time, so it also holds when the server itself falls behind: at 10,000 subscribers
    /// the event loops' socket writes, not the clients, are the limit, and conflating then
    /// keeps ingest at its rate instead of slowing writes to the pace of the fan-out
    /// (docs/performance.md, "Live subscriptions at 10,000"). A client that pauses for a
    /// moment is not affected: the socket buffers absorb it and the queue stays empty.
    public var maxQueueDelay: Int64 = 500_000_000
    /// How long after a window's end its aggregate is pushed when the subscription names no
    /// `grace`. 200 ms: a point written from a robot on the LAN arrives within tens of
    /// milliseconds of its timestamp, so most windows are final when pushed and corrections
    /// stay rare, while a 1 s chart still updates promptly.
    public var defaultGrace: Int64 = 200_000_000
    /// Subscriptions per connection; each costs an index entry and state on the fan-out path.
    public var maxSubscriptionsPerConnection = 256
    /// Subscriptions one token may hold over all its connections; 0: no limit. Not counted
    /// for an open server (no tokens). 1,000: the target of 1,000 subscribers, or a
    /// dashboard of a few hundred panels, fits one token; without it one read token made
    /// 1,000 connections × 256 subscriptions (1.2 GB).
    public var maxSubscriptionsPerToken = 1_000
    /// Late windows a subscription may have waiting for a correction. 1,024 covers a robot
    /// replaying 17 minutes of 1 s windows; beyond that the client is told to resubscribe.
    public var maxPendingCorrections = 1_024
    /// The clock windows close on; tests pass a `ManualLiveClock`.
    public var clock: any LiveClock = SystemClock()
    /// Told of every statement a connection's executor runs, after it was authorized: the
    /// security tests check that a subscription only ever runs its one SELECT.
    public var statementObserver: QueryExecutor.Observer?

    public init() {}
}
