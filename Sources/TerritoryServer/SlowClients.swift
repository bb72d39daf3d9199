import HummingbirdCore
import Logging
import NIOCore

/// HTTP/1.1 as Hummingbird serves it, with a guard against slow clients at the front of every
/// connection's pipeline (`SlowClientGuard`).
struct GuardedHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value
    let inner: HTTP1Channel
    let stalledWrite: TimeAmount
    let slowRequest: TimeAmount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let stalledWrite = self.stalledWrite, slowRequest = self.slowRequest
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(SlowClientGuard(stalledWrite: stalledWrite, slowRequest: slowRequest), position: .first)
        }.flatMap { inner.setup(channel: channel, logger: logger) }
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}

/// Closes a connection whose client holds it without making progress, so that a few sockets
/// cannot keep every place under --max-connections (idle keep-alive connections are closed by
/// Hummingbird's idle timeout):
///
/// - an answer that the client does not read: bytes waiting in NIO's outbound buffer (the
///   socket's full) and none of them written for `stalledWrite` (nginx's `send_timeout`: the
///   time between two successive writes; the kernel takes bytes in bursts as half its buffer
///   drains, so a slow reader shows progress only every few seconds);
/// - a request that arrives too slowly (a byte now and then, as slowloris does): bytes read and
///   nothing answered for `slowRequest` since the first of them.
///
/// It sits first in the pipeline, on the raw bytes, costs nothing per request but a timestamp,
/// and looks once a second (the outbound buffer's size, NIO's `bufferedWritableBytes`).
final class SlowClientGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private let stalledWrite: TimeAmount
    private let slowRequest: TimeAmount
    /// The bytes waiting to be written at the last look, and when some were last written.
    private var lastBuffered = 0
    private var lastProgress = NIODeadline.now()
    /// When the first byte read since the last answer began arrived.
    private var receivingSince: NIODeadline?
    private var check: Scheduled<Void>?

    init(stalledWrite: TimeAmount, slowRequest: TimeAmount) {
        self.stalledWrite = stalledWrite
        self.slowRequest = slowRequest
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stop()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if receivingSince == nil { receivingSince = .now() }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        receivingSince = nil
        context.write(data, promise: promise)
    }

    private func start(_ context: ChannelHandlerContext) {
        guard check == nil else { return }
        schedule(context)
    }

    private func schedule(_ context: ChannelHandlerContext) {
        check = context.eventLoop.assumeIsolated().scheduleTask(in: .seconds(1)) { [self] in
            guard check != nil else { return }
            let now = NIODeadline.now()
            let buffered = (try? context.channel.syncOptions?.getOption(ChannelOptions.bufferedWritableBytes)) ?? 0
            if buffered == 0 || buffered < lastBuffered { lastProgress = now }
            lastBuffered = buffered
            let stalled = buffered > 0 && now - lastProgress > stalledWrite
            let slow = receivingSince.map { now - $0 > slowRequest } == true
            if stalled || slow {
                check = nil
                context.close(promise: nil)
            } else {
                schedule(context)
            }
        }
    }

    private func stop() {
        check?.cancel()
        check = nil
    }
}
