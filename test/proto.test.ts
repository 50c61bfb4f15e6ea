import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { decode, encode, messageType, root } from '../src/client/proto.js';

describe('proto descriptor', () => {
  it('is up to date with proto/', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/gen-proto.ts', '--check'], { encoding: 'utf8' });
    assert.match(out, /descriptor up to date/);
  });

  it('declares the seven services the SDK needs and the health service', () => {
    for (const s of [
      'banyandb.database.v1.GroupRegistryService',
      'banyandb.database.v1.StreamRegistryService',
      'banyandb.database.v1.TraceRegistryService',
      'banyandb.database.v1.IndexRuleRegistryService',
      'banyandb.database.v1.IndexRuleBindingRegistryService',
      'banyandb.stream.v1.StreamService',
      'banyandb.trace.v1.TraceService',
      'grpc.health.v1.Health',
    ]) {
      assert.ok(root.lookupService(s), s);
    }
  });

  it('encodes a stream write request to the bytes upstream field numbers give', () => {
    // metadata(1){group(1)="g"}, message_id(3)=7
    const bytes = encode('banyandb.stream.v1.WriteRequest', { metadata: { group: 'g' }, messageId: 7 });
    assert.deepEqual([...bytes], [0x0a, 0x03, 0x0a, 0x01, 0x67, 0x18, 0x07]);
  });

  it('encodes a trace write request with a binary span and positional tags', () => {
    // tags(2)=[TagValue{int(4){value(1)=5}}], span(3)=0xff, version(4)=1
    const bytes = encode('banyandb.trace.v1.WriteRequest', { tags: [{ int: { value: 5 } }], span: Uint8Array.of(0xff), version: 1 });
    assert.deepEqual([...bytes], [0x12, 0x04, 0x22, 0x02, 0x08, 0x05, 0x1a, 0x01, 0xff, 0x20, 0x01]);
  });

  it('round-trips every tag value variant and enum names', () => {
    const req = {
      groups: ['g'],
      name: 's',
      criteria: {
        le: {
          op: 'LOGICAL_OP_AND',
          left: { condition: { name: 'a', op: 'BINARY_OP_IN', value: { strArray: { value: ['x', 'y'] } } } },
          right: { condition: { name: 'b', op: 'BINARY_OP_GE', value: { int: { value: 3 } } } },
        },
      },
      orderBy: { indexRuleName: 'r', sort: 'SORT_DESC' },
      projection: { tagFamilies: [{ name: 'primary', tags: ['a', 'b'] }] },
      timeRange: { begin: { seconds: 1, nanos: 0 }, end: { seconds: 2, nanos: 5_000_000 } },
      limit: 10,
    };
    const back = decode<typeof req>('banyandb.stream.v1.QueryRequest', encode('banyandb.stream.v1.QueryRequest', req));
    assert.deepEqual(back, { ...req, stages: [] });
  });

  it('uses the upstream field numbers for the schema messages', () => {
    const t = messageType('banyandb.database.v1.Trace');
    assert.deepEqual(
      t.fieldsArray.map((f) => [f.name, f.id]),
      [
        ['metadata', 1],
        ['tags', 2],
        ['traceIdTagName', 3],
        ['timestampTagName', 4],
        ['updatedAt', 5],
        ['spanIdTagName', 6],
      ],
    );
  });
});
