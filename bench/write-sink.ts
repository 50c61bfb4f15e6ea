/**
 * A do-nothing BanyanDB Write sink for bench/write-path.ts, run in its own process: it reads only the
 * message id (stream message_id / trace version) of each WriteRequest and acknowledges everything with
 * STATUS_SUCCEED after the client half-closes, like BanyanDB does. Reports its port over IPC.
 */
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { encode } from '../src/client/proto.js';

/** Flow-control window the sink grants, bytes; 0 keeps grpc-js' 64 KiB default (env SINK_WINDOW_BYTES). */
const WINDOW_BYTES = Number(process.env.SINK_WINDOW_BYTES ?? 16 * 1024 * 1024);

/** Top-level field number of the id: stream WriteRequest.message_id = 3, trace WriteRequest.version = 4. */
function readId(bytes: Buffer, field: number): number {
  const r = protobuf.Reader.create(bytes);
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 === field && (tag & 7) === 0) return Number(r.uint64());
    r.skipType(tag & 7);
  }
  return 0;
}

function writeHandler(kind: 'stream' | 'trace'): grpc.handleBidiStreamingCall<Buffer, Buffer> {
  const field = kind === 'stream' ? 3 : 4;
  const type = kind === 'stream' ? 'banyandb.stream.v1.WriteResponse' : 'banyandb.trace.v1.WriteResponse';
  return (call) => {
    const ids: number[] = [];
    call.on('data', (frame: Buffer) => ids.push(readId(frame, field)));
    call.on('end', () => {
      for (const id of ids) {
        call.write(
          Buffer.from(
            encode(type, kind === 'stream' ? { messageId: id, status: 'STATUS_SUCCEED' } : { version: id, status: 'STATUS_SUCCEED' }),
          ),
        );
      }
      call.end();
    });
    call.on('error', () => {});
  };
}

const identity = (b: Buffer): Buffer => b;
const bidi = (path: string): grpc.MethodDefinition<Buffer, Buffer> => ({
  path,
  requestStream: true,
  responseStream: true,
  requestSerialize: identity,
  requestDeserialize: identity,
  responseSerialize: identity,
  responseDeserialize: identity,
});
const unary = (path: string): grpc.MethodDefinition<Buffer, Buffer> => ({ ...bidi(path), requestStream: false, responseStream: false });

const server = new grpc.Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
server.addService({ Check: unary('/grpc.health.v1.Health/Check') } as grpc.ServiceDefinition, {
  Check: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) =>
    cb(null, Buffer.from(encode('grpc.health.v1.HealthCheckResponse', { status: 'SERVING' }))),
});
server.addService({ Write: bidi('/banyandb.stream.v1.StreamService/Write') } as grpc.ServiceDefinition, { Write: writeHandler('stream') });
server.addService({ Write: bidi('/banyandb.trace.v1.TraceService/Write') } as grpc.ServiceDefinition, { Write: writeHandler('trace') });
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) throw err;
  if (WINDOW_BYTES > 0) widenFlowControlWindows(server, WINDOW_BYTES);
  process.send?.({ port });
});

/**
 * grpc-js servers advertise HTTP/2's default 64 KiB stream window and offer no option to change it, which
 * caps a single Write stream far below what BanyanDB (Go gRPC, BDP-sized windows) accepts. The sink widens
 * the windows of every session so the benchmark measures the client, not that server-side limit.
 * Reaches into grpc-js internals (its http2 servers); bench-only.
 */
function widenFlowControlWindows(s: grpc.Server, bytes: number): void {
  const servers = (s as unknown as { http2Servers?: Map<import('node:http2').Http2Server, unknown> }).http2Servers;
  for (const h2 of servers?.keys() ?? []) {
    h2.on('session', (session: import('node:http2').ServerHttp2Session) => {
      session.settings({ initialWindowSize: Math.min(bytes, 2 ** 31 - 1) });
      session.once('localSettings', () => session.setLocalWindowSize(bytes));
    });
  }
}
process.on('message', (m: unknown) => {
  if (m === 'cpu') {
    const u = process.cpuUsage();
    process.send?.({ cpuMicros: u.user + u.system });
  }
});
process.on('disconnect', () => server.forceShutdown());
process.on('SIGTERM', () => {
  server.forceShutdown();
  process.exit(0);
});
