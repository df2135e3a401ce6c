/// The benchmark's workload: a fleet of robots, each sending one line per interval, in time
/// order (every device at t, then every device at t + interval). docs/bench.md describes the
/// shape; the bytes depend only on the parameters and the seed, never on the clock.
///
/// `robot,device_id=robot-0042,fleet=fleet-east,model=rx200 battery=87.23,temperature=36.41,
/// x=12.345,y=98.765,heading=123.4,speed=1.234,motor_current=3.456,status=1i,error_count=0i,
/// charging=false 1704067200000000000`
struct RobotFleet: Sendable {
    static let fleets = ["fleet-north", "fleet-south", "fleet-east", "fleet-west"]
    static let models = ["rx100", "rx200", "tx9"]
    /// Per line: 7 floats, 2 integers, 1 boolean.
    static let fields = ["battery", "temperature", "x", "y", "heading", "speed", "motor_current",
                         "status", "error_count", "charging"]
    /// Hot devices run at 50–56 °C, the others at 28–40 °C: the threshold query's line.
    static let hotThreshold = 50.0
    /// The hall the robots move in, metres.
    static let hall = (width: 200.0, height: 120.0)

    struct Parameters: Sendable, Equatable {
        var devices = 100
        /// Seconds since the epoch of the first sample (default 2024-01-01T00:00:00Z).
        var start: Int64 = 1_704_067_200
        var intervalNanoseconds: Int64 = 1_000_000_000
        var ticks = 21_600
        /// Each sample is late by 0..<jitter, as real devices are; below the interval, so a
        /// device's samples stay in order.
        var jitterNanoseconds: Int64 = 0
        var seed: UInt64 = 42

        var lines: Int { devices * ticks }
        var values: Int { lines * RobotFleet.fields.count }
        var startNanoseconds: Int64 { start * 1_000_000_000 }
        var endNanoseconds: Int64 { startNanoseconds + Int64(ticks) * intervalNanoseconds }
    }

    private struct Device {
        var prefix: [UInt8]
        var hot: Bool
        var temperatureBase: Double
        var cruise: Double
        var drain: Double
        var battery: Double
        var temperature: Double
        var x: Double, y: Double
        var vx: Double, vy: Double
        var heading: Double
        var speed = 0.0
        var current = 0.0
        var status: Int
        var errorLeft = 0.0
        var errorCount: Int
    }

    let parameters: Parameters
    private var devices: [Device]
    private var random: BenchRandom
    /// A stream of its own, so jitter moves timestamps and nothing else.
    private var jitterRandom: BenchRandom
    private(set) var tick = 0

    init(_ parameters: Parameters) {
        self.parameters = parameters
        var random = BenchRandom(seed: parameters.seed)
        jitterRandom = BenchRandom(seed: parameters.seed ^ 0x5DEE_CE66_D1CE_5EED)
        devices = (0..<parameters.devices).map { d in
            let fleet = Self.fleets[random.below(Self.fleets.count)]
            let model = Self.models[random.below(Self.models.count)]
            let hot = random.unit() < 0.10
            let base = hot ? random.uniform(50.5, 56) : random.uniform(28, 40)
            let name = "robot-" + String(repeating: "0", count: max(0, 4 - String(d).count)) + String(d)
            return Device(
                prefix: Array("robot,device_id=\(name),fleet=\(fleet),model=\(model) ".utf8), hot: hot,
                temperatureBase: base, cruise: random.uniform(0.8, 2.0), drain: random.uniform(0.004, 0.008),
                battery: random.uniform(40, 100), temperature: base + random.noise(1),
                x: random.uniform(0, Self.hall.width), y: random.uniform(0, Self.hall.height),
                vx: random.noise(1), vy: random.noise(1), heading: random.uniform(0, 360),
                status: random.unit() < 0.5 ? 1 : 0, errorCount: random.below(5))
        }
        self.random = random
    }

    /// The device ids of the hot devices, whose maximum temperature passes `hotThreshold`.
    var hotDevices: [Int] { devices.indices.filter { devices[$0].hot } }

    var isFinished: Bool { tick >= parameters.ticks }

    /// Appends the next tick's lines (one per device) to `out`.
    mutating func appendTick(to out: inout [UInt8]) {
        guard !isFinished else { return }
        let seconds = Double(parameters.intervalNanoseconds) / 1e9
        let time = parameters.startNanoseconds + Int64(tick) * parameters.intervalNanoseconds
        for d in devices.indices {
            var device = devices[d]
            step(&device, seconds: seconds)
            devices[d] = device
            var stamp = time
            if parameters.jitterNanoseconds > 0 {
                stamp += Int64(jitterRandom.next() % UInt64(parameters.jitterNanoseconds) / 1_000_000 * 1_000_000)
            }
            append(device, time: stamp, to: &out)
        }
        tick += 1
    }

    /// The rest of the workload as request bodies of at most `lines` lines each.
    mutating func batches(lines: Int) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var body: [UInt8] = []
        var inBody = 0
        while !isFinished {
            appendTick(to: &body)
            inBody += parameters.devices
            if inBody >= lines {
                out.append(body)
                body = []
                body.reserveCapacity(out[0].count)
                inBody = 0
            }
        }
        if !body.isEmpty { out.append(body) }
        return out
    }

    private mutating func step(_ r: inout Device, seconds dt: Double) {
        // Status: 0 idle, 1 moving, 2 charging, 3 error.
        let charging = r.status == 2
        let inError = r.errorLeft > 0
        r.errorLeft = max(r.errorLeft - dt, 0)
        if !charging, !inError, random.unit() < 2e-5 * dt {
            r.errorCount += 1
            r.errorLeft = random.uniform(30, 120)
        }
        var status = r.status == 3 ? 0 : r.status
        if status <= 1, random.unit() < dt / 120 { status = 1 - status }
        if status == 2, r.battery >= 95 { status = 0 }
        if status != 2, r.battery < 15 { status = 2 }
        if r.errorLeft > 0 { status = 3 }
        r.status = status

        let target = status == 1 ? r.cruise : 0
        let previous = r.speed
        r.speed = max(r.speed + 0.2 * dt * (target - r.speed) + (status == 1 ? random.noise(0.01) : 0), 0)
        r.vx += random.noise(0.1)
        r.vy += random.noise(0.1)
        let norm = max((r.vx * r.vx + r.vy * r.vy).squareRoot(), 1e-9)
        r.x += r.speed * r.vx / norm * dt
        r.y += r.speed * r.vy / norm * dt
        if r.x < 0 || r.x > Self.hall.width {
            r.x = r.x < 0 ? -r.x : 2 * Self.hall.width - r.x
            r.vx = -r.vx
        }
        if r.y < 0 || r.y > Self.hall.height {
            r.y = r.y < 0 ? -r.y : 2 * Self.hall.height - r.y
            r.vy = -r.vy
        }
        r.heading = (r.heading + random.noise(4) * dt.squareRoot() + 360).truncatingRemainder(dividingBy: 360)
        let acceleration = (r.speed - previous) / dt
        let current = status == 2 ? 0.12 + random.noise(0.01) : 0.35 + 2.4 * r.speed + 1.5 * max(acceleration, 0) + random.noise(0.04)
        r.battery = min(max(status == 2 ? r.battery + 0.028 * dt : r.battery - (r.drain + 0.002 * r.speed) * dt, 0), 100)
        let heat = status == 1 ? 2.0 : status == 2 ? 1.0 : 0.0
        r.temperature += 0.05 * dt * (r.temperatureBase + heat - r.temperature) + random.noise(0.15) * dt.squareRoot()
        r.current = max(current, 0)
    }

    private func append(_ r: Device, time: Int64, to out: inout [UInt8]) {
        out.append(contentsOf: r.prefix)
        Self.field("battery", r.battery, decimals: 2, to: &out, first: true)
        Self.field("temperature", r.temperature, decimals: 2, to: &out)
        Self.field("x", r.x, decimals: 3, to: &out)
        Self.field("y", r.y, decimals: 3, to: &out)
        Self.field("heading", r.heading, decimals: 1, to: &out)
        Self.field("speed", r.speed, decimals: 3, to: &out)
        Self.field("motor_current", r.current, decimals: 3, to: &out)
        out.append(contentsOf: Array(",status=\(r.status)i,error_count=\(r.errorCount)i,charging=\(r.status == 2) \(time)\n".utf8))
    }

    /// `name=value` with exactly `decimals` digits after the point, from integer arithmetic:
    /// no float formatter whose shortest-digits choice could differ between platforms.
    static func field(_ name: String, _ value: Double, decimals: Int, to out: inout [UInt8], first: Bool = false) {
        if !first { out.append(UInt8(ascii: ",")) }
        out.append(contentsOf: name.utf8)
        out.append(UInt8(ascii: "="))
        var scale: Int64 = 1
        for _ in 0..<decimals { scale *= 10 }
        let scaled = Int64((value * Double(scale)).rounded())
        if scaled < 0 { out.append(UInt8(ascii: "-")) }
        let magnitude = scaled.magnitude
        out.append(contentsOf: String(magnitude / UInt64(scale)).utf8)
        out.append(UInt8(ascii: "."))
        let fraction = String(magnitude % UInt64(scale))
        out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: decimals - fraction.count))
        out.append(contentsOf: fraction.utf8)
    }
}
