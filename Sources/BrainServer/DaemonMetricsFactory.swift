import Metrics

/// On a database several daemons share, labels every metric that counts one daemon's own work
/// (requests, saves it took, pushes, reconcile runs, webhook repairs) with `daemon="<id>"`, so a
/// dashboard can sum them across the cluster and still tell the daemons apart even when they are
/// scraped through one address. The gauges read from the database at scrape time
/// (`MetricsController.databaseWide`) are the same from every daemon and stay unlabelled: take
/// their `max`, not their `sum`.
public struct DaemonMetricsFactory: MetricsFactory {
    private let base: any MetricsFactory
    private let daemon: String

    public init(wrapping base: any MetricsFactory, daemon: String) {
        self.base = base
        self.daemon = daemon
    }

    private func labelled(_ label: String, _ dimensions: [(String, String)]) -> [(String, String)] {
        MetricsController<BrainRequestContext>.databaseWide.contains(label) ? dimensions : dimensions + [("daemon", daemon)]
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        base.makeCounter(label: label, dimensions: labelled(label, dimensions))
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        base.makeFloatingPointCounter(label: label, dimensions: labelled(label, dimensions))
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        base.makeMeter(label: label, dimensions: labelled(label, dimensions))
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        base.makeRecorder(label: label, dimensions: labelled(label, dimensions), aggregate: aggregate)
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        base.makeTimer(label: label, dimensions: labelled(label, dimensions))
    }

    public func destroyCounter(_ handler: any CounterHandler) { base.destroyCounter(handler) }
    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) { base.destroyFloatingPointCounter(handler) }
    public func destroyMeter(_ handler: any MeterHandler) { base.destroyMeter(handler) }
    public func destroyRecorder(_ handler: any RecorderHandler) { base.destroyRecorder(handler) }
    public func destroyTimer(_ handler: any TimerHandler) { base.destroyTimer(handler) }
}
