/// One key press as the line editor understands it.
enum LineEditorKey: Equatable, Sendable {
    case insert(Character)
    case left, right, wordLeft, wordRight, home, end
    case up, down
    case backspace, delete
    /// Ctrl-U, Ctrl-K, Ctrl-W.
    case killToStart, killToEnd, killWordBack
    case enter, tab
    /// Ctrl-C.
    case interrupt
    /// Ctrl-D: end of input on an empty line, delete under the cursor otherwise.
    case endOfInput
    /// Ctrl-L.
    case clearScreen
}
