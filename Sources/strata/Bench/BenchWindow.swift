/// The windows and names the query set uses, derived from the workload: half-open
/// `[from, to)` ranges in seconds since the epoch.
struct BenchWindow: Sendable, Codable, Equatable {
    var start: Int64
    var end: Int64
    /// The device of the one-device queries: robot-0042, or the last one in a smaller fleet.
    var device: String
    /// The raw hour: the third hour when there is one, else the last (or only) part.
    var hourFrom: Int64
    var hourTo: Int64
    var minutes: Int64
    var hours: Int64
    var threshold: Double
    /// Expected answer sizes where the workload fixes them (values, not rows).
    var expectedValues: [String: Int]

    init(_ p: RobotFleet.Parameters, hotDevices: Int) {
        start = p.start
        let spanNanoseconds = Int64(p.ticks) * p.intervalNanoseconds
        let span = (spanNanoseconds + 999_999_999) / 1_000_000_000
        end = start + span
        let index = min(42, p.devices - 1)
        device = "robot-" + String(repeating: "0", count: max(0, 4 - String(index).count)) + String(index)
        hourFrom = start + min(7_200, max(0, span - 3_600))
        hourTo = hourFrom + 3_600
        minutes = (span + 59) / 60
        hours = (span + 3_599) / 3_600
        threshold = RobotFleet.hotThreshold
        let fields = RobotFleet.fields.count
        let hourNanoseconds = (min(hourTo, end) - hourFrom) * 1_000_000_000
        let samplesInHour = Int((hourNanoseconds + p.intervalNanoseconds - 1) / p.intervalNanoseconds)
        expectedValues = [
            "Q1": p.devices * fields,
            "Q2": samplesInHour * fields,
            "Q3": 2 * Int(minutes),
            "Q5": hotDevices,
        ]
    }

    var span: Int64 { end - start }
}
