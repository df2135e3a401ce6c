/// A test's own failure (a timeout, a child process that did not start), with what went wrong.
public struct TestError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
