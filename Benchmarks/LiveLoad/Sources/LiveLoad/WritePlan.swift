/// The write schedule shared by every robot and by the analysis: tick `k` of robot `r` is
/// the point `robot,device_id=robot-NNNN` at time `baseTime + k × tick`, so a subscriber can
/// tell from a row's time which write it came from.
struct WritePlan: Sendable {
    let database: String
    let robots: Int
    let ticks: Int
    let warmupTicks: Int
    let tickNanoseconds: Int64
    /// Wall-clock time of tick 0 (the points' timestamps).
    let baseTime: Int64
    /// Monotonic time of tick 0 (when it is sent).
    let startMonotonic: Int64

    func device(_ robot: Int) -> String {
        "robot-" + String(robot + 1).leftPadded(to: 4)
    }

    func line(robot: Int, tick: Int) -> String {
        let time = baseTime + Int64(tick) * tickNanoseconds
        let battery = 100.0 - Double(tick % 1000) / 10
        let temperature = 20.0 + Double((robot + tick) % 50) / 10
        let speed = Double(tick % 30) / 10
        return "robot,device_id=\(device(robot)) battery=\(battery),temperature=\(temperature),speed=\(speed) \(time)\n"
    }

    /// The tick a row's time belongs to, if it is one of this run's.
    func tick(ofTime time: Int64) -> Int? {
        let delta = time - baseTime
        guard delta >= 0, delta % tickNanoseconds == 0 else { return nil }
        let tick = Int(delta / tickNanoseconds)
        return tick < ticks ? tick : nil
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
