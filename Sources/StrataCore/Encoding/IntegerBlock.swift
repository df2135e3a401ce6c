// Spec: docs/format/encodings.md §"Integer blocks" — the integer stream shared by
// timestamps, Int64, UInt64 (bit pattern), decimal-scaled floats and dictionary indices.

/// Encodes/decodes one tagged integer block (no LZ4: the public codecs wrap the whole block).
enum IntegerBlock {
    /// Rice codes q = z >> k in unary up to this many ones; q ≥ 8 escapes to the raw value.
    /// 8 came from the robot dataset: escape limits 8/16/none gave x 4.88/4.93/5.01 and
    /// heading 7.71/7.81/8.2 bits/value (wall bounces and 360° wraps are the outliers).
    static let riceEscape = 8
    /// Miniblock sizes tried (log2). Bit-packing: 64 beat 128 and 8192 on 6 of 7 float
    /// fields (e.g. heading 9.77 vs 10.39 vs >11 bits/value), 8192 wins on uniform data.
    /// Rice: 32 was best on x/y/speed (4.88 vs 5.03 at 64), 128–256 on battery/heading.
    static let packedMiniblockLog2: [Int] = [6, 8, 13]
    static let riceMiniblockLog2: [Int] = [5, 7]
    static let maxOrder = 2

    // MARK: - Encoding

    static func encode(_ v: UnsafeBufferPointer<Int64>, into out: inout [UInt8], effort: EncodingEffort = .smallest) {
        let n = v.count
        if n == 0 {
            out.append(BlockEncoding.raw.rawValue)
            return
        }
        let first = v[0]
        if v.allSatisfy({ $0 == first }) {
            out.append(BlockEncoding.constant.rawValue)
            VarInt.append(ZigZag.encode(first), to: &out)
            return
        }
        if n >= 2 {
            let d = v[1] &- v[0]
            var ok = true
            var prev = v[1]
            for i in 2..<n {
                if v[i] &- prev != d { ok = false; break }
                prev = v[i]
            }
            if ok {
                out.append(BlockEncoding.deltaConstant.rawValue)
                VarInt.append(ZigZag.encode(first), to: &out)
                VarInt.append(ZigZag.encode(d), to: &out)
                return
            }
        }
        // Residuals of order 0 (values), 1 (deltas), 2 (delta-of-deltas), all wrapping,
        // so any Int64 sequence round-trips modulo 2^64.
        var best = (size: 1 + 8 * n, plan: Plan.raw)
        var residuals: [[Int64]] = []
        var cur = Array(v)
        var proxies: [Int] = []
        for order in 0...min(maxOrder, n - 1) {
            if order > 0 {
                var next = [Int64](repeating: 0, count: cur.count - 1)
                for i in 0..<next.count { next[i] = cur[i + 1] &- cur[i] }
                cur = next
            }
            residuals.append(cur)
            let seeds = seedSize(v, order: order)
            cur.withUnsafeBufferPointer { r in
                for lg in packedMiniblockLog2.prefix(effort == .smallest ? packedMiniblockLog2.count : 1) {
                    let s = 3 + seeds + packedSize(r, log2: lg)
                    if s < best.size { best = (s, .packed(order: order, log2: lg)) }
                }
                // A Rice code's length is ~ its value's bit width: the summed widths rank
                // the orders without the (costlier) k search.
                proxies.append(r.reduce(0) { $0 + BitPacking.width(of: ZigZag.encode($1)) })
            }
        }
        // Rice is sized only for the best-ranked order (and any other within 3%, where the
        // ranking is unreliable): most blocks skip two of the three k searches. On the
        // robot dataset this cost 321 bytes of 10.64 MB (0.003%).
        let ranked = effort == .smallest ? proxies.indices.sorted { proxies[$0] < proxies[$1] } : []
        for (rank, order) in ranked.enumerated() {
            if rank > 0 && proxies[order] * 100 > proxies[ranked[0]] * 103 { break }
            let seeds = seedSize(v, order: order)
            residuals[order].withUnsafeBufferPointer { r in
                for lg in riceMiniblockLog2 {
                    let s = 4 + seeds + (riceBits(r, log2: lg, plan: nil) + 7) / 8
                    if s < best.size { best = (s, .rice(order: order, log2: lg)) }
                }
            }
        }
        switch best.plan {
        case .raw:
            out.append(BlockEncoding.raw.rawValue)
            out.reserveCapacity(out.count + 8 * n)
            for x in v { out.appendLE(UInt64(bitPattern: x)) }
        case let .packed(order, lg):
            out.append(BlockEncoding.bitPacked.rawValue)
            out.append(UInt8(order))
            out.append(UInt8(lg))
            appendSeeds(v, order: order, to: &out)
            residuals[order].withUnsafeBufferPointer { emitPacked($0, log2: lg, into: &out) }
        case let .rice(order, lg):
            out.append(BlockEncoding.rice.rawValue)
            out.append(UInt8(order))
            out.append(UInt8(lg))
            residuals[order].withUnsafeBufferPointer { r in
                let w = r.reduce(0) { Swift.max($0, BitPacking.width(of: ZigZag.encode($1))) }
                out.append(UInt8(w))
                appendSeeds(v, order: order, to: &out)
                var bw = BitWriter(capacityBits: n * 8)
                _ = riceBits(r, log2: lg, plan: &bw)
                bw.append(to: &out)
            }
        }
    }

    static func encode(_ v: [Int64], into out: inout [UInt8], effort: EncodingEffort = .smallest) {
        v.withUnsafeBufferPointer { encode($0, into: &out, effort: effort) }
    }

    private enum Plan { case raw, packed(order: Int, log2: Int), rice(order: Int, log2: Int) }

    /// Seeds: v[0] for order ≥ 1, then (v[1]-v[0]) for order 2, as zigzag varints.
    private static func seedSize(_ v: UnsafeBufferPointer<Int64>, order: Int) -> Int {
        var s = 0
        if order >= 1 { s += VarInt.size(ZigZag.encode(v[0])) }
        if order >= 2 { s += VarInt.size(ZigZag.encode(v[1] &- v[0])) }
        return s
    }

    private static func appendSeeds(_ v: UnsafeBufferPointer<Int64>, order: Int, to out: inout [UInt8]) {
        if order >= 1 { VarInt.append(ZigZag.encode(v[0]), to: &out) }
        if order >= 2 { VarInt.append(ZigZag.encode(v[1] &- v[0]), to: &out) }
    }

    @inline(__always)
    private static func range(_ r: Slice<UnsafeBufferPointer<Int64>>) -> (min: Int64, width: Int) {
        var lo = Int64.max, hi = Int64.min
        for x in r { lo = Swift.min(lo, x); hi = Swift.max(hi, x) }
        return (lo, BitPacking.width(of: UInt64(bitPattern: hi &- lo)))
    }

    /// Miniblock: width u8, min zigzag varint, then the packed (r - min) values.
    private static func packedSize(_ r: UnsafeBufferPointer<Int64>, log2: Int) -> Int {
        let m = 1 << log2
        var size = 0
        var i = 0
        while i < r.count {
            let j = Swift.min(i + m, r.count)
            let (lo, w) = range(r[i..<j])
            size += 1 + VarInt.size(ZigZag.encode(lo)) + BitPacking.byteCount(count: j - i, width: w)
            i = j
        }
        return size
    }

    private static func emitPacked(_ r: UnsafeBufferPointer<Int64>, log2: Int, into out: inout [UInt8]) {
        let m = 1 << log2
        var tmp = [UInt64](repeating: 0, count: m)
        var i = 0
        while i < r.count {
            let j = Swift.min(i + m, r.count)
            let (lo, w) = range(r[i..<j])
            out.append(UInt8(w))
            VarInt.append(ZigZag.encode(lo), to: &out)
            for k in i..<j { tmp[k - i] = UInt64(bitPattern: r[k] &- lo) }
            tmp.withUnsafeBufferPointer { t in
                BitPacking.pack(UnsafeBufferPointer(rebasing: t[0..<(j - i)]), width: w, into: &out)
            }
            i = j
        }
    }

    /// Bits of the Rice stream (each miniblock: k in 6 bits, then one code per value),
    /// choosing k per miniblock; writes the stream when `plan` is given.
    private static func riceBits(_ r: UnsafeBufferPointer<Int64>, log2: Int, plan: UnsafeMutablePointer<BitWriter>?) -> Int {
        let m = 1 << log2
        let esc = riceEscape
        var W = 0
        for x in r { W = Swift.max(W, BitPacking.width(of: ZigZag.encode(x))) }
        var total = 0
        var i = 0
        while i < r.count {
            let j = Swift.min(i + m, r.count)
            var sum = 0.0
            for k in i..<j { sum += Double(ZigZag.encode(r[k])) }
            // For geometric-like residuals the best k is near log2(mean); search around it.
            let mean = sum / Double(j - i)
            let est = mean < 1 ? 0 : Int(mean.exponent)
            var bestK = 0, bestCost = Int.max
            for k in Swift.max(0, est - 2)...Swift.min(63, Swift.max(0, Swift.min(W, est + 2))) {
                var cost = 0
                for t in i..<j {
                    let q = ZigZag.encode(r[t]) >> UInt64(k)
                    cost += q < UInt64(esc) ? Int(q) + 1 + k : esc + W
                }
                if cost < bestCost { bestCost = cost; bestK = k }
            }
            total += 6 + bestCost
            if let bw = plan {
                bw.pointee.write(UInt64(bestK), width: 6)
                for t in i..<j {
                    let z = ZigZag.encode(r[t])
                    let q = z >> UInt64(bestK)
                    if q < UInt64(esc) {
                        bw.pointee.ones(Int(q))
                        bw.pointee.write(0, width: 1)
                        bw.pointee.write(z, width: bestK)
                    } else {
                        bw.pointee.ones(esc)
                        bw.pointee.write(z, width: W)
                    }
                }
            }
            i = j
        }
        return total
    }

    private static func riceBits(_ r: UnsafeBufferPointer<Int64>, log2: Int, plan: inout BitWriter) -> Int {
        withUnsafeMutablePointer(to: &plan) { riceBits(r, log2: log2, plan: $0) }
    }

    // MARK: - Decoding

    /// Decodes a tagged integer block filling `out` (its count is the value count).
    static func decode(_ rd: inout ByteReader, into out: UnsafeMutableBufferPointer<Int64>) throws(EncodingError) {
        let tag = try rd.u8("integer block tag")
        try decode(tag: tag, &rd, into: out)
    }

    static func decode(tag: UInt8, _ rd: inout ByteReader, into out: UnsafeMutableBufferPointer<Int64>) throws(EncodingError) {
        let n = out.count
        guard let enc = BlockEncoding(rawValue: tag) else { throw .unknownEncoding(tag) }
        switch enc {
        case .raw:
            let b = try rd.take(8 * n, "raw integers")
            for i in 0..<n {
                out[i] = Int64(littleEndian: b.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))
            }
        case .constant:
            out.update(repeating: try rd.zigzag("constant"))
        case .deltaConstant:
            var x = try rd.zigzag("first")
            let d = try rd.zigzag("delta")
            for i in 0..<n {
                out[i] = x
                x &+= d
            }
        case .bitPacked, .rice:
            let order = Int(try rd.u8("order"))
            let lg = Int(try rd.u8("miniblock size"))
            guard order <= maxOrder else { throw .corrupt("order \(order)") }
            guard lg <= 16 else { throw .corrupt("miniblock log2 \(lg)") }
            var W = 0
            if enc == .rice {
                W = Int(try rd.u8("escape width"))
                guard W <= 64 else { throw .corrupt("escape width \(W)") }
            }
            guard n > order || n == 0 else { throw .corrupt("order \(order) for \(n) values") }
            if n == 0 { return }
            var s0: Int64 = 0, s1: Int64 = 0
            if order >= 1 { s0 = try rd.zigzag("seed") }
            if order >= 2 { s1 = try rd.zigzag("seed") }
            let res = UnsafeMutableBufferPointer(rebasing: out[order...])
            if enc == .bitPacked {
                try unpackMiniblocks(&rd, log2: lg, into: res)
            } else {
                try riceDecode(&rd, log2: lg, escapeWidth: W, into: res)
            }
            undoOrder(order, s0: s0, s1: s1, out)
        default:
            throw .unknownEncoding(tag)
        }
    }

    @inline(__always)
    private static func undoOrder(_ order: Int, s0: Int64, s1: Int64, _ out: UnsafeMutableBufferPointer<Int64>) {
        let n = out.count
        switch order {
        case 1:
            var x = s0
            out[0] = x
            for i in 1..<n { x &+= out[i]; out[i] = x }
        case 2:
            var x = s0
            var d = s1
            out[0] = x
            x &+= d
            out[1] = x
            for i in 2..<n { d &+= out[i]; x &+= d; out[i] = x }
        default:
            break
        }
    }

    private static func unpackMiniblocks(_ rd: inout ByteReader, log2: Int, into out: UnsafeMutableBufferPointer<Int64>) throws(EncodingError) {
        let m = 1 << log2
        var i = 0
        while i < out.count {
            let j = Swift.min(i + m, out.count)
            let w = Int(try rd.u8("miniblock width"))
            guard w <= 64 else { throw .corrupt("bit width \(w)") }
            let lo = try rd.zigzag("miniblock min")
            let bytes = try rd.take(BitPacking.byteCount(count: j - i, width: w), "miniblock values")
            let chunk = UnsafeMutableBufferPointer(rebasing: out[i..<j])
            try chunk.withMemoryRebound(to: UInt64.self) { u throws(EncodingError) in
                try BitPacking.unpack(bytes, width: w, into: u)
            }
            if lo != 0 {
                for k in i..<j { out[k] &+= lo }
            }
            i = j
        }
    }

    private static func riceDecode(_ rd: inout ByteReader, log2: Int, escapeWidth W: Int, into out: UnsafeMutableBufferPointer<Int64>) throws(EncodingError) {
        var br = BitReader(rd.rest())
        let m = 1 << log2
        let esc = riceEscape
        let escMask = UInt64((1 << esc) - 1)
        // One fast-loop step consumes at most two codes of at most esc + 64 bits and loads
        // 8 bytes at its start: below this bit position the unchecked loads stay in bounds.
        let safeEnd = br.totalBits - 64 - 2 * (esc + 64)
        var i = 0
        while i < out.count {
            let j = Swift.min(i + m, out.count)
            let k = Int(br.read(6))
            let k64 = UInt64(k)
            let kMask: UInt64 = (1 << k64) &- 1
            var t = i
            if let base = br.base, k <= 48 {
                var bit = br.bit
                // Two codes per load when both fit the 57-bit window (k ≤ 19: 2·(8+1+k) ≤ 57):
                // the serial load → tzcnt → shift chain is what limits decode speed.
                let pairs = k <= 19
                while t < j && bit <= safeEnd {
                    let w = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: bit &>> 3, as: UInt64.self)) &>> UInt64(bit & 7)
                    let q = (~w | ~escMask).trailingZeroBitCount
                    if _fastPath(q < esc) {
                        out[t] = ZigZag.decode((UInt64(q) &<< k64) | ((w &>> UInt64(q &+ 1)) & kMask))
                        t &+= 1
                        let c = q &+ 1 &+ k
                        bit &+= c
                        if pairs && t < j {
                            let w2 = w &>> UInt64(c)
                            let q2 = (~w2 | ~escMask).trailingZeroBitCount
                            if _fastPath(q2 < esc) {
                                out[t] = ZigZag.decode((UInt64(q2) &<< k64) | ((w2 &>> UInt64(q2 &+ 1)) & kMask))
                                t &+= 1
                                bit &+= q2 &+ 1 &+ k
                            }
                        }
                    } else {
                        br.skip(bit &+ esc &- br.bit)
                        out[t] = ZigZag.decode(br.readWide(W))
                        t &+= 1
                        bit = br.bit
                    }
                }
                br.skip(bit - br.bit)
            }
            // Near the end of the stream (or for huge k): the bounds-checked reader.
            while t < j {
                let w = br.peek()
                let q = (~w | ~escMask).trailingZeroBitCount
                let z: UInt64
                if q < esc {
                    br.skip(q + 1)
                    z = (UInt64(q) &<< k64) | br.readWide(k)
                } else {
                    br.skip(esc)
                    z = br.readWide(W)
                }
                out[t] = ZigZag.decode(z)
                t += 1
            }
            // Per-miniblock check bounds how far past the end a corrupt stream can run.
            try br.check("rice stream")
            i = j
        }
    }
}
