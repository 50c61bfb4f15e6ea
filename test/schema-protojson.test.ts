import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SchemaError } from '../src/errors.js';
import { parseJson } from '../src/schema/json.js';
import { formatRfc3339, fromProtoJson, parseRfc3339 } from '../src/schema/protojson.js';

function rejects(typeName: string, value: unknown, jsonPath: string, message: string): void {
  assert.throws(
    () => fromProtoJson(typeName, value, { file: 'f.json' }),
    (err: unknown) => {
      assert.ok(err instanceof SchemaError);
      assert.equal(err.message, `f.json: ${message}`);
      assert.equal(err.file, 'f.json');
      assert.equal(err.jsonPath, jsonPath);
      return true;
    },
  );
}

describe('parseRfc3339', () => {
  const cases: [string, { seconds: number; nanos?: number }][] = [
    ['2024-01-01T00:00:00Z', { seconds: 1_704_067_200 }],
    ['2024-01-01t00:00:00z', { seconds: 1_704_067_200 }],
    ['2024-01-01T08:00:00+08:00', { seconds: 1_704_067_200 }],
    ['2023-12-31T19:30:00-04:30', { seconds: 1_704_067_200 }],
    ['2024-01-01T00:00:00-00:00', { seconds: 1_704_067_200 }],
    ['2024-01-01T00:00:00.1Z', { seconds: 1_704_067_200, nanos: 100_000_000 }],
    ['2024-01-01T00:00:00.000001Z', { seconds: 1_704_067_200, nanos: 1_000 }],
    ['2024-01-01T00:00:00.123456789Z', { seconds: 1_704_067_200, nanos: 123_456_789 }],
    ['2024-01-01T00:00:00.000Z', { seconds: 1_704_067_200 }],
    ['2024-02-29T12:00:00Z', { seconds: Date.UTC(2024, 1, 29, 12) / 1000 }],
    ['1969-12-31T23:59:59Z', { seconds: -1 }],
    ['0001-01-01T00:00:00Z', { seconds: -62_135_596_800 }],
    ['9999-12-31T23:59:59.999999999Z', { seconds: 253_402_300_799, nanos: 999_999_999 }],
  ];
  for (const [text, want] of cases) {
    test(`accepts ${text}`, () => assert.deepEqual(parseRfc3339(text), want));
  }

  const invalid: [string, string][] = [
    ['2024-01-01', 'not in the form YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)'],
    ['2024-01-01T00:00:00', 'not in the form YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)'],
    ['2024-01-01 00:00:00Z', 'not in the form YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)'],
    ['2024-01-01T00:00:00.Z', 'not in the form YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)'],
    ['2024-01-01T00:00:00+0800', 'not in the form YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)'],
    ['2024-13-01T00:00:00Z', 'month 13 out of range'],
    ['2023-02-29T00:00:00Z', 'day 29 does not exist in 2023-02'],
    ['2024-04-31T00:00:00Z', 'day 31 does not exist in 2024-04'],
    ['2024-01-01T24:00:00Z', 'hour 24 out of range'],
    ['2024-01-01T00:60:00Z', 'minute 60 out of range'],
    ['2024-01-01T00:00:60Z', 'second 60 out of range'],
    ['2024-01-01T00:00:00.1234567891Z', 'more than 9 fractional digits'],
    ['2024-01-01T00:00:00+24:00', 'offset +24:00 out of range'],
    ['0001-01-01T00:00:00+01:00', 'outside 0001-01-01T00:00:00Z..9999-12-31T23:59:59Z'],
  ];
  for (const [text, reason] of invalid) {
    test(`rejects ${text}`, () => assert.equal(parseRfc3339(text), reason));
  }

  test('formatRfc3339 round-trips', () => {
    assert.equal(formatRfc3339({ seconds: 1_704_067_200 }), '2024-01-01T00:00:00Z');
    assert.equal(formatRfc3339({ seconds: 1_704_067_200, nanos: 500_000_000 }), '2024-01-01T00:00:00.500Z');
    assert.equal(formatRfc3339({ seconds: 1_704_067_200, nanos: 1_000 }), '2024-01-01T00:00:00.000001Z');
    assert.equal(formatRfc3339({ seconds: 1_704_067_200, nanos: 7 }), '2024-01-01T00:00:00.000000007Z');
  });
});

describe('fromProtoJson', () => {
  test('timestamps inside messages, with the path of a bad one', () => {
    assert.deepEqual(fromProtoJson('banyandb.model.v1.TimeRange', { begin: '2024-01-01T00:00:00Z', end: '2024-01-01T01:00:00.25+01:00' }), {
      begin: { seconds: 1_704_067_200 },
      end: { seconds: 1_704_067_200, nanos: 250_000_000 },
    });
    rejects(
      'banyandb.model.v1.TimeRange',
      { begin: '2024-01-01T00:00:00' },
      '$.begin',
      'invalid timestamp "2024-01-01T00:00:00" for $.begin (not in the form YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)); expected RFC 3339 such as 2024-01-01T00:00:00Z',
    );
    rejects(
      'banyandb.model.v1.TimeRange',
      { begin: 1_704_067_200 },
      '$.begin',
      'expected an RFC 3339 timestamp string for $.begin, got number',
    );
  });

  test('a oneof with two members set', () => {
    assert.deepEqual(fromProtoJson('banyandb.model.v1.TagValue', { int: { value: '12' } }), { int: { value: 12 } });
    rejects(
      'banyandb.model.v1.TagValue',
      { str: { value: 'a' }, int: { value: 1 } },
      '$.int',
      'fields "str" and "int" of oneof "value" are both set in $; expected at most one of: null, str, strArray, int, intArray, binaryData, timestamp',
    );
  });

  test('NullValue accepts null; other fields do not', () => {
    assert.deepEqual(fromProtoJson('banyandb.model.v1.TagValue', { null: null }), { null: 'NULL_VALUE' });
    rejects('banyandb.model.v1.Str', { value: null }, '$.value', 'expected a string for $.value, got null');
  });

  test('bytes as standard or URL-safe base64', () => {
    const std = fromProtoJson<{ binaryData: Uint8Array }>('banyandb.model.v1.TagValue', { binaryData: '+/8A' });
    assert.deepEqual([...std.binaryData], [0xfb, 0xff, 0x00]);
    const url = fromProtoJson<{ binaryData: Uint8Array }>('banyandb.model.v1.TagValue', { binary_data: '-_8' });
    assert.deepEqual([...url.binaryData], [0xfb, 0xff]);
    rejects(
      'banyandb.model.v1.TagValue',
      { binaryData: 'a*b=' },
      '$.binaryData',
      'expected base64 (bytes) for $.binaryData, got a string with characters outside the base64 alphabet',
    );
    rejects(
      'banyandb.model.v1.TagValue',
      { binaryData: 'abcde' },
      '$.binaryData',
      'expected base64 (bytes) for $.binaryData, got a string of invalid length 5',
    );
  });

  test('integers: ranges and decimal strings', () => {
    assert.deepEqual(fromProtoJson('banyandb.common.v1.Metadata', { createRevision: '9007199254740991', id: 4_294_967_295 }), {
      createRevision: 9_007_199_254_740_991,
      id: 4_294_967_295,
    });
    rejects('banyandb.common.v1.Metadata', { id: -1 }, '$.id', 'expected an integer in [0, 4294967295] (uint32) for $.id, got -1');
    rejects('banyandb.common.v1.Metadata', { id: 1.5 }, '$.id', 'expected an integer (uint32) for $.id, got 1.5');
    rejects(
      'banyandb.common.v1.Metadata',
      { modRevision: '9007199254740993' },
      '$.modRevision',
      'expected an integer in [-9007199254740991, 9007199254740991] (int64) for $.modRevision, got 9007199254740993',
    );
    rejects(
      'banyandb.common.v1.Metadata',
      { modRevision: '1e3' },
      '$.modRevision',
      'expected an integer (int64) for $.modRevision, got string "1e3"',
    );
    rejects('banyandb.common.v1.Metadata', { id: true }, '$.id', 'expected an integer (uint32) for $.id, got boolean');
  });

  test('enum given as a number outside the enum, or as another type', () => {
    rejects(
      'banyandb.common.v1.IntervalRule',
      { unit: 7 },
      '$.unit',
      'unknown value 7 for $.unit (enum banyandb.common.v1.IntervalRule.Unit); expected one of: UNIT_UNSPECIFIED (0), UNIT_HOUR (1), UNIT_DAY (2)',
    );
    rejects(
      'banyandb.common.v1.IntervalRule',
      { unit: ['UNIT_DAY'] },
      '$.unit',
      'expected an enum value name (banyandb.common.v1.IntervalRule.Unit) as a string for $.unit, got array',
    );
  });

  test('paths through arrays and odd member names', () => {
    rejects(
      'banyandb.database.v1.Stream',
      {
        tagFamilies: [
          {
            name: 'a',
            tags: [
              { name: 'x', type: 'TAG_TYPE_INT' },
              { name: 'y', 'bad key': 1 },
            ],
          },
        ],
      },
      '$.tagFamilies[0].tags[1]["bad key"]',
      'unknown field $.tagFamilies[0].tags[1]["bad key"]; expected one of the fields of banyandb.database.v1.TagSpec: name, type',
    );
    rejects(
      'banyandb.database.v1.Stream',
      { tagFamilies: [null] },
      '$.tagFamilies[0]',
      'expected an object (banyandb.database.v1.TagFamilySpec) for $.tagFamilies[0], got null',
    );
  });

  test('the output has the plain message shape, without unset fields', () => {
    const stream = fromProtoJson('banyandb.database.v1.Stream', {
      metadata: { group: 'g', name: 's' },
      tag_families: [{ name: 'f', tags: [{ name: 't', type: 'TAG_TYPE_STRING' }] }],
      entity: { tag_names: ['t'] },
    });
    assert.deepEqual(stream, {
      metadata: { group: 'g', name: 's' },
      tagFamilies: [{ name: 'f', tags: [{ name: 't', type: 'TAG_TYPE_STRING' }] }],
      entity: { tagNames: ['t'] },
    });
  });
});

describe('parseJson', () => {
  const bad: [string, string, number, number][] = [
    ['', 'expected a JSON value, found the end of the file', 1, 1],
    ['{"a": 1,}', "expected a quoted member name, found '}'", 1, 9],
    ['{"a": 1} x', "unexpected 'x' after the JSON value", 1, 10],
    ['[1, 2', "expected ',' or ']' after an array element, found the end of the file", 1, 6],
    ['{\n "a": tru\n}', "expected a JSON value, found 'tru'", 2, 7],
    ['{"a": "x\ny"}', 'control character in a string (escape it)', 1, 9],
    ['{"a": 01}', 'invalid number', 1, 7],
    ['{"a": "\\q"}', 'invalid escape in a string', 1, 8],
  ];
  for (const [text, detail, line, column] of bad) {
    test(`rejects ${JSON.stringify(text)}`, () => {
      assert.throws(() => parseJson(text), { name: 'JsonSyntaxError', detail, line, column });
    });
  }

  test('parses what JSON.parse parses', () => {
    const text = '\ufeff{"a": [1, -2.5e3, true, false, null, "\\u00e9\\n\\"x\\""], "b": {}, "c": []}';
    assert.deepEqual(parseJson(text), JSON.parse(text.slice(1)));
  });

  test('a "__proto__" member is plain data', () => {
    const v = parseJson('{"__proto__": {"polluted": 1}}') as Record<string, unknown>;
    assert.deepEqual(Object.keys(v), ['__proto__']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
