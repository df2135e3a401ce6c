/// Runs `body` in a synchronous context. Engine calls that block (`scanChunks` decodes) are
/// `@available(*, noasync)`; an async test that needs one calls it inside this closure.
public func blocking<T>(_ body: () throws -> T) rethrows -> T {
    try body()
}
