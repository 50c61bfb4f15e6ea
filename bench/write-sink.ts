/**
 * A do-nothing BanyanDB Write sink for the write-path benchmarks, run in its own process: a gRPC server
 * written directly on node:http2 (h2c, like BanyanDB's plaintext port), so the sink costs as little CPU as a
 * gRPC server can and the benchmark measures the client, not the sink. For each WriteRequest it reads only the
 * message id (stream message_id = field 3, trace version = field 4) and, after the client half-closes, answers
 * every message with STATUS_SUCCEED (BanyanDB acknowledges successes only after the half-close), all the
 * acknowledgements of one stream in one write. Also answers grpc.health.v1.Health/Check, and stream and trace
 * Query calls with an empty answer (for the mixed-load bench). Reports its port over IPC.
 *
 * The stream flow-control window is 16 MiB (env SINK_WINDOW_BYTES), close to what Go gRPC's BDP estimation grows
 * to on loopback, so an HTTP/2 default of 64 KiB does not cap a single Write stream.
 */
import http2 from 'node:http2';

const WINDOW_BYTES = Math.min(Number(process.env.SINK_WINDOW_BYTES ?? 16 * 1024 * 1024), 2 ** 31 - 1);

const WRITE_ID_FIELD: Record<string, { idField: number; ackIdField: number; ackStatusField: number }> = {
  '/banyandb.stream.v1.StreamService/Write': { idField: 3, ackIdField: 1, ackStatusField: 2 },
  '/banyandb.trace.v1.TraceService/Write': { idField: 4, ackIdField: 2, ackStatusField: 3 },
};
const SUCCEED = Buffer.from('STATUS_SUCCEED');
const QUERY_PATHS = new Set(['/banyandb.stream.v1.StreamService/Query', '/banyandb.trace.v1.TraceService/Query']);

/** Reads a varint at `pos` of `b`; returns [value, next position]. Values above 2^53 lose precision (ids never do). */
function varint(b: Buffer, pos: number): [number, number] {
  let v = 0;
  let mul = 1;
  for (;;) {
    const x = b[pos++]!;
    v += (x & 0x7f) * mul;
    if (x < 0x80) return [v, pos];
    mul *= 128;
  }
}

/** The value of top-level varint field `field` of the protobuf message b[start, end), or 0 when absent. */
function readId(b: Buffer, start: number, end: number, field: number): number {
  let pos = start;
  while (pos < end) {
    const [tag, p] = varint(b, pos);
    pos = p;
    const wire = tag & 7;
    if (wire === 0) {
      const [v, q] = varint(b, pos);
      if (tag >>> 3 === field) return v;
      pos = q;
    } else if (wire === 2) {
      const [len, q] = varint(b, pos);
      pos = q + len;
    } else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else throw new Error(`sink: unsupported wire type ${wire}`);
  }
  return 0;
}

function pushVarint(out: number[], v: number): void {
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

/** One gRPC-framed WriteResponse {id, status: STATUS_SUCCEED}. */
function ackFrame(id: number, idField: number, statusField: number): number[] {
  const msg: number[] = [];
  if (id !== 0) {
    msg.push(idField << 3);
    pushVarint(msg, id);
  }
  msg.push((statusField << 3) | 2, SUCCEED.length, ...SUCCEED);
  return [0, 0, 0, 0, msg.length, ...msg];
}

/** Splits the request body into gRPC messages, calling `onMessage(buf, start, end)` for each. */
function messageReader(onMessage: (b: Buffer, start: number, end: number) => void): (chunk: Buffer) => void {
  let pending: Buffer | undefined;
  return (chunk) => {
    const b = pending ? Buffer.concat([pending, chunk]) : chunk;
    pending = undefined;
    let pos = 0;
    while (b.length - pos >= 5) {
      const len = b.readUInt32BE(pos + 1);
      if (b.length - pos - 5 < len) break;
      onMessage(b, pos + 5, pos + 5 + len);
      pos += 5 + len;
    }
    if (pos < b.length) pending = b.subarray(pos);
  };
}

function respond(stream: http2.ServerHttp2Stream, body: Buffer | number[]): void {
  stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
  stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
  stream.end(Buffer.isBuffer(body) ? body : Buffer.from(body));
}

const server = http2.createServer({ settings: { initialWindowSize: WINDOW_BYTES } });
server.on('session', (session) => {
  session.once('localSettings', () => session.setLocalWindowSize(WINDOW_BYTES));
  session.on('error', () => {});
});
server.on('stream', (stream, headers) => {
  stream.on('error', () => {});
  const path = String(headers[':path']);
  if (path === '/grpc.health.v1.Health/Check') {
    stream.resume();
    stream.once('end', () => respond(stream, [0, 0, 0, 0, 2, 0x08, 0x01])); // HealthCheckResponse{status: SERVING}
    return;
  }
  if (QUERY_PATHS.has(path)) {
    // The mixed-load bench: a query is answered at once with an empty answer (no elements, no traces).
    stream.resume();
    stream.once('end', () => respond(stream, [0, 0, 0, 0, 0]));
    return;
  }
  const write = WRITE_ID_FIELD[path];
  if (!write) {
    stream.resume();
    stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '12' }, { endStream: true });
    return;
  }
  const ids: number[] = [];
  stream.on(
    'data',
    messageReader((b, start, end) => ids.push(readId(b, start, end, write.idField))),
  );
  stream.once('end', () => {
    const acks: number[] = [];
    for (const id of ids) acks.push(...ackFrame(id, write.ackIdField, write.ackStatusField));
    respond(stream, acks);
  });
});
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  process.send?.({ port: typeof addr === 'object' && addr ? addr.port : 0 });
});

process.on('message', (m: unknown) => {
  if (m === 'cpu') {
    const u = process.cpuUsage();
    process.send?.({ cpuMicros: u.user + u.system });
  }
});
const stop = (): void => {
  server.close();
  process.exit(0);
};
process.on('disconnect', stop);
process.on('SIGTERM', stop);
