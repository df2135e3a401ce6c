/// Turns the bytes a terminal sends in raw mode into keys: control characters, the escape
/// sequences of xterm-style terminals (CSI `ESC [`, SS3 `ESC O`, Alt as `ESC` + letter), and
/// UTF-8 characters split over several reads. Unknown sequences are swallowed whole, never
/// inserted as text.
struct LineEditorKeyDecoder: Sendable {
    private enum State: Sendable {
        case ground
        case escape
        case csi([UInt8])
        case ss3
        case utf8(needed: Int, bytes: [UInt8])
    }

    private var state = State.ground

    mutating func feed(_ byte: UInt8) -> LineEditorKey? {
        switch state {
        case .ground:
            return ground(byte)
        case .escape:
            state = .ground
            switch byte {
            case UInt8(ascii: "["): state = .csi([])
            case UInt8(ascii: "O"): state = .ss3
            case UInt8(ascii: "b"): return .wordLeft
            case UInt8(ascii: "f"): return .wordRight
            case 0x7F, 0x08: return .killWordBack
            default: break
            }
            return nil
        case .csi(var parameters):
            // Parameter and intermediate bytes run until a final byte in 0x40...0x7E.
            guard (0x40...0x7E).contains(byte) else {
                parameters.append(byte)
                state = parameters.count > 16 ? .ground : .csi(parameters)
                return nil
            }
            state = .ground
            return csi(final: byte, parameters: String(decoding: parameters, as: UTF8.self))
        case .ss3:
            state = .ground
            switch byte {
            case UInt8(ascii: "A"): return .up
            case UInt8(ascii: "B"): return .down
            case UInt8(ascii: "C"): return .right
            case UInt8(ascii: "D"): return .left
            case UInt8(ascii: "H"): return .home
            case UInt8(ascii: "F"): return .end
            default: return nil
            }
        case .utf8(let needed, var bytes):
            guard byte & 0xC0 == 0x80 else {
                state = .ground
                return ground(byte)
            }
            bytes.append(byte)
            if bytes.count < needed {
                state = .utf8(needed: needed, bytes: bytes)
                return nil
            }
            state = .ground
            return String(validating: bytes, as: UTF8.self).flatMap(\.first).map(LineEditorKey.insert)
        }
    }

    private mutating func ground(_ byte: UInt8) -> LineEditorKey? {
        switch byte {
        case 0x01: return .home
        case 0x02: return .left
        case 0x03: return .interrupt
        case 0x04: return .endOfInput
        case 0x05: return .end
        case 0x06: return .right
        case 0x08, 0x7F: return .backspace
        case 0x09: return .tab
        case 0x0A, 0x0D: return .enter
        case 0x0B: return .killToEnd
        case 0x0C: return .clearScreen
        case 0x0E: return .down
        case 0x10: return .up
        case 0x15: return .killToStart
        case 0x17: return .killWordBack
        case 0x1B:
            state = .escape
            return nil
        case 0x20..<0x7F: return .insert(Character(Unicode.Scalar(byte)))
        case 0xC2...0xDF: state = .utf8(needed: 2, bytes: [byte]); return nil
        case 0xE0...0xEF: state = .utf8(needed: 3, bytes: [byte]); return nil
        case 0xF0...0xF4: state = .utf8(needed: 4, bytes: [byte]); return nil
        default: return nil
        }
    }

    private func csi(final: UInt8, parameters: String) -> LineEditorKey? {
        let ctrl = parameters.hasSuffix(";5") || parameters.hasSuffix(";3")
        switch final {
        case UInt8(ascii: "A"): return .up
        case UInt8(ascii: "B"): return .down
        case UInt8(ascii: "C"): return ctrl ? .wordRight : .right
        case UInt8(ascii: "D"): return ctrl ? .wordLeft : .left
        case UInt8(ascii: "H"): return .home
        case UInt8(ascii: "F"): return .end
        case UInt8(ascii: "~"):
            switch parameters {
            case "1", "7": return .home
            case "4", "8": return .end
            case "3": return .delete
            default: return nil
            }
        default: return nil
        }
    }
}
